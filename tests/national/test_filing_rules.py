"""Order 799 art. 14 para. 1 over the filings: filing within 30 days of going live, the 90-day
transition for systems in use before 2025-04-01, and the change filing when the camera count, the
device kinds or the retention change. Violating, compliant and boundary cases at the date edges;
the periods are the pack's parameters, the edges computed from them (a period ending on a rest day
runs to the next working day)."""
import datetime as dt

import pytest
from django.utils import timezone

from jifang.national import services
from jifang.regulation.models import Finding, FindingStatus
from jifang.regulation.packs import get_pack
from jifang.regulation.periods import period_end
from tests.factories import DeviceFactory, SiteFactory, SystemFactory

from .conftest import filing_data, video_system

pytestmark = pytest.mark.django_db
PACK = "cn-order-2025-799"
ART14 = f"{PACK}#art_14__para_1"
NOT_FILED = "art14-system-not-filed"
TRANSITION = "art14-system-not-filed-transition"
CHANGED = "art14-change-not-filed"
EFFECTIVE = dt.date(2025, 4, 1)


def found(rule_id) -> dict:
    rows = Finding.objects.filter(pack_id=PACK, rule_id=rule_id, status=FindingStatus.OPEN)
    return dict(rows.values_list("subject_key", "outcome"))


def days(name) -> int:
    return get_pack(PACK).param(name, EFFECTIVE)


def filed_on(system, day, actor):
    """A filing made on `day` (the submission date is the service's today: set as the record shows it)."""
    filing = services.filing_submit(actor=actor, system=system, **filing_data(system))
    filing.submitted_on = day
    filing.save(update_fields=["submitted_on"])
    return filing


@pytest.fixture
def new_system(wuhua_unit):
    """Went live on a Tuesday whose 30th day is a working day too (2025-05-06 -> 2025-06-05)."""
    return video_system(site=SiteFactory(unit=wuhua_unit), in_use_since=dt.date(2025, 5, 6))


@pytest.mark.clause(ART14)
@pytest.mark.rule(NOT_FILED, "violating")
def test_a_system_not_filed_the_day_after_the_period_is_late(scan, new_system):
    last = period_end(new_system.in_use_since + dt.timedelta(days=days("filing_days")))
    assert last == dt.date(2025, 6, 5)
    scan(as_of=last + dt.timedelta(days=1))
    assert found(NOT_FILED) == {new_system.code: "violation"}
    finding = Finding.objects.get(rule_id=NOT_FILED)
    assert finding.sanction["article"].startswith("art_29") and "30 日内未向公安机关备案" in finding.explanation_zh


@pytest.mark.clause(ART14)
@pytest.mark.rule(NOT_FILED, "boundary")
def test_on_the_last_day_of_the_period_it_is_not_yet_late(scan, new_system):
    scan(as_of=dt.date(2025, 6, 5))
    assert found(NOT_FILED) == {}


@pytest.mark.clause(ART14)
@pytest.mark.rule(NOT_FILED, "boundary")
def test_a_period_ending_on_a_rest_day_runs_to_the_next_working_day(scan, wuhua_unit):
    system = video_system(site=SiteFactory(unit=wuhua_unit), in_use_since=dt.date(2025, 5, 8))
    assert (system.in_use_since + dt.timedelta(days=30)).weekday() == 5  # Saturday 2025-06-07
    scan(as_of=dt.date(2025, 6, 9))  # Monday: the period's last day
    assert found(NOT_FILED) == {}
    scan(as_of=dt.date(2025, 6, 10))
    assert found(NOT_FILED) == {system.code: "violation"}


@pytest.mark.clause(ART14)
@pytest.mark.rule(NOT_FILED, "compliant")
def test_a_filing_in_time_or_awaiting_the_police_counts_a_returned_one_does_not(scan, new_system, unit_user,
                                                                                wuhua_officer):
    filing = filed_on(new_system, dt.date(2025, 6, 1), unit_user)
    scan(as_of=dt.date(2025, 7, 1))
    assert found(NOT_FILED) == {}
    services.filing_return(actor=wuhua_officer, filing=filing, reason="信息不全")
    scan(as_of=dt.date(2025, 7, 1))
    assert found(NOT_FILED) == {new_system.code: "violation"}


@pytest.mark.clause(ART14)
@pytest.mark.rule(NOT_FILED, "compliant")
def test_systems_not_live_or_without_video_are_not_filed(scan, wuhua_unit):
    site = SiteFactory(unit=wuhua_unit)
    video_system(site=site, in_use_since=dt.date(2025, 4, 2), status="suspended")
    video_system(site=site, in_use_since=dt.date(2025, 4, 2), has_audio_video=False, has_intrusion_alarm=True)
    scan(as_of=dt.date(2025, 12, 1))
    assert found(NOT_FILED) == {} and found(TRANSITION) == {}


@pytest.mark.clause(ART14)
@pytest.mark.rule(NOT_FILED, "compliant")
@pytest.mark.rule(TRANSITION, "compliant")
def test_systems_of_other_public_places_and_non_public_ones_are_exempt(scan, wuhua_unit):
    site = SiteFactory(unit=wuhua_unit)
    exempt = [SystemFactory(site=site, in_use_since=since, public_video_class=cls)
              for since in (dt.date(2024, 1, 1), dt.date(2025, 5, 6)) for cls in ("art9", "art33")]
    held = video_system(site=site, in_use_since=dt.date(2025, 5, 6))
    scan(as_of=dt.date(2025, 12, 1))
    assert found(NOT_FILED) == {held.code: "violation"} and found(TRANSITION) == {}
    assert all(s.code not in found(NOT_FILED) for s in exempt)


@pytest.mark.rule(NOT_FILED, "boundary")
def test_a_system_without_a_known_date_of_going_live_is_not_measured(scan, wuhua_unit):
    video_system(site=SiteFactory(unit=wuhua_unit), in_use_since=None)
    scan(as_of=dt.date(2025, 12, 1))
    assert found(NOT_FILED) == {} and found(TRANSITION) == {}


@pytest.fixture
def old_system(wuhua_unit):
    return video_system(site=SiteFactory(unit=wuhua_unit), in_use_since=dt.date(2024, 3, 1))


@pytest.mark.clause(ART14)
@pytest.mark.rule(TRANSITION, "boundary")
def test_a_system_in_use_since_2024_is_not_late_as_of_2025_06_30(scan, old_system):
    assert EFFECTIVE + dt.timedelta(days=days("filing_transition_days")) == dt.date(2025, 6, 30)
    scan(as_of=dt.date(2025, 6, 30))
    assert found(TRANSITION) == {} and found(NOT_FILED) == {}


@pytest.mark.clause(ART14)
@pytest.mark.rule(TRANSITION, "violating")
def test_a_system_in_use_since_2024_is_late_as_of_2025_07_01(scan, old_system):
    scan(as_of=dt.date(2025, 7, 1))
    assert found(TRANSITION) == {old_system.code: "violation"} and found(NOT_FILED) == {}


@pytest.mark.clause(ART14)
@pytest.mark.rule(TRANSITION, "compliant")
def test_a_system_filed_in_the_transition_is_not_late(scan, old_system, unit_user):
    filed_on(old_system, dt.date(2025, 6, 30), unit_user)
    scan(as_of=dt.date(2025, 7, 1))
    assert found(TRANSITION) == {}


@pytest.mark.rule(TRANSITION, "boundary")
def test_before_the_order_took_effect_nothing_is_found(scan, old_system):
    scan(as_of=dt.date(2025, 3, 31))
    assert not Finding.objects.filter(pack_id=PACK).exists()


@pytest.mark.rule(TRANSITION, "boundary")
def test_a_system_live_on_the_first_day_of_the_order_has_thirty_days(scan, wuhua_unit):
    system = video_system(site=SiteFactory(unit=wuhua_unit), in_use_since=EFFECTIVE)
    scan(as_of=dt.date(2025, 5, 1))  # 2025-05-01: the 30th day, a holiday -> runs to 2025-05-06
    assert found(NOT_FILED) == {} and found(TRANSITION) == {}
    scan(as_of=dt.date(2025, 5, 7))
    assert found(NOT_FILED) == {system.code: "violation"} and found(TRANSITION) == {}


# ---- change filings -------------------------------------------------------------------------------

@pytest.fixture
def filed(system, file_system, wuhua_officer):
    return services.filing_receive(actor=wuhua_officer, filing=file_system(system))




@pytest.mark.clause(ART14)
@pytest.mark.rule(CHANGED, "compliant")
def test_a_filing_that_matches_the_registry_needs_no_change(scan, filed):
    scan(as_of=timezone.localdate())
    assert found(CHANGED) == {}


@pytest.mark.clause(ART14)
@pytest.mark.rule(CHANGED, "violating")
@pytest.mark.parametrize("change", ["camera", "kind", "retention"])
def test_a_change_in_cameras_kinds_or_retention_needs_a_change_filing(scan, filed, system, change):
    if change == "camera":
        DeviceFactory(system=system)
    elif change == "kind":
        DeviceFactory(system=system, kind="encoder")
    else:
        system.retention_days = 90
        system.save(update_fields=["retention_days"])
    scan(as_of=timezone.localdate())
    assert found(CHANGED) == {system.code: "violation"}
    facts = Finding.objects.get(rule_id=CHANGED).facts
    assert (facts["filed_camera_count"], facts["camera_count_now"]) == (3, 4 if change == "camera" else 3)
    assert facts["kinds_changed"] is (change == "kind")


@pytest.mark.clause(ART14)
@pytest.mark.rule(CHANGED, "boundary")
def test_a_change_filing_awaiting_the_police_is_the_filing_in_force(scan, filed, system, file_system):
    removed = DeviceFactory(system=system)
    scan(as_of=timezone.localdate())
    assert found(CHANGED) == {system.code: "violation"}
    file_system(system)  # the change filing, not yet received
    scan(as_of=timezone.localdate())
    assert found(CHANGED) == {}
    removed.status = "removed"  # a removed camera no longer counts
    removed.save(update_fields=["status"])
    scan(as_of=timezone.localdate())
    assert found(CHANGED) == {system.code: "violation"}
