"""Art_24 and art_25 fine only 逾期不改正: a violation the engine stopped seeing by the order's
deadline is not overdue and cannot be fined; one that comes back afterwards is a new finding that
must be ordered anew. Each test walks the real path: the engine finds the violation in registry
data, the unit corrects the data, later scans see (or do not see) it."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from jifang.enforcement import selectors, services
from jifang.enforcement.models import ItemOutcome
from jifang.regulation import services as engine
from jifang.regulation.models import Finding, FindingStatus, Stage
from jifang.registry.models import SecuritySystem

from .. import factories as f

pytestmark = pytest.mark.django_db
RULE = "art19-retention-below-minimum"
RULE_CLAUSE = "art_19__para_1"
ART25_AMOUNTS = {"unit": 2000, "person_in_charge": 200, "person_directly_responsible": 200}
PERSONS = {"person_in_charge": "王主任", "person_directly_responsible": "刘值班"}


def _scan(site, day: dt.date):
    engine.scan(actor=None, as_of=day, site=site)


def _retention(system, days: int) -> None:
    SecuritySystem.objects.filter(pk=system.pk).update(retention_days=days)


def _violation(site, clock):
    """A system keeping recordings 7 days (art_19 para 1), found by today's scan and ordered."""
    system = f.SystemFactory(site=site, retention_days=7)
    _scan(site, clock.today())
    finding = Finding.objects.get(rule_id=RULE, status=FindingStatus.OPEN)
    return system, finding


def _order(officer, finding, clock, days=15):
    return services.rectification_order_issue(actor=officer, findings=[finding],
                                              deadline=clock.today() + dt.timedelta(days=days))


def _ordered_then_corrected(officer, site, clock, after_days: int):
    """Found and ordered today; the unit corrects the data and a scan `after_days` later (inside
    the deadline) no longer sees the violation. Nobody has reviewed the order yet."""
    system, finding = _violation(site, clock)
    order = _order(officer, finding, clock)
    _retention(system, 30)
    _scan(site, clock.today() + dt.timedelta(days=after_days))
    return system, finding, order


def _notice(officer, order, finding):
    return services.penalty_notice_issue(actor=officer, order=order, findings=[finding], amounts=ART25_AMOUNTS,
                                         persons=PERSONS, facts="逾期未改正")


@pytest.mark.clause("art_25__para_1")
def test_corrected_before_the_deadline_is_not_overdue_and_cannot_be_fined(wuhua_officer, wuhua_site, clock):
    _system, finding, order = _ordered_then_corrected(wuhua_officer, wuhua_site, clock, 5)
    clock.past(order)
    assert services.overdue_sweep(actor=None) == 0
    finding.refresh_from_db()
    assert finding.stage == Stage.ORDERED and finding.unseen_since <= order.deadline
    with pytest.raises(ValidationError, match="只有逾期不改正的才能处罚"):
        _notice(wuhua_officer, order, finding)
    assert [o.pk for o in selectors.queues(wuhua_officer)["corrected"]] == [order.pk]


@pytest.mark.clause("art_25__para_1")
def test_fine_refused_on_the_evidence_even_when_the_sweep_ran_first(wuhua_officer, wuhua_site, clock):
    """The nightly scan lagged: the sweep marked the finding overdue before a scan dated within the
    deadline recorded that the violation was gone. The penalty service reads the evidence itself."""
    system, finding = _violation(wuhua_site, clock)
    order = _order(wuhua_officer, finding, clock)
    written = clock.today()
    clock.past(order)
    assert services.overdue_sweep(actor=None) == 1
    _retention(system, 30)
    _scan(wuhua_site, written + dt.timedelta(days=3))
    finding.refresh_from_db()
    assert finding.stage == Stage.OVERDUE and finding.unseen_since <= order.deadline
    with pytest.raises(ValidationError, match="不属于逾期不改正") as refused:
        _notice(wuhua_officer, order, finding)
    assert refused.value.clause == "art_25__para_1"


@pytest.mark.clause("art_25__para_1")
def test_an_officer_who_found_it_not_rectified_must_say_what_the_check_found(wuhua_officer, wuhua_site, clock):
    _system, finding, order = _ordered_then_corrected(wuhua_officer, wuhua_site, clock, 5)
    clock.past(order)
    item = order.items.get()
    with pytest.raises(ValidationError, match="写明核查所见"):
        services.order_item_review(actor=wuhua_officer, item=item, rectified=False)
    services.order_item_review(actor=wuhua_officer, item=item, rectified=False,
                               note="现场核查：录像机实际只保存7日，平台数据与现场不符")
    finding.refresh_from_db()
    assert finding.stage == Stage.OVERDUE
    assert _notice(wuhua_officer, order, finding).pk


@pytest.mark.clause("art_25__para_1")
def test_corrected_after_the_deadline_is_overdue_and_fineable(wuhua_officer, wuhua_site, clock):
    system, finding = _violation(wuhua_site, clock)
    order = _order(wuhua_officer, finding, clock)
    clock.past(order)
    _retention(system, 30)
    _scan(wuhua_site, clock.today())  # gone only after the deadline: 逾期不改正
    assert services.overdue_sweep(actor=None) == 1
    finding.refresh_from_db()
    assert _notice(wuhua_officer, order, finding).pk


@pytest.mark.clause("art_25__para_1")
def test_corrected_then_back_before_the_deadline_stays_one_finding_and_is_overdue(wuhua_officer, wuhua_site, clock):
    start = clock.today()
    system, finding, order = _ordered_then_corrected(wuhua_officer, wuhua_site, clock, 2)
    _retention(system, 7)
    _scan(wuhua_site, start + dt.timedelta(days=4))
    finding.refresh_from_db()
    assert finding.unseen_since is None and Finding.objects.filter(rule_id=RULE).count() == 1
    clock.past(order)
    assert services.overdue_sweep(actor=None) == 1


@pytest.mark.clause("art_25__para_1")
def test_a_violation_back_after_review_is_a_new_finding_to_order_anew(wuhua_officer, wuhua_site, clock):
    start = clock.today()
    system, first, order = _ordered_then_corrected(wuhua_officer, wuhua_site, clock, 3)
    services.order_item_review(actor=wuhua_officer, item=order.items.get(), rectified=True, note="复查已改正")
    _scan(wuhua_site, start + dt.timedelta(days=4))
    first.refresh_from_db()
    assert first.status == FindingStatus.RESOLVED and first.stage == Stage.RECTIFIED
    _retention(system, 7)
    clock.advance(20)
    _scan(wuhua_site, clock.today())
    again = Finding.objects.get(rule_id=RULE, status=FindingStatus.OPEN)
    assert again.pk != first.pk and again.recurrence_of_id == first.pk and again.stage == Stage.DETECTED
    second = _order(wuhua_officer, again, clock)
    with pytest.raises(ValidationError, match="尚未届满"):
        _notice(wuhua_officer, second, again)
    clock.past(second)
    assert services.overdue_sweep(actor=None) == 1
    again.refresh_from_db()
    assert _notice(wuhua_officer, second, again).pk


@pytest.mark.clause("art_25__para_1")
def test_a_rectified_finding_still_seen_does_not_swallow_the_violation(wuhua_officer, wuhua_site, clock):
    """The officer accepted the answer, the data never changed: the next scan opens a new finding
    (linked) instead of letting the rectified one hide the violation for ever."""
    _system, first = _violation(wuhua_site, clock)
    order = _order(wuhua_officer, first, clock)
    services.order_item_review(actor=wuhua_officer, item=order.items.get(), rectified=True, note="已答复")
    _scan(wuhua_site, clock.today() + dt.timedelta(days=1))
    again = Finding.objects.get(rule_id=RULE, status=FindingStatus.OPEN)
    assert again.recurrence_of_id == first.pk
    assert services.rectification_order_issue(actor=wuhua_officer, findings=[again]).pk


@pytest.mark.clause("art_25__para_1")
def test_corrected_in_time_then_back_after_the_deadline_is_a_recurrence(wuhua_officer, wuhua_site, clock):
    system, first, order = _ordered_then_corrected(wuhua_officer, wuhua_site, clock, 3)
    clock.past(order)
    _retention(system, 7)
    _scan(wuhua_site, clock.today())
    first.refresh_from_db()
    again = Finding.objects.get(rule_id=RULE, status=FindingStatus.OPEN)
    assert first.status == FindingStatus.RESOLVED and again.recurrence_of_id == first.pk
    assert services.overdue_sweep(actor=None) == 0  # neither the corrected one nor the new one
    with pytest.raises(ValidationError):
        _notice(wuhua_officer, order, first)
    with pytest.raises(ValidationError, match="不在该整改通知中"):
        _notice(wuhua_officer, order, again)


def test_the_order_page_shows_corrected_per_the_data(client, wuhua_officer, wuhua_site, clock):
    _system, finding, order = _ordered_then_corrected(wuhua_officer, wuhua_site, clock, 2)
    clock.past(order)
    services.overdue_sweep(actor=None)
    client.force_login(wuhua_officer)
    html = client.get(reverse("enforcement:order_detail", args=[order.pk])).content.decode()
    item = order.items.get()
    assert item.outcome == ItemOutcome.PENDING
    assert "按数据已整改，待您复核" in html
    assert "按数据已整改，待您复核" in client.get(reverse("enforcement:queues")).content.decode()


def test_overdue_command_refuses_a_date_after_today(wuhua_officer, wuhua_site, clock):
    _system, finding = _violation(wuhua_site, clock)
    _order(wuhua_officer, finding, clock, days=1)
    tomorrow = clock.today() + dt.timedelta(days=30)
    with pytest.raises(CommandError, match="晚于今天"):
        call_command("enforcement", "overdue", "--as-of", tomorrow.isoformat())
    finding.refresh_from_db()
    assert finding.stage == Stage.ORDERED


# ---- the time limit ends on a working day (民法典 第二百零三条) -----------------------------------

@pytest.mark.clause("art_23__para_2")
@pytest.mark.parametrize(("today", "written", "served"), [
    (dt.date(2026, 11, 20), dt.date(2026, 11, 28), dt.date(2026, 11, 30)),  # Saturday -> Monday
    (dt.date(2026, 9, 15), dt.date(2026, 10, 3), dt.date(2026, 10, 8)),    # National Day -> 10-08
    (dt.date(2026, 9, 10), dt.date(2026, 9, 20), dt.date(2026, 9, 20)),    # 调休: a working Sunday stays
])
def test_an_order_deadline_on_a_rest_day_moves_to_the_next_working_day(wuhua_officer, wuhua_site, clock, today,
                                                                        written, served):
    from jifang.core.models import AuditEntry

    from .conftest import make_finding

    clock.to(today)
    finding = make_finding(wuhua_site, "art_19__para_1")
    order = services.rectification_order_issue(actor=wuhua_officer, findings=[finding], deadline=written)
    assert order.deadline == served
    finding.refresh_from_db()
    assert finding.correct_by == served
    note = AuditEntry.objects.get(action="enforcement.order.issue").note
    assert ("民法典第二百零三条" in note) == (written != served)


def test_the_default_deadline_is_a_working_day(clock):
    from jifang.regulation.periods import is_working_day

    for day in range(0, 400, 7):
        clock.to(dt.date(2026, 1, 1) + dt.timedelta(days=day))
        if clock.today().year == 2026 and services.default_deadline().year == 2026:
            assert is_working_day(services.default_deadline())


@pytest.mark.clause("art_25__para_1")
def test_a_violation_corrected_after_a_fine_and_back_is_a_new_finding(wuhua_officer, unit_user, wuhua_site, clock):
    system, first = _violation(wuhua_site, clock)
    order = _order(wuhua_officer, first, clock)
    clock.past(order)
    services.overdue_sweep(actor=None)
    case = _notice(wuhua_officer, order, Finding.objects.get(pk=first.pk))
    services.penalty_statement_record(actor=unit_user, case=case, waived=True)
    services.penalty_decide(actor=wuhua_officer, case=case, amounts=ART25_AMOUNTS, persons=PERSONS)
    _retention(system, 30)
    _scan(wuhua_site, clock.today())
    _retention(system, 7)
    _scan(wuhua_site, clock.today() + dt.timedelta(days=30))
    again = Finding.objects.get(rule_id=RULE, status=FindingStatus.OPEN)
    assert again.recurrence_of_id == first.pk and again.stage == Stage.DETECTED


def test_a_deadline_in_a_year_without_a_holiday_arrangement_is_shown_provisional(client, wuhua_officer, wuhua_site,
                                                                                 clock, settings, tmp_path):
    from jifang.regulation import periods

    from .conftest import make_finding

    settings.JIFANG_HOLIDAY_OVERRIDE_FILE = str(tmp_path / "none.yaml")
    periods._overrides.cache_clear()
    clock.to(dt.date(2034, 12, 20))
    order = services.rectification_order_issue(actor=wuhua_officer, findings=[make_finding(wuhua_site, RULE_CLAUSE)],
                                               deadline=dt.date(2035, 1, 6))  # a Saturday in an unknown year
    assert order.deadline == dt.date(2035, 1, 8)  # weekends only: Monday
    client.force_login(wuhua_officer)
    assert "暂定：尚未载入2035年放假安排" in client.get(reverse("enforcement:order_detail", args=[order.pk])).content.decode()
    api = client.get(reverse("enforcement-order-detail", args=[order.pk])).json()
    assert api["deadline"] == "2035-01-08" and "2035" in api["deadline_note"]
