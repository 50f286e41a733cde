"""Video networking (GB/T 28181): what the gateway learns from the devices themselves.

An Endpoint is a registry device that registers with the gateway (an NVR, a DVR, an IP camera);
its channels are the cameras its catalogue lists. Online state lives on the endpoint row, shared by
every gateway process; Transition and RetentionProof rows are evidence: appended, never changed.
District, unit, site and system are copied from the registry device (as registry.services does for
devices) so that scoped lists and the online rate per area are index scans.
"""
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jifang.core.copies import Copied
from jifang.core.scoping import ScopePaths

WRITERS_UNIT = frozenset({"unit_user"})


class Placed(models.Model):
    """The registry copies every video row carries."""

    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("system"))

    scope = ScopePaths(district="district_id", unit="unit_id", firm="system__firm_id")

    class Meta:
        abstract = True

    def place_from(self, device) -> None:
        self.district_id, self.unit_id = device.district_id, device.unit_id
        self.site_id, self.system_id = device.site_id, device.system_id


class Endpoint(Placed):
    """A registry device that speaks GB/T 28181 to the gateway, with its live state."""

    device = models.OneToOneField("registry.Device", on_delete=models.PROTECT, related_name="video_endpoint",
                                  verbose_name=_("device"))
    # core.copies: an endpoint goes where its registry device goes (a site moved to another district)
    copied = Copied("device", ("system", "site", "unit", "district"))
    gb28181_id = models.CharField(_("GB/T 28181 ID"), max_length=20, unique=True)
    # Fernet token from jifang.core.secrets (purpose "video.sip_password"); empty: the platform default.
    password_token = models.TextField(blank=True, editable=False)
    online = models.BooleanField(_("online"), default=False)
    status_since = models.DateTimeField(_("in this state since"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("registration expires at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last heard from"), null=True, blank=True)
    contact = models.CharField(_("contact address"), max_length=64, blank=True)
    transport = models.CharField(_("transport"), max_length=3, blank=True)
    gateway_node = models.CharField(_("gateway process"), max_length=64, blank=True)
    catalog_at = models.DateTimeField(_("catalogue received at"), null=True, blank=True)
    recording = models.BooleanField(_("recording"), null=True, blank=True)
    clock_drift_seconds = models.FloatField(_("clock drift (seconds)"), null=True, blank=True)
    status_at = models.DateTimeField(_("status received at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["district", "online"]),
            models.Index(fields=["unit", "online"]),
            models.Index(fields=["online", "last_seen_at"], name="video_endp_sweep"),
            # the offline sweep's second look: live endpoints whose registration ran out
            models.Index(fields=["online", "expires_at"], name="video_endp_expiry"),
        ]
        verbose_name = _("video endpoint")
        verbose_name_plural = _("video endpoints")

    def __str__(self):
        return self.gb28181_id

    def get_absolute_url(self):
        return reverse("video:endpoint_detail", args=[self.pk])


class TransitionReason(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("video transition", "registered")
    KEEPALIVE = "keepalive", _("keepalive after silence")
    UNREGISTERED = "unregistered", _("unregistered (Expires: 0)")
    KEEPALIVE_MISSED = "keepalive_missed", _("keepalives missed")
    EXPIRED = "expired", _("registration expired")


class Transition(models.Model):
    """An online/offline change, stored when a gateway process makes it (append-only)."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="transitions",
                                 verbose_name=_("video endpoint"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    online = models.BooleanField(_("online"))
    at = models.DateTimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=20, choices=TransitionReason.choices)
    source = models.CharField(_("source address"), max_length=64, blank=True)
    gateway_node = models.CharField(_("gateway process"), max_length=64, blank=True)

    scope = ScopePaths(district="district_id", unit="unit_id")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["endpoint", "at"])]
        verbose_name = _("online transition")
        verbose_name_plural = _("online transitions")


class UnknownDevice(models.Model):
    """A GB/T 28181 ID that tried to register without a registry device: refused and listed so
    that its unit can claim it (by entering the ID on its device)."""

    gb28181_id = models.CharField(_("GB/T 28181 ID"), max_length=20, unique=True)
    # The division the ID's centre code names, when it is one of ours; else the city sees it.
    district = models.ForeignKey("accounts.Division", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("district"))
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    count = models.PositiveIntegerField(_("attempts"), default=0)
    source = models.CharField(_("source address"), max_length=64)

    scope = ScopePaths(district="district_id")

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("unknown video device")
        verbose_name_plural = _("unknown video devices")

    def __str__(self):
        return self.gb28181_id

    def get_absolute_url(self):
        return reverse("video:unknowndevice_list") + f"?q={self.gb28181_id}"


class ChannelStatus(models.TextChoices):
    ON = "on", pgettext_lazy("channel status", "online")
    OFF = "off", pgettext_lazy("channel status", "offline")
    UNKNOWN = "unknown", _("unknown")


class Channel(Placed):
    """An item of an endpoint's catalogue. `device` is the registry device with the same GB/T 28181
    ID; a channel without one is new and waits for its unit to accept it."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="channels",
                                 verbose_name=_("video endpoint"))
    gb28181_id = models.CharField(_("GB/T 28181 ID"), max_length=20, unique=True)
    device = models.OneToOneField("registry.Device", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="video_channel", verbose_name=_("registry device"))
    name = models.CharField(_("name reported"), max_length=200, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ChannelStatus.choices, default=ChannelStatus.UNKNOWN)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    scope = ScopePaths(district="district_id", unit="unit_id", firm="system__firm_id", writers=WRITERS_UNIT)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["unit", "device"])]
        verbose_name = _("video channel")
        verbose_name_plural = _("video channels")

    def __str__(self):
        return self.name or self.gb28181_id

    def get_absolute_url(self):
        return reverse("video:channel_detail", args=[self.pk])


class ProofOutcome(models.TextChoices):
    PRESENT = "present", _("recordings present")
    ABSENT = "absent", _("no recordings")
    NO_ANSWER = "no_answer", _("no answer")


class RetentionProof(Placed):
    """The answer of one RecordInfo query for a short window at now minus the retention minimum:
    evidence of whether a channel's recordings are kept that long (append-only)."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="proofs",
                                verbose_name=_("video channel"))
    device = models.ForeignKey("registry.Device", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("device"))
    asked_at = models.DateTimeField(_("asked at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    required_days = models.PositiveIntegerField(_("days required"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ProofOutcome.choices)
    items = models.JSONField(_("recordings listed"), default=list, blank=True)
    sn = models.PositiveIntegerField(_("query serial number"))

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["channel", "asked_at"]), models.Index(fields=["system", "asked_at"])]
        verbose_name = _("retention proof")
        verbose_name_plural = _("retention proofs")

    def __str__(self):
        return f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("video:retentionproof_detail", args=[self.pk])


class SystemRetention(models.Model):
    """Per system: the latest retention proof's verdict, kept by the gateway (one row per system
    that ever answered or was asked). The art_19 rule judges it beside the declared retention."""

    system = models.OneToOneField("registry.SecuritySystem", on_delete=models.PROTECT,
                                  related_name="video_retention", verbose_name=_("system"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    # proven: every channel asked last time showed recordings; short: at least one showed none;
    # not_proven: nothing answered.
    verdict = models.CharField(_("retention proven"), max_length=12)
    proof = models.ForeignKey(RetentionProof, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("evidence"))
    proven_at = models.DateTimeField(_("time of proof"))
    proven_on = models.DateField(_("date of proof"), help_text=_("local date of the proof, as findings cite it"))
    required_days = models.PositiveIntegerField(_("days required"))

    scope = ScopePaths(district="district_id", unit="unit_id", firm="system__firm_id")

    class Meta:
        verbose_name = _("proven retention")
        verbose_name_plural = _("proven retention")
        constraints = [models.CheckConstraint(condition=Q(verdict__in=["proven", "short", "not_proven"]),
                                              name="video_sysret_verdict")]
