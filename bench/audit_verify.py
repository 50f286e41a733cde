"""`jifang audit verify` over a long audit log (issue 15 §2): target >= 200,000 entries/s on one core.

In one transaction that is rolled back: append JIFANG_BENCH_AUDIT_ENTRIES entries (default 1,000,000)
through `audit.append` in batches, each with before/after snapshots shaped like a device update (the
commonest bulk row), with the periodic checkpoints the platform makes (every 1,000 entries); then time

- `audit.verify()`: what `jifang audit verify` runs: read every row in chain order, rebuild its hashed
  text, SHA-256 it, check the links and the signed checkpoints;
- the floor: plain SHA-256 chained over the very same bytes (the hashed texts, built beforehand and
  held in memory), i.e. the hashing alone with no database and no text building.

Both are reported as wall and CPU seconds (this process plus, on PostgreSQL, its database backend,
where verify's work is done; one core: verify is single-threaded) and as entries per second; the ratio verify / floor is the figure docs/benchmarks.md keeps.
"""
from __future__ import annotations

import hashlib
import os
import time

from bench.common import BenchContext

BATCH = 10_000


def _entries(n: int):
    from jifang.core import audit

    for start in range(0, n, BATCH):
        yield [audit.pending(actor=None, action="registry.device.update", note="",
                             before={"id": i, "name": f"摄像机 {i:07d}", "serial": f"SN{i:09d}", "status": "in_use",
                                     "retention_days": 30, "ip": f"10.{i % 250}.{i // 250 % 250}.{i % 200}",
                                     "installed_on": "2024-05-01", "system_id": i // 12, "site_id": i // 40},
                             after={"id": i, "name": f"摄像机 {i:07d}", "serial": f"SN{i:09d}", "status": "in_use",
                                    "retention_days": 90, "ip": f"10.{i % 250}.{i // 250 % 250}.{i % 200}",
                                    "installed_on": "2024-05-01", "system_id": i // 12, "site_id": i // 40})
               for i in range(start, min(start + BATCH, n))]


def _texts():
    """(prev + hashed text) bytes of every entry in chain order, as verify rebuilds them."""
    from django.db import connection

    from jifang.core import audit

    respell = connection.vendor != "sqlite"
    out = []
    for rows in audit._rows(20_000):
        out += [(row[12] + audit.stored_text(row, respell)).encode() for row in rows]
    return out


def _floor(texts) -> str:
    digest = ""
    for t in texts:
        digest = hashlib.sha256(t).hexdigest()
    return digest


def _server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend process (on PostgreSQL, verify's work is
    done there), read from /proc: the server runs on this machine. 0 on SQLite (in-process)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        (pid,) = cur.fetchone()
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _clocked(fn):
    """Wall seconds, CPU seconds (this process and, on PostgreSQL, its database backend) and the result."""
    wall, cpu, server = time.perf_counter(), time.process_time(), _server_cpu()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu + _server_cpu() - server, result


def run(ctx: BenchContext) -> None:
    from django.conf import settings
    from django.db import connection, transaction

    from jifang.core import audit
    from jifang.core.models import AuditEntry

    n = int(os.environ.get("JIFANG_BENCH_AUDIT_ENTRIES", "1000000"))
    settings.JIFANG_AUDIT_CHECKPOINT_EVERY = 1000
    with transaction.atomic():
        if connection.vendor == "postgresql":  # one core: no parallel workers (their CPU is not counted)
            with connection.cursor() as cur:
                cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        fill, _cpu, _ = _clocked(lambda: [audit.append(batch) for batch in _entries(n)])
        total = AuditEntry.objects.count()
        print(f"   appended {n:,} entries in {fill:.1f} s ({total:,} in the log)", flush=True)
        wall, cpu, report = _clocked(audit.verify)
        assert report.ok and report.entries == total, report
        texts = _texts()
        floor_wall, floor_cpu, _ = _clocked(lambda: _floor(texts))
        transaction.set_rollback(True)
    rate, floor_rate = total / cpu, total / floor_cpu
    print(f"   verify: {wall:.2f} s wall, {cpu:.2f} s CPU = {rate:,.0f} entries/s; "
          f"floor (SHA-256 of the same bytes): {floor_cpu:.2f} s CPU = {floor_rate:,.0f} entries/s; "
          f"ratio {cpu / floor_cpu:.1f}x; {report.checkpoints} checkpoints", flush=True)
    ctx.record("audit verify", [wall], entries=total, cpu_s=round(cpu, 2), entries_per_s=round(rate),
               floor_cpu_s=round(floor_cpu, 3), floor_entries_per_s=round(floor_rate),
               ratio_to_floor=round(cpu / floor_cpu, 2), checkpoints=report.checkpoints,
               target="200000 entries/s", met=rate >= 200_000)
    ctx.record("sha-256 floor", [floor_wall], entries=total, cpu_s=round(floor_cpu, 3))
