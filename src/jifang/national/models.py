"""The workflows only the national order 799 has (《公共安全视频图像信息系统管理条例》):

- `SystemFiling`: the manager's filing (备案) of a public video system with the district office
  (art. 14), first filings and change filings, received or returned by the office;
- `PublicReport`: a report (举报) from anyone, without an account, of a camera in a prohibited
  place or an unlawful installation (art. 24 para. 2), handled in the district's queue;
- `ViewingRequest`: a person, a close relative or a guardian asking the manager to view related
  footage (art. 21); a consented viewing is written to the usage register (duties.FootageUse).

Every record is written by national.services only and audited there. Filings and reports are
evidence: a later act (receipt, return, handling) fills its own fields once; nothing is rewritten."""
import secrets as pysecrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jifang.core.scoping import ScopePaths
from jifang.core.writes import FieldWrites, Procedure
from jifang.duties.models import SiteCopies

WRITERS_UNIT = frozenset({"unit_user"})

SYSTEM_FILING = Procedure("system_filing", zh="公共安全视频系统备案（条例第十四条）",
                          en="the filing of a public video system (order 799 art. 14)", clause="art_14__para_1")
PUBLIC_REPORT = Procedure("public_report", zh="群众举报的受理（条例第二十四条）",
                          en="the handling of a report from the public (order 799 art. 24)", clause="art_24__para_2")
VIEWING = Procedure("viewing_request", zh="查阅视频图像信息的申请（条例第二十一条）",
                    en="a request to view footage (order 799 art. 21)", clause="art_21__para_1")

# Unambiguous characters for codes people copy by hand (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(length: int = 12) -> str:
    return "".join(pysecrets.choice(CODE_ALPHABET) for _ in range(length))


class SystemCopies(SiteCopies):
    """The system, with its site, unit and district copied when the record is made (national.services),
    so scoped lists are one index range (the copies are the duty records' own, duties.models)."""

    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("system"))

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(f"national:{self._meta.model_name}_detail", args=[self.pk])


# ---- system filing (art. 14) -------------------------------------------------------------------

class FilingKind(models.TextChoices):
    INITIAL = "initial", _("first filing")
    CHANGE = "change", _("change filing")


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting the police")
    RECEIVED = "received", _("received")
    RETURNED = "returned", _("returned for correction")


# Statuses that count as "filed" for art. 14: a returned filing was never accepted.
FILED_STATUSES = (FilingStatus.SUBMITTED, FilingStatus.RECEIVED)


class SystemFiling(SystemCopies):
    """公共安全视频系统备案 (order 799 art. 14 para. 1): the facts the manager files, as filed.

    A change filing is a new row naming the filing it changes; the office receives or returns each
    once. The filed facts are what the manager declared (art. 14 para. 2: the manager answers for
    their truth); the rules compare them with the registry (rules/filing.yaml)."""

    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="national_filings",
                               verbose_name=_("system"))
    kind = models.CharField(_("filing kind"), max_length=8, choices=FilingKind.choices, default=FilingKind.INITIAL)
    changes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="changed_by",
                                verbose_name=_("changes filing"))
    # unit information (单位基本情况), as filed
    unit_name = models.CharField(_("unit name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    unit_address = models.CharField(_("unit address"), max_length=300)
    person_in_charge = models.CharField(_("person in charge"), max_length=50)
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    # the system (建设位置, 图像采集设备数量及类型, 存储期限)
    location = models.CharField(_("location of the system"), max_length=300)
    in_use_since = models.DateField(_("in use since"))
    camera_count = models.PositiveIntegerField(_("number of cameras"))
    with_nvr = models.BooleanField(_("network video recorders"), default=False)
    with_dvr = models.BooleanField(_("digital video recorders"), default=False)
    with_encoder = models.BooleanField(_("video encoders"), default=False)
    retention_days = models.PositiveIntegerField(_("footage retention (days)"))
    note = models.TextField(_("other information"), blank=True)
    # the procedure
    status = models.CharField(_("status"), max_length=12, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED)
    submitted_on = models.DateField(_("filed on"))
    # empty for filings loaded from an office's earlier records (the demo city, imports)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("filed by"))
    receipt_number = models.CharField(_("receipt number"), max_length=60, null=True, blank=True, unique=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("handled by"))
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    verify_code = models.CharField(_("verification code"), max_length=16, unique=True, default=new_code)
    # SHA-256 of the filed facts when the office received them (documents.filed_hash): the printed
    # form and the verification page compare it with the record as it stands.
    sealed_hash = models.CharField(_("record hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope = ScopePaths(district="district_id", unit="unit_id", writers=WRITERS_UNIT)
    writes = FieldWrites(record=SYSTEM_FILING)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["district", "status", "id"]),
            models.Index(fields=["unit", "id"]),
            models.Index(fields=["system", "status", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind="initial") | Q(changes__isnull=False),
                                   name="national_change_filing_names_its_filing"),
        ]
        verbose_name = _("system filing")
        verbose_name_plural = _("system filings")

    def __str__(self):
        return self.receipt_number or f"{self.get_kind_display()} {self.system_id}-{self.pk}"

    @property
    def device_kinds(self) -> list[str]:
        """The kinds of image devices filed, as people read them."""
        kinds = [_("cameras")]
        kinds += [f.verbose_name for f in (self._meta.get_field(n) for n in ("with_nvr", "with_dvr", "with_encoder"))
                  if getattr(self, f.name)]
        return [str(k) for k in kinds]


class FilingCounter(models.Model):
    """The last receipt number given per district and year (numbers are never reused)."""

    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="national_filing_counter_unique")]


class FilingCheck(models.Model):
    """One row per system in use with its current filing (the latest one submitted or received) beside
    the registry's facts now: a database view (migration 0002), read by the change-filing rules.
    Not a table: nothing writes it."""

    filing = models.ForeignKey(SystemFiling, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
                               verbose_name=_("system filing"))
    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.DO_NOTHING, related_name="+",
                               db_constraint=False, verbose_name=_("system"))
    site = models.ForeignKey("registry.Site", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    unit = models.ForeignKey("registry.Unit", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    district = models.ForeignKey("accounts.Division", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False)
    system_code = models.CharField(_("system code"), max_length=32)
    system_name = models.CharField(_("system name"), max_length=200)
    public_video_class = models.CharField(max_length=8)  # the system's order 799 class (art. 9, 33 exempt)
    receipt_number = models.CharField(_("receipt number"), max_length=60, null=True)
    submitted_on = models.DateField(_("filed on"))
    filed_camera_count = models.PositiveIntegerField(_("cameras filed"))
    camera_count_now = models.PositiveIntegerField(_("cameras registered now"))
    filed_retention_days = models.PositiveIntegerField(_("retention filed (days)"))
    retention_days_now = models.PositiveIntegerField(_("retention configured now (days)"), null=True)
    kinds_changed = models.BooleanField(_("device kinds changed"))
    # camera count, device kinds or retention differ from what was filed
    changed = models.BooleanField(_("filed facts changed"))

    class Meta:
        managed = False
        db_table = "national_filing_check"
        verbose_name = _("filing against the registry")
        verbose_name_plural = _("filings against the registry")


# ---- reports from the public (art. 24 para. 2) -------------------------------------------------

class ReportKind(models.TextChoices):
    PROHIBITED_PLACE = "prohibited_place", _("a camera in a prohibited place (guest room, dormitory, toilet...)")
    UNLAWFUL_INSTALLATION = "unlawful", _("a camera installed by someone who may not install it")
    OTHER = "other", _("other unlawful installation")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("received, awaiting handling")
    INSPECTING = "inspecting", _("handed to an inspection")
    CLOSED = "closed", pgettext_lazy("report status", "closed")


class PublicReport(models.Model):
    """举报 from the public (order 799 art. 24 para. 2, read with art. 7 para. 3, 8 para. 1, 9 para. 1).

    Made without an account; the reporter follows it by its receipt code (`code`), which shows the
    status only. The contact details are stored encrypted and shown only to the police."""

    code = models.CharField(_("receipt code"), max_length=12, unique=True, default=new_code)
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))
    kind = models.CharField(_("what is reported"), max_length=16, choices=ReportKind.choices)
    place = models.CharField(_("place"), max_length=300)
    description = models.TextField(_("description"), max_length=4000)
    contact_token = models.TextField(blank=True, editable=False)  # core.secrets, purpose CONTACT_PURPOSE
    source_hash = models.CharField(max_length=64, editable=False, db_index=False)  # the sender's address, keyed hash
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.RECEIVED)
    inspection = models.ForeignKey("enforcement.Inspection", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("inspection"))
    close_reason = models.TextField(_("reason for closing"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("handled by"))
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    # The police only: units and firms never see who reported what about them.
    scope = ScopePaths(district="district_id")
    writes = FieldWrites(record=PUBLIC_REPORT)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["district", "status", "id"]),
            models.Index(fields=["source_hash", "received_at"]),
        ]
        verbose_name = _("report from the public")
        verbose_name_plural = _("reports from the public")

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("national:publicreport_detail", args=[self.pk])


class ReportPhoto(models.Model):
    """A photo sent with a report; type read from its content (core.uploads), stored under a random name."""

    report = models.ForeignKey(PublicReport, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to="national/reports/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    scope = ScopePaths(district="report__district_id")

    class Meta:
        ordering = ["id"]


# ---- viewing requests (art. 21) ----------------------------------------------------------------

class Relation(models.TextChoices):
    SELF = "self", _("the person themself")
    RELATIVE = "relative", _("a close relative")
    GUARDIAN = "guardian", _("a guardian, carer or custodian")


class ViewingStatus(models.TextChoices):
    PENDING = "pending", _("awaiting the manager's answer")
    CONSENTED = "consented", _("consented and viewed")
    REFUSED = "refused", _("refused")


class ViewingRequest(SystemCopies):
    """查阅申请 (order 799 art. 21): to protect a person's life, health or property, the person, a close
    relative or a guardian asks the manager to view the related footage. The manager's consent or
    refusal is recorded once; a consented viewing is an entry of the usage register."""

    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="viewing_requests",
                               verbose_name=_("system"))
    requester_name = models.CharField(_("requested by"), max_length=100)
    requester_id_number = models.CharField(_("identity document number"), max_length=40, blank=True)
    relation = models.CharField(_("relation to the person filmed"), max_length=10, choices=Relation.choices)
    person_name = models.CharField(_("person concerned"), max_length=100, blank=True,
                                   help_text=_("when the requester asks for someone else"))
    reason = models.CharField(_("reason (life, health or property)"), max_length=500)
    recording_from = models.DateTimeField(_("recordings from"))
    recording_to = models.DateTimeField(_("recordings to"))
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=10, choices=ViewingStatus.choices, default=ViewingStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("answered by"))
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    footage_use = models.OneToOneField("duties.FootageUse", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("usage register entry"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope = ScopePaths(district="district_id", unit="unit_id", writers=WRITERS_UNIT)
    writes = FieldWrites(record=VIEWING)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["district", "id"]), models.Index(fields=["unit", "status", "id"])]
        constraints = [
            models.CheckConstraint(condition=Q(recording_to__gte=models.F("recording_from")),
                                   name="national_viewing_range_in_order"),
        ]
        verbose_name = _("viewing request")
        verbose_name_plural = _("viewing requests")

    def __str__(self):
        return f"{self.requester_name} {self.requested_at:%Y-%m-%d}"
