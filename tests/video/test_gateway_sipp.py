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
    row = UnknownDevice.objects.get(gb28181_id=unknown)
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
