"""Periodic jobs: how an app declares them, and the scheduler's claim of each tick.

In `src/jifang/<app>/jobs.py` (imported by the jobs app at start-up):

    from jifang.jobs.schedule import daily, every, periodic

    @periodic("regulation.nightly_scan", daily(2, 0), title=("每夜全面检查", "Nightly full scan"))
    def nightly_scan(now):          # `now`: the tick (aware), never the wall clock: fake clocks work
        ...

A job is a name, a schedule in Asia/Shanghai and a function of `now`. `jifang scheduler` (started by
`jifang up`) asks every second which tick of each job is due; the first node to insert the queue row
for (job, tick) runs it, the others see the unique constraint and let go. A tick missed by more than
`grace` (the node was down) is skipped: the next one runs. The run is an ordinary task: retried with
back-off up to `max_attempts`, listed by `jifang jobs` and on the administrators' page.
"""
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Daily:
    """Every day at hour:minute, Asia/Shanghai (officials' time; China keeps no summer time)."""

    hour: int
    minute: int = 0

    def latest(self, now: datetime) -> datetime:
        local = now.astimezone(SHANGHAI)
        tick = datetime.combine(local.date(), time(self.hour, self.minute), SHANGHAI)
        return tick if tick <= local else tick - timedelta(days=1)

    @property
    def period(self) -> timedelta:
        return timedelta(days=1)

    def __str__(self):
        return _("daily at %(time)s") % {"time": f"{self.hour:02d}:{self.minute:02d}"}


@dataclass(frozen=True)
class Every:
    """Every `seconds`, on multiples of it since the epoch (so every node agrees on the ticks)."""

    seconds: int

    def latest(self, now: datetime) -> datetime:
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.seconds, tz=SHANGHAI)

    @property
    def period(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def __str__(self):
        if self.seconds % 3600 == 0:
            return ngettext("every hour", "every %(n)d hours", self.seconds // 3600) % {"n": self.seconds // 3600}
        if self.seconds % 60 == 0:
            return ngettext("every minute", "every %(n)d minutes", self.seconds // 60) % {"n": self.seconds // 60}
        return ngettext("every second", "every %(n)d seconds", self.seconds) % {"n": self.seconds}


def daily(hour: int, minute: int = 0) -> Daily:
    return Daily(hour, minute)


def every(*, seconds: int = 0, minutes: int = 0, hours: int = 0) -> Every:
    total = seconds + 60 * minutes + 3600 * hours
    if total <= 0:
        raise ValueError("a period must be positive")
    return Every(total)


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Daily | Every
    func: Callable[[datetime], object]
    title: tuple[str, str] = ("", "")
    grace: timedelta | None = None
    max_attempts: int = 3
    enabled: Callable[[], bool] = field(default=lambda: True)

    @property
    def window(self) -> timedelta:
        """How late a tick may still run: `grace`, else a period capped at six hours."""
        return self.grace if self.grace is not None else min(self.schedule.period, timedelta(hours=6))

    def due(self, now: datetime) -> datetime | None:
        tick = self.schedule.latest(now)
        return tick if now - tick <= self.window else None


REGISTRY: dict[str, Job] = {}


def periodic(name: str, schedule: Daily | Every, *, title: tuple[str, str] = ("", ""),
             grace: timedelta | None = None, max_attempts: int = 3, enabled: Callable[[], bool] | None = None):
    """Declare `func(now)` a periodic job. `enabled` (a callable read at each tick) lets a setting
    switch the job off, e.g. when a protocol server still runs the same work itself."""

    def register(func):
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise ValueError(f"periodic job {name!r} declared twice")
        REGISTRY[name] = Job(name, schedule, func, title, grace, max_attempts, enabled or (lambda: True))
        return func

    return register


def claim_due(now: datetime) -> list[tuple[str, datetime]]:
    """Queue every job whose tick is due and not yet claimed; return the (job, tick) pairs this call
    claimed. Safe to call from any number of processes at once: the unique (job, tick) row decides."""
    from .models import QueuedTask
    from .tasks import run_job

    claimed = []
    for job in REGISTRY.values():
        tick = job.due(now)
        if tick is None or not job.enabled():
            continue
        if QueuedTask.objects.filter(job=job.name, tick=tick).exists():
            continue
        try:
            with transaction.atomic():
                run_job.get_backend().enqueue(run_job, [job.name, tick.isoformat()], {}, job=job.name, tick=tick,
                                              max_attempts=job.max_attempts)
        except IntegrityError:
            continue  # another node claimed this tick first
        claimed.append((job.name, tick))
    return claimed
