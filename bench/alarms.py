"""Alarm receiver benchmark: Jifang's receiver (every event committed before its ACK) against
pysiaalarm's receiver (which stores nothing), same machine, same load generator, one run.

    .venv/bin/python bench/alarms.py                       # SQLite only, 5 s per case
    .venv/bin/python bench/alarms.py --pg-url postgres://postgres@127.0.0.1:55407 --seconds 5

Closed loop: 10 and 50 TCP connections (one message in flight each) and 10 / 50 UDP senders, plain and
AES-128; ACKs per second and p50 / p99 ACK latency. Then a steady offered load (default 2,000
messages/s over 50 TCP connections) for the p99 target. Not a test: it measures, it asserts nothing.
Each receiver runs in its own process; the databases are scratch copies (a temp dir / a temporary
PostgreSQL database dropped at the end).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from jifang.alarms import dc09  # noqa: E402  (pure module: no Django needed)

JIFANG = str(Path(sys.executable).with_name("jifang"))
KEY = b"Kunming-bench-16"
SEED = """
import django
django.setup()
from jifang.accounts.models import Role, User
from jifang.alarms import services
from jifang.alarms.models import AlarmAccount
admin = User.objects.create(username="bench-admin", role=Role.ADMIN, is_superuser=True)
for i, account in enumerate(AlarmAccount.objects.order_by("id")):
    if i % 2:
        services.account_update(actor=admin, account=account, key="Kunming-bench-16")
print(",".join(f"{a.account}:{1 if a.key_bits else 0}" for a in AlarmAccount.objects.order_by("id")))
"""
PYSIA = """
import asyncio, sys
from pysiaalarm import SIAAccount
from pysiaalarm.aio import SIAClient
from pysiaalarm.utils import CommunicationsProtocol
port = int(sys.argv[1]); accounts = sys.argv[2].split(",")
async def event(e):
    pass
async def main():
    acc = [SIAAccount(a.split(":")[0], "Kunming-bench-16" if a.endswith(":1") else None) for a in accounts]
    tcp = SIAClient("127.0.0.1", port, acc, function=event, protocol=CommunicationsProtocol.TCP)
    udp = SIAClient("127.0.0.1", port, acc, function=event, protocol=CommunicationsProtocol.UDP)
    await tcp.async_start(); await udp.async_start()
    print("listening on 127.0.0.1:%d" % port, flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


class Panels:
    """Accounts with running sequence numbers; each message's data is unique (decimal zone and
    partition from a counter: Contact ID digits, which pysiaalarm also accepts), so no message of
    the run is ever a retransmission of another."""

    def __init__(self, accounts: list[tuple[str, bool]]):
        self.accounts = accounts
        self.seq = {a: 0 for a, _ in accounts}
        self.n = 0

    def frame(self, i: int, encrypted: bool) -> bytes:
        pool = [a for a, keyed in self.accounts if keyed == encrypted]
        account = pool[i % len(pool)]
        self.seq[account] = self.seq[account] % 9999 + 1
        self.n += 1
        data = f"#{account}|1130 {(self.n // 1000) % 100:02d} {self.n % 1000:03d}"
        return dc09.message("ADM-CID", self.seq[account], account, data, key=KEY if encrypted else None,
                                now=dt.datetime.now(dt.UTC))


async def tcp_client(port, panels, i, encrypted, until, lat, rate=None):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    next_at = time.perf_counter()
    try:
        while time.perf_counter() < until:
            if rate:
                next_at += 1 / rate
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            raw = panels.frame(i, encrypted)
            started = time.perf_counter()
            writer.write(raw)
            reply = await asyncio.wait_for(reader.readuntil(b"\r"), 10)
            if b'ACK"' in reply:
                lat.append(time.perf_counter() - started)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self):
        self.waiter = None

    def datagram_received(self, data, addr):
        if self.waiter and not self.waiter.done():
            self.waiter.set_result(data)


async def udp_client(port, panels, i, encrypted, until, lat):
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(_Udp, remote_addr=("127.0.0.1", port))
    try:
        while time.perf_counter() < until:
            raw = panels.frame(i, encrypted)
            proto.waiter = loop.create_future()
            started = time.perf_counter()
            transport.sendto(raw)
            try:
                reply = await asyncio.wait_for(proto.waiter, 2)
            except asyncio.TimeoutError:
                continue
            if b'ACK"' in reply:
                lat.append(time.perf_counter() - started)
    finally:
        transport.close()


def load(port, panels, transport, clients, encrypted, seconds, rate=None) -> dict:
    lat: list[float] = []

    async def go():
        until = time.perf_counter() + seconds
        if transport == "tcp":
            jobs = [tcp_client(port, panels, i, encrypted, until, lat, rate) for i in range(clients)]
        else:
            jobs = [udp_client(port, panels, i, encrypted, until, lat) for i in range(clients)]
        await asyncio.gather(*jobs)

    started = time.perf_counter()
    asyncio.run(go())
    elapsed = time.perf_counter() - started
    lat.sort()
    pick = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")  # noqa: E731
    return {"acks": len(lat), "rate": len(lat) / elapsed, "p50": pick(0.50), "p99": pick(0.99)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used (the receivers' cost per message, which a shared,
    loaded machine distorts less than their rates)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(proc, *args, **kwargs) -> dict:
    """load() against `proc`'s receiver, with its CPU microseconds per ACK."""
    before = cpu_seconds(proc.pid)
    result = load(*args, **kwargs)
    result["cpu_us"] = (cpu_seconds(proc.pid) - before) * 1e6 / result["acks"] if result["acks"] else float("nan")
    return result


def start(cmd, env) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"receiver did not start: {line!r}")
    return proc, int(line.split("listening on ")[1].split()[0].rsplit(":", 1)[1])


def scratch(kind: str, pg_url: str | None, tmp: Path) -> tuple[dict, callable]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jifang.settings", "JIFANG_VAR_DIR": str(tmp / kind)}
    env.pop("JIFANG_DATABASE_URL", None)
    drop = lambda: None  # noqa: E731
    if kind == "postgresql":
        import psycopg

        name = f"alarm_bench_{uuid.uuid4().hex[:8]}"
        admin = pg_url.rstrip("/") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["JIFANG_DATABASE_URL"] = pg_url.rstrip("/") + "/" + name

        def drop():
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    try:
        subprocess.run([JIFANG, "migrate", "-v0"], env=env, cwd=REPO, check=True)
        subprocess.run([JIFANG, "seed", "--scale", "60"], env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    except BaseException:
        drop()
        raise
    return env, drop


def cases(args):
    for transport, clients in (("tcp", 10), ("tcp", 50), ("udp", 10), ("udp", 50)):
        for encrypted in (False, True):
            yield transport, clients, encrypted


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="per case (default 5)")
    parser.add_argument("--pg-url", default=os.environ.get("JIFANG_BENCH_PG_URL"),
                        help="PostgreSQL server URL without a database (PostgreSQL runs only when given)")
    parser.add_argument("--steady-rate", type=int, default=2000, help="offered messages/s for the p99 case")
    parser.add_argument("--soak", type=float, default=0, help="seconds of steady load on Jifang's receiver while "
                        "its resident memory is sampled (the issue asks for 600; default: none)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="alarm-bench-"))
    rows, baseline = [], {}
    backends = ["sqlite"] + (["postgresql"] if args.pg_url else [])
    try:
        for backend in backends:
            env, drop = scratch(backend, args.pg_url, tmp)
            try:
                out = subprocess.run([sys.executable, "-c", SEED], env=env, cwd=REPO, check=True, capture_output=True,
                                     text=True).stdout.strip().splitlines()[-1]
                # pysiaalarm accepts only hex accounts (the demo's 000001...); the same ones for both
                accounts = [(a.split(":")[0], a.endswith(":1")) for a in out.split(",")]
                panels = Panels(accounts)
                jifang, jport = start([JIFANG, "alarm-receiver", "--bind", "127.0.0.1:0", "--name", "bench"], env)
                pysia, pport = None, 0
                try:
                    if backend == backends[0]:
                        pysia, pport = start_pysia(env, out)
                    for transport, clients, encrypted in cases(args):
                        jr = measured(jifang, jport, panels, transport, clients, encrypted, args.seconds)
                        key = (transport, clients, encrypted)
                        if pysia:  # measured once, beside the first backend; the later rows compare with it
                            baseline[key] = measured(pysia, pport, panels, transport, clients, encrypted, args.seconds)
                        pr = baseline.get(key)
                        rows.append((backend, transport, clients, "AES-128" if encrypted else "plain", jr, pr))
                        print(row_text(rows[-1]), flush=True)
                    per = max(1, args.steady_rate // 50)
                    jr = measured(jifang, jport, panels, "tcp", 50, False, args.seconds * 2, rate=per)
                    if pysia:
                        baseline["steady"] = measured(pysia, pport, panels, "tcp", 50, False, args.seconds * 2, rate=per)
                    pr = baseline.get("steady")
                    rows.append((backend, f"tcp steady {args.steady_rate}/s", 50, "plain", jr, pr))
                    print(row_text(rows[-1]), flush=True)
                    if args.soak and backend == backends[0]:
                        soak(jifang.pid, jport, panels, args.soak, per)
                finally:
                    for proc in (jifang, pysia):
                        if proc is not None:
                            proc.terminate()
                            proc.wait(20)
            finally:
                drop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n| backend | load | conns | payload | Jifang ACK/s | p50 / p99 ms | pysiaalarm ACK/s | p50 / p99 ms | ratio "
          "| CPU µs per ACK, Jifang / pysiaalarm |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(row_text(row))
    return 0


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def soak(pid: int, port: int, panels: Panels, seconds: float, per_connection: int) -> None:
    """Steady load in slices; the receiver's resident memory after each slice."""
    samples = []
    step = min(30.0, seconds)
    for _ in range(max(1, int(seconds // step))):
        result = load(port, panels, "tcp", 50, False, step, rate=per_connection)
        samples.append((rss_kib(pid) // 1024, round(result["rate"])))
    print(f"soak {seconds:.0f} s: receiver RSS MiB / ACK/s per {step:.0f} s slice: {samples}", flush=True)


def start_pysia(env, accounts: str):
    import socket

    with socket.socket() as s:  # a free port for TCP; UDP on the same number
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", PYSIA, str(port), accounts], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if "listening on" not in proc.stdout.readline():
        proc.kill()
        raise RuntimeError("pysiaalarm did not start")
    return proc, port


def row_text(row) -> str:
    backend, load_, clients, payload, jr, pr = row
    j = f"{jr['rate']:,.0f} | {jr['p50']:.1f} / {jr['p99']:.1f}"
    if pr:
        p = f"{pr['rate']:,.0f} | {pr['p50']:.1f} / {pr['p99']:.1f}"
        ratio = f"{jr['rate'] / pr['rate']:.2f}x" if pr["rate"] else "—"
        cpu = f"{jr['cpu_us']:.0f} / {pr['cpu_us']:.0f}"
    else:
        p, ratio, cpu = "— | —", "—", f"{jr['cpu_us']:.0f} / —"
    return f"| {backend} | {load_} | {clients} | {payload} | {j} | {p} | {ratio} | {cpu} |"


if __name__ == "__main__":
    sys.exit(main())
