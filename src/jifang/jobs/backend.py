"""Django's task framework on the `jobs.QueuedTask` table.

Why a backend of our own rather than django-tasks-db: a scheduled tick must be claimed once across
nodes (a unique row), a failure retried with back-off and shown to administrators with its error,
and a burst of identical requests queued once (`dedupe_key`). Each of these is a column or a
constraint on the queue's own table; one table, one migration, no dependency to follow.

Settings: TASKS = {"default": {"BACKEND": "jifang.jobs.backend.DatabaseBackend",
"OPTIONS": {"MAX_ATTEMPTS": 3}}}."""
from django.db import IntegrityError, connection, transaction
from django.tasks import TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.json import normalize_json
from django.utils.module_loading import import_string

from .models import QueuedTask, TaskStatus


CHANNEL = "jifang_jobs"


def wake(queue_name: str) -> None:
    """Tell the idle workers a task is due (PostgreSQL NOTIFY, delivered when the enqueuing
    transaction commits; nothing on SQLite, whose workers poll)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, queue_name])


class DatabaseBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True
    supports_priority = True

    @property
    def max_attempts(self) -> int:
        return int(self.options.get("MAX_ATTEMPTS", 3))

    def enqueue(self, task, args, kwargs, *, dedupe_key=None, job="", tick=None, max_attempts=None):
        """Queue `task`. With `dedupe_key`, a task already waiting under that key is returned instead
        of a second one; with `job` and `tick`, a tick already claimed raises IntegrityError."""
        self.validate_task(task)
        row = QueuedTask(
            task_path=task.module_path, queue_name=task.queue_name, priority=task.priority,
            args=normalize_json(list(args)), kwargs=normalize_json(dict(kwargs)), status=TaskStatus.READY,
            enqueued_at=timezone.now(), run_after=task.run_after, dedupe_key=dedupe_key, job=job, tick=tick,
            max_attempts=max_attempts or self.max_attempts,
        )
        if dedupe_key is None:
            row.save(force_insert=True)
        else:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                waiting = QueuedTask.objects.filter(dedupe_key=dedupe_key, status=TaskStatus.READY).first()
                if waiting is None:  # it started in between: queue ours after all
                    return self.enqueue(task, args, kwargs, dedupe_key=dedupe_key, max_attempts=max_attempts)
                row = waiting
        if row.pk and not row.run_after:
            wake(row.queue_name)
        result = self.to_result(row, task)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id):
        try:
            row = QueuedTask.objects.get(pk=int(result_id))
        except (QueuedTask.DoesNotExist, ValueError, TypeError):
            raise TaskResultDoesNotExist(result_id) from None
        return self.to_result(row)

    def to_result(self, row: QueuedTask, task=None) -> TaskResult:
        if task is None:
            task = import_string(row.task_path)
        result = TaskResult(
            task=task, id=str(row.pk), status=TaskResultStatus(row.status), enqueued_at=row.enqueued_at,
            started_at=row.started_at, finished_at=row.finished_at, last_attempted_at=row.last_attempted_at,
            args=row.args, kwargs=row.kwargs, backend=self.alias,
            errors=[TaskError(exception_class_path=e["exception_class_path"], traceback=e["traceback"])
                    for e in row.errors],
            worker_ids=list(row.worker_ids),
        )
        object.__setattr__(result, "_return_value", row.return_value)
        return result
