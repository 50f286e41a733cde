"""The alarm centre (art_12): panels' DC-09 accounts, the events they send, and the accounts the
centre does not know. Written only by alarms.services (the receiver's batches and the operators)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jifang.core.copies import Copied
from jifang.core.scoping import ScopePaths

from .codes import Category

DEFAULT_SUPERVISION = 3600  # seconds between link tests when none is set (a common panel default)
DEFAULT_GRACE = 120


class DeviceCopies(models.Model):
    """The panel and where it stands, copied when the row is written so that scoped lists are one
    index range (like duties.Outage) and an event keeps the site it came from."""

    # core.copies: an event is a record of its moment; an account follows its panel (AlarmAccount)
    copied = Copied("device", ("system", "site", "unit", "district"), follow=False)

    device = models.ForeignKey("registry.Device", on_delete=models.PROTECT, related_name="+", verbose_name=_("panel"))
    system = models.ForeignKey("registry.SecuritySystem", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("system"))
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"))

    class Meta:
        abstract = True


SCOPE = ScopePaths(district="district_id", unit="unit_id", firm="system__firm_id")


class AlarmAccount(DeviceCopies):
    """报警主机的联网账号: the DC-09 account of an alarm panel, its optional AES key (sealed with
    core.secrets, never shown again) and how often it must report."""

    account = models.CharField(_("DC-09 account"), max_length=16, unique=True)
    # the account goes where its panel goes (a site moved to another district or unit)
    copied = Copied("device", ("system", "site", "unit", "district"))
    key_token = models.TextField(_("encryption key (sealed)"), blank=True, editable=False)
    key_bits = models.PositiveSmallIntegerField(_("key length (bits)"), null=True, blank=True, editable=False)
    supervision_seconds = models.PositiveIntegerField(_("supervision interval (seconds)"), default=DEFAULT_SUPERVISION,
                                                      help_text=_("0: the panel is not supervised"))
    grace_seconds = models.PositiveIntegerField(_("grace (seconds)"), default=DEFAULT_GRACE)
    last_seen_at = models.DateTimeField(_("last message"), null=True, blank=True, editable=False)
    last_source = models.CharField(_("last source address"), max_length=64, blank=True, editable=False)
    trouble_since = models.DateTimeField(_("supervision lost since"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)  # the receivers reload what changed

    scope = SCOPE

    class Meta:
        ordering = ["account"]
        indexes = [models.Index(fields=["district", "account"]), models.Index(fields=["updated_at"]),
                   models.Index(fields=["trouble_since"]),
                   # supervision_sweep: the panels of each (interval, grace) not in trouble. Without
                   # last_seen_at, which every message moves: on PostgreSQL that update is then HOT
                   # (no index entry rewritten), on SQLite it writes no index.
                   models.Index(fields=["supervision_seconds", "grace_seconds"],
                                condition=Q(trouble_since__isnull=True), name="alarms_account_supervised_now")]
        constraints = [models.UniqueConstraint(fields=["device"], name="alarms_account_one_per_panel")]
        verbose_name = _("alarm account")
        verbose_name_plural = _("alarm accounts")

    def __str__(self):
        return self.account


class EventStatus(models.TextChoices):
    NEW = "new", _("waiting")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    DISPATCHED = "dispatched", _("dispatched")
    CLOSED = "closed", pgettext_lazy("alarm", "closed")
    LOGGED = "logged", _("logged")  # restores, tests, arming: no operator action


OPEN_STATUSES = (EventStatus.NEW, EventStatus.ACKNOWLEDGED, EventStatus.DISPATCHED)


class Disposition(models.TextChoices):
    REAL = "real", _("real alarm")
    FALSE = "false", _("false alarm")
    TEST = "test", _("test")
    TECHNICAL = "technical", _("technical fault")


class DispatchTarget(models.TextChoices):
    DISTRICT_POLICE = "district_police", _("district police station")
    POLICE_110 = "110", _("110 command centre")


class AlarmEvent(DeviceCopies):
    """报警事件: one message a panel sent (or a supervision trouble the centre raised), stored before
    its ACK left, and the operators' handling of it. The received fields never change; `dedupe`
    makes a retransmission (same account, sequence and content) land on the same row."""

    # Every index is written on every insert (the receiver's cost per message). The scoped lists
    # read (district | unit | site | account, received_at), and those composite indexes (Meta) serve
    # a look-up by the column alone as well, so these four foreign keys have no index of their own.
    site = models.ForeignKey("registry.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"),
                             db_index=False)
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"),
                             db_index=False)
    district = models.ForeignKey("accounts.Division", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("district"), db_index=False)
    account = models.ForeignKey(AlarmAccount, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("DC-09 account"), db_index=False)
    received_at = models.DateTimeField(_("received at"), db_index=False)
    panel_time = models.DateTimeField(_("panel time"), null=True, blank=True)
    transport = models.CharField(_("transport"), max_length=8)  # tcp | udp | internal
    source = models.CharField(_("source address"), max_length=64, blank=True)
    receiver = models.CharField(_("receiver"), max_length=64, blank=True)
    token = models.CharField(_("message type"), max_length=16)
    encrypted = models.BooleanField(_("encrypted"), default=False)
    seq = models.CharField(_("sequence number"), max_length=4, blank=True)
    data = models.TextField(_("data"), blank=True)
    extra = models.TextField(_("extended data"), blank=True)
    dedupe = models.CharField(max_length=64, unique=True, editable=False)
    protocol = models.CharField(_("protocol"), max_length=12)  # cid | sia | null | supervision
    code = models.CharField(_("event code"), max_length=8, blank=True)
    qualifier = models.CharField(_("qualifier"), max_length=8)  # new | restore | status
    label_zh = models.CharField(_("event (Chinese)"), max_length=64)
    label_en = models.CharField(_("event (English)"), max_length=64)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    priority = models.PositiveSmallIntegerField(_("priority"))
    partition = models.CharField(_("partition"), max_length=8, blank=True)
    zone = models.CharField(_("zone"), max_length=8, blank=True)
    user_number = models.CharField(_("user number"), max_length=8, blank=True)
    restores = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="restored_by",
                                 db_index=False, verbose_name=_("restores alarm"))
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EventStatus.choices)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", db_index=False, verbose_name=_("acknowledged by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification = models.TextField(_("verification"), blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_to = models.CharField(_("dispatched to"), max_length=16, choices=DispatchTarget.choices, blank=True)
    dispatch_note = models.CharField(_("dispatch details"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", db_index=False, verbose_name=_("closed by"))
    disposition = models.CharField(_("disposition"), max_length=12, choices=Disposition.choices, blank=True)
    note = models.TextField(_("operator's note"), blank=True)

    scope = SCOPE

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["district", "received_at"]),
            models.Index(fields=["unit", "received_at"]),
            models.Index(fields=["site", "received_at"]),
            models.Index(fields=["account", "received_at"]),
            # The operators' queue: open events by priority (a partial index stays small).
            models.Index(fields=["priority", "received_at"], condition=Q(status__in=OPEN_STATUSES),
                         name="alarms_event_open_queue"),
            # Empty when the receiver inserts an event, so partial indexes the receiver never writes:
            # they serve the restored-by list and the checks when a user or an event is deleted
            # ("x = ?" implies "x IS NOT NULL" on both backends).
            *(models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"alarms_event_{name}")
              for name in ("restores", "acknowledged_by", "closed_by")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status=EventStatus.CLOSED) | Q(closed_at__isnull=False),
                                   name="alarms_event_closed_has_time"),
        ]
        verbose_name = _("alarm event")
        verbose_name_plural = _("alarm events")

    def __str__(self):
        return f"{self.account} {self.label_zh} {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class UnknownAccount(models.Model):
    """隔离区: messages from accounts the centre does not know are NAKed and counted here for the city
    centre's operators (a panel installed but not registered, a mistyped account, a scan)."""

    account = models.CharField(_("DC-09 account"), max_length=16, unique=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    count = models.PositiveIntegerField(_("messages"), default=0)
    last_source = models.CharField(_("last source address"), max_length=64, blank=True)
    last_frame = models.CharField(_("last frame"), max_length=300, blank=True)

    scope = ScopePaths()  # city level: district officers, units and firms see nothing

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("unknown account")
        verbose_name_plural = _("quarantine of unknown accounts")

    def __str__(self):
        return self.account


def _url(name: str):
    def get_absolute_url(self):
        from django.urls import reverse

        return reverse(name, args=[self.pk])
    return get_absolute_url


AlarmAccount.get_absolute_url = _url("alarms:alarmaccount_detail")
AlarmEvent.get_absolute_url = _url("alarms:alarmevent_detail")
UnknownAccount.get_absolute_url = lambda self: "#"
