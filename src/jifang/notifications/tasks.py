"""Background work of the notifications app, on Django's task framework. The scheduler runs
`reminders_run` every JIFANG_REMINDER_EVERY_SECONDS (see apps.py for its registration)."""
from django.tasks import task
from django.utils import timezone

from . import reminders


@task
def reminders_run() -> int:
    return reminders.run(timezone.now())
