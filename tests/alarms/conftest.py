import asyncio
import datetime as dt
import socket
import threading

import pytest

from jifang.alarms import services
from jifang.alarms.receiver import Limits, Receiver
from jifang.registry.models import DeviceKind
from tests import factories as f

KEY_128 = "0123456789ABCDEF"
KEY_256 = "Kunming alarm centre AES-256 key"  # 32 ASCII characters (not hex: see services.parse_key)


def make_panel(actor, account: str, key: str = "", district: str = "530102", **kwargs):
    unit = f.UnitFactory(district_id=district)
    site = f.SiteFactory(unit=unit, district_id=district)
    system = f.SystemFactory(site=site, has_audio_video=False)
    device = f.DeviceFactory(system=system, kind=DeviceKind.ALARM_PANEL, serial=f"PANEL-{account}")
    return services.account_register(actor=actor, device=device, account=account, key=key, **kwargs)


class Running:
    """A Receiver on its own event loop in a thread (the test talks to it over real sockets)."""

    def __init__(self, port: int = 0, **kwargs):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.receiver = Receiver(host="127.0.0.1", port=port, **kwargs)

    def call(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self):
        self.thread.start()
        self.call(self.receiver.start())
        return self

    def __exit__(self, *exc):
        try:
            self.call(self.receiver.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)

    @property
    def port(self) -> int:
        return self.receiver.port


@pytest.fixture
def receiver(transactional_db):
    with Running(limits=Limits(reload_every=0.2)) as running:
        yield running


def replies(sock: socket.socket, count: int, timeout: float = 5.0) -> list[bytes]:
    """Read `count` CR-terminated replies (fewer if the peer goes quiet for `timeout`)."""
    sock.settimeout(timeout)
    data = b""
    while data.count(b"\r") < count:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            break
        if not chunk:
            break
        data += chunk
    return [part + b"\r" for part in data.split(b"\r") if part]


def tcp(port: int, payload: bytes, count: int = 1, timeout: float = 5.0) -> list[bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        return replies(sock, count, timeout)


def udp(port: int, payload: bytes, timeout: float = 5.0) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(payload, ("127.0.0.1", port))
        try:
            return sock.recv(4096)
        except TimeoutError:
            return None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
