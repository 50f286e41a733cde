"""Findings follow changes (issue 14 §1): change-to-finding latency under a sustained write load.

A writer thread changes security systems through the registry's service (`system_update`, the
retention toggled between a violating and a compliant number of days) at RATE writes/s for
SECONDS, spread over the first SITES sites of the seeded city; `jifang worker --queue rechecks` runs
in its own process, as `jifang up` starts it (polling every 0.2 s). For each write, the latency is from its commit to the
end of the first recheck of its site that began after the commit (the recheck's transaction has
then committed the finding's new state). p50/p95 over all writes; target p95 <= 1 s.

The writes and rechecks stay in the bench database (they cannot be rolled back across threads);
the retentions are put back at the end and rechecked, so the findings return to the seeded state.
"""
from __future__ import annotations

import bisect
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

RATE = float(os.environ.get("JIFANG_BENCH_RECHECK_RATE", "50"))
SECONDS = float(os.environ.get("JIFANG_BENCH_RECHECK_SECONDS", "20"))
SITES = int(os.environ.get("JIFANG_BENCH_RECHECK_SITES", "1000"))
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


def _latencies(writes: list[tuple[int, object]]) -> list[float | None]:
    """For each write (site, commit time): seconds to the end of the first recheck of its site that
    started after the commit (ScanRun.started_at / finished_at, the recheck's own record)."""
    from jifang.regulation.models import ScanRun

    first = min(at for _site, at in writes)
    runs = defaultdict(list)
    for area, started, finished in (ScanRun.objects.filter(area__startswith="site:", started_at__gte=first)
                                    .values_list("area", "started_at", "finished_at")):
        runs[int(area.split(":")[1])].append((started, finished))
    out = []
    for site, at in writes:
        scans = sorted(runs.get(site, []))
        i = bisect.bisect_left(scans, (at,))
        out.append((scans[i][1] - at).total_seconds() if i < len(scans) and scans[i][1] else None)
    return out


def _write_load(ctx, systems: dict, rng: random.Random) -> list[tuple[int, float]]:
    from django.utils import timezone

    from jifang.registry import services
    from jifang.registry.models import SecuritySystem

    admin = ctx.user("admin", "530100")
    sites = list(systems)
    writes, start = [], time.perf_counter()
    for i in range(int(RATE * SECONDS)):
        due = start + i / RATE
        time.sleep(max(0.0, due - time.perf_counter()))
        site = rng.choice(sites)
        system = SecuritySystem.objects.get(pk=systems[site][0])
        # always a different value: an update that changes nothing writes nothing and asks no recheck
        days = rng.choice([d for d in (7, 15, 30, 60, 90) if d != system.retention_days])
        services.system_update(actor=admin, system=system, retention_days=days)
        writes.append((site, timezone.now()))  # committed: system_update is its own transaction
    return writes


def _drain(timeout: float = 180) -> None:
    from jifang.jobs.models import QueuedTask, TaskStatus
    from jifang.regulation.models import RecheckRequest

    end = time.monotonic() + timeout
    while time.monotonic() < end and (RecheckRequest.objects.exists() or QueuedTask.objects.filter(
            status__in=[TaskStatus.READY, TaskStatus.RUNNING], queue_name="rechecks").exists()):
        time.sleep(0.2)


def _restore(systems: dict) -> None:
    from jifang.registry.models import SecuritySystem
    from jifang.regulation import rechecks

    for _site, (pk, days) in systems.items():
        SecuritySystem.objects.filter(pk=pk).update(retention_days=days)
    rechecks.request_sites(list(systems))


def run(ctx) -> None:
    systems = _systems()
    rng = random.Random(ctx.seed)
    worker = _worker()
    try:
        wall = time.perf_counter()
        writes = _write_load(ctx, systems, rng)
        wall = time.perf_counter() - wall
        _drain()
        latencies = _latencies(writes)
        missing = sum(1 for x in latencies if x is None)
        ctx.record(f"change to finding, {RATE:g} writes/s over {len(systems)} sites",
                   [x for x in latencies if x is not None], target_ms=TARGET_MS, writes=len(writes),
                   achieved_rate=round(len(writes) / wall, 1), never_rechecked=missing,
                   loadavg=round(os.getloadavg()[0], 1))
        _restore(systems)
        _drain()
    finally:
        worker.terminate()  # it finishes the task in hand (a recheck of up to 500 sites) first
        try:
            worker.wait(timeout=300)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
