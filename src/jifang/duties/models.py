"""The records units keep while they run a system (art_18-22). Both are evidence: written only by
duties.services, audited, and never edited in place (an outage's end, cause and justification are
filled in once; a footage register entry is corrected by a new entry that refers to it)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jifang.core.copies import Copied
from jifang.core.scoping import ScopePaths
from jifang.core.writes import FIXED, OWNER, FieldWrites

WRITERS_UNIT = frozenset({"unit_user"})


class SiteCopies(models.Model):
    """Site, unit and district copied from the system at write time (core.copies), so that
    scoped lists are one index range like the registry's devices. A duty record is a record of its
    moment: it keeps the unit and district that were responsible then (follow=False)."""

    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", editable=False,
                             verbose_name=_("site"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", editable=False,
                             verbose_name=_("unit"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+", editable=False,
                                 verbose_name=_("district"))

    copied = Copied("system", ("site", "unit", "district"), follow=False)

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(f"duties:{self._meta.model_name}_detail", args=[self.pk])


class OutageSource(models.TextChoices):
    MANUAL = "manual", _("entered by the unit")
    ALARM_RECEIVER = "alarm_receiver", _("alarm centre supervision")
    VIDEO_GATEWAY = "video_gateway", _("video networking gateway")


class OutageCause(models.TextChoices):
    UNKNOWN = "unknown", _("not yet explained")
    MAINTENANCE_NOTIFIED = "maintenance_notified", _("maintenance notified in advance")
    POWER_CUT = "power_cut", _("power cut")
    FORCE_MAJEURE = "force_majeure", _("force majeure")
    FAULT = "fault", _("equipment fault")
    NETWORK = "network", _("network failure")
    OTHER = "other", _("other")


# Causes that justify an interruption under art_19 ("无正当理由" read with art_20 point 2).
JUSTIFYING_CAUSES = frozenset({OutageCause.MAINTENANCE_NOTIFIED, OutageCause.POWER_CUT, OutageCause.FORCE_MAJEURE})


class Outage(SiteCopies):
    """中断记录: a time a system (or one of its devices) did not run (art_19, art_20 point 2).

    Written by the alarm receiver (a panel missing its supervision), the video gateway (a device
    missing its keepalives) or the unit by hand. At most one open outage per device and source, so
    several receiver or gateway processes opening the same outage store it once."""

    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="outages",
                               verbose_name=_("system"))
    device = models.ForeignKey("registry.Device", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="outages", verbose_name=_("device"))
    source = models.CharField(_("recorded by"), max_length=16, choices=OutageSource.choices)
    started_at = models.DateTimeField(_("interrupted from"))
    ended_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=24, choices=OutageCause.choices, default=OutageCause.UNKNOWN)
    note = models.TextField(_("explanation"), blank=True)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("explained by"))
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope = ScopePaths(district="district_id", unit="unit_id", firm="system__firm_id", writers=WRITERS_UNIT)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["district", "started_at"]),
            models.Index(fields=["unit", "started_at"]),
            models.Index(fields=["system", "started_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["device", "source"], condition=Q(ended_at__isnull=True),
                                    name="duties_outage_one_open_per_device_source"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                                   name="duties_outage_ends_after_start"),
        ]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")

    def __str__(self):
        return f"{self.system} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def justified(self) -> bool | None:
        """True or False once explained; None while the cause is unknown."""
        if self.cause == OutageCause.UNKNOWN:
            return None
        return self.cause in JUSTIFYING_CAUSES


class FootageUseKind(models.TextChoices):
    VIEW = "view", _("viewing")
    COPY = "copy", _("copy")
    EXPORT = "export", _("export")
    PROVIDE = "provide", _("provision to another party")


class FootageUse(SiteCopies):
    """使用登记: one viewing, copy, export or provision of recordings (Kunming art_21 points 2-3;
    national order 799 art. 16 and 21). Append-only: a correction is a new entry naming the old one."""

    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="footage_uses",
                               verbose_name=_("system"))
    kind = models.CharField(_("use"), max_length=8, choices=FootageUseKind.choices)
    recording_from = models.DateTimeField(_("recordings from"))
    recording_to = models.DateTimeField(_("recordings to"))
    cameras = models.ManyToManyField("registry.Device", related_name="+", blank=True, verbose_name=_("cameras"))
    used_at = models.DateTimeField(_("used at"))
    user_name = models.CharField(_("used by"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=300)
    destination = models.CharField(_("destination"), max_length=300, blank=True)
    # Order 799 art. 16: who asked, for what, and what was given.
    requester_unit = models.CharField(_("requesting unit"), max_length=200, blank=True)
    requester_name = models.CharField(_("requested by"), max_length=100, blank=True)
    content = models.CharField(_("content provided"), max_length=300, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    approved_by_name = models.CharField(_("approved by (person responsible)"), max_length=100, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
                                 verbose_name=_("corrects entry"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope = ScopePaths(district="district_id", unit="unit_id", writers=WRITERS_UNIT)

    class Meta:
        ordering = ["-used_at", "-id"]
        indexes = [
            models.Index(fields=["district", "used_at"]),
            models.Index(fields=["unit", "used_at"]),
            models.Index(fields=["system", "used_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(recording_to__gte=models.F("recording_from")),
                                   name="duties_footage_use_range_in_order"),
        ]
        verbose_name = _("footage usage register entry")
        verbose_name_plural = _("footage usage register")

    def __str__(self):
        return f"{self.get_kind_display()} {self.used_at:%Y-%m-%d %H:%M} {self.user_name}"


# --- the registers of art_18, art_20 and art_21 kept by the unit -------------------------------------

KEEPERS = frozenset({"unit_user"})
EVIDENCE_DIR = "duties/evidence"


class UnitRecord(SiteCopies):
    """An entry of one of the unit's registers (art_18, art_20, art_21). Evidence: written once by
    duties.services (the import writes the same columns), never changed (core.guards: the table
    refuses UPDATE and DELETE); a correction is a new entry naming the one it corrects. Only the
    unit keeps its registers; its district police read them; firms and other units see nothing.

    `number` is the entry's number in the register (the import's natural key); the service gives
    one when the unit leaves it empty."""

    # The site is the unit's choice (a system's records take their system's site).
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    number = models.CharField(_("entry number"), max_length=40, unique=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
                                 verbose_name=_("corrects entry"))
    # The stored name of the evidence file (core.uploads: a random name, the sniffed type's extension).
    # A name, not a FileField: the import writes entries in bulk (core.bulk), and the file is
    # stored by the service before the row.
    evidence = models.CharField(_("evidence file"), max_length=200, blank=True, editable=False)
    evidence_type = models.CharField(_("evidence type"), max_length=40, blank=True, editable=False)
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                    editable=False, verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    natural_key_fields = ("number",)
    # The unit and district responsible when the entry was made (the service copies them from the
    # site; a site that moves later leaves its entries where they were kept).
    copied = Copied("site", ("unit", "district"), follow=False)
    scope = ScopePaths(district="district_id", unit="unit_id", writers=KEEPERS)
    # The number prefix of the entries the service numbers (e.g. WH-20260301-1A2B3C).
    number_prefix = "JL"

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number


def _record_indexes(name: str, day: str) -> list[models.Index]:
    return [models.Index(fields=["district", day], name=f"duties_{name}_district_day"),
            models.Index(fields=["unit", day], name=f"duties_{name}_unit_day"),
            models.Index(fields=["site", day], name=f"duties_{name}_site_day")]


class MaintenanceKind(models.TextChoices):
    INSPECTION = "inspection", _("routine inspection")
    SERVICING = "servicing", _("maintenance and servicing")
    REPAIR = "repair", _("fault repair")


class MaintenanceRecord(UnitRecord):
    """维护保养与故障记录 (art_20 point 2): a routine inspection, a servicing, or a fault and its
    repair ("发生故障应当及时排除": when it was noticed and when it was fixed)."""

    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="maintenance_records",
                               verbose_name=_("system"))
    kind = models.CharField(_("kind of work"), max_length=12, choices=MaintenanceKind.choices)
    performed_on = models.DateField(_("performed on"))
    performed_by = models.CharField(_("performed by"), max_length=200)
    description = models.TextField(_("work done"), max_length=4000)
    fault = models.TextField(_("fault found"), max_length=4000, blank=True)
    fault_noticed_on = models.DateField(_("fault noticed on"), null=True, blank=True)
    fixed_on = models.DateField(_("fault fixed on"), null=True, blank=True)
    number_prefix = "WB"

    class Meta(UnitRecord.Meta):
        ordering = ["-performed_on", "-id"]
        indexes = _record_indexes("maint", "performed_on")
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance and fault records")


class TrainingAudience(models.TextChoices):
    OPERATORS = "operators", _("operators")
    MANAGERS = "managers", _("managers")
    MAINTAINERS = "maintainers", _("maintenance staff")
    ALL = "all", _("all staff of the system")


class TrainingRecord(UnitRecord):
    """岗位培训记录 (art_20 point 1): training of the system's operators, managers and maintainers."""

    held_on = models.DateField(_("held on"))
    audience = models.CharField(_("trained staff"), max_length=12, choices=TrainingAudience.choices)
    topic = models.CharField(_("topic"), max_length=300)
    trainer = models.CharField(_("trainer"), max_length=200)
    trainees = models.TextField(_("trainees"), max_length=4000)
    hours = models.PositiveSmallIntegerField(_("class hours"))
    number_prefix = "PX"

    class Meta(UnitRecord.Meta):
        ordering = ["-held_on", "-id"]
        indexes = _record_indexes("train", "held_on")
        verbose_name = _("training record")
        verbose_name_plural = _("training records")


class ImageQualityCheck(UnitRecord):
    """图像质量检查 (art_20 point 3): how many cameras were checked, how many fell short, what was done."""

    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="image_checks",
                               verbose_name=_("system"))
    checked_on = models.DateField(_("checked on"))
    checked_by = models.CharField(_("checked by"), max_length=200)
    cameras_checked = models.PositiveIntegerField(_("cameras checked"))
    cameras_failing = models.PositiveIntegerField(_("cameras falling short"), default=0)
    findings = models.TextField(_("findings"), max_length=4000, blank=True)
    remedy = models.TextField(_("remedy"), max_length=4000, blank=True)
    number_prefix = "TX"

    class Meta(UnitRecord.Meta):
        ordering = ["-checked_on", "-id"]
        indexes = _record_indexes("image", "checked_on")
        constraints = [models.CheckConstraint(condition=Q(cameras_failing__lte=models.F("cameras_checked")),
                                              name="duties_image_check_failing_le_checked")]
        verbose_name = _("image-quality check")
        verbose_name_plural = _("image-quality checks")


class EmergencyKind(models.TextChoices):
    PLAN = "plan", _("emergency plan adopted")
    REVISION = "revision", _("emergency plan revised")
    DRILL = "drill", _("emergency drill")


class EmergencyRecord(UnitRecord):
    """应急处理制度 (art_20 point 4): an emergency plan adopted or revised, or a drill held."""

    kind = models.CharField(_("kind of record"), max_length=12, choices=EmergencyKind.choices)
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)
    participants = models.TextField(_("participants"), max_length=4000, blank=True)
    summary = models.TextField(_("summary"), max_length=4000)
    number_prefix = "YJ"

    class Meta(UnitRecord.Meta):
        ordering = ["-held_on", "-id"]
        indexes = _record_indexes("emerg", "held_on")
        verbose_name = _("emergency plan or drill")
        verbose_name_plural = _("emergency plans and drills")


class WatchRoster(UnitRecord):
    """值班监看排班 (art_21 point 1): who is on watch at a site from when to when. Only people on the
    roster at the time may view, copy or hand out the site's recordings ("无关人员不得接触")."""

    person_name = models.CharField(_("person on watch"), max_length=100)
    post = models.CharField(_("post"), max_length=100, blank=True)
    on_from = models.DateTimeField(_("on watch from"))
    on_to = models.DateTimeField(_("on watch to"))
    number_prefix = "PB"

    class Meta(UnitRecord.Meta):
        ordering = ["-on_from", "-id"]
        indexes = [*_record_indexes("roster", "on_from"),
                   models.Index(fields=["site", "person_name", "on_from"], name="duties_roster_site_person")]
        constraints = [models.CheckConstraint(condition=Q(on_to__gt=models.F("on_from")),
                                              name="duties_roster_ends_after_start")]
        verbose_name = _("watch roster entry")
        verbose_name_plural = _("watch rosters")

    def __str__(self):
        return f"{self.person_name} {self.number}"


class WatchLog(UnitRecord):
    """值班监看记录 (art_21 point 1): what the person on watch saw and did during one watch."""

    person_name = models.CharField(_("person on watch"), max_length=100)
    watch_from = models.DateTimeField(_("watch from"))
    watch_to = models.DateTimeField(_("watch to"))
    observations = models.TextField(_("observations"), max_length=4000)
    incidents = models.TextField(_("incidents and actions"), max_length=4000, blank=True)
    number_prefix = "ZB"

    class Meta(UnitRecord.Meta):
        ordering = ["-watch_from", "-id"]
        indexes = _record_indexes("watchlog", "watch_from")
        constraints = [models.CheckConstraint(condition=Q(watch_to__gt=models.F("watch_from")),
                                              name="duties_watch_log_ends_after_start")]
        verbose_name = _("watch log entry")
        verbose_name_plural = _("watch logs")


class ClearedPerson(UnitRecord):
    """知密人员登记 (art_18, art_21 point 3): a person who knows the system's secrets, their role,
    clearance, confidentiality agreement (the evidence file) and the drawings in their custody.
    The phone number is kept encrypted (core.secrets); the name and number are shown only to the
    unit and its district police, like every row of the unit's registers."""

    person_name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=100)
    phone_token = models.TextField(_("phone number (encrypted)"), blank=True, editable=False)
    cleared_on = models.DateField(_("cleared on"))
    agreement_signed_on = models.DateField(_("confidentiality agreement signed on"), null=True, blank=True)
    drawings = models.TextField(_("drawings and documents in custody"), max_length=4000, blank=True)
    left_on = models.DateField(_("no longer cleared from"), null=True, blank=True)
    number_prefix = "ZM"

    class Meta(UnitRecord.Meta):
        ordering = ["-cleared_on", "-id"]
        indexes = _record_indexes("cleared", "cleared_on")
        verbose_name = _("secrecy-cleared person")
        verbose_name_plural = _("secrecy-cleared staff")

    def __str__(self):
        return f"{self.person_name} {self.number}"


class SuspicionReport(UnitRecord):
    """可疑情况报告 (art_21 point 6): what the unit noticed and when and to whom it reported it. The
    district police acknowledge it once (the only later act the record takes)."""

    noticed_at = models.DateTimeField(_("noticed at"))
    reported_at = models.DateTimeField(_("reported at"))
    reported_to = models.CharField(_("reported to (police office)"), max_length=200)
    reported_by = models.CharField(_("reported by"), max_length=100)
    description = models.TextField(_("what was noticed"), max_length=4000)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", editable=False, verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True, editable=False)
    acknowledgement = models.TextField(_("police remark"), max_length=2000, blank=True, editable=False)
    number_prefix = "KY"

    class Meta(UnitRecord.Meta):
        ordering = ["-reported_at", "-id"]
        indexes = _record_indexes("suspicion", "reported_at")
        constraints = [models.CheckConstraint(condition=Q(reported_at__gte=models.F("noticed_at")),
                                              name="duties_suspicion_reported_after_noticed")]
        verbose_name = _("suspicious situation report")
        verbose_name_plural = _("suspicious situation reports")


UNIT_REGISTERS = (MaintenanceRecord, TrainingRecord, ImageQualityCheck, EmergencyRecord, WatchRoster, WatchLog,
                  ClearedPerson, SuspicionReport)


def _written_once(model) -> FieldWrites:
    """Every field is the unit's to give when the entry is made and no one's to change afterwards
    (a correction is a new entry): FIXED after creation."""
    names = [f.name for f in model._meta.fields if f.editable and not f.primary_key]
    return FieldWrites({n: FIXED for n in names}, on_create={n: OWNER for n in names})


for _model in UNIT_REGISTERS:
    _model.writes = _written_once(_model)


# Camera baselines live in their own module (art_21 point 4, art_22 point 2).
from .camera import CameraBaseline, CameraRecord  # noqa: E402,F401
