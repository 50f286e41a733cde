"""Reads of the alarm centre beyond plain `visible()`: the operators' queue with its timers, a
site's recent history and cameras, and the false-alarm figures."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from jifang.core.scoping import visible
from jifang.duties.models import Outage, OutageSource
from jifang.registry.models import Device, DeviceKind

from .codes import ACTION
from .models import OPEN_STATUSES, AlarmEvent, Disposition, EventStatus

# Timers: an alarm waiting longer than this for an operator, or acknowledged longer than this
# without a dispatch or a close, is escalated (shown red at the top, to every operator in scope).
ACKNOWLEDGE_WITHIN = dt.timedelta(seconds=60)
DISPATCH_WITHIN = dt.timedelta(minutes=5)
QUEUE_SIZE = 200


@dataclass
class Line:
    event: AlarmEvent
    waiting: dt.timedelta  # since received (new) or acknowledged
    escalated: bool

    @property
    def waiting_text(self) -> str:
        seconds = int(self.waiting.total_seconds())
        return f"{seconds // 60:d}:{seconds % 60:02d}"


def timer(event: AlarmEvent, now: dt.datetime) -> Line:
    if event.status == EventStatus.NEW:
        waiting = now - event.received_at
        return Line(event, waiting, waiting > ACKNOWLEDGE_WITHIN)
    since = event.acknowledged_at or event.received_at
    waiting = now - since
    return Line(event, waiting, event.status == EventStatus.ACKNOWLEDGED and waiting > DISPATCH_WITHIN)


def queue(user, now: dt.datetime | None = None) -> list[Line]:
    """Open events in the user's scope: escalated first, then by priority (fire, panic, burglary,
    tamper, trouble), oldest first. One query on the partial index of open events."""
    now = now or timezone.now()
    rows = (visible(user, AlarmEvent).filter(status__in=OPEN_STATUSES)
            .select_related("site", "unit", "device", "account").order_by("priority", "received_at")[:QUEUE_SIZE])
    lines = [timer(e, now) for e in rows]
    return sorted(lines, key=lambda line: (not line.escalated, line.event.priority, line.event.received_at))


def site_history(user, event: AlarmEvent, limit: int = 10) -> list[AlarmEvent]:
    return list(visible(user, AlarmEvent).filter(site_id=event.site_id).exclude(pk=event.pk)
                .order_by("-received_at", "-id")[:limit])


def site_cameras(user, event: AlarmEvent) -> list[Device]:
    return list(visible(user, Device).filter(site_id=event.site_id, kind=DeviceKind.CAMERA).order_by("id")[:20])


def false_alarm_figures(user, qs=None, by: str = "site") -> list[dict]:
    """Per site (or unit): alarms handled, false alarms and the false-alarm rate, one GROUP BY."""
    qs = visible(user, qs if qs is not None else AlarmEvent).filter(category__in=ACTION, qualifier="new")
    rows = (qs.values(f"{by}_id", f"{by}__name")
            .annotate(alarms=Count("id"), closed=Count("id", filter=Q(status=EventStatus.CLOSED)),
                      false=Count("id", filter=Q(disposition=Disposition.FALSE)))
            .order_by("-alarms")[:200])
    return [{"id": r[f"{by}_id"], "name": r[f"{by}__name"], "alarms": r["alarms"], "closed": r["closed"],
             "false": r["false"], "rate": (r["false"] / r["closed"]) if r["closed"] else None} for r in rows]


def supervision_gaps(user, **where) -> list[Outage]:
    return list(visible(user, Outage).filter(source=OutageSource.ALARM_RECEIVER, **where)
                .select_related("site", "device").order_by("-started_at")[:50])


def home_figures(user) -> dict | None:
    """The home page's alarm panel: open alarms, those past their timers, panels out of supervision
    (two aggregate queries); None when there is nothing open and nothing lost."""
    now = timezone.now()
    from .models import AlarmAccount

    open_ = visible(user, AlarmEvent).filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("id"),
        late=Count("id", filter=Q(status=EventStatus.NEW, received_at__lt=now - ACKNOWLEDGE_WITHIN)
                   | Q(status=EventStatus.ACKNOWLEDGED, acknowledged_at__lt=now - DISPATCH_WITHIN)))
    lost = visible(user, AlarmAccount).filter(trouble_since__isnull=False).count()
    if not (open_["open"] or lost):
        return None
    return {"open": open_["open"], "late": open_["late"], "lost": lost}
