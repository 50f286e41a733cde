"""Findings follow changes (issue 14 §1): change-to-finding latency under a sustained write load.

A writer thread changes security systems through the registry's service (`system_update`, the
retention toggled between a violating and a compliant number of days) at RATE writes/s for
SECONDS, spread over the first SITES sites of the seeded city; a worker thread runs the queue as
`jifang worker` does (polling every 0.2 s). For each write, the latency is from its commit to the
end of the first recheck of its site that began after the commit (the recheck's transaction has
then committed the finding's new state). p50/p95 over all writes; target p95 <= 1 s.

The writes and rechecks stay in the bench database (they cannot be rolled back across threads);
the retentions are put back at the end and rechecked, so the findings return to the seeded state.
"""
from __future__ import annotations

import bisect
import os
import random
import threading
import time
from collections import defaultdict

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


class Scans:
    """Wraps services.scan to note, per site, when each recheck began and ended."""

    def __init__(self):
        from jifang.regulation import services

        self.services, self.original = services, services.scan
        self.by_site = defaultdict(list)  # site -> [(start, end)]
        self.lock = threading.Lock()

    def __enter__(self):
        def scan(**kwargs):
            start = time.perf_counter()
            run = self.original(**kwargs)
            site = kwargs.get("site")
            if site is not None:
                with self.lock:
                    self.by_site[site.pk].append((start, time.perf_counter()))
            return run

        self.services.scan = scan
        return self

    def __exit__(self, *exc):
        self.services.scan = self.original

    def latency(self, site: int, committed: float) -> float | None:
        scans = sorted(self.by_site.get(site, []))
        i = bisect.bisect_left(scans, (committed, 0.0))
        return scans[i][1] - committed if i < len(scans) else None


class Worker(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()

    def run(self):
        from django.db import connection
        from django.utils import timezone

        from jifang.jobs import worker

        try:
            while not self.stop.is_set():
                row = worker.claim("bench", timezone.now())
                if row is None:
                    time.sleep(0.2)
                else:
                    worker.execute(row, "bench")
        finally:
            connection.close()


def _write_load(ctx, systems: dict, rng: random.Random) -> list[tuple[int, float]]:
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
        services.system_update(actor=admin, system=system, retention_days=rng.choice([7, 15, 30, 60, 90]))
        writes.append((site, time.perf_counter()))
    return writes


def _drain(timeout: float = 60) -> None:
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
    from django.db import connection

    systems = _systems()
    rng = random.Random(ctx.seed)
    worker = Worker()
    with Scans() as scans:
        worker.start()
        wall = time.perf_counter()
        writes = _write_load(ctx, systems, rng)
        wall = time.perf_counter() - wall
        _drain()
        latencies = [scans.latency(site, at) for site, at in writes]
        _restore(systems)
        _drain()
        worker.stop.set()
        worker.join(timeout=30)
    missing = sum(1 for x in latencies if x is None)
    rechecked = sum(len(v) for v in scans.by_site.values())
    ctx.record(f"change to finding, {RATE:g} writes/s over {len(systems)} sites", [x for x in latencies if x is not None],
               target_ms=TARGET_MS, writes=len(writes), achieved_rate=round(len(writes) / wall, 1),
               site_rechecks=rechecked, never_rechecked=missing)
    connection.close()
