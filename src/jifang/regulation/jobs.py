"""The regulation app's periodic jobs (jifang.jobs.schedule)."""
from datetime import timedelta

from django.utils import timezone

from jifang.jobs.schedule import daily, every, periodic


@periodic("regulation.nightly_scan", daily(2, 0), title=("每夜全面检查", "Nightly full scan"),
          grace=timedelta(hours=6))
def nightly_scan(now):
    """Every rule over the whole registry, as of the tick's day: what no single change triggers (a
    deadline measured in days passing, a parameter coming into force)."""
    from .services import scan

    run = scan(actor=None, as_of=timezone.localdate(now))
    return {"run": run.pk, "new": run.counts.get("new"), "resolved": run.counts.get("resolved")}


@periodic("regulation.recheck_catch_up", every(minutes=1), title=("补做复查", "Catch up on rechecks"))
def recheck_catch_up(now):
    """Requests left without a waiting task (a process stopped between a commit and its queueing):
    queue the recheck again. One query when there is nothing to do."""
    from jifang.jobs.models import QueuedTask, TaskStatus

    from .models import RecheckRequest
    from .rechecks import recheck_pending

    if not RecheckRequest.objects.exists():
        return 0
    if QueuedTask.objects.filter(task_path=recheck_pending.module_path,
                                 status__in=[TaskStatus.READY, TaskStatus.RUNNING]).exists():
        return 0
    recheck_pending.get_backend().enqueue(recheck_pending, [], {}, dedupe_key="regulation.recheck")
    return 1
