"""Running queued tasks: the claim, the run, the retry with back-off.

A worker claims a task with a compare-and-set UPDATE (status READY -> RUNNING where it is still
READY): on SQLite and on PostgreSQL exactly one of two workers gets the row, so two workers never run
one task. A task that raises is queued again after 30 s, 60 s, 120 s ... (at most an hour) until its
attempts are spent, then it stays FAILED with every error kept for the administrators' page."""
import socket
import traceback
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.tasks import TaskContext, TaskResultStatus
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.json import normalize_json
from django.utils.module_loading import import_string

from .models import QueuedTask, TaskStatus

BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
LEASE = timedelta(minutes=30)


def backoff(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{get_random_string(8)}"


def requeue_abandoned(now: datetime) -> int:
    """Running tasks whose lease passed (their worker died): queued again, the loss recorded."""
    lost = 0
    for row in QueuedTask.objects.filter(status=TaskStatus.RUNNING, lease_until__lt=now):
        row.errors = [*row.errors, {"exception_class_path": "jifang.jobs.worker.WorkerLost",
                                    "traceback": "WorkerLost: the worker stopped before the task finished",
                                    "at": now.isoformat()}]
        spent = row.attempts >= row.max_attempts
        updated = QueuedTask.objects.filter(pk=row.pk, status=TaskStatus.RUNNING, lease_until=row.lease_until).update(
            status=TaskStatus.FAILED if spent else TaskStatus.READY, errors=row.errors,
            finished_at=now if spent else None, run_after=None if spent else now + backoff(row.attempts),
            dedupe_key=None, lease_until=None)
        lost += updated
    return lost


def claim(worker_id: str, now: datetime, queues=None) -> QueuedTask | None:
    """The next due task, now RUNNING for this worker; None when nothing is due."""
    due = QueuedTask.objects.filter(status=TaskStatus.READY).filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
    if queues:
        due = due.filter(queue_name__in=queues)
    for pk in due.order_by("-priority", "id").values_list("pk", flat=True)[:20]:
        won = QueuedTask.objects.filter(pk=pk, status=TaskStatus.READY).update(
            status=TaskStatus.RUNNING, started_at=now, last_attempted_at=now, lease_until=now + LEASE,
            attempts=F("attempts") + 1)
        if won:
            row = QueuedTask.objects.get(pk=pk)
            row.worker_ids = [*row.worker_ids, worker_id]
            QueuedTask.objects.filter(pk=pk).update(worker_ids=row.worker_ids)
            return row
    return None


def execute(row: QueuedTask, worker_id: str, clock=timezone.now) -> QueuedTask:
    """Run a claimed task and record how it went."""
    from django.tasks import default_task_backend as backend

    try:
        task = import_string(row.task_path)
        result = backend.to_result(row, task)
        task_started.send(type(backend), task_result=result)
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *row.args, **row.kwargs)
        else:
            value = task.call(*row.args, **row.kwargs)
        row.return_value = normalize_json(value)
        row.status = TaskStatus.SUCCESSFUL
        row.finished_at = clock()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a task's failure is recorded, never the worker's end
        now = clock()
        row.errors = [*row.errors, {"exception_class_path": f"{type(exc).__module__}.{type(exc).__qualname__}",
                                    "traceback": "".join(traceback.format_exception(exc))[-20000:],
                                    "at": now.isoformat()}]
        if row.attempts < row.max_attempts:
            row.status, row.run_after, row.dedupe_key = TaskStatus.READY, now + backoff(row.attempts), None
        else:
            row.status, row.finished_at = TaskStatus.FAILED, now
    row.lease_until = None
    QueuedTask.objects.filter(pk=row.pk).update(
        status=row.status, return_value=row.return_value, errors=row.errors, finished_at=row.finished_at,
        run_after=row.run_after, dedupe_key=row.dedupe_key, lease_until=None)
    if row.status != TaskStatus.READY and not _unknown(row):
        task_finished.send(type(backend), task_result=backend.to_result(row))
    return row


def _unknown(row) -> bool:
    """The task's code no longer exists (renamed in a release): no result object can be built."""
    try:
        import_string(row.task_path)
        return False
    except ImportError:
        return True


def run_pending(*, now: datetime | None = None, worker_id: str = "inline", limit: int = 1000, queues=None) -> int:
    """Run every task due at `now` in this process (tests and the console); returns how many ran."""
    clock = (lambda: now) if now is not None else timezone.now
    ran = 0
    while ran < limit:
        row = claim(worker_id, clock(), queues)
        if row is None:
            break
        execute(row, worker_id, clock)
        ran += 1
    return ran


__all__ = ["run_pending", "claim", "execute", "requeue_abandoned", "backoff", "TaskResultStatus"]
