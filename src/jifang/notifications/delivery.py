"""Sending notifications beyond the platform, by each user's preferences.

A run first claims, set-based, one Delivery row per (notification, channel) the user asked for
(unique: a second run or another node claims nothing more), then sends the pending ones through
the channel's gateway. A failure is kept with its error and retried on later runs, at most
MAX_ATTEMPTS times. Only notifications made in the last DELIVERY_WINDOW are sent: turning e-mail
on today does not mail last year's reminders.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .gateways import GatewayError, gateway
from .models import Channel, Delivery, DeliveryStatus, Notification, Preference
from .texts import bilingual_text

MAX_ATTEMPTS = 5
DELIVERY_WINDOW = dt.timedelta(days=1)
BATCH = 200
# the user's column holding the address of each channel
ADDRESS = {Channel.EMAIL: "user__email", Channel.SMS: "user__phone"}


def _claim(channel: str, now: dt.datetime) -> None:
    wanted = Preference.objects.filter(user=OuterRef("user"), kind=OuterRef("kind"), enabled=True, **{channel: True})
    claimed = Delivery.objects.filter(notification=OuterRef("pk"), channel=channel)
    rows = (Notification.objects.filter(created_at__gte=now - DELIVERY_WINDOW).filter(Exists(wanted))
            .filter(~Exists(claimed)).exclude(**{ADDRESS[channel]: ""}).values_list("id", ADDRESS[channel]))
    Delivery.objects.bulk_create([Delivery(notification_id=pk, channel=channel, address=address)
                                  for pk, address in rows], batch_size=1000, ignore_conflicts=True)


def _send_batch(channel: str, now: dt.datetime, status: str) -> int:
    """Send up to BATCH pending deliveries; the rows stay locked while they are sent (another node
    skips them)."""
    with transaction.atomic():
        pending = list(Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                       .filter(channel=channel, status=status, attempts__lt=MAX_ATTEMPTS)
                       .select_related("notification__acceptance").order_by("id")[:BATCH])
        if not pending:
            return 0
        try:
            out = gateway(channel)
        except GatewayError as exc:
            out, broken = None, str(exc)
        for d in pending:
            d.attempts += 1
            try:
                if out is None:
                    raise GatewayError(broken)
                subject, text = bilingual_text(d.notification)
                out.send(d.address, subject, text)
            except GatewayError as exc:
                d.status, d.error = DeliveryStatus.FAILED, str(exc)[:500]
            else:
                d.status, d.error, d.sent_at = DeliveryStatus.SENT, "", now
        Delivery.objects.bulk_update(pending, ["attempts", "status", "error", "sent_at"])
    return len(pending)


def deliver(now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    for channel in Channel.values:
        _claim(channel, now)
        _send_batch(channel, now, DeliveryStatus.FAILED)  # one retry per run: the runs are the back-off
        while _send_batch(channel, now, DeliveryStatus.PENDING) == BATCH:
            pass
