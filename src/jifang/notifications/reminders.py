"""The reminder run: every notification is derived from the records, set-based, on each run.

Why derived and not sent by the services as events: a deadline reminder has no event (nothing
happens three working days before a deadline), and one derivation for every kind keeps the
producers in one place, catches up after a node was down, and needs no change in the services of
enforcement and works. The price is latency: "an order was served" reaches the inbox at the next
run (the scheduler runs it every few minutes, JIFANG_REMINDER_EVERY_SECONDS).

Each producer reads the records that call for a notification and the users they concern in two
queries, and inserts the rows with ON CONFLICT DO NOTHING on (user, key): a run repeated, or run
at once on two nodes, inserts every notification once.

Deadlines count WORKING days by the official calendar (regulation.periods): a deadline is "in N
working days" when N working days lie after today up to and including it. Stages are 7, 3 and 1:
a record gets the reminder of the smallest stage it has reached, once (a deadline first seen 5
working days ahead gets the 7-day reminder, worded "in 5 working days"; 2 days ahead nothing new).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from jifang.core.roles import OFFICERS, Role
from jifang.regulation.periods import is_working_day

from .models import Kind, Notification, Preference

STAGES = (1, 3, 7)
KEYS = {Kind.ORDER_DEADLINE: "order.deadline", Kind.FILING_DUE: "works.filing"}
BATCH = 2000
CHUNK = 900  # ids per IN list


def nth_working_day(today: dt.date, n: int) -> dt.date:
    """The n-th working day after `today` (n=0: today)."""
    day = today
    while n > 0:
        day += dt.timedelta(days=1)
        n -= is_working_day(day)
    return day


def working_days_left(today: dt.date, deadline: dt.date) -> int:
    """Working days after today up to and including `deadline` (0: due today or a rest day before it)."""
    n, day = 0, today
    while day < deadline:
        day += dt.timedelta(days=1)
        n += is_working_day(day)
    return n


def stage_windows(today: dt.date) -> list[tuple[int, dt.date, dt.date]]:
    """(stage, first date, date after the last) of the deadlines each stage reminds of."""
    bounds = {n: nth_working_day(today, n + 1) for n in STAGES}
    out, start = [], today
    for stage in STAGES:
        out.append((stage, start, bounds[stage]))
        start = bounds[stage]
    return out


def _grouped(rows, anchor: str, user: str, ids: Iterable) -> dict:
    """{anchor id: [user ids]} for the anchors `ids`, in chunks (SQLite bounds the parameters)."""
    users, ids = defaultdict(list), sorted(set(ids))
    for i in range(0, len(ids), CHUNK):
        for user_id, anchor_id in rows.filter(**{f"{anchor}__in": ids[i:i + CHUNK]}).values_list(user, anchor):
            users[anchor_id].append(user_id)
    return users


def _unit_users(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    rows = get_user_model().units.through.objects.filter(user__is_active=True, user__role=Role.UNIT_USER)
    return _grouped(rows, "unit_id", "user_id", unit_ids)


def _firm_users(firm_ids: Iterable[int]) -> dict[int, list[int]]:
    rows = get_user_model().objects.filter(is_active=True, role=Role.FIRM_USER)
    return _grouped(rows, "firm_id", "id", firm_ids)


def _officers(district_ids: Iterable[str]) -> dict[str, list[int]]:
    """The police officers anchored at the district (at the city for a record of the city bureau)."""
    rows = get_user_model().objects.filter(is_active=True, role__in=OFFICERS)
    return _grouped(rows, "division_id", "id", district_ids)


def _not_yet(qs, kind: str, field: str, stage: int | None = None):
    """Records no notification of `kind` (and stage) has been made for yet: a run every few
    minutes reads only what is new, not every open record again."""
    made = Notification.objects.filter(kind=kind, **{field: OuterRef("pk")})
    if stage is not None:
        made = made.filter(key__endswith=f":{stage}")
    return qs.filter(~Exists(made))


def _orders():
    from jifang.enforcement.models import OrderStatus, RectificationOrder

    return RectificationOrder.objects.filter(status=OrderStatus.SERVED)


def orders_served(today: dt.date) -> Iterator[dict]:
    rows = list(_not_yet(_orders(), Kind.ORDER_SERVED, "order").values_list("id", "unit_id", "number", "deadline"))
    users = _unit_users(r[1] for r in rows)
    for pk, unit_id, number, deadline in rows:
        for user_id in users[unit_id]:
            yield {"user_id": user_id, "kind": Kind.ORDER_SERVED, "key": f"order.served:{pk}", "subject": number,
                   "due_on": deadline, "order_id": pk}


def _staged(today: dt.date, records, kind: str, field: str, columns: tuple[str, str, str], recipients) -> Iterator[dict]:
    """Reminders of a deadline at its stages. `columns`: the recipients' anchor (unit, firm), the
    subject shown, the deadline; `recipients(anchor ids)` -> {anchor id: [user ids]}."""
    anchor, subject, deadline = columns
    for stage, start, end in stage_windows(today):
        due = records.filter(**{f"{deadline}__gte": start, f"{deadline}__lt": end})
        rows = list(_not_yet(due, kind, field, stage).values_list("id", anchor, subject, deadline))
        users = recipients(r[1] for r in rows)
        for pk, anchor_id, text, day in rows:
            left = working_days_left(today, day)
            for user_id in users[anchor_id]:
                yield {"user_id": user_id, "kind": kind, "key": f"{KEYS[kind]}:{pk}:{stage}", "subject": text,
                       "due_on": day, "working_days_left": left, f"{field}_id": pk}


def order_deadlines(today: dt.date) -> Iterator[dict]:
    return _staged(today, _orders(), Kind.ORDER_DEADLINE, "order", ("unit_id", "number", "deadline"), _unit_users)


def filings_due(today: dt.date) -> Iterator[dict]:
    """art_16: the construction firm files the completed works within the period (Works.filing_due_on)."""
    from jifang.works.models import Works

    return _staged(today, Works.objects.filter(filed_on__isnull=True), Kind.FILING_DUE, "works",
                   ("firm_id", "code", "filing_due_on"), _firm_users)


def acceptances(today: dt.date) -> Iterator[dict]:
    """art_14 para 1: the district office is notified of an acceptance and attends it."""
    from jifang.works.models import Acceptance, AcceptanceResult

    qs = Acceptance.objects.filter(result=AcceptanceResult.PENDING, police_notified_at__isnull=False,
                                   scheduled_for__gte=today)
    rows = list(_not_yet(qs, Kind.ACCEPTANCE, "acceptance").values_list("id", "district_id", "code", "scheduled_for"))
    users = _officers(r[1] for r in rows)
    for pk, district_id, code, day in rows:
        for user_id in users[district_id]:
            yield {"user_id": user_id, "kind": Kind.ACCEPTANCE, "key": f"acceptance.attend:{pk}", "subject": code,
                   "due_on": day, "working_days_left": working_days_left(today, day), "acceptance_id": pk}


def answers_to_review(today: dt.date) -> Iterator[dict]:
    """The unit answered an order: the officers of the order's district review its items."""
    from jifang.enforcement.models import OrderStatus, RectificationOrder

    qs = RectificationOrder.objects.filter(status=OrderStatus.ANSWERED)
    rows = list(_not_yet(qs, Kind.ANSWER_REVIEW, "order").values_list("id", "district_id", "number", "deadline"))
    users = _officers(r[1] for r in rows)
    for pk, district_id, number, deadline in rows:
        for user_id in users[district_id]:
            yield {"user_id": user_id, "kind": Kind.ANSWER_REVIEW, "key": f"order.answer:{pk}", "subject": number,
                   "due_on": deadline, "order_id": pk}


PRODUCERS = (orders_served, order_deadlines, filings_due, acceptances, answers_to_review)


def _muted() -> set[tuple[int, str]]:
    return set(Preference.objects.filter(enabled=False).values_list("user_id", "kind"))


def _insert(rows: list[dict], now: dt.datetime) -> None:
    objs = [Notification(created_at=now, **row) for row in rows]
    Notification.objects.bulk_create(objs, batch_size=BATCH, ignore_conflicts=True)


def run(now: dt.datetime | None = None) -> int:
    """Make the notifications due at `now` (a fake clock in tests) and send them; returns how many
    were derived (a row another node inserted first is not inserted again)."""
    from . import delivery

    now = now or timezone.now()
    today = timezone.localdate(now)
    muted, made = _muted(), 0
    for producer in PRODUCERS:
        rows = [r for r in producer(today) if (r["user_id"], r["kind"]) not in muted]
        _insert(rows, now)
        made += len(rows)
    delivery.deliver(now)
    return made
