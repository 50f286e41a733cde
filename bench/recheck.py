"""Findings follow changes (issue 14 §1): change-to-finding latency under a sustained write load.

Writer threads change security systems through the registry's service (`system_update`, the
retention toggled between a violating and a compliant number of days) at RATE writes/s for
SECONDS, spread over the first SITES sites of the seeded city; `jifang worker --queue rechecks` runs
in its own process, as `jifang up` starts it. For each write, the latency is from its commit (a moment
just before it) to the end of the engine run that answered the recheck request the write stored
(the run's transaction has then committed the finding's new state; runs list the requests they
answered). p50/p95 over all writes; target p95 <= 1 s. Beside the
latencies: the rate the writer achieved, the engine runs (batches) and site rechecks, and the CPU
per site recheck of the worker process (/proc), which moves less than wall time on a shared machine.

The writes and rechecks stay in the bench database (they cannot be rolled back across threads);
the retentions are put back at the end and rechecked, so the findings return to the seeded state.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

RATE = float(os.environ.get("JIFANG_BENCH_RECHECK_RATE", "50"))
SECONDS = float(os.environ.get("JIFANG_BENCH_RECHECK_SECONDS", "20"))
SITES = int(os.environ.get("JIFANG_BENCH_RECHECK_SITES", "1000"))
WRITERS = int(os.environ.get("JIFANG_BENCH_RECHECK_WRITERS", "4"))
TARGET_MS = 1000


def _systems():
    from jifang.registry.models import SecuritySystem, Site

    sites = list(Site.objects.order_by("pk").values_list("pk", flat=True)[:SITES])
    rows = SecuritySystem.objects.filter(site_id__in=sites, retention_days__isnull=False).order_by("pk")
    one = {}
    for pk, site, days in rows.values_list("pk", "site_id", "retention_days"):
        one.setdefault(site, (pk, days))
    return one  # site -> (system, its retention as seeded)


def _worker() -> subprocess.Popen:
    """`jifang worker` as production runs it: its own process, on the bench database (the
    environment bench/run.py prepared), polling every 0.2 s."""
    jifang = str(Path(sys.executable).with_name("jifang"))
    return subprocess.Popen([jifang, "worker", "--queue", "rechecks"], env=os.environ.copy(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _batches_since(first) -> tuple[int, int]:
    """(engine runs, site rechecks) of the batches since `first`."""
    from jifang.regulation.models import ScanRun

    counts = list(ScanRun.objects.filter(area__startswith="sites:", started_at__gte=first).values_list("counts", flat=True))
    return len(counts), sum(len(c.get("sites", [])) for c in counts)


def _latencies(writes: list[tuple[int, object]], first) -> list[float | None]:
    """For each write (its recheck request, the moment just before its commit): seconds to the end
    of the run that answered the request (the run's counts list the requests it answered)."""
    from jifang.regulation.models import ScanRun

    answered = {}
    for finished, counts in ScanRun.objects.filter(area__startswith="sites:", started_at__gte=first).values_list(
            "finished_at", "counts"):
        answered.update(dict.fromkeys(counts.get("requests", []), finished))
    return [(answered[r] - at).total_seconds() if r in answered else None for r, at in writes]


def _writer(admin, systems: dict, sites: list, schedule: list[float], rng: random.Random, writes: list) -> None:
    """One writer (a thread with its own connection) making its share of the writes on time."""
    from django.db import connection, transaction
    from django.utils import timezone

    from jifang.registry import services
    from jifang.registry.models import SecuritySystem
    from jifang.regulation.models import RecheckRequest

    retention = {site: systems[site][1] for site in sites}
    try:
        for due in schedule:
            time.sleep(max(0.0, due - time.perf_counter()))
            site = rng.choice(sites)
            # always a different value: an update that changes nothing writes nothing and asks no recheck
            days = rng.choice([d for d in (7, 15, 30, 60, 90) if d != retention[site]])
            with transaction.atomic():
                system = SecuritySystem.objects.get(pk=systems[site][0])
                services.system_update(actor=admin, system=system, retention_days=days)
                # the request this write stored (its site is this thread's alone), and a time just
                # before the commit: the latency counts the commit itself
                request = RecheckRequest.objects.filter(site_id=site).order_by("-id").values_list("id", flat=True)[0]
                at = timezone.now()
            writes.append((request, at))
            retention[site] = days
    finally:
        connection.close()


def _write_load(ctx, systems: dict, rng: random.Random) -> list[tuple[int, object]]:
    """RATE writes/s through the registry's service, from WRITERS threads as from that many users
    (one writer alone waits for each round trip and cannot offer 50 writes/s); each thread writes
    its own share of the sites."""
    import threading

    admin = ctx.user("admin", "530100")
    sites = sorted(systems)
    rng.shuffle(sites)
    writes: list = []
    start = time.perf_counter() + 0.5
    total = int(RATE * SECONDS)
    threads = [threading.Thread(target=_writer, args=(admin, systems, sites[k::WRITERS],
                                                      [start + i / RATE for i in range(k, total, WRITERS)],
                                                      random.Random(rng.random()), writes))
               for k in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return writes


def _drain(timeout: float = 180) -> None:
    from jifang.jobs.models import QueuedTask, TaskStatus
    from jifang.regulation.models import RecheckRequest

    end = time.monotonic() + timeout
    while time.monotonic() < end and (RecheckRequest.objects.exists() or QueuedTask.objects.filter(
            status__in=[TaskStatus.READY, TaskStatus.RUNNING], queue_name="rechecks").exists()):
        time.sleep(0.2)


def _warm_up(sites: list[int]) -> None:
    """Start the clock on a worker in its steady state: started (imports, the first look at the
    queue) and its rule SQL compiled for each batch size (4, 16, 64, 256 sites), as a worker that
    has run all day has it (compiled once per size and day). Rechecks of unchanged sites: no
    finding changes."""
    from jifang.regulation import rechecks

    for size in (1, 10, 40, 200):
        rechecks.request_sites(sites[:size])
        _drain()


def _restore(systems: dict) -> None:
    from jifang.registry.models import SecuritySystem
    from jifang.regulation import rechecks

    for _site, (pk, days) in systems.items():
        SecuritySystem.objects.filter(pk=pk).update(retention_days=days)
    rechecks.request_sites(list(systems))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (/proc/<pid>/stat): moves less than wall time when the
    machine is shared."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(ctx) -> None:
    from django.utils import timezone

    systems = _systems()
    rng = random.Random(ctx.seed)
    worker = _worker()
    try:
        _warm_up(list(systems))
        began, worker_cpu, writer_cpu = timezone.now(), _cpu_seconds(worker.pid), time.process_time()
        wall = time.perf_counter()
        writes = _write_load(ctx, systems, rng)
        wall, writer_cpu = time.perf_counter() - wall - 0.5, time.process_time() - writer_cpu
        _drain()
        worker_cpu = _cpu_seconds(worker.pid) - worker_cpu
        latencies = _latencies(writes, began)
        runs, sites = _batches_since(began)
        missing = sum(1 for x in latencies if x is None)
        ctx.record(f"change to finding, {RATE:g} writes/s over {len(systems)} sites",
                   [x for x in latencies if x is not None], target_ms=TARGET_MS, writes=len(writes),
                   achieved_rate=round(len(writes) / wall, 1), writers=WRITERS, never_rechecked=missing,
                   engine_runs=runs, site_rechecks=sites, sites_per_run=round(sites / max(runs, 1), 1),
                   worker_cpu_s=round(worker_cpu, 2), worker_cpu_ms_per_site=round(1000 * worker_cpu / max(sites, 1), 2),
                   worker_cpu_ms_per_run=round(1000 * worker_cpu / max(runs, 1), 1),
                   writer_cpu_ms_per_write=round(1000 * writer_cpu / max(len(writes), 1), 2),
                   loadavg=round(os.getloadavg()[0], 1))
        _restore(systems)
        _drain()
    finally:
        worker.terminate()  # it finishes the task in hand (batches of up to JIFANG_RECHECK_BATCH sites) first
        try:
            worker.wait(timeout=300)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
