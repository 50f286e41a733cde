"""The receiver as its own process (`jifang alarm-receiver`) on a scratch database: killed with
SIGKILL under load it has lost no event it ACKed; two receivers on one database store each event
once. SQLite (a file) and PostgreSQL (a scratch database on JIFANG_DATABASE_URL's server)."""
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from jifang.alarms import simulator

pytestmark = pytest.mark.clause("art_12__para_1")
ROOT = Path(__file__).resolve().parents[2]
JIFANG = str(Path(sys.executable).with_name("jifang"))
SEED = """
import django, json, sys
django.setup()
from jifang.accounts.models import User
from jifang.core.roles import Role
from tests.alarms.conftest import make_panel
admin = User.objects.create(username="seed-admin", role=Role.ADMIN, is_superuser=True)
for n in range(int(sys.argv[1])):
    make_panel(admin, f"77{n:02d}", supervision_seconds=0)
"""


class Scratch:
    """A migrated database the test and its subprocesses share."""

    def __init__(self, tmp: Path):
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jifang.settings", "JIFANG_VAR_DIR": str(tmp),
                    "PYTHONPATH": str(ROOT)}
        self.pg_url = os.environ.get("JIFANG_DATABASE_URL")
        self.sqlite = tmp / "jifang.sqlite3"
        if self.pg_url:
            import psycopg

            self.admin_url = self.pg_url.rsplit("/", 1)[0] + "/postgres"
            self.name = f"alarm_scratch_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.env["JIFANG_DATABASE_URL"] = self.pg_url.rsplit("/", 1)[0] + "/" + self.name
        subprocess.run([JIFANG, "migrate", "-v0"], env=self.env, check=True, cwd=ROOT)

    def run(self, code: str, *args: str) -> None:
        subprocess.run([sys.executable, "-c", code, *args], env=self.env, check=True, cwd=ROOT)

    def rows(self, sql: str) -> list[tuple]:
        if self.pg_url:
            import psycopg

            with psycopg.connect(self.env["JIFANG_DATABASE_URL"]) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.sqlite) as conn:
            return conn.execute(sql).fetchall()

    def drop(self) -> None:
        if self.pg_url:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def receiver(self, name: str) -> tuple[subprocess.Popen, int]:
        proc = subprocess.Popen([JIFANG, "alarm-receiver", "--bind", "127.0.0.1:0", "--name", name], env=self.env,
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = proc.stdout.readline()
        assert "listening on" in line, line
        return proc, int(line.split()[4].split(":")[-1])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    db = Scratch(tmp_path_factory.mktemp("alarm-scratch"))
    db.run(SEED, "12")
    yield db
    db.drop()


STORED = ("SELECT a.account, e.seq, e.data FROM alarms_alarmevent e "
          "JOIN alarms_alarmaccount a ON a.id = e.account_id")


def load(port: int, panels: list[simulator.SimPanel], stop: threading.Event) -> list[threading.Thread]:
    """One persistent TCP connection per panel, each sending burglaries back to back."""

    def run(panel: simulator.SimPanel):
        try:
            link = simulator.TcpLink("127.0.0.1", port, timeout=5)
            n = 0
            while not stop.is_set():
                n += 1
                simulator.send(link, panel, "ADM-CID", f"#{panel.account}|1130 01 {n % 1000:03d}")
        except OSError:
            return  # the receiver died: what was not ACKed, the panel keeps to retry

    threads = [threading.Thread(target=run, args=(p,), daemon=True) for p in panels]
    for t in threads:
        t.start()
    return threads


def test_sigkill_under_load_loses_no_acked_event(scratch):
    proc, port = scratch.receiver("kill-me")
    panels = [simulator.SimPanel(f"77{n:02d}") for n in range(10)]
    stop = threading.Event()
    threads = load(port, panels, stop)
    deadline = time.monotonic() + 60
    while sum(len(p.acked) for p in panels) < 300 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)  # mid-load: batches in flight, ACKs being written
    proc.wait()
    stop.set()
    for t in threads:
        t.join(10)
    acked = {a for p in panels for a in p.acked}
    stored = set(scratch.rows(STORED))
    assert len(acked) >= 300
    assert acked <= stored, f"ACKed but lost: {sorted(acked - stored)[:5]}"


def test_two_receivers_store_each_event_once(scratch):
    (a, port_a), (b, port_b) = scratch.receiver("A"), scratch.receiver("B")
    try:
        panel = simulator.SimPanel("7711")
        before = len(scratch.rows(STORED + " WHERE a.account = '7711'"))
        links = [simulator.TcpLink("127.0.0.1", port_a), simulator.TcpLink("127.0.0.1", port_b)]
        for n in range(1, 31):
            seq, raw = panel.frame("ADM-CID", f"#7711|1130 02 {n:03d}")
            replies = {}

            def one(i, link=None, raw=raw):
                replies[i] = simulator.reply_kind(links[i].exchange(raw))

            both = [threading.Thread(target=one, args=(i,)) for i in (0, 1)]  # the same message to both at once
            for t in both:
                t.start()
            for t in both:
                t.join(10)
            assert replies == {0: "ACK", 1: "ACK"}
        for link in links:
            link.close()
        rows = scratch.rows("SELECT e.seq, e.data, e.receiver FROM alarms_alarmevent e JOIN alarms_alarmaccount a "
                            "ON a.id = e.account_id WHERE a.account = '7711'")
        assert len(rows) - before == 30
        assert len({(s, d) for s, d, _ in rows}) == len(rows)
    finally:
        for proc in (a, b):
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)
