"""The writes of a user on their own inbox. Reading a notification is not a fact of the law and is
not audited; a preference is the user's own setting and is audited like other account changes."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jifang.core import audit

from .models import Kind, Preference
from .selectors import inbox


def notifications_mark_read(*, actor, ids=None) -> int:
    """Mark the actor's notifications read (`ids` None: all of them). Another user's id is ignored."""
    qs = inbox(actor).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


@transaction.atomic
def preferences_set(*, actor, choices: dict[str, dict[str, bool]]) -> None:
    """`choices`: kind -> {"enabled", "email", "sms"}; kinds left out keep their setting."""
    before = {p.kind: {"enabled": p.enabled, "email": p.email, "sms": p.sms}
              for p in Preference.objects.filter(user=actor)}
    for kind, values in choices.items():
        Kind(kind)  # refuses an unknown kind
        Preference.objects.update_or_create(user=actor, kind=kind, defaults={
            "enabled": bool(values.get("enabled")), "email": bool(values.get("email")), "sms": bool(values.get("sms"))})
    audit.record(actor=actor, action="notifications.preferences.set", obj=actor, district="",
                 before={"preferences": before}, after={"preferences": choices})
