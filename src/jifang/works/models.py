"""技防工程 works: one design-build job on a security system, from design review to filing.

The lifecycle (art_8, 10, 13-17):
registered -> design approved (方案论证, art_14 para 1) -> under construction -> completed
-> acceptance scheduled (the district 技防 office is notified) -> accepted | rework -> in use (art_14 para 2);
the firm files within `filing_days` of completion (art_16); the police may issue a networking notice
(art_10 para 1, art_13 para 2).

District, unit (the site's owner) and site are copied from the system by works.services, the only
write path, so every board and rule query filters on the works row itself.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jifang.core.copies import Copied
from jifang.core.models import TimeStampedModel
from jifang.core.scoping import ScopePaths, any_of
from jifang.core.writes import COPIED, FIXED, OWNER, ByValue, FieldWrites, Procedure
from jifang.registry.models import ACCEPTANCE

PARTIES = frozenset({"unit_user", "firm_user"})

# The facts of a works' lifecycle come from its steps (works.services), never from an edit;
# a design review and a filing are records of their own procedure (core/writes.py).
LIFECYCLE = Procedure("lifecycle", zh="技防工程的办理步骤（第十四条至第十六条）",
                      en="the works' lifecycle steps (art. 14-16)", clause="art_14__para_1")
DESIGN_REVIEW = Procedure("design_review", zh="方案论证（第十四条第一款）", en="the design review (art. 14 para. 1)",
                          clause="art_14__para_1")
FILING = Procedure("filing", zh="竣工备案（第十六条）", en="the filing of completed works (art. 16)",
                   clause="art_16__para_1")
LIFECYCLE_DATES = ("design_approved_on", "started_on", "completed_on", "first_acceptance_on", "accepted_on",
                   "live_on")
REGISTRATION = ("code", "system", "builder", "firm", "registered_on")


def _unit_works(unit_ids, prefix: str = "") -> Q:
    """A unit sees the works at the sites it owns now (`unit` follows the site: docs/scoping.md),
    and the works it commissions as builder until the system is put into use; a unit that lost
    the site after that has no business with its drawings (art_18)."""
    return (Q(**{f"{prefix}unit_id__in": unit_ids})
            | (Q(**{f"{prefix}builder_id__in": unit_ids}) & ~Q(**{f"{prefix}status": "in_use"})))


def _firm_works(firm_id) -> Q:
    """A firm sees the works it designs or builds, nothing else."""
    return Q(firm_id=firm_id) | Q(design_firm_id=firm_id)


def _via_works(prefix: str) -> ScopePaths:
    """The scope of a row that belongs to one works: the works' own scope, reached through `prefix`."""
    return ScopePaths(
        district=f"{prefix}__district_id",
        unit=lambda ids: _unit_works(ids, f"{prefix}__"),
        firm=lambda fid: Q(**{f"{prefix}__firm_id": fid}) | Q(**{f"{prefix}__design_firm_id": fid}),
        writers=PARTIES,
    )


class WorksKind(models.TextChoices):
    NEW = "new", _("new construction")
    REBUILD = "rebuild", _("rebuild")
    EXPANSION = "expansion", _("expansion")
    REPAIR = "repair", _("repair")


# art_8 applies to new, rebuilt and expanded sites, not to repairs.
ART8_KINDS = (WorksKind.NEW, WorksKind.REBUILD, WorksKind.EXPANSION)


class WorksStatus(models.TextChoices):
    REGISTERED = "registered", _("registered, design under review")
    DESIGN_APPROVED = "design_approved", _("design approved")
    UNDER_CONSTRUCTION = "under_construction", _("under construction")
    COMPLETED = "completed", _("completed, awaiting acceptance")
    REWORK = "rework", _("failed acceptance, rework")
    ACCEPTED = "accepted", _("accepted")
    IN_USE = "in_use", _("in use")


class Works(TimeStampedModel):
    code = models.CharField(_("works code"), max_length=32, unique=True)
    name = models.CharField(_("works name"), max_length=200)
    kind = models.CharField(_("works kind"), max_length=16, choices=WorksKind.choices)
    status = models.CharField(_("status"), max_length=24, choices=WorksStatus.choices, default=WorksStatus.REGISTERED)
    system = models.ForeignKey(
        "registry.SecuritySystem", on_delete=models.PROTECT, related_name="works", verbose_name=_("security system")
    )
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", editable=False,
                             verbose_name=_("site"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", editable=False,
                             verbose_name=_("unit"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+", editable=False,
                                 verbose_name=_("district"))
    builder = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="works_built", verbose_name=_("builder")
    )
    firm = models.ForeignKey(
        "registry.Firm", on_delete=models.PROTECT, related_name="works", verbose_name=_("construction firm"),
        help_text=_("builds the works and files it (art. 16)"),
    )
    design_firm = models.ForeignKey(
        "registry.Firm", null=True, blank=True, on_delete=models.PROTECT, related_name="works_designed",
        verbose_name=_("design firm"), help_text=_("empty: the construction firm designed it"),
    )
    # art_8 "three simultaneous": the main construction project this works belongs to.
    main_project_name = models.CharField(_("main project"), max_length=200, blank=True)
    main_design_on = models.DateField(_("main project designed on"), null=True, blank=True)
    main_construction_on = models.DateField(_("main project construction started on"), null=True, blank=True)
    main_acceptance_on = models.DateField(_("main project accepted on"), null=True, blank=True)
    main_opened_on = models.DateField(_("main project opened on"), null=True, blank=True)
    # art_15 para 1: approval and tendering, where they exist.
    approval_number = models.CharField(_("approval number"), max_length=60, blank=True)
    approval_on = models.DateField(_("approved on"), null=True, blank=True)
    tender_number = models.CharField(_("tender number"), max_length=60, blank=True)
    tender_on = models.DateField(_("tendered on"), null=True, blank=True)
    # Facts of the lifecycle, set by the services as the steps happen.
    registered_on = models.DateField(_("registered on"))
    design_approved_on = models.DateField(_("design approved on"), null=True, blank=True)
    started_on = models.DateField(_("construction started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    first_acceptance_on = models.DateField(_("first acceptance held on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    live_on = models.DateField(_("put into use on"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True, help_text=_("copied from the filing"))
    # Copied when the works is completed: the art_16 deadline (deadlines.filing_due_on), which moves
    # past rest days and holidays and so is not column arithmetic the art_16 rules could do in SQL.
    filing_due_on = models.DateField(_("filing deadline"), null=True, blank=True, editable=False)

    copied = Copied("system", ("site", "unit", "district"))
    scope = ScopePaths(district="district_id", unit=_unit_works, firm=_firm_works, writers=PARTIES)
    natural_key_fields = ("code",)
    # Registration fixes the system, builder and firm (a different job is a new works).
    writes = FieldWrites(
        {"status": ByValue(LIFECYCLE, {"registered": OWNER}), **dict.fromkeys(LIFECYCLE_DATES, LIFECYCLE),
         **dict.fromkeys(REGISTRATION, FIXED), "filed_on": COPIED},
        on_create=dict.fromkeys(REGISTRATION, OWNER),
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["firm", "status"]),
            models.Index(fields=["builder", "status"]),
            models.Index(fields=["unit", "status"]),
        ]
        verbose_name = _("works")
        verbose_name_plural = _("works")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("works:works_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        """Keep the copied art_16 deadline in step with the completion date (bulk writers, the demo
        and the import, set it themselves through deadlines.filing_due_or_none)."""
        from .deadlines import filing_due_or_none

        due = filing_due_or_none(self.completed_on, self.district_id)
        if due != self.filing_due_on:
            self.filing_due_on = due
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "filing_due_on"}
        super().save(*args, **kwargs)

    @property
    def firm_ids(self) -> set[int]:
        return {self.firm_id} | ({self.design_firm_id} if self.design_firm_id else set())


class ReviewResult(models.TextChoices):
    PASSED = "passed", _("passed")
    REVISE = "revise", _("revise and resubmit")
    FAILED = "failed", _("failed")


class DesignReview(TimeStampedModel):
    """方案论证 of one version of the design scheme (art_14 para 1). A "revise" result means the
    next review is of a new version."""

    works = models.ForeignKey(Works, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("works"))
    version = models.PositiveSmallIntegerField(_("scheme version"))
    held_on = models.DateField(_("held on"))
    organiser = models.CharField(_("organised by"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=ReviewResult.choices)
    opinion = models.TextField(_("review opinion"), blank=True)

    scope = _via_works("works")
    natural_key_fields = ("works", "version")
    writes = FieldWrites(record=DESIGN_REVIEW)

    class Meta:
        ordering = ["works", "version", "id"]
        constraints = [models.UniqueConstraint(fields=["works", "version"], name="review_works_version_unique")]
        verbose_name = _("design review")
        verbose_name_plural = _("design reviews")

    def __str__(self):
        return f"{self.works.code} v{self.version}"

    def get_absolute_url(self):
        return reverse("works:works_detail", args=[self.works_id])  # by id: no query for the works


class ReviewExpert(models.Model):
    review = models.ForeignKey(DesignReview, on_delete=models.CASCADE, related_name="experts")
    name = models.CharField(_("expert"), max_length=50)
    affiliation = models.CharField(_("affiliation"), max_length=200)
    opinion = models.TextField(_("opinion"), blank=True)

    scope = _via_works("review__works")

    class Meta:
        ordering = ["id"]
        verbose_name = _("review expert")
        verbose_name_plural = _("review experts")

    def __str__(self):
        return f"{self.name}（{self.affiliation}）"


class DocumentKind(models.TextChoices):
    SCHEME = "scheme", _("design scheme")
    DRAWING = "drawing", _("drawing")
    REVIEW_MINUTES = "review_minutes", _("review minutes")
    ACCEPTANCE_REPORT = "acceptance_report", _("acceptance report")
    FILING_FORM = "filing_form", _("filing form")
    OTHER = "other", _("other")


class WorksDocument(TimeStampedModel):
    """A scheme, drawing or report. Secret material (art_18): only the works' parties and the
    district office may open it, and every download is written to the audit log."""

    works = models.ForeignKey(Works, on_delete=models.PROTECT, related_name="documents", verbose_name=_("works"))
    review = models.ForeignKey(
        DesignReview, null=True, blank=True, on_delete=models.PROTECT, related_name="documents",
        verbose_name=_("design review"),
    )
    kind = models.CharField(_("document kind"), max_length=24, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    file = models.FileField(_("file"), upload_to="works/%Y/%m/")
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=80)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    scope = _via_works("works")

    class Meta:
        ordering = ["id"]
        verbose_name = _("works document")
        verbose_name_plural = _("works documents")

    def __str__(self):
        return f"{self.title} v{self.version}"

    def get_absolute_url(self):
        return reverse("works:document_download", args=[self.pk])


class Worker(models.Model):
    """A firm's person on the job (construction by a firm, art_15 para 1)."""

    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="workers")
    firm = models.ForeignKey("registry.Firm", on_delete=models.PROTECT, related_name="+", verbose_name=_("firm"))
    name = models.CharField(_("person's name"), max_length=50)
    job = models.CharField(_("job"), max_length=50)
    certificate = models.CharField(_("qualification certificate"), max_length=60, blank=True)

    scope = _via_works("works")

    class Meta:
        ordering = ["id"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self):
        return f"{self.name}（{self.job}）"


class AcceptanceResult(models.TextChoices):
    PENDING = "pending", _("scheduled")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class Acceptance(TimeStampedModel):
    """竣工验收, organised by the builder (art_14 para 2). Scheduling notifies the district office
    (art_14 para 1); a failed round sends the works back to rework and a new round."""

    code = models.CharField(_("acceptance code"), max_length=40, unique=True, help_text=_("works code and round"))
    works = models.ForeignKey(Works, on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("works"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+", editable=False,
                                 verbose_name=_("district"))
    round = models.PositiveSmallIntegerField(_("round"))
    scheduled_for = models.DateField(_("scheduled for"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    police_notified_at = models.DateTimeField(
        _("police notified at"), null=True, blank=True, help_text=_("empty: the 技防 office was not notified")
    )
    held_on = models.DateField(_("held on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=AcceptanceResult.choices,
                              default=AcceptanceResult.PENDING)
    certificate = models.CharField(_("acceptance certificate number"), max_length=50, blank=True)
    reserved_interface = models.BooleanField(_("reserved police networking interface confirmed"), null=True,
                                             blank=True)
    opinion = models.TextField(_("acceptance opinion"), blank=True)
    non_conforming = models.JSONField(
        _("non-conforming products"), default=list, blank=True,
        help_text=_("[{serial, product, reason}]: devices whose product is not in the catalogue or meets no standard"),
    )

    # A pending acceptance goes to the office where the site lies now (it attends); a held one keeps
    # the district that attended (docs/scoping.md).
    copied = Copied("works", ("district",), follow=Q(result="pending"))
    scope = _via_works("works")
    natural_key_fields = ("code",)
    writes = FieldWrites(record=ACCEPTANCE)

    class Meta:
        ordering = ["works", "round"]
        constraints = [models.UniqueConstraint(fields=["works", "round"], name="acceptance_works_round_unique")]
        indexes = [models.Index(fields=["result", "scheduled_for"])]
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("works:works_detail", args=[self.works_id])  # by id: no query for the works


class AcceptanceItem(models.Model):
    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("item"), max_length=200)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = _via_works("acceptance__works")

    class Meta:
        ordering = ["id"]
        verbose_name = _("acceptance item")
        verbose_name_plural = _("acceptance items")


class Attendance(models.Model):
    """An officer of the works' district attended the acceptance (art_14 para 1)."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="attendances")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("officer"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = _via_works("acceptance__works")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["acceptance", "officer"], name="attendance_once")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")


class NotificationKind(models.TextChoices):
    ACCEPTANCE_SCHEDULED = "acceptance_scheduled", _("acceptance scheduled")
    FILING_RECEIVED = "filing_received", _("filing received")


class Notification(models.Model):
    """A line in one district office's queue. Only that district's police (and the city) see it."""

    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    works = models.ForeignKey(Works, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("works"))
    acceptance = models.ForeignKey(Acceptance, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    # No unit or firm path: the queue is the police's.
    # An open line moves to the new office's queue; a handled one is the old office's history.
    copied = Copied("works", ("district",), follow=Q(handled_at__isnull=True))
    scope = ScopePaths(district="district_id")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["district", "handled_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.works.code}"

    def get_absolute_url(self):
        return reverse("works:works_detail", args=[self.works_id])  # by id: no query for the works


class Filing(TimeStampedModel):
    """备案 of a completed works with the district office by the firm that did it (art_16)."""

    works = models.OneToOneField(Works, on_delete=models.PROTECT, related_name="filing", verbose_name=_("works"))
    firm = models.ForeignKey("registry.Firm", on_delete=models.PROTECT, related_name="filings",
                             verbose_name=_("filing firm"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+", editable=False,
                                 verbose_name=_("district"))
    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)
    filed_on = models.DateField(_("filed on"))
    due_on = models.DateField(_("filing deadline"))
    contact_name = models.CharField(_("contact"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    summary = models.TextField(_("works summary"), blank=True)
    device_count = models.PositiveIntegerField(_("devices installed"), default=0)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("received by"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    # The filing is part of the works' file and follows it (scope through the works); its own
    # district is the office that received it.
    copied = Copied("works", ("district",), follow=False)
    scope = ScopePaths(
        district="works__district_id",
        unit=lambda ids: _unit_works(ids, "works__"),
        firm="firm_id",
        writers=frozenset({"firm_user"}),
    )
    natural_key_fields = ("receipt_number",)
    writes = FieldWrites(record=FILING)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["district", "received_at"])]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")

    def __str__(self):
        return self.receipt_number

    def get_absolute_url(self):
        return reverse("works:works_detail", args=[self.works_id])  # by id: no query for the works

    @property
    def on_time(self) -> bool:
        return self.filed_on <= self.due_on


class NoticeBasis(models.TextChoices):
    PUBLIC_AREA = "art_10__para_1", _("public-area system (art. 10 para. 1)")
    REQUIRED = "art_13__para_2", _("networking required for public security (art. 13 para. 2)")


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    CONNECTED = "connected", _("connected")


class NetworkingNotice(TimeStampedModel):
    """联网通知: the police tell the operator to connect a system to the police platform by a date."""

    number = models.CharField(_("notice number"), max_length=40, unique=True)
    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="networking_notices",
                               verbose_name=_("security system"))
    works = models.ForeignKey(Works, null=True, blank=True, on_delete=models.PROTECT, related_name="notices",
                              verbose_name=_("works"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+", editable=False,
                                 verbose_name=_("district"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", editable=False,
                             verbose_name=_("unit"))
    basis = models.CharField(_("legal basis"), max_length=16, choices=NoticeBasis.choices)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("connect by"))
    status = models.CharField(_("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    connected_on = models.DateField(_("connected on"), null=True, blank=True)
    # Empty for notices loaded from the office's history, whose issuing officer has no account here.
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("issued by"))

    # The issuing district keeps its notice; the district and unit of the system now see it.
    copied = Copied("system", ("unit", "district"), follow=False)
    scope = ScopePaths(district=any_of("district_id", "system__district_id"), unit="system__unit_id",
                       firm="system__firm_id", writers=frozenset({"unit_user"}))
    natural_key_fields = ("number",)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["district", "status", "due_on"])]
        verbose_name = _("networking notice")
        verbose_name_plural = _("networking notices")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("works:networkingnotice_detail", args=[self.pk])
