"""A gateway on an ephemeral port, run on the test's own thread and database connection (its event
loop turns while sipp, playing the device with the scenarios in tests/video/sipp/, runs as a
subprocess), so that SQLite's in-memory test database and PostgreSQL behave alike."""
import asyncio
import socket
import threading
import time
from pathlib import Path

import pytest

from jifang.video.gateway import Config, Gateway

SIPP_DIR = Path(__file__).parent / "sipp"
REALM = "3402000000"
PLATFORM = "34020000002000000001"
PASSWORD = "12345678"
CH1 = "34020000001310000011"       # channels listed by the scenarios' catalogue
CH2 = "34020000001310000012"


def free_port(kind=socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sipp_command(scenario: str, gateway_port: int, *, dev: str, password: str = PASSWORD, transport: str = "u1",
                 timeout: float = 30, keys: dict | None = None, calls: int = 1, answers: str | None = None,
                 extra=()) -> list[str]:
    values = {"dev": dev, "realm": REALM, "platform": PLATFORM, "expires": "3600", "ch1": CH1, "ch2": CH2}
    values.update(keys or {})
    command = ["sipp", f"127.0.0.1:{gateway_port}", "-sf", str(SIPP_DIR / scenario), "-m", str(calls),
               "-i", "127.0.0.1", "-p", str(free_port()), "-t", transport, "-nostdin", "-nd",
               "-timeout", f"{int(timeout)}s", "-timeout_error", "-max_recv_loops", "100",
               "-au", dev, "-ap", password, "-trace_err", "-error_file", "/dev/stderr", *extra]
    if answers:
        command += ["-oocsf", str(SIPP_DIR / answers)]
    for key, value in values.items():
        command += ["-key", key, str(value)]
    return command


class Ran:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


class LoopGateway:
    def __init__(self, **overrides):
        values = dict(host="127.0.0.1", port=0, platform_id=PLATFORM, realm=REALM, keepalive=0.4, missed=3,
                      answer_timeout=1.5, catalog_every=3600, proof_every=86_400, node="test", secret=b"test-secret",
                      sweep=True)
        values.update(overrides)
        self.config = Config(**values)
        self.loop = asyncio.new_event_loop()
        self.gateway = Gateway(self.config, inline_db=True)

    def run(self, coroutine):
        """Run the loop until `coroutine` is done, on a helper thread while this one waits: the test
        thread may already have a running loop (Playwright's), and the two never touch the database
        at the same time. The helper's database connection is closed when it ends."""
        from django.db import connections

        box = {}

        def target():
            try:
                box["result"] = self.loop.run_until_complete(coroutine)
            except BaseException as exc:  # handed to the test thread
                box["error"] = exc
            finally:
                connections.close_all()

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def __enter__(self):
        self.run(self.gateway.start())
        return self

    def __exit__(self, *exc):
        self.run(self.gateway.stop())
        self.loop.close()

    @property
    def port(self) -> int:
        return self.config.port

    def sipp(self, scenario: str, **kwargs) -> Ran:
        """Run sipp as the device while the gateway serves; returns its exit code and output."""
        timeout = kwargs.get("timeout", 30)
        command = sipp_command(scenario, self.port, **kwargs)

        async def run():
            process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                           stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(process.communicate(), timeout + 15)
            return Ran(process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))

        return self.run(run())

    def wait_for(self, predicate, timeout: float = 10.0):
        """Turn the gateway's loop until `predicate()` is true or the timeout passes."""
        async def poll():
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if value := predicate():
                    return value
                await asyncio.sleep(0.05)
            return predicate()

        return self.run(poll())


@pytest.fixture
def gateway(transactional_db, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with LoopGateway() as running:
        yield running
