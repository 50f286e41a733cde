"""The alarm centre's periodic work that needs no open connection (jifang.jobs.schedule)."""
from django.conf import settings

from jifang.jobs.schedule import every, periodic


@periodic("alarms.supervision_sweep", every(seconds=15), title=("报警主机巡检", "Alarm panel supervision"),
          enabled=lambda: getattr(settings, "JIFANG_SCHEDULE_ALARM_SUPERVISION", True))
def supervision_sweep(now):
    """Panels silent past their supervision interval and grace get a trouble and an outage. Safe
    beside the receiver's own sweep (rows are locked and re-checked), so a node without a receiver,
    or a receiver that stops, still supervises."""
    from .services import supervision_sweep as sweep

    return len(sweep(now=now))
