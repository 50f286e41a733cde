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

    def frames(self, clients: int, encrypted: bool, count: int) -> list[list[bytes]]:
        """`count` frames built before the clock starts, dealt to the clients (the generator then
        only sends bytes: its own CPU per message stays small beside the receivers')."""
        per = [[] for _ in range(clients)]
        for n in range(count):
            per[n % clients].append(self.frame(n % clients, encrypted))
        for frames in per:
            frames.reverse()  # popped from the end
        return per


class _Client:
    """One panel, closed loop: the next message leaves when the reply to the last one arrives (or,
    with a rate, at its slot). Protocol callbacks, no coroutine per message. A UDP message without
    a reply for 2 s is given up and the next one sent."""

    def __init__(self, frames, until, lat, rate=None, first_at=None):
        self.frames, self.until, self.lat, self.rate = frames, until, lat, rate
        self.transport = self.sent_at = None
        self.next_at = first_at
        self.buffer = b""
        self.done = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        now = time.perf_counter()
        if self.next_at is None or self.next_at <= now:
            self.next_at = now
            self.send()
        else:
            self.send_later(now)

    def send_later(self, now):
        loop = asyncio.get_running_loop()
        loop.call_at(loop.time() + self.next_at - now, self.send)

    def send(self):
        now = time.perf_counter()
        if now >= self.until or not self.frames:
            self.transport.close()
            return
        self.sent_at = now
        self.transport_send(self.frames.pop())

    def replied(self, reply: bytes):
        now = time.perf_counter()
        if b'ACK"' in reply:
            self.lat.append(now - self.sent_at)
        if not self.rate:
            self.send()
            return
        self.next_at += 1 / self.rate
        if self.next_at <= now:
            self.send()
        else:
            self.send_later(now)

    def connection_lost(self, exc):
        if not self.done.done():
            self.done.set_result(None)

    def error_received(self, exc):
        pass


class _TcpClient(_Client, asyncio.Protocol):
    def transport_send(self, raw):
        self.transport.write(raw)

    def data_received(self, data):
        self.buffer += data
        while b"\r" in self.buffer:
            reply, _, self.buffer = self.buffer.partition(b"\r")
            self.replied(reply)


class _UdpClient(_Client, asyncio.DatagramProtocol):
    def transport_send(self, raw):
        self.transport.sendto(raw)

    def datagram_received(self, data, addr):
        self.replied(data)

    def stalled(self) -> bool:
        return self.sent_at is not None and time.perf_counter() - self.sent_at > 2 and not self.transport.is_closing()


def new_loop():
    """The generator runs on uvloop when installed (as the receivers do): cheaper per message."""
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


def load(port, panels, transport, clients, encrypted, seconds, rate=None) -> dict:
    lat: list[float] = []
    budget = rate * clients * seconds * 1.2 if rate else seconds * (4000 if encrypted else 12000)
    frames = panels.frames(clients, encrypted, int(min(budget, 120_000)) + clients)

    window = []

    async def go():
        loop = asyncio.get_running_loop()
        # A steady load is steady: the panels' slots are spread evenly over each period (panel n
        # first sends n/clients of a period after the start), not all due at the same instant. The
        # start leaves 0.1 s to open the connections.
        start = time.perf_counter() + (0.1 if rate else 0.0)
        until = start + seconds
        window.append(start)
        first = [start + n / (clients * rate) if rate else None for n in range(clients)]
        if transport == "tcp":
            # 127.0.0.2, .3, ...: ten panels per source address, as ten sites behind their own routers
            # (the receivers allow 32 connections per address; pysiaalarm has no such limit)
            made = [await loop.create_connection(lambda f=f, n=n: _TcpClient(f, until, lat, rate, first[n]),
                                                 "127.0.0.1", port, local_addr=(f"127.0.0.{2 + n // 10}", 0))
                    for n, f in enumerate(frames)]
        else:
            made = [await loop.create_datagram_endpoint(lambda f=f, n=n: _UdpClient(f, until, lat, rate, first[n]),
                                                        remote_addr=("127.0.0.1", port)) for n, f in enumerate(frames)]
        protocols = [p for _, p in made]
        while not all(p.done.done() for p in protocols):
            await asyncio.sleep(0.25)
            for p in protocols:
                if transport == "udp" and p.stalled():
                    p.send()
            if time.perf_counter() > until + 10:
                for t, _ in made:
                    t.abort()
                break
        window.append(time.perf_counter())
        short = sum(1 for p in protocols if not p.frames)
        if short:
            print(f"  ({short} of {clients} clients used up their pre-built frames before the end)", flush=True)

    cpu = time.process_time()
    with asyncio.Runner(loop_factory=new_loop) as runner:
        runner.run(go())
    elapsed, cpu = window[-1] - window[0], time.process_time() - cpu
    lat.sort()
    pick = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")  # noqa: E731
    return {"acks": len(lat), "rate": len(lat) / elapsed, "p50": pick(0.50), "p99": pick(0.99),
            "gen_us": cpu * 1e6 / len(lat) if lat else float("nan"), "load": os.getloadavg()[0]}


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used (the receivers' cost per message, which a shared,
    loaded machine distorts less than their rates)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(procs, *args, **kwargs) -> dict:
    """load() against the receiver processes `procs` (one port), with their CPU microseconds per ACK."""
    before = sum(cpu_seconds(proc.pid) for proc in procs)
    result = load(*args, **kwargs)
    spent = sum(cpu_seconds(proc.pid) for proc in procs) - before
    result["cpu_us"] = spent * 1e6 / result["acks"] if result["acks"] else float("nan")
    return result


def receivers(count: int, env) -> tuple[list[subprocess.Popen], int]:
    """`count` Jifang receivers on one port (SO_REUSEPORT when more than one: the kernel spreads
    connections and UDP sources between them)."""
    share = ["--reuse-port"] if count > 1 else []
    first, port = start([JIFANG, "alarm-receiver", "--bind", "127.0.0.1:0", "--name", "bench-1", *share], env)
    procs = [first]
    try:
        for n in range(2, count + 1):
            procs.append(start([JIFANG, "alarm-receiver", "--bind", f"127.0.0.1:{port}", "--name", f"bench-{n}",
                                *share], env)[0])
    except BaseException:
        stop(procs)
        raise
    return procs, port


def stop(procs) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(20)


def start(cmd, env) -> tuple[subprocess.Popen, int]:
    """A receiver process; its log (stderr) goes to <var dir>/<name>.log, read by failures()."""
    name = cmd[cmd.index("--name") + 1] if "--name" in cmd else "pysiaalarm"
    with open(Path(env["JIFANG_VAR_DIR"]) / f"{name}.log", "a") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=log, text=True)
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
    every = [(transport, clients, encrypted, None, args.seconds)
             for transport, clients in (("tcp", 10), ("tcp", 50), ("udp", 10), ("udp", 50))
             for encrypted in (False, True)]
    # the steady offered load for the p99 target, over 50 TCP connections
    every.append(("tcp", 50, False, max(1, args.steady_rate // 50), args.seconds * 2))
    for case in every:
        if not args.only or case_name(case) in args.only:
            yield case


def case_name(case) -> str:
    """tcp-10-plain, udp-50-aes, tcp-50-steady: what --only names."""
    transport, clients, encrypted, rate, _seconds = case
    return f"{transport}-{clients}-" + ("steady" if rate else "aes" if encrypted else "plain")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="per case (default 5)")
    parser.add_argument("--pg-url", default=os.environ.get("JIFANG_BENCH_PG_URL"),
                        help="PostgreSQL server URL without a database (PostgreSQL runs only when given)")
    parser.add_argument("--receivers", type=int, default=2, help="also run this many receiver processes on "
                        "one port (--reuse-port) beside the single one, on each backend (default 2; 1: only one)")
    parser.add_argument("--steady-rate", type=int, default=2000, help="offered messages/s for the p99 case")
    parser.add_argument("--soak", type=float, default=0, help="seconds of steady load on Jifang's receiver while "
                        "its resident memory is sampled (the issue asks for 600; default: none)")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds of unrecorded load on each receiver "
                        "before the cases (default 4; a fresh SQLite database's WAL file grows to its size first)")
    parser.add_argument("--only", nargs="*", help="run only these cases (tcp-10-plain, udp-50-aes, tcp-50-steady, ...)")
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"], help="default: both (PostgreSQL "
                        "only with --pg-url)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="alarm-bench-"))
    rows = []
    backends = [b for b in args.backends if b == "sqlite" or args.pg_url]
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    try:
        for backend in backends:
            env, drop = scratch(backend, args.pg_url, tmp)
            try:
                out = subprocess.run([sys.executable, "-c", SEED], env=env, cwd=REPO, check=True, capture_output=True,
                                     text=True).stdout.strip().splitlines()[-1]
                # pysiaalarm accepts only hex accounts (the demo's 000001...); the same ones for both
                accounts = [(a.split(":")[0], a.endswith(":1")) for a in out.split(",")]
                panels = Panels(accounts)
                counts = [1] + ([args.receivers] if args.receivers > 1 else [])
                for count in counts:
                    rows += compare(backend, count, env, out, panels, args)
                    if args.soak and backend == backends[0] and count == 1:
                        procs, port = receivers(1, env)
                        try:
                            soak(procs[0].pid, port, panels, args.soak, max(1, args.steady_rate // 50))
                        finally:
                            stop(procs)
            finally:
                drop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{HEADER}\n|{'---|' * (HEADER.count('|') - 1)}")
    for row in rows:
        print(row_text(row))
    return 0


HEADER = ("| backend | receivers | load | conns | payload | Jifang ACK/s | p50 / p99 ms | pysiaalarm ACK/s | p50 / p99 ms "
          "| ratio | CPU µs per ACK, Jifang / pysiaalarm | generator CPU µs per ACK | load average |")


def compare(backend, count, env, accounts, panels, args) -> list[tuple]:
    """Every case against `count` Jifang receivers and, in the same minute, against pysiaalarm."""
    rows = []
    jifang, jport = receivers(count, env)
    pysia, pport = start_pysia(env, accounts)
    try:
        if args.warmup:  # both receivers, unrecorded: a fresh SQLite database grows its WAL file first
            for port in (jport, pport):
                load(port, panels, "tcp", 50, False, args.warmup)
        for transport, clients, encrypted, rate, seconds in cases(args):
            jr = measured(jifang, jport, panels, transport, clients, encrypted, seconds, rate=rate)
            pr = measured([pysia], pport, panels, transport, clients, encrypted, seconds, rate=rate)
            load_ = f"{transport} steady {rate * clients}/s" if rate else transport
            rows.append((backend, count, load_, clients, "AES-128" if encrypted else "plain", jr, pr))
            print(row_text(rows[-1]), flush=True)
    finally:
        stop(jifang + [pysia])
        failed = failures(env)
        if failed:
            print(f"  (the receivers logged {failed} failed batches: their messages got no ACK)", flush=True)
    return rows


def failures(env) -> int:
    """Batches the receivers logged as failed (each such message went unanswered), then the logs
    are emptied for the next run."""
    count = 0
    for log in Path(env["JIFANG_VAR_DIR"]).glob("bench-*.log"):
        count += log.read_text(errors="replace").count("alarm messages failed")
        log.write_text("")
    return count


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
    backend, count, load_, clients, payload, jr, pr = row
    ratio = f"{jr['rate'] / pr['rate']:.2f}x" if pr["rate"] else "—"
    return (f"| {backend} | {count} | {load_} | {clients} | {payload} | {jr['rate']:,.0f} | {jr['p50']:.1f} / "
            f"{jr['p99']:.1f} | {pr['rate']:,.0f} | {pr['p50']:.1f} / {pr['p99']:.1f} | {ratio} | {jr['cpu_us']:.0f} / "
            f"{pr['cpu_us']:.0f} | {jr['gen_us']:.0f} / {pr['gen_us']:.0f} | {jr['load']:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
