"""The alarm centre's periodic work that needs no open connection (jifang.jobs.schedule)."""
from django.conf import settings

from jifang.jobs.schedule import every, periodic


@periodic("alarms.supervision_sweep", every(seconds=15), title=("报警主机巡检", "Alarm panel supervision"),
          enabled=lambda: getattr(settings, "JIFANG_SCHEDULE_ALARM_SUPERVISION", True))
def supervision_sweep(now):
    """Panels silent past their supervision interval and grace get a trouble and an outage. The
    only supervision sweep: the receivers do not sweep (they stay lean and any number of them, or
    none, may run). Rows are locked and re-checked, so overlapping runs raise each trouble once."""
    from .services import supervision_sweep as sweep

    return len(sweep(now=now))
