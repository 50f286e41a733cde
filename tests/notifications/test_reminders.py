"""The reminder run on a fake clock: 7, 3 and 1 WORKING days before a deadline by the official
calendar (National Day 2026 lies between), each reminder once, whatever the number of runs."""
import datetime as dt

import pytest

from jifang.notifications import reminders
from jifang.notifications.models import Kind, Notification

from .. import factories as f
from .conftest import at, issue

D = dt.date
DEADLINE = D(2026, 10, 9)  # a Friday after the National Day holiday (2026-10-01..07)


def _walk(clock, first: dt.date, last: dt.date, runs_per_day: int = 2) -> dict[dt.date, list]:
    """Run the reminder job every day from `first` to `last` (twice a day: the second run adds
    nothing); the deadline reminders made on each day."""
    made = {}
    day = first
    while day <= last:
        for hour in (9, 15)[:runs_per_day]:
            at(clock, day, hour)
            reminders.run(clock.now)
        new = Notification.objects.filter(kind=Kind.ORDER_DEADLINE, created_at__date__gte=day - dt.timedelta(days=1),
                                          created_at__gte=clock.now - dt.timedelta(hours=6)).order_by("id")
        made[day] = [(n.key.rsplit(":", 1)[1], n.working_days_left) for n in new]
        day += dt.timedelta(days=1)
    return made


def test_working_days_across_national_day():
    assert reminders.working_days_left(D(2026, 9, 29), DEADLINE) == 3  # 30 Sep, 8 Oct, 9 Oct
    assert reminders.nth_working_day(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert reminders.working_days_left(DEADLINE, DEADLINE) == 0
    # Sunday 2026-09-20 is a make-up working day
    assert reminders.working_days_left(D(2026, 9, 19), D(2026, 9, 21)) == 2


def test_reminders_at_7_3_1_working_days_once(clock, wuhua_officer, wuhua_site, unit_user):
    at(clock, D(2026, 9, 21))
    order = issue(wuhua_officer, wuhua_site, DEADLINE)
    assert order.deadline == DEADLINE
    made = _walk(clock, D(2026, 9, 21), D(2026, 10, 10))
    reminded = {day: m for day, m in made.items() if m}
    # 7 working days before is 17 calendar days before; 3 working days before is 29 September
    # (calendar counting would say 6 October, a holiday); 1 working day before is 8 October.
    assert reminded == {D(2026, 9, 22): [("7", 7)], D(2026, 9, 29): [("3", 3)], D(2026, 10, 8): [("1", 1)]}
    mine = Notification.objects.filter(user=unit_user)
    assert sorted(mine.values_list("key", flat=True)) == sorted([
        f"order.served:{order.pk}", f"order.deadline:{order.pk}:7", f"order.deadline:{order.pk}:3",
        f"order.deadline:{order.pk}:1"])


def test_a_late_first_run_sends_the_stage_reached_once(clock, wuhua_officer, wuhua_site, unit_user):
    """A deadline first seen 5 working days ahead gets the 7-day stage, worded with 5 days."""
    at(clock, D(2026, 9, 21))
    order = issue(wuhua_officer, wuhua_site, DEADLINE)
    at(clock, D(2026, 9, 25))  # a holiday (Mid-Autumn); 28, 29, 30 Sep, 8, 9 Oct remain
    assert reminders.run(clock.now) == 2  # served + the 7-day stage
    n = Notification.objects.get(kind=Kind.ORDER_DEADLINE)
    assert (n.key, n.working_days_left, n.order_id) == (f"order.deadline:{order.pk}:7", 5, order.pk)
    assert reminders.run(clock.now) == 0


def test_answered_orders_are_not_reminded_but_reviewed(clock, wuhua_officer, panlong_officer, wuhua_site, unit_user):
    from jifang.enforcement import services

    at(clock, D(2026, 9, 21))
    order = issue(wuhua_officer, wuhua_site, DEADLINE)
    services.rectification_order_answer(actor=unit_user, order=order, response="已整改")
    at(clock, D(2026, 9, 29))
    reminders.run(clock.now)
    assert not Notification.objects.filter(kind=Kind.ORDER_DEADLINE).exists()
    review = Notification.objects.get(kind=Kind.ANSWER_REVIEW)
    assert review.user == wuhua_officer  # the order's district, not Panlong
    assert not Notification.objects.filter(user=panlong_officer).exists()


def test_muted_kind_is_not_made(clock, wuhua_officer, wuhua_site, unit_user):
    from jifang.notifications import services

    services.preferences_set(actor=unit_user, choices={Kind.ORDER_SERVED: {"enabled": False}})
    at(clock, D(2026, 9, 21))
    issue(wuhua_officer, wuhua_site, DEADLINE)
    at(clock, D(2026, 9, 22))
    reminders.run(clock.now)
    assert list(Notification.objects.filter(user=unit_user).values_list("kind", flat=True)) == [Kind.ORDER_DEADLINE]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_insert_each_reminder_once(clock, wuhua_officer, wuhua_site, unit_user):
    """Two nodes run the job on the same records: the unique (user, key) keeps one row each."""
    at(clock, D(2026, 9, 21))
    order = issue(wuhua_officer, wuhua_site, DEADLINE)
    at(clock, D(2026, 9, 29))
    rows = list(reminders.order_deadlines(clock.today())) + list(reminders.orders_served(clock.today()))
    reminders._insert(rows, clock.now)
    reminders._insert(rows, clock.now)  # the other node, which read before the first one wrote
    assert Notification.objects.filter(order=order).count() == 2


def test_the_scheduler_runs_the_reminders(clock, wuhua_officer, wuhua_site, unit_user):
    """Registered as a periodic job: the scheduler's tick queues it, the worker runs it with the tick."""
    from jifang.jobs import schedule, worker

    at(clock, D(2026, 9, 21))
    issue(wuhua_officer, wuhua_site, DEADLINE)
    at(clock, D(2026, 9, 29))
    claimed = [name for name, _tick in schedule.claim_due(clock.now)]
    assert "notifications.reminders" in claimed
    worker.run_pending(now=clock.now)
    assert set(Notification.objects.filter(user=unit_user).values_list("kind", flat=True)) == {
        Kind.ORDER_SERVED, Kind.ORDER_DEADLINE}
    assert schedule.claim_due(clock.now) == []  # the same tick is not claimed twice


def test_filing_due_reaches_the_construction_firm(clock, wuhua_officer):
    """art_16: completed Tuesday 2026-09-22, the 10th day falls in the holiday: due Thursday 8 October."""
    from ..works.conftest import make_works

    works = make_works(status="completed", completed_on=D(2026, 9, 22))
    filed = make_works(status="completed", completed_on=D(2026, 9, 22), filed_on=D(2026, 9, 28))
    assert works.filing_due_on == D(2026, 10, 8)
    firm_user = f.UserFactory(role="firm_user", firm=works.firm)
    f.UserFactory(role="firm_user", firm=filed.firm)
    at(clock, D(2026, 9, 29))
    reminders.run(clock.now)
    n = Notification.objects.get()
    assert (n.user, n.key, n.working_days_left, n.works_id) == (firm_user, f"works.filing:{works.pk}:3", 2, works.pk)


def test_acceptance_reaches_the_district_that_attends(clock, wuhua_officer, panlong_officer, city_officer):
    from jifang.works.models import Acceptance

    from ..works.conftest import make_works

    works = make_works(status="completed", completed_on=D(2026, 9, 22))
    assert works.district_id == "530102"
    at(clock, D(2026, 9, 29))
    acceptance = Acceptance.objects.create(code=f"{works.code}-1", works=works, district_id=works.district_id,
                                           round=1, scheduled_for=D(2026, 10, 9), police_notified_at=clock.now)
    reminders.run(clock.now)
    n = Notification.objects.get()
    assert (n.user, n.acceptance_id, n.working_days_left) == (wuhua_officer, acceptance.pk, 3)  # 30 Sep, 8 and 9 Oct
    assert n.get_absolute_url() == f"/works/{works.pk}/"
