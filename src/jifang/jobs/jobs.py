"""The queue's own housekeeping (jifang.jobs.schedule)."""
from datetime import timedelta

from jifang.jobs.schedule import every, periodic

KEEP_DONE = timedelta(days=2)
KEEP_FAILED = timedelta(days=180)


@periodic("jobs.purge", every(hours=1), title=("清理已完成任务", "Purge finished tasks"))
def purge(now):
    """Tasks that succeeded are kept two days (the frequent sweeps make thousands a day); failed
    ones 180 days, for the administrators' page."""
    from .models import QueuedTask, TaskStatus

    done = QueuedTask.objects.filter(status=TaskStatus.SUCCESSFUL, finished_at__lt=now - KEEP_DONE).delete()[0]
    failed = QueuedTask.objects.filter(status=TaskStatus.FAILED, finished_at__lt=now - KEEP_FAILED).delete()[0]
    return {"done": done, "failed": failed}
