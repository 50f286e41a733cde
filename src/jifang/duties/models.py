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
