"""The GB/T 28181 gateway under load (issue 12 §4), with a floor measured in the same run.

    .venv/bin/python bench/video.py --backend both --pg-url postgres://postgres@127.0.0.1:55408

Standalone (it needs its own small database, not the seeded city of bench/run.py). Per backend:
1. a fresh database with DEVICES registry devices carrying GB/T 28181 IDs, each with its endpoint;
2. `jifang gb28181` as a subprocess (the real gateway, per-source rate limit lifted: every simulated
   device sends from 127.0.0.1);
3. registration storms: sipp plays devices registering with digest (401 then 200) at rising rates
   (calls per second) for STORM_SECONDS each, each step with fresh device IDs, until the first
   step with a failed call or one that takes over a second longer than offered (sipp's start-up
   included in the wall time, so "achieved" is slightly under the rate); the same storms against the
   floor, a plain asyncio UDP registrar that answers 401 then 200 without a database;
4. steady keepalives: a Python sender keeps WINDOW keepalive MESSAGEs in flight from 10,000 and
   then 100,000 devices (round robin) for KEEPALIVE_SECONDS; answered per second, then how many
   endpoints have their last_seen_at persisted; the same sender against the floor;
5. the gateway's resident memory sampled during the keepalive runs.
Bounded: about a minute per backend at the defaults. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIPP_SCENARIO = REPO / "bench" / "sipp" / "register_storm.xml"
PLATFORM, REALM, PASSWORD = "53010000002000000001", "5301000000", "12345678"
RATES = (500, 1000, 2000, 3000, 4000)
STORM_SECONDS = 3
KEEPALIVE_SECONDS = 8
WINDOW = 256
DEVICE_COUNTS = (10_000, 100_000)
if os.environ.get("JIFANG_BENCH_VIDEO_QUICK"):       # a smoke run of the bench itself
    RATES, STORM_SECONDS, KEEPALIVE_SECONDS, DEVICE_COUNTS = (100, 200), 2, 2, (1_000,)


def device_id(n: int) -> str:
    return f"530102000011{n:08d}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the floor: a plain asyncio UDP registrar ---------------------------------------------------------

class Floor(asyncio.DatagramProtocol):
    """Answers REGISTER without Authorization with 401, everything else with 200; no database."""

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        head, _, _ = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        keep = [line for line in lines[1:] if line[:4].lower() in (b"via:", b"from", b"to: ", b"call", b"cseq")]
        status = b"401 Unauthorized" if lines[0].startswith(b"REGISTER") and b"\r\nAuthorization:" not in head \
            else b"200 OK"
        extra = [b'WWW-Authenticate: Digest realm="' + REALM.encode() + b'", nonce="abc", qop="auth"'] \
            if status.startswith(b"401") else []
        self.transport.sendto(b"\r\n".join([b"SIP/2.0 " + status, *keep, *extra, b"Content-Length: 0", b"", b""]), addr)


def serve_floor(port: int) -> None:
    async def main():
        await asyncio.get_running_loop().create_datagram_endpoint(Floor, local_addr=("127.0.0.1", port))
        print("floor ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


# ---- load generators ---------------------------------------------------------------------------------

def storm(port: int, rate: int, first: int, seconds: int, transport: str = "u1") -> dict:
    """sipp registering rate*seconds devices (IDs from `first`) at `rate` per second."""
    calls = rate * seconds
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as ids:
        ids.write("SEQUENTIAL\n" + "".join(
            f"{device_id(first + i)};[authentication username={device_id(first + i)} password={PASSWORD}]\n"
            for i in range(calls)))
    command = ["sipp", f"127.0.0.1:{port}", "-sf", str(SIPP_SCENARIO), "-inf", ids.name, "-m", str(calls),
               "-r", str(rate), "-l", str(max(rate * 4, 200)), "-i", "127.0.0.1", "-p", str(free_port()),
               "-t", transport, "-nostdin", "-nd", "-timeout", f"{seconds * 4 + 20}s", "-recv_timeout", "5000",
               "-key", "realm", REALM, "-key", "platform", PLATFORM, "-key", "expires", "3600"]
    if transport == "un":      # a socket per call: SO_REUSEPORT spreads calls over the gateway processes
        command += ["-max_socket", "15000"]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds * 6 + 60)
    elapsed = time.perf_counter() - start
    os.unlink(ids.name)

    def counter(name):
        found = re.findall(rf"{name}\s*\|\s*\d+\s*\|\s*(\d+)", run.stdout)
        return int(found[-1]) if found else 0

    ok, failed = counter("Successful call"), counter("Failed call")
    # sipp's retransmissions of REGISTERs (an answer not back within 500 ms): the last screen's two send lines
    retrans = sum(int(n) for n in re.findall(r"REGISTER -+>\s+\d+\s+(\d+)", run.stdout)[-2:])
    return {"rate": rate, "calls": calls, "ok": ok, "failed": failed + max(0, calls - ok - failed), "retrans": retrans,
            "achieved": round(ok / elapsed, 1) if elapsed else 0.0, "seconds": round(elapsed, 2)}


def cpu_seconds(pids: list[int] | None) -> float:
    """User + system CPU of the gateway processes (the cost per call, which a shared, loaded
    machine distorts less than its rates); 0 for the floor, which runs in no measured process."""
    total = 0.0
    for pid in pids or ():
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def storms(port: int, first: int, pids: list[int] | None = None, transport: str = "u1") -> list[dict]:
    out = []
    for rate in RATES:
        before = cpu_seconds(pids)
        result = storm(port, rate, first, STORM_SECONDS, transport)
        result["cpu_us"] = round((cpu_seconds(pids) - before) * 1e6 / result["ok"]) if pids and result["ok"] else None
        first += result["calls"]
        out.append(result)
        # the first failure, or falling behind: the calls took over a second longer than offered
        if result["failed"] or result["seconds"] > STORM_SECONDS + 1.0:
            break
    return out


def keepalive_message(n: int, dev: str, local: str) -> bytes:
    body = (f'<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n'
            f"<SN>{n}</SN>\r\n<DeviceID>{dev}</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n").encode()
    return (f"MESSAGE sip:{PLATFORM}@{REALM} SIP/2.0\r\nVia: SIP/2.0/UDP {local};rport;branch=z9hG4bK{n}\r\n"
            f"From: <sip:{dev}@{REALM}>;tag={n}\r\nTo: <sip:{PLATFORM}@{REALM}>\r\nCall-ID: ka{n}@bench\r\n"
            f"CSeq: 1 MESSAGE\r\nContent-Type: Application/MANSCDP+xml\r\nMax-Forwards: 70\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def keepalives(port: int, count: int, offset: int, seconds: float | None = None, *, messages: int | None = None,
               sources: int = 8) -> dict:
    """Keep WINDOW keepalives in flight from `count` devices (round robin) for `seconds`, or until
    `messages` were sent and answered. Plain non-blocking sockets and poll (the asyncio sender it
    replaces was slower than the gateway); `sources` sockets so that SO_REUSEPORT spreads them."""
    socks = []
    poller = select.poll()
    for _ in range(sources):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        poller.register(sock, select.POLLIN)
        socks.append(sock)
    by_fd = {sock.fileno(): sock for sock in socks}
    locals_ = ["%s:%d" % sock.getsockname() for sock in socks]
    target = ("127.0.0.1", port)
    sent = answered = in_flight = lost = 0
    start = time.perf_counter()
    deadline = start + seconds if seconds is not None else float("inf")
    limit = messages if messages is not None else float("inf")
    while True:
        now = time.perf_counter()
        sending = now < deadline and sent < limit
        if not sending and (in_flight == 0 or messages is None):
            break
        while sending and in_flight < WINDOW and sent < limit:
            k = sent % sources
            socks[k].sendto(keepalive_message(sent, device_id(offset + sent % count), locals_[k]), target)
            sent += 1
            in_flight += 1
        events = poller.poll(500)
        if not events:                       # datagrams lost (or all answered): free the window
            lost += in_flight
            in_flight = 0
            continue
        for fd, _ in events:
            sock = by_fd[fd]
            while True:
                try:
                    data = sock.recv(65_535)
                except BlockingIOError:
                    break
                in_flight = max(0, in_flight - 1)
                if data.startswith(b"SIP/2.0 200"):
                    answered += 1
    elapsed = time.perf_counter() - start
    for sock in socks:
        sock.close()
    return {"devices": count, "sent": sent, "answered": answered, "per_second": round(answered / elapsed, 1),
            "seconds": round(elapsed, 1)}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# ---- one backend (run in a child process with the database in its environment) -----------------------

def seed(total: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from jifang.registry.models import Device, DeviceKind, SecuritySystem, Site, Unit
    from jifang.video.models import Endpoint

    call_command("migrate", verbosity=0)
    unit = Unit.objects.create(name="基准测试单位", credit_code="91530102MA6K000001", district_id="530102")
    site = Site.objects.create(code="BENCHVIDEO", name="基准测试场所", unit=unit, district_id="530102")
    systems = SecuritySystem.objects.bulk_create(
        SecuritySystem(code=f"BV{i:06d}", name=f"基准系统{i}", site=site, unit=unit, district_id="530102",
                       has_audio_video=True, status="in_use", retention_days=30) for i in range(total // 1000 + 1))
    now = timezone.now()
    for start in range(0, total, 10_000):
        devices = Device.objects.bulk_create(
            Device(serial=f"BV{n:09d}", system=systems[n // 1000], site=site, unit=unit, district_id="530102",
                   kind=DeviceKind.NVR, gb28181_id=device_id(n)) for n in range(start, min(total, start + 10_000)))
        Endpoint.objects.bulk_create(
            Endpoint(device=d, gb28181_id=d.gb28181_id, district_id="530102", unit=unit, site=site,
                     system_id=d.system_id, online=True, status_since=now, registered_at=now,
                     expires_at=now + timezone.timedelta(days=1), last_seen_at=now) for d in devices)


def persisted(since: float, offset: int, count: int) -> int:
    import datetime as dt

    from jifang.video.models import Endpoint

    moment = dt.datetime.fromtimestamp(since, tz=dt.UTC)
    return Endpoint.objects.filter(gb28181_id__gte=device_id(offset), gb28181_id__lte=device_id(offset + count - 1),
                                   last_seen_at__gte=moment).count()


def start_gateways(env: dict, port: int, loop: str, processes: int) -> list[subprocess.Popen]:
    """`processes` gateway processes on one port (SO_REUSEPORT when more than one)."""
    command = [sys.executable, "-m", "jifang.cli", "gb28181", "--bind", f"127.0.0.1:{port}", "--loop", loop]
    gateways = [subprocess.Popen(command + (["--reuse-port"] if processes > 1 else []), env=env,
                                 stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    for gateway in gateways:
        line = gateway.stdout.readline()
        if "gateway" not in line:
            raise RuntimeError(f"gateway did not start: {line}")
    return gateways


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(15)


def measure(env: dict, loop: str, processes: int, storm_first: int, floor_port: int, floor_result: dict | None,
            soak_seconds: float) -> dict:
    """Storms and keepalives against `processes` gateways on `loop`; the floor's figures are taken
    once per backend (it is the same registrar whatever the gateway's settings)."""
    port = free_port()
    gateways = start_gateways(env, port, loop, processes)
    pids = [g.pid for g in gateways]
    out = {"loop": loop, "processes": processes, "load_before": os.getloadavg()[0]}
    try:
        out["storm_gateway"] = storms(port, storm_first, pids, transport="u1" if processes == 1 else "un")
        out["storm_floor"] = floor_result["storm"] if floor_result else storms(floor_port, storm_first)
        out["keepalive"] = []
        for i, count in enumerate(DEVICE_COUNTS):
            # warm: each device's first keepalive in a process reads its registration (then a session)
            keepalives(port, count, 0, messages=count)
            rss_before = sum(rss_kb(pid) for pid in pids)
            since, before = time.time(), cpu_seconds(pids)
            gw = keepalives(port, count, 0, KEEPALIVE_SECONDS)
            gw["cpu_us"] = round((cpu_seconds(pids) - before) * 1e6 / max(1, gw["answered"]))
            time.sleep(1.5)                   # one flush interval and more
            gw["persisted_devices"] = persisted(since, 0, count)
            gw["expected_devices"] = min(count, gw["answered"])   # at least these: each answered one's device
            gw["rss_kb_before"], gw["rss_kb_after"] = rss_before, sum(rss_kb(pid) for pid in pids)
            fl = floor_result["keepalive"][i] if floor_result else keepalives(floor_port, count, 0, KEEPALIVE_SECONDS)
            out["keepalive"].append({"gateway": gw, "floor": fl})
        if soak_seconds:
            out["soak"] = soak(pids, port, max(DEVICE_COUNTS), soak_seconds)
        out["load_after"] = os.getloadavg()[0]
    finally:
        stop(gateways)
    return out


def child(args) -> None:
    """Seed, start the floor, then per configuration (event loop, processes) start the gateway(s)
    and load them; print one JSON line."""
    configs = [(loop, int(n)) for n in args.processes.split(",") for loop in args.loops.split(",")]
    if args.child == "sqlite":                 # one writer: several processes only share PostgreSQL
        configs = [(loop, n) for loop, n in configs if n == 1]
    per_config = sum(RATES) * STORM_SECONDS
    seed(max(DEVICE_COUNTS) + per_config * len(configs))
    env = dict(os.environ, JIFANG_SIP_RATE="1000000000", JIFANG_SIP_BURST="1000000000",
               JIFANG_SIP_ANSWER_TIMEOUT="2", JIFANG_SIP_ID=PLATFORM, JIFANG_SIP_REALM=REALM,
               JIFANG_SIP_DEFAULT_PASSWORD=PASSWORD, JIFANG_SIP_KEEPALIVE_SECONDS="3600")
    floor_port = free_port()
    floor = subprocess.Popen([sys.executable, __file__, "--floor-server", str(floor_port)], stdout=subprocess.PIPE,
                             text=True)
    floor.stdout.readline()
    result = {"backend": args.child, "runs": []}
    floor_result = None
    try:
        for i, (loop, processes) in enumerate(configs):
            run = measure(env, loop, processes, max(DEVICE_COUNTS) + i * per_config, floor_port, floor_result,
                          args.soak if i == 0 else 0)
            floor_result = floor_result or {"storm": run["storm_floor"], "keepalive": [k["floor"] for k in run["keepalive"]]}
            result["runs"].append(run)
            print(f"{args.child} {loop} x{processes} done", file=sys.stderr, flush=True)
    finally:
        stop([floor])
    print("RESULT " + json.dumps(result), flush=True)


def soak(pids: list[int], port: int, count: int, seconds: float) -> dict:
    """Steady keepalives from `count` devices, every one of them warmed first (its session made, so
    that the samples show the steady state, not the table filling): the gateway's RSS (MiB) and
    answered rate per 30 s slice."""
    keepalives(port, count, 0, messages=count)
    start_rss = sum(rss_kb(pid) for pid in pids) // 1024
    samples = []
    for _ in range(max(1, int(seconds // 30))):
        run = keepalives(port, count, 0, min(30.0, seconds))
        samples.append((sum(rss_kb(pid) for pid in pids) // 1024, run["per_second"]))
    return {"rss_after_warm_mib": start_rss, "samples": samples}


def backend_env(backend: str, pg_url: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="jifang.settings", JIFANG_SECRET_KEY="bench-video")
    if backend == "sqlite":
        var = REPO / "var" / "bench-video"
        var.mkdir(parents=True, exist_ok=True)
        for name in ("jifang.sqlite3", "jifang.sqlite3-wal", "jifang.sqlite3-shm"):
            (var / name).unlink(missing_ok=True)
        env["JIFANG_VAR_DIR"] = str(var)
        env.pop("JIFANG_DATABASE_URL", None)
        return env
    import psycopg

    with psycopg.connect(pg_url.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute('drop database if exists "jf_bench_video"')
        conn.execute('create database "jf_bench_video"')
    env["JIFANG_DATABASE_URL"] = pg_url.rstrip("/") + "/jf_bench_video"
    return env


def table(results: list[dict]) -> str:
    lines = ["| backend | gateway | measure | gateway | floor | gateway / floor |", "|---|---|---|---|---|---|"]
    for r in results:
        for run in r["runs"]:
            setup = f"{run['loop']}, {run['processes']} process{'es' if run['processes'] > 1 else ''}"
            for g, f in zip(run["storm_gateway"], run["storm_floor"] + [None] * 10):
                floor = f"{f['achieved']}/s ({f['failed']} failed)" if f else "—"
                ratio = f"{g['achieved'] / f['achieved']:.2f}" if f and f["achieved"] else "—"
                lines.append(f"| {r['backend']} | {setup} | registrations at {g['rate']}/s ({g['calls']} calls) | "
                             f"{g['achieved']}/s ({g['failed']} failed, {g.get('retrans', '?')} retransmitted), "
                             f"{g.get('cpu_us')} µs CPU each | {floor} | "
                             f"{ratio} |")
            for k in run["keepalive"]:
                g, f = k["gateway"], k["floor"]
                lines.append(f"| {r['backend']} | {setup} | keepalives, {g['devices']:,} devices | {g['per_second']}/s, "
                             f"{g.get('cpu_us')} µs CPU each, {g['persisted_devices']:,} persisted (answered: "
                             f"{g['expected_devices']:,}), RSS {g['rss_kb_before'] // 1024}->{g['rss_kb_after'] // 1024} MiB | "
                             f"{f['per_second']}/s | {g['per_second'] / f['per_second']:.2f} |")
    lines.append("")
    for r in results:
        for run in r["runs"]:
            lines.append(f"- {r['backend']}, {run['loop']} x{run['processes']}: load average (1 min) "
                         f"{run['load_before']:.2f} before, {run.get('load_after', 0):.2f} after")
            if run.get("soak"):
                soak = run["soak"]
                rss = [mib for mib, _ in soak["samples"]]
                lines.append(f"- {r['backend']} soak, {run['loop']} x{run['processes']}, keepalives from "
                             f"{max(DEVICE_COUNTS):,} devices (all warmed first: RSS {soak['rss_after_warm_mib']} MiB), "
                             f"RSS {min(rss)}-{max(rss)} MiB; RSS MiB / answered per s per 30 s slice: {soak['samples']}")
    return "\n".join(lines)


def header(started: float) -> str:
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    now = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    return (f"bench/video.py at commit {commit}, {time.strftime('%H:%M', time.gmtime(started))}-{now[-5:]} UTC "
            f"{now[:10]}, {os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
            f"at the end; {int(time.time() - started)} s\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("JIFANG_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--soak", type=float, default=0, help="seconds of steady keepalives after the runs, the "
                        "gateway's memory sampled every 30 s (the issue asks for 600; default: none)")
    parser.add_argument("--loops", default="uvloop,asyncio", help="the gateway's event loops to measure")
    parser.add_argument("--processes", default="1,2", help="gateway processes on one port to measure "
                        "(SO_REUSEPORT; more than one on PostgreSQL only)")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--floor-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        return serve_floor(args.floor_server)
    if args.child:
        sys.path.insert(0, str(REPO / "src"))
        return child(args)
    results, started = [], time.time()
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        run = subprocess.run([sys.executable, __file__, "--child", backend, "--soak", str(args.soak), "--loops",
                              args.loops, "--processes", args.processes],
                             env=backend_env(backend, args.pg_url), capture_output=True, text=True,
                             timeout=3600 + args.soak)
        line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(run.stdout[-3000:], run.stderr[-3000:], file=sys.stderr)
            continue
        results.append(json.loads(line[7:]))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(header(started) + table(results))


if __name__ == "__main__":
    main()
