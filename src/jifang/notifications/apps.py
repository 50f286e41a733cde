from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The inbox (issue 14 §3): what a person must know or do soon, derived from the records of
    the other apps by the reminder job (reminders.py), shown under the bell in the top bar and,
    where the person asked for it, sent through the delivery gateways (gateways.py)."""

    name = "jifang.notifications"
    label = "notifications"
    verbose_name = "通知 Notifications"
