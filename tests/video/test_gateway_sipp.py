"""sipp plays GB/T 28181 devices against a running gateway (UDP and TCP)."""
import pytest

from jifang.duties.models import Outage
from jifang.video.models import Channel, Endpoint, RetentionProof, SystemRetention, Transition, UnknownDevice
from tests import factories as f

from .conftest import CH1, CH2

DEV = "34020000001180000001"
pytestmark = [pytest.mark.django_db(transaction=True)]


def nvr(gb_id=DEV, **kwargs):
    return f.DeviceFactory(gb28181_id=gb_id, kind="nvr", **kwargs)


def ok(run):
    assert run.returncode == 0, run.stderr[-2000:] + run.stdout[-2000:]


@pytest.mark.parametrize("transport", ["u1", "t1"])
def test_register_with_the_right_password(gateway, transport):
    device = nvr()
    ok(gateway.sipp("register.xml", dev=DEV, transport=transport))
    endpoint = Endpoint.objects.get(device=device)
    assert endpoint.online and endpoint.registered_at and endpoint.transport == {"u1": "UDP", "t1": "TCP"}[transport]
    assert list(Transition.objects.values_list("online", "reason")) == [(True, "registered")]


def test_a_wrong_password_is_refused(gateway):
    device = nvr()
    ok(gateway.sipp("register_wrong.xml", dev=DEV, password="87654321"))
    assert not Endpoint.objects.filter(device=device, online=True).exists()
    assert not Transition.objects.exists()


def test_an_unknown_id_is_refused_and_listed(gateway):
    unknown = "53010200001320000099"
    for _ in range(2):
        ok(gateway.sipp("unknown.xml", dev=unknown))
    # counted at the next flush of the unknown IDs (once a second)
    row = gateway.wait_for(lambda: UnknownDevice.objects.filter(gb28181_id=unknown, count=2).first())
    assert row.count == 2 and row.district_id == "530102" and row.source.startswith("127.0.0.1:")
    assert row.first_seen <= row.last_seen


def test_device_answers_catalog_status_and_records_then_falls_silent(gateway):
    device = nvr()
    camera = f.DeviceFactory(gb28181_id=CH1, system=device.system)
    ok(gateway.sipp("device.xml", dev=DEV, answers="answers.xml"))
    endpoint = Endpoint.objects.get(device=device)
    # catalogue over two MESSAGEs, GB2312 names; the first channel is a registry device, the second is new
    channels = {c.gb28181_id: c for c in Channel.objects.all()}
    assert channels[CH1].name == "南门摄像机" and channels[CH1].device == camera and channels[CH1].status == "on"
    assert channels[CH2].name == "金库通道" and channels[CH2].device is None and channels[CH2].status == "off"
    assert endpoint.recording is True and endpoint.clock_drift_seconds < -86400
    proof = RetentionProof.objects.get()
    assert proof.device == camera and proof.outcome == "present" and proof.required_days == 30
    assert SystemRetention.objects.get(system=device.system).verdict == "proven"
    # five keepalives, then silence: offline after 3 x 0.4 s
    assert gateway.wait_for(lambda: not Endpoint.objects.get(pk=endpoint.pk).online, timeout=5)
    assert list(Transition.objects.order_by("at").values_list("online", "reason")) == [
        (True, "registered"), (False, "keepalive_missed")]
    outage = Outage.objects.get(device=device)      # the duties record art_19's continuity rule reads
    assert outage.source == "video_gateway" and outage.ended_at is None and outage.system == device.system
    # registering again ends the outage
    ok(gateway.sipp("register.xml", dev=DEV))
    outage.refresh_from_db()
    assert outage.ended_at is not None and Endpoint.objects.get(pk=endpoint.pk).online


def test_records_absent_is_a_proven_shortfall(gateway):
    device = nvr()
    f.DeviceFactory(gb28181_id=CH1, system=device.system)
    ok(gateway.sipp("device.xml", dev=DEV, answers="answers_no_records.xml"))
    proof = RetentionProof.objects.get()
    assert proof.outcome == "absent" and proof.items == []
    assert SystemRetention.objects.get(system=device.system).verdict == "short"


def test_expires_zero_unregisters(gateway):
    device = nvr()
    ok(gateway.sipp("unregister.xml", dev=DEV, answers="answers.xml"))
    endpoint = Endpoint.objects.get(device=device)
    assert not endpoint.online
    assert list(Transition.objects.order_by("at").values_list("online", "reason")) == [
        (True, "registered"), (False, "unregistered")]


def test_the_session_table_holds_one_session_per_registered_device(gateway):
    """Bounded by the registered devices: a device registering again keeps its one session, and a
    session whose registration ran out is forgotten (the scheduling loop does it every few seconds)."""
    import time

    lasting, brief = nvr(), nvr("34020000001180000002")
    for _ in range(2):
        ok(gateway.sipp("register.xml", dev=lasting.gb28181_id))
    ok(gateway.sipp("register.xml", dev=brief.gb28181_id, keys={"expires": "1"}))
    assert set(gateway.gateway.sessions) == {lasting.gb28181_id, brief.gb28181_id}
    gateway.wait_for(lambda: gateway.gateway.sessions[brief.gb28181_id].expires_at < time.monotonic(), timeout=3)
    gateway.gateway.forget_expired(time.monotonic())
    assert set(gateway.gateway.sessions) == {lasting.gb28181_id}


def test_a_register_storm_from_unknown_ids_is_counted_in_a_few_batched_writes(gateway, tmp_path, monkeypatch):
    """200 REGISTERs from 40 IDs no registry device has, sent by sipp at 100 a second: every attempt
    is counted, in at most three statements per one-second flush, not a write per REGISTER."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jifang.video import services

    ids = [f"530102000013200{n:05d}" for n in range(40)]
    (tmp_path / "ids.csv").write_text("SEQUENTIAL\n" + "".join(f"{gb_id};\n" for gb_id in ids))
    writes, flushes = [], []
    real = services.unknowns_seen

    def counted(**kwargs):
        with CaptureQueriesContext(connection) as queries:   # the gateway's own connection (its thread)
            real(**kwargs)
        flushes.append(len(kwargs["sightings"]))
        writes.extend(q["sql"] for q in queries.captured_queries
                      if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")))

    monkeypatch.setattr(services, "unknowns_seen", counted)
    ok(gateway.sipp("unknown_storm.xml", dev=ids[0], calls=200, timeout=30,
                    extra=["-inf", str(tmp_path / "ids.csv"), "-r", "100", "-nr"]))
    rows = gateway.wait_for(lambda: (UnknownDevice.objects.filter(gb28181_id__in=ids).count() == 40
                                     and sum(UnknownDevice.objects.values_list("count", flat=True)) == 200))
    assert rows, list(UnknownDevice.objects.values_list("gb28181_id", "count"))
    assert set(UnknownDevice.objects.values_list("count", flat=True)) == {5}
    assert set(UnknownDevice.objects.values_list("district_id", flat=True)) == {"530102"}
    assert 1 <= len(flushes) <= 6 and sum(flushes) >= 40
    assert len(writes) <= 2 * len(flushes)      # one INSERT and one UPDATE a flush (plus one SELECT)
    assert gateway.gateway.stats["refused"] >= 200 and gateway.gateway.stats["unknown_uncounted"] == 0
