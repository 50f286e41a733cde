"""What the administrators' page and `jifang jobs` read."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils.translation import get_language

from .models import QueuedTask, TaskStatus
from . import schedule
from .schedule import Job

# Titles people read for tasks queued by hand (scheduled runs read their job's title).
TASK_TITLES: dict[str, tuple[str, str]] = {}


def describe(task, zh: str, en: str) -> None:
    """Give a task the title the administrators' page shows (apps call it beside the @task)."""
    TASK_TITLES[task.module_path] = (zh, en)


def _pick(pair: tuple[str, str]) -> str:
    zh, en = pair
    return en if (get_language() or "").startswith("en") and en else zh


def title(row: QueuedTask) -> str:
    if row.job and row.job in schedule.REGISTRY and any(schedule.REGISTRY[row.job].title):
        return _pick(schedule.REGISTRY[row.job].title)
    return _pick(TASK_TITLES.get(row.task_path, ("后台任务", "Background task")))


@dataclass
class JobRow:
    job: Job
    title: str
    last_tick: datetime | None
    last: QueuedTask | None
    next_tick: datetime


def scheduled(now: datetime) -> list[JobRow]:
    """Every declared job with its latest run (two queries whatever the number of jobs)."""
    latest = dict(QueuedTask.objects.filter(job__in=list(schedule.REGISTRY)).values("job").annotate(t=Max("tick"))
                  .values_list("job", "t"))
    runs = {r.job: r for r in QueuedTask.objects.filter(job__in=list(latest), tick__in=list(latest.values()))
            if latest.get(r.job) == r.tick}
    rows = []
    for job in sorted(schedule.REGISTRY.values(), key=lambda j: j.name):
        nxt = job.schedule.latest(now) + job.schedule.period
        rows.append(JobRow(job, _pick(job.title) if any(job.title) else job.name, latest.get(job.name),
                           runs.get(job.name), nxt))
    return rows


def recent(limit: int = 50):
    return QueuedTask.objects.order_by("-id")[:limit]


def failed(limit: int = 100):
    return QueuedTask.objects.filter(status=TaskStatus.FAILED).order_by("-id")[:limit]


def waiting_retry(limit: int = 100):
    """Tasks that failed at least once and wait for their next attempt."""
    return QueuedTask.objects.filter(status=TaskStatus.READY, attempts__gt=0).order_by("-id")[:limit]
