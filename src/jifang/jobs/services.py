"""The only write path an administrator has on the queue: try a failed task again."""
from django.db import transaction
from django.utils import timezone

from jifang.core import audit
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.roles import Role

from .models import QueuedTask, TaskStatus


@transaction.atomic
def task_retry(*, actor, task: QueuedTask) -> QueuedTask:
    """Queue a failed task again now, with one more attempt allowed; its earlier errors are kept."""
    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise NotPermitted("只有平台管理员可以重试后台任务", "only a platform administrator may retry a background task")
    task = QueuedTask.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.FAILED:
        raise ServiceError("只有失败的任务可以重试", "only a failed task can be retried")
    before = audit.snapshot(task)
    task.status, task.run_after, task.finished_at = TaskStatus.READY, timezone.now(), None
    task.max_attempts = task.attempts + 1
    task.save(update_fields=["status", "run_after", "finished_at", "max_attempts"])
    audit.record(actor=actor, action="jobs.task.retry", obj=task, before=before, after=audit.snapshot(task))
    return task
