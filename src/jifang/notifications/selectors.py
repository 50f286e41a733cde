"""The one read path of the inbox. A notification is shown to its user only while that user may
still see the record it is about (docs/scoping.md): a unit user who left the unit, or an officer
whose district no longer holds the site, no longer reads it."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from jifang.core.scoping import visible

from .models import Notification


def inbox(user) -> QuerySet:
    from jifang.enforcement.models import RectificationOrder
    from jifang.works.models import Acceptance, Works

    if not (user.is_authenticated and user.is_active):
        return Notification.objects.none()
    seen = (Q(order__in=visible(user, RectificationOrder).values("pk"))
            | Q(works__in=visible(user, Works).values("pk"))
            | Q(acceptance__in=visible(user, Acceptance).values("pk")))
    return Notification.objects.filter(Q(user=user) & seen)


def unread_count(user, limit: int = 99) -> int:
    """Unread notifications, counted up to `limit` (the bell says 99+ beyond it)."""
    return inbox(user).filter(read_at__isnull=True).values("pk")[:limit + 1].count()
