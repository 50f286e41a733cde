"""Malformed input over the network, rate limits and the people's services."""
import datetime as dt
import socket

import pytest
from django.utils import timezone

from jifang.core import secrets
from jifang.core.errors import NotPermitted, ServiceError
from jifang.video import services, sip
from jifang.video.gateway import RateLimiter
from jifang.video.models import Channel, Endpoint
from tests import factories as f

from .test_parsers import REGISTER

DEV = "34020000001180000001"


def _exchange(gateway, payload: bytes, *, expect_answer: bool = True) -> bytes | None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    s.sendto(payload, ("127.0.0.1", gateway.port))
    box = {}

    def answered():
        try:
            box["data"] = s.recv(65_535)
        except BlockingIOError:
            return False
        return True

    gateway.wait_for(answered, timeout=1.5 if expect_answer else 0.5)
    s.close()
    return box.get("data")


@pytest.mark.django_db(transaction=True)
def test_malformed_sip_gets_its_error_or_silence_and_the_gateway_lives_on(gateway):
    bad_length = REGISTER.replace(b"Content-Length: 0", b"Content-Length: 40")
    assert sip.parse_datagram(_exchange(gateway, bad_length)).status == 400
    assert sip.parse_datagram(_exchange(gateway, REGISTER.replace(b"SIP/2.0\r\nVia", b"SIP/3.0\r\nVia"))).status == 505
    assert _exchange(gateway, b"\x00\xff garbage", expect_answer=False) is None
    assert _exchange(gateway, b"x" * 65_000, expect_answer=False) is None
    def message(body, content_type="Application/MANSCDP+xml"):
        out = sip.Message(method="MESSAGE", uri="sip:34020000002000000001@3402000000", body=body, headers=[
            ("Via", "SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK2"), ("From", f"<sip:{DEV}@3402000000>;tag=1"),
            ("To", "<sip:34020000002000000001@3402000000>"), ("Call-ID", "m1"), ("CSeq", "1 MESSAGE"),
            ("Content-Type", content_type)])
        return out.to_bytes()

    broken = b"<Notify><CmdType>Keepalive</CmdType>"          # broken XML in a well-formed MESSAGE
    assert sip.parse_datagram(_exchange(gateway, message(broken))).status == 400
    assert sip.parse_datagram(_exchange(gateway, message(broken, "text/plain"))).status == 415
    # a keepalive from a device that never registered is refused, so that it registers
    keepalive = f"<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>{DEV}</DeviceID></Notify>".encode()
    assert sip.parse_datagram(_exchange(gateway, message(keepalive))).status == 403
    assert sip.parse_datagram(_exchange(gateway, REGISTER)).status == 403     # unknown ID, still answering
    assert gateway.gateway.stats["malformed"] >= 3


def test_rate_limit_per_source():
    now = [0.0]
    limiter = RateLimiter(rate=10, burst=5, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(7)] == [True] * 5 + [False] * 2
    assert limiter.allow("b")                      # another source has its own bucket
    now[0] += 0.2                                   # two tokens back
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    assert limiter.dropped == 3


@pytest.mark.django_db(transaction=True)
def test_an_endless_tcp_header_closes_the_connection(gateway):
    s = socket.create_connection(("127.0.0.1", gateway.port))
    s.setblocking(False)
    sent = 0
    closed = {}

    def push():
        nonlocal sent
        try:
            if sent < 80_000:
                sent += s.send(b"REGISTER sip:a@b SIP/2.0\r\nX: " if not sent else b"y" * 4096)
            closed["data"] = s.recv(65_535)
            return closed["data"] == b""
        except BlockingIOError:
            return False
        except ConnectionError:
            closed["reset"] = True
            return True

    assert gateway.wait_for(push, timeout=5)
    s.close()
    assert gateway.gateway.tcp_count == {}


@pytest.mark.django_db(transaction=True)
def test_a_flooding_source_is_dropped(gateway):
    gateway.gateway.limiter = RateLimiter(rate=1, burst=3)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(20):
        s.sendto(b"OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK3\r\nFrom: <sip:a@b>;tag=1\r\n"
                 b"To: <sip:x@y>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", ("127.0.0.1", gateway.port))
    s.setblocking(False)
    answers = []

    def drain():
        try:
            while True:
                answers.append(s.recv(65_535))
        except BlockingIOError:
            return False

    gateway.wait_for(drain, timeout=1.0)
    assert len(answers) == 3 and gateway.gateway.limiter.dropped == 17


@pytest.mark.django_db
def test_a_unit_sets_its_device_password_encrypted(unit_user, wuhua_unit, department_officer):
    device = f.DeviceFactory(gb28181_id=DEV, kind="nvr", system__site__unit=wuhua_unit)
    endpoint = services.endpoint_password_set(actor=unit_user, device=device, password="s3cret-pw")
    assert "s3cret" not in endpoint.password_token
    assert secrets.decrypt(services.PASSWORD_PURPOSE, endpoint.password_token) == b"s3cret-pw"
    assert services.known_device(DEV).password == "s3cret-pw"
    services.endpoint_password_set(actor=unit_user, device=device, password="")
    assert services.known_device(DEV).password == "12345678"          # the platform default
    other = f.DeviceFactory(gb28181_id="34020000001180000002", kind="nvr")
    with pytest.raises(NotPermitted):
        services.endpoint_password_set(actor=unit_user, device=other, password="x")
    with pytest.raises(NotPermitted):
        services.endpoint_password_set(actor=department_officer, device=device, password="x")


@pytest.mark.django_db
def test_a_unit_accepts_a_new_channel(unit_user, wuhua_unit):
    nvr = f.DeviceFactory(gb28181_id=DEV, kind="nvr", system__site__unit=wuhua_unit)
    endpoint = Endpoint.objects.create(device=nvr, gb28181_id=DEV, district_id=nvr.district_id, unit_id=nvr.unit_id,
                                       site_id=nvr.site_id, system_id=nvr.system_id)
    services.catalog_received(endpoint_id=endpoint.pk, items=[{"DeviceID": "34020000001310000011", "Name": "北门"}],
                              at=timezone.now())
    channel = Channel.objects.get()
    assert channel.device is None
    device = services.channel_accept(actor=unit_user, channel=channel)
    assert device.gb28181_id == channel.gb28181_id and device.name == "北门" and device.system == nvr.system
    channel.refresh_from_db()
    assert channel.device == device
    with pytest.raises(ServiceError):
        services.channel_accept(actor=unit_user, channel=channel)


@pytest.mark.django_db(transaction=True)
def test_gateway_processes_share_a_port_only_with_reuse_port(monkeypatch):
    """One gateway per core (SO_REUSEPORT): a second one binds the first one's UDP and TCP port when
    both ask for it, and is refused the port otherwise."""
    from .conftest import LoopGateway

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with LoopGateway(reuse_port=True) as first:
        with LoopGateway(port=first.port, reuse_port=True) as second:
            assert second.port == first.port
        alone = LoopGateway(port=first.port)
        with pytest.raises(OSError):
            alone.run(alone.gateway.start())
        alone.loop.close()


@pytest.mark.django_db
def test_registrations_are_recorded_in_one_statement_and_bring_offline_endpoints_online(django_assert_max_num_queries):
    from jifang.video.models import Transition

    on, off = f.DeviceFactory(gb28181_id="34020000001180000011"), f.DeviceFactory(gb28181_id="34020000001180000012")
    known = services.known_devices([on.gb28181_id, off.gb28181_id])
    Endpoint.objects.filter(pk=known[0].endpoint_id).update(online=True)
    at = timezone.now()

    def items(seconds):
        return [{"endpoint_id": k.endpoint_id, "at": at, "expires": seconds + i, "contact": f"127.0.0.1:{5070 + i}",
                 "transport": "UDP", "source": "127.0.0.1:5070", "node": "gw"} for i, k in enumerate(known)]

    services.registrations_recorded(items=items(600)[1:] + items(600)[:1] + items(600)[1:2])
    rows = {e.pk: e for e in Endpoint.objects.all()}
    for i, k in enumerate(known):
        row = rows[k.endpoint_id]
        assert row.online and row.registered_at == at and row.contact == f"127.0.0.1:{5070 + i}"
        assert row.expires_at == at + timezone.timedelta(seconds=600 + i) and row.gateway_node == "gw"
    assert list(Transition.objects.values_list("endpoint_id", "reason")) == [(known[1].endpoint_id, "registered")]
    # a batch of devices already online: the one UPDATE (with its RETURNING) and the transaction's savepoint
    with django_assert_max_num_queries(3):
        services.registrations_recorded(items=items(900))
    assert sorted(Endpoint.objects.values_list("expires_at", flat=True)) == [
        at + timezone.timedelta(seconds=900), at + timezone.timedelta(seconds=901)]
    assert Transition.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_gateway_leaves_the_offline_sweep_to_the_scheduler_unless_told(monkeypatch):
    """`jifang up` runs the scheduler's video.offline_sweep job; a gateway run alone sweeps with --sweep."""
    from .conftest import LoopGateway

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    for sweep in (False, True):
        with LoopGateway(sweep=sweep) as running:
            loops = {task.get_coro().__qualname__ for task in running.gateway.tasks}
            assert ("Gateway._sweep_loop" in loops) is sweep and "Gateway._flush_loop" in loops


def test_unknown_ids_are_gathered_in_bounded_memory_until_the_flush():
    from jifang.video.gateway import Config, Gateway

    gateway = Gateway(Config(port=0, unknown_max=3))
    now = timezone.now()
    for n in range(5):
        gateway.note_unknown(f"5301020000132000000{n}", "127.0.0.1:5000", now)
    gateway.note_unknown("53010200001320000000", "127.0.0.1:5001", now)       # an ID already gathered: counted
    assert len(gateway.unknown) == 3 and gateway.stats["unknown_uncounted"] == 2
    first = gateway.unknown["53010200001320000000"]
    assert first.attempts == 2 and first.source == "127.0.0.1:5001"
    gateway.executor.shutdown()


@pytest.mark.django_db
def test_unknown_sightings_add_up_with_the_rows_already_listed(django_assert_max_num_queries):
    """Set-based: a flush of 100 IDs is one INSERT, one SELECT and one UPDATE; a row already listed
    (by this gateway earlier or by another) gets the attempts added and its times widened."""
    from jifang.video.models import UnknownDevice

    t0 = timezone.now()
    earlier = UnknownDevice.objects.create(gb28181_id="53010200001320000000", first_seen=t0 - dt.timedelta(days=1),
                                           last_seen=t0 - dt.timedelta(hours=1), count=7, source="10.0.0.1:5060")
    seen = {f"5301020000132{n:07d}": services.Sighting(n + 1, t0, t0 + dt.timedelta(seconds=1), "127.0.0.1:6000")
            for n in range(99)}
    seen["99990000001320000001"] = services.Sighting(2, t0, t0, "127.0.0.1:6001")   # not one of our districts
    with django_assert_max_num_queries(5):      # the three statements and the transaction's savepoint
        services.unknowns_seen(sightings=seen)
    earlier.refresh_from_db()
    assert (earlier.count, earlier.first_seen, earlier.last_seen) == (8, t0 - dt.timedelta(days=1),
                                                                       t0 + dt.timedelta(seconds=1))
    assert UnknownDevice.objects.count() == 100
    assert UnknownDevice.objects.get(gb28181_id="53010200001320000098").count == 99
    foreign = UnknownDevice.objects.get(gb28181_id="99990000001320000001")
    assert foreign.district_id is None and foreign.count == 2 and foreign.first_seen == t0
