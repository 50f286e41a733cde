"""art_19 continuity (不得无故中断) over the outage records: violating, compliant and boundary cases.
The threshold is the pack's local-policy parameter, read here, never written in."""
import datetime as dt

import pytest

from jifang.duties import services
from jifang.duties.models import OutageCause, OutageSource
from jifang.regulation.engine import start_of
from jifang.regulation.models import Finding, FindingStatus
from jifang.regulation.packs import get_pack
from tests.factories import DeviceFactory
from tests.regulation.conftest import AS_OF, KUNMING

pytestmark = pytest.mark.django_db
ENDED = "art19-interruption-without-cause"
ONGOING = "art19-interruption-ongoing"
GATEWAY = OutageSource.VIDEO_GATEWAY


@pytest.fixture
def limit():
    return dt.timedelta(minutes=get_pack(KUNMING).param("interruption_minutes_max", AS_OF))


@pytest.fixture
def camera():
    return DeviceFactory()


def outage(camera, start, length, cause=OutageCause.FAULT):
    o = services.outage_open(source=GATEWAY, device=camera, started_at=start)
    if length is not None:
        o = services.outage_close(source=GATEWAY, device=camera, ended_at=start + length)
    if cause != OutageCause.UNKNOWN:
        o.cause = cause  # the unit's explanation (outage_explain needs a unit user; the fact is what counts)
        o.save(update_fields=["cause"])
    return o


def found(rule):
    return dict(Finding.objects.filter(rule_id=rule, status=FindingStatus.OPEN).values_list("subject_id", "outcome"))


START = start_of(AS_OF) - dt.timedelta(days=3)


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule(ENDED, "violating")
def test_a_long_interruption_by_a_fault_is_without_cause(scan, camera, limit):
    o = outage(camera, START, limit * 3)
    scan()
    assert found(ENDED) == {o.pk: "violation"}
    finding = Finding.objects.get(rule_id=ENDED)
    assert finding.sanction["article"] == "art_25" and finding.subject_key == camera.system.code
    # times in the explanation as officials write them, in Kunming's time
    assert f"{START.year}年{START.month}月{START.day}日 00:00" in finding.explanation_zh


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule(ENDED, "compliant")
@pytest.mark.parametrize("cause", [OutageCause.POWER_CUT, OutageCause.MAINTENANCE_NOTIFIED, OutageCause.FORCE_MAJEURE])
def test_a_long_interruption_with_a_justified_cause_is_lawful(scan, camera, limit, cause):
    outage(camera, START, limit * 3, cause)
    scan()
    assert found(ENDED) == {}


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule(ENDED, "boundary")
def test_the_threshold_minus_and_plus_one_minute(scan, camera, limit):
    short = outage(camera, START, limit - dt.timedelta(minutes=1))
    exact = outage(camera, START + dt.timedelta(hours=12), limit)
    other = DeviceFactory(system=camera.system)
    long_ = outage(other, START, limit + dt.timedelta(minutes=1))
    scan()
    assert found(ENDED) == {long_.pk: "violation"}
    assert short.pk not in found(ENDED) and exact.pk not in found(ENDED)


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule(ENDED, "boundary")
def test_an_unexplained_long_interruption_is_undetermined_not_a_violation(scan, camera, limit):
    o = outage(camera, START, limit * 2, OutageCause.UNKNOWN)
    scan()
    assert found(ENDED) == {o.pk: "undetermined"}


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule(ONGOING, "violating")
def test_an_interruption_still_going_past_the_threshold(scan, camera, limit):
    o = outage(camera, start_of(AS_OF) - limit - dt.timedelta(minutes=1), None)
    scan()
    assert found(ONGOING) == {o.pk: "violation"}


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule(ONGOING, "compliant")
def test_an_ongoing_justified_interruption_is_lawful(scan, camera, limit):
    outage(camera, START, None, OutageCause.FORCE_MAJEURE)
    scan()
    assert found(ONGOING) == {}


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule(ONGOING, "boundary")
def test_an_ongoing_interruption_is_counted_up_to_the_start_of_the_as_of_day(scan, camera, limit):
    inside = outage(camera, start_of(AS_OF) - limit + dt.timedelta(minutes=1), None)
    scan()
    assert inside.pk not in found(ONGOING)
    scan(as_of=AS_OF + dt.timedelta(days=1))
    assert found(ONGOING) == {inside.pk: "violation"}


def test_an_outage_that_ends_resolves_the_ongoing_finding(scan, camera, limit):
    outage(camera, START, None)
    scan()
    assert len(found(ONGOING)) == 1
    services.outage_close(source=GATEWAY, device=camera, ended_at=START + limit / 2)
    scan()
    assert found(ONGOING) == {} and found(ENDED) == {}
