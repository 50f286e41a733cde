"""The works rules of the Kunming pack (rules/works.yaml): violating, compliant and boundary cases."""
import datetime as dt

import pytest

from jifang.regulation import services as engine
from jifang.regulation.models import Finding, FindingStatus
from jifang.registry.models import SystemStatus
from jifang.works.models import Acceptance, NetworkingNotice

from .. import factories as f
from .conftest import make_works

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 1)
ART8_OPEN = "art8-main-opened-security-not-accepted"
ART8_LATE = "art8-security-accepted-after-main-opening"
ART10 = "art10-public-area-system-not-connected"
ART13 = "art13-networking-notice-overdue"
ART14_REVIEW = "art14-acceptance-without-design-review"
ART14_NOTICE = "art14-acceptance-police-not-notified"
ART16_LATE = "art16-filing-late"
ART16_MISSING = "art16-filing-missing"


def found(rule_id: str, as_of=AS_OF) -> set[str]:
    engine.scan(actor=None, as_of=as_of)
    keys = Finding.objects.filter(rule_id=rule_id, status=FindingStatus.OPEN).values_list("subject_key", flat=True)
    return set(keys)


def day(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


# ---- art_8 ----------------------------------------------------------------------------------------

@pytest.mark.clause("art_8__para_1")
@pytest.mark.rule(ART8_OPEN, "violating")
def test_art8_main_opened_security_not_accepted():
    w = make_works(main_project_name="营业楼", main_opened_on=day(5), status="under_construction")
    assert found(ART8_OPEN) == {w.code}
    finding = Finding.objects.get(rule_id=ART8_OPEN)
    assert finding.clause_id == "art_8__para_1" and "营业楼" in finding.explanation_zh and finding.sanction == {}


@pytest.mark.clause("art_8__para_1")
@pytest.mark.rule(ART8_OPEN, "compliant")
def test_art8_accepted_before_opening_repairs_and_ordinary_sites_are_compliant():
    make_works(main_opened_on=day(5), accepted_on=day(6), status="accepted")
    make_works(main_opened_on=day(5), kind="repair")
    make_works(main_opened_on=day(5), art6_point=None)
    assert found(ART8_OPEN) == set()


@pytest.mark.clause("art_8__para_1")
@pytest.mark.rule(ART8_OPEN, "boundary")
def test_art8_opening_today_counts_opening_tomorrow_does_not():
    today = make_works(main_opened_on=day(0))
    make_works(main_opened_on=day(-1))
    assert found(ART8_OPEN) == {today.code}


@pytest.mark.clause("art_8__para_1")
@pytest.mark.rule(ART8_LATE, "violating")
def test_art8_accepted_after_opening():
    w = make_works(main_opened_on=day(30), accepted_on=day(10), status="accepted")
    assert found(ART8_LATE) == {w.code}


@pytest.mark.clause("art_8__para_1")
@pytest.mark.rule(ART8_LATE, "compliant")
def test_art8_accepted_before_opening_or_no_main_project():
    make_works(main_opened_on=day(10), accepted_on=day(30), status="accepted")
    make_works(accepted_on=day(30), status="accepted")
    assert found(ART8_LATE) == set()


@pytest.mark.clause("art_8__para_1")
@pytest.mark.rule(ART8_LATE, "boundary")
def test_art8_accepted_on_the_opening_day_is_simultaneous():
    make_works(main_opened_on=day(10), accepted_on=day(10), status="accepted")
    late = make_works(main_opened_on=day(10), accepted_on=day(9), status="accepted")
    assert found(ART8_LATE) == {late.code}


# ---- art_10 para 1 ----------------------------------------------------------------------------------

def _public(status, connected=False):
    return f.SystemFactory(is_public_area=True, status=status, police_connected=connected)


@pytest.mark.clause("art_10__para_1")
@pytest.mark.rule(ART10, "violating")
def test_art10_completed_public_system_not_connected():
    a, b = _public(SystemStatus.IN_USE), _public(SystemStatus.ACCEPTED)
    assert found(ART10) == {a.code, b.code}


@pytest.mark.clause("art_10__para_1")
@pytest.mark.rule(ART10, "compliant")
def test_art10_connected_or_not_public():
    _public(SystemStatus.IN_USE, connected=True)
    f.SystemFactory(is_public_area=False, police_connected=False)
    assert found(ART10) == set()


@pytest.mark.clause("art_10__para_1")
@pytest.mark.rule(ART10, "boundary")
def test_art10_a_system_still_being_built_is_not_yet_due():
    _public(SystemStatus.UNDER_CONSTRUCTION)
    done = _public(SystemStatus.ACCEPTED)
    assert found(ART10) == {done.code}


# ---- art_13 para 2 -----------------------------------------------------------------------------------

def _notice(due_on, status="issued"):
    officer = f.UserFactory(role="district_officer", division_id="530102")
    system = f.SystemFactory(police_connected=status == "connected")
    return NetworkingNotice.objects.create(
        number=f"LWT{NetworkingNotice.objects.count() + 1:04d}", system=system, district_id=system.district_id,
        unit_id=system.unit_id, basis="art_13__para_2", issued_on=day(60), due_on=due_on, status=status,
        issued_by=officer)


@pytest.mark.clause("art_13__para_2")
@pytest.mark.rule(ART13, "violating")
def test_art13_notice_overdue():
    n = _notice(day(3))
    assert found(ART13) == {n.number}
    assert Finding.objects.get(rule_id=ART13).unit_id == n.unit_id


@pytest.mark.clause("art_13__para_2")
@pytest.mark.rule(ART13, "compliant")
def test_art13_connected_or_not_yet_due():
    _notice(day(3), status="connected")
    _notice(day(-10))
    assert found(ART13) == set()


@pytest.mark.clause("art_13__para_2")
@pytest.mark.rule(ART13, "boundary")
def test_art13_due_today_is_not_yet_overdue():
    _notice(day(0))
    late = _notice(day(1))
    assert found(ART13) == {late.number}


# ---- art_14 para 1 -------------------------------------------------------------------------------------

@pytest.mark.clause("art_14__para_1")
@pytest.mark.rule(ART14_REVIEW, "violating")
def test_art14_acceptance_without_design_review():
    w = make_works(first_acceptance_on=day(3), status="accepted", accepted_on=day(3))
    assert found(ART14_REVIEW) == {w.code}


@pytest.mark.clause("art_14__para_1")
@pytest.mark.rule(ART14_REVIEW, "compliant")
def test_art14_reviewed_works_is_compliant():
    make_works(first_acceptance_on=day(3), design_approved_on=day(90), status="accepted")
    assert found(ART14_REVIEW) == set()


@pytest.mark.clause("art_14__para_1")
@pytest.mark.rule(ART14_REVIEW, "boundary")
def test_art14_no_review_is_fine_until_the_works_reaches_acceptance():
    make_works(status="under_construction")
    reached = make_works(first_acceptance_on=day(0), status="rework")
    assert found(ART14_REVIEW) == {reached.code}


def _acceptance(works, *, held_on, notified):
    return Acceptance.objects.create(
        code=f"{works.code}-YS1", works=works, district_id=works.district_id, round=1, scheduled_for=day(20),
        held_on=held_on, result="passed" if held_on else "pending",
        police_notified_at=dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC) if notified else None)


@pytest.mark.clause("art_14__para_1")
@pytest.mark.rule(ART14_NOTICE, "violating")
def test_art14_acceptance_held_without_notifying_the_police():
    a = _acceptance(make_works(), held_on=day(20), notified=False)
    assert found(ART14_NOTICE) == {a.code}
    assert Finding.objects.get(rule_id=ART14_NOTICE).district_id == "530102"


@pytest.mark.clause("art_14__para_1")
@pytest.mark.rule(ART14_NOTICE, "compliant")
def test_art14_notified_acceptance_is_compliant():
    _acceptance(make_works(), held_on=day(20), notified=True)
    assert found(ART14_NOTICE) == set()


@pytest.mark.clause("art_14__para_1")
@pytest.mark.rule(ART14_NOTICE, "boundary")
def test_art14_an_acceptance_not_yet_held_cannot_violate():
    _acceptance(make_works(), held_on=None, notified=False)
    assert found(ART14_NOTICE) == set()


# ---- art_16 ------------------------------------------------------------------------------------------

@pytest.mark.clause("art_16__para_1")
@pytest.mark.rule(ART16_LATE, "violating")
def test_art16_filed_late():
    w = make_works(completed_on=day(40), filed_on=day(20), status="in_use")
    assert found(ART16_LATE) == {w.code}
    assert "10" in Finding.objects.get(rule_id=ART16_LATE).explanation_en


@pytest.mark.clause("art_16__para_1")
@pytest.mark.rule(ART16_LATE, "compliant")
def test_art16_filed_in_time():
    make_works(completed_on=day(40), filed_on=day(38), status="in_use")
    assert found(ART16_LATE) == set()


@pytest.mark.clause("art_16__para_1")
@pytest.mark.rule(ART16_LATE, "boundary")
def test_art16_day_10_on_time_day_11_late():
    completed = dt.date(2026, 5, 12)  # day 10 is Friday 2026-05-22, a working day
    make_works(completed_on=completed, filed_on=completed + dt.timedelta(days=10), status="accepted")
    late = make_works(completed_on=completed, filed_on=completed + dt.timedelta(days=11), status="accepted")
    assert found(ART16_LATE) == {late.code}


@pytest.mark.clause("art_16__para_1")
@pytest.mark.rule(ART16_LATE, "boundary")
def test_art16_day_10_on_a_holiday_moves_to_the_next_working_day():
    """Civil Code art. 203: day 10 is Friday 2026-10-02 (National Day, 10-01..07 off), so a filing
    on Thursday 10-08, the first working day, is on time and one on Friday 10-09 is late."""
    completed = dt.date(2026, 9, 22)
    make_works(completed_on=completed, filed_on=dt.date(2026, 10, 8), status="accepted")
    late = make_works(completed_on=completed, filed_on=dt.date(2026, 10, 9), status="accepted")
    assert found(ART16_LATE, as_of=dt.date(2026, 11, 1)) == {late.code}
    assert Finding.objects.get(rule_id=ART16_LATE).facts["filing_due_on"] == "2026-10-08"


@pytest.mark.clause("art_16__para_1")
@pytest.mark.rule(ART16_MISSING, "violating")
def test_art16_not_filed_after_the_deadline():
    w = make_works(completed_on=day(30), status="completed")
    assert found(ART16_MISSING) == {w.code}


@pytest.mark.clause("art_16__para_1")
@pytest.mark.rule(ART16_MISSING, "compliant")
def test_art16_filed_or_not_completed():
    make_works(completed_on=day(30), filed_on=day(25), status="accepted")
    make_works(status="under_construction")
    assert found(ART16_MISSING) == set()


@pytest.mark.clause("art_16__para_1")
@pytest.mark.rule(ART16_MISSING, "boundary")
def test_art16_day_10_still_open_day_11_missing():
    as_of = dt.date(2026, 5, 28)  # Thursday: day 10 of a works completed on 05-18, a working day
    make_works(completed_on=as_of - dt.timedelta(days=10), status="completed")
    missing = make_works(completed_on=as_of - dt.timedelta(days=11), status="completed")
    assert found(ART16_MISSING, as_of=as_of) == {missing.code}


@pytest.mark.clause("art_16__para_1")
@pytest.mark.rule(ART16_MISSING, "boundary")
def test_art16_a_weekend_day_10_is_not_missing_before_monday():
    """Day 10 of a works completed on Wednesday 2026-05-20 is Saturday 05-30: the period ends on
    Monday 06-01, so the works is not missing on Sunday or Monday, and is on Tuesday."""
    w = make_works(completed_on=dt.date(2026, 5, 20), status="completed")
    assert w.filing_due_on == dt.date(2026, 6, 1)
    assert found(ART16_MISSING, as_of=dt.date(2026, 5, 31)) == set()
    assert found(ART16_MISSING, as_of=dt.date(2026, 6, 1)) == set()
    assert found(ART16_MISSING, as_of=dt.date(2026, 6, 2)) == {w.code}


@pytest.mark.clause("art_27__para_1")
@pytest.mark.rule(ART16_MISSING, "boundary")
def test_art16_works_completed_before_the_order_are_not_measured():
    make_works(completed_on=dt.date(2012, 12, 31), status="in_use")
    after = make_works(completed_on=dt.date(2013, 1, 1), status="in_use")
    assert found(ART16_MISSING) == {after.code}
