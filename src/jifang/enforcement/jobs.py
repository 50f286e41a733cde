"""The enforcement app's periodic jobs (jifang.jobs.schedule)."""
from datetime import timedelta

from django.utils import timezone

from jifang.jobs.schedule import daily, periodic


@periodic("enforcement.overdue_sweep", daily(0, 5), title=("逾期未改正标记", "Overdue sweep"),
          grace=timedelta(hours=24))
def overdue_sweep(now):
    """Just after midnight in Kunming: findings whose correction deadline (yesterday or before)
    passed uncorrected become overdue. A node down at midnight still runs it within the day."""
    from .services import overdue_sweep as sweep

    return sweep(actor=None, as_of=timezone.localdate(now))
