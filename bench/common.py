"""Shared helpers for the benchmarks in bench/ (not tests: they measure, they do not assert).

A benchmark module is any `bench/<name>.py` with a `run(ctx: BenchContext)` function. `bench/run.py`
prepares a database seeded at `--scale` (SQLite file or a PostgreSQL database), sets Django up on it
and calls each module; the module times what it measures and calls `ctx.record(...)`:

    from bench.common import BenchContext, measure

    def run(ctx: BenchContext) -> None:
        client = ctx.client("city")
        samples, queries = measure(lambda: client.get("/registry/devices/?kind=camera"), n=200)
        ctx.record("device list", samples, queries=queries, target_ms=100)

Databases are cached between runs under var/bench/ (SQLite) or as `jf_bench_<scale>_<seed>` (PostgreSQL),
because seeding 1,000,000 devices takes minutes; `--fresh` rebuilds them.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "bench" / "results"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432"


# ---- statistics -------------------------------------------------------------------------------------

def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100): the value at or below which p % of samples fall."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call, on the monotonic high-resolution clock."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


class Measured(tuple):
    """(seconds per call, queries per call), unpacked as a pair; `.cpu` holds this process's CPU
    seconds per call, which other work on a shared machine inflates far less than wall time."""

    def __new__(cls, samples, queries, cpu):
        obj = super().__new__(cls, (samples, queries))
        obj.cpu = cpu
        return obj


def measure(fn: Callable[[], object], *, n: int, warmup: int = 3, count_queries: bool = True) -> Measured:
    """Call `fn` `n` times after `warmup` untimed calls.

    Queries are counted with Django's CaptureQueriesContext around each call; the count is per call
    so that a benchmark can report whether it stays constant (no N+1 as pages get deeper)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fn()
    samples, queries, cpu = [], [], []
    for _ in range(n):
        cpu_start = time.process_time()
        if count_queries:
            with CaptureQueriesContext(connection) as captured:
                seconds, _ = timed(fn)
            queries.append(len(captured.captured_queries))
        else:
            seconds, _ = timed(fn)
        cpu.append(time.process_time() - cpu_start)
        samples.append(seconds)
    return Measured(samples, queries, cpu)


# ---- results ----------------------------------------------------------------------------------------

@dataclass
class Result:
    bench: str
    name: str
    backend: str
    scale: int
    n: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    queries_min: int | None = None
    queries_max: int | None = None
    target_ms: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return ""
        return "ok" if self.p95_ms <= self.target_ms else "OVER"


def make_result(bench: str, name: str, backend: str, scale: int, samples: list[float], *, queries=None,
                target_ms=None, **extra) -> Result:
    ms = [s * 1000 for s in samples]
    return Result(
        bench=bench, name=name, backend=backend, scale=scale, n=len(ms),
        p50_ms=round(statistics.median(ms), 2) if ms else math.nan,
        p95_ms=round(percentile(ms, 95), 2), max_ms=round(max(ms), 2) if ms else math.nan,
        queries_min=min(queries) if queries else None, queries_max=max(queries) if queries else None,
        target_ms=target_ms, extra=extra,
    )


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "date": dt.date.today().isoformat(),
        # other work on the machine inflates every figure; keep the load next to the numbers
        "loadavg": [round(x, 1) for x in os.getloadavg()],
    }


# ---- the run context handed to each benchmark module -----------------------------------------------

@dataclass
class BenchContext:
    backend: str            # "sqlite" | "postgresql"
    scale: int
    seed: int
    manifest: dict          # the seed's manifest (see jifang.core.demo)
    requests: int = 200     # timed requests per case (--requests)
    results: list[Result] = field(default_factory=list)
    current: str = ""       # the module being run; set by bench/run.py
    _users: dict = field(default_factory=dict)

    def record(self, name: str, samples: list[float], *, queries=None, target_ms=None, **extra) -> Result:
        result = make_result(self.current, name, self.backend, self.scale, samples, queries=queries,
                             target_ms=target_ms, **extra)
        self.results.append(result)
        return result

    def user(self, role: str = "city_officer", division: str | None = "530100", **extra):
        """A bench user with `role` anchored to `division` (created once per run, not audited:
        benchmark fixtures are not part of the demo's history)."""
        from jifang.accounts.models import User

        key = (role, division, tuple(sorted(extra.items())))
        if key not in self._users:
            name = f"bench-{role}-{division or 'none'}-{len(self._users)}"
            user, _ = User.objects.get_or_create(username=name, defaults={"role": role, "division_id": division, **extra})
            self._users[key] = user
        return self._users[key]

    def client(self, user):
        """A Django test client signed in as `user` (in-process: measures Django and the database,
        not the network)."""
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client


def write_results(ctx: BenchContext, seed_seconds: float | None) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS_DIR / f"{stamp}-{ctx.backend}-{ctx.scale}.json"
    payload = {
        "machine": machine(), "backend": ctx.backend, "scale": ctx.scale, "seed": ctx.seed,
        "seed_seconds": seed_seconds, "results": [asdict(r) for r in ctx.results],
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2))
    return path


def markdown_table(results: list[Result]) -> str:
    """The rows docs/benchmarks.md uses."""
    lines = ["| bench | case | backend | scale | n | p50 ms | p95 ms | max ms | queries | target | extra |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        q = "" if r.queries_min is None else (f"{r.queries_min}" if r.queries_min == r.queries_max
                                              else f"{r.queries_min}-{r.queries_max}")
        target = "" if r.target_ms is None else f"<= {r.target_ms:g} ({r.verdict})"
        extra = ", ".join(f"{k}={v}" for k, v in r.extra.items())
        lines.append(f"| {r.bench} | {r.name} | {r.backend} | {r.scale} | {r.n} | {r.p50_ms} | {r.p95_ms} | "
                     f"{r.max_ms} | {q} | {target} | {extra} |")
    return "\n".join(lines)
