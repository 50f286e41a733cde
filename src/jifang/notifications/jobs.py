"""The reminder run as a periodic job (jifang.jobs): every JIFANG_REMINDER_EVERY_SECONDS (5
minutes by default), so an order served reaches the unit's inbox within minutes and a deadline
reminder on the morning of its day. A run repeated or run on two nodes makes nothing twice."""
from django.conf import settings

from jifang.jobs.schedule import every, periodic

from . import reminders as _reminders


@periodic("notifications.reminders", every(seconds=settings.JIFANG_REMINDER_EVERY_SECONDS),
          title=("提醒与通知", "Reminders and notifications"))
def reminders(now):
    return _reminders.run(now)
