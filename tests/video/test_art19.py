"""art_19 judged on what the devices proved: over SIP, through the engine."""
import datetime as dt

import pytest
from django.utils import timezone

from jifang.regulation import services as regulation
from jifang.regulation.models import Finding
from jifang.video import services
from jifang.video.gateway import parse_local
from jifang.video.models import Channel, Endpoint, RetentionProof, SystemRetention
from tests import factories as f

from .conftest import CH1

DEV = "34020000001180000001"


def _findings(rule_id):
    return list(Finding.objects.filter(rule_id=rule_id, status="open"))


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule("art19-retention-proven-short", "violating")
@pytest.mark.django_db(transaction=True)
def test_a_proven_29_day_retention_is_a_violation_citing_its_evidence(gateway):
    """The device keeps 29 days: asked for recordings at now minus 30 days it lists none."""
    nvr = f.DeviceFactory(gb28181_id=DEV, kind="nvr")
    f.DeviceFactory(gb28181_id=CH1, system=nvr.system)
    run = gateway.sipp("device.xml", dev=DEV, answers="answers_no_records.xml")
    assert run.returncode == 0, run.stderr[-2000:]
    proof = RetentionProof.objects.get()
    assert proof.outcome == "absent" and proof.required_days == 30
    assert (timezone.now() - dt.timedelta(days=30) - proof.window_start) < dt.timedelta(hours=1)
    regulation.scan(actor=None)
    [finding] = _findings("art19-retention-proven-short")
    assert finding.subject_id == nvr.system_id and finding.clause_id == "art_19__para_1"
    assert finding.facts["video_retention__proof_id"] == proof.pk
    assert f"第 {proof.pk} 号" in finding.explanation_zh and nvr.system.retention_days == 30
    assert not _findings("art19-retention-below-minimum")      # declared 30: only the proof speaks


def _proof(system_days: int, outcome_items):
    nvr = f.DeviceFactory(gb28181_id=DEV, kind="nvr")
    nvr.system.retention_days = system_days
    nvr.system.save()
    camera = f.DeviceFactory(gb28181_id=CH1, system=nvr.system)
    endpoint = Endpoint.objects.create(device=nvr, gb28181_id=DEV, district_id=nvr.district_id, unit_id=nvr.unit_id,
                                       site_id=nvr.site_id, system_id=nvr.system_id)
    services.catalog_received(endpoint_id=endpoint.pk, items=[{"DeviceID": CH1, "Name": "南门"}], at=timezone.now())
    channel = Channel.objects.get(device=camera)
    now = timezone.now().replace(microsecond=0)          # the gateway asks in whole seconds
    window = (now - dt.timedelta(days=30, minutes=30), now - dt.timedelta(days=30) + dt.timedelta(minutes=30))
    services.proof_recorded(channel_id=channel.pk, sn=1, asked_at=now, answered_at=now, window=window,
                            required_days=30, items=outcome_items(window), parse_time=parse_local)
    return nvr.system


def _iso(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S")


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule("art19-retention-proven-short", "compliant")
@pytest.mark.django_db
def test_a_proof_of_30_days_outweighs_a_low_declared_value():
    system = _proof(20, lambda w: [{"StartTime": _iso(w[0] - dt.timedelta(days=1)), "EndTime": _iso(w[1])}])
    assert SystemRetention.objects.get(system=system).verdict == "proven"
    regulation.scan(actor=None)
    assert not _findings("art19-retention-below-minimum") and not _findings("art19-retention-proven-short")


@pytest.mark.clause("art_19__para_1")
@pytest.mark.django_db
def test_unproven_systems_keep_their_declared_value():
    system = _proof(20, lambda w: None)                  # the device never answered
    assert SystemRetention.objects.get(system=system).verdict == "not_proven"
    regulation.scan(actor=None)
    [finding] = _findings("art19-retention-below-minimum")
    assert finding.subject_id == system.pk and not _findings("art19-retention-proven-short")


@pytest.mark.django_db
def test_recordings_outside_the_window_are_no_proof():
    """A device that ignores the time range and lists yesterday's recordings proves nothing for the window."""
    system = _proof(30, lambda w: [{"StartTime": _iso(timezone.now() - dt.timedelta(days=1)),
                                   "EndTime": _iso(timezone.now())}])
    assert SystemRetention.objects.get(system=system).verdict == "short"


@pytest.mark.clause("art_19__para_1")
@pytest.mark.rule("art19-retention-proven-short", "boundary")
@pytest.mark.django_db
@pytest.mark.parametrize("seconds_before, verdict, violation", [(0, "proven", False), (1, "short", True)])
def test_a_recording_ending_at_the_window_start_is_proof_one_second_earlier_is_not(seconds_before, verdict, violation):
    system = _proof(30, lambda w: [{"StartTime": _iso(w[0] - dt.timedelta(days=2)),
                                   "EndTime": _iso(w[0] - dt.timedelta(seconds=seconds_before))}])
    assert SystemRetention.objects.get(system=system).verdict == verdict
    regulation.scan(actor=None)
    assert bool(_findings("art19-retention-proven-short")) is violation


@pytest.mark.clause("art_19__para_1")
@pytest.mark.django_db(transaction=True)
def test_an_outage_produced_over_sip_becomes_an_art19_finding(gateway, wuhua_unit, unit_user):
    """The recorder falls silent: the gateway opens an outage; the engine asks the unit for its cause
    (undetermined), and once the unit names a fault it is a violation."""
    from jifang.duties import services as duties
    from jifang.duties.models import Outage

    nvr = f.DeviceFactory(gb28181_id=DEV, kind="nvr", system__site__unit=wuhua_unit)
    run = gateway.sipp("device.xml", dev=DEV, answers="answers.xml")
    assert run.returncode == 0, run.stderr[-2000:]
    assert gateway.wait_for(lambda: Outage.objects.filter(device=nvr, ended_at__isnull=True).exists())
    outage = Outage.objects.get(device=nvr)
    assert outage.source == "video_gateway" and outage.cause == "unknown"
    # two days on, the interruption is longer than the pack's threshold
    as_of = timezone.localdate() + dt.timedelta(days=2)
    regulation.scan(actor=None, as_of=as_of)
    [finding] = _findings("art19-interruption-ongoing")
    assert finding.subject_id == outage.pk and finding.outcome == "undetermined"
    duties.outage_explain(actor=unit_user, outage=outage, cause="fault", note="录像机电源故障")
    regulation.scan(actor=None, as_of=as_of)
    [finding] = _findings("art19-interruption-ongoing")
    assert finding.outcome == "violation" and finding.facts["source"] == "video_gateway"
