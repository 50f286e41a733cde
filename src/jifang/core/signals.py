"""Sign-ins are the one kind of event Django itself announces; they go to the audit log here.
Every other change is recorded by the service function that makes it."""
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


def _address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(actor=user, action="auth.login", obj=user, note=_address(request), district="")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action="auth.logout", obj=user, note=_address(request), district="")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(actor=None, action="auth.login_failed", note=f"{username} {_address(request)}".strip(), district="")
