"""Several nodes on one PostgreSQL database: two worker processes never run one task twice, two
scheduler processes queue each tick once."""
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from jifang.core.models import AuditEntry
from jifang.jobs.models import QueuedTask, TaskStatus

from .tasks import note_run

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not os.environ.get("JIFANG_DATABASE_URL", "").startswith("postgres"),
                                 reason="two processes on one database: PostgreSQL (SQLite's test database is in memory)")]


def _env() -> dict:
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    return {**os.environ, "JIFANG_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}


def _jifang(*args) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).with_name("jifang")), *args], env=_env(), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_workers_share_the_queue_and_never_run_one_task_twice():
    for n in range(150):
        note_run.enqueue(n)
    workers = [_jifang("worker", "--once"), _jifang("worker", "--once")]
    outs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outs
    runs = Counter(AuditEntry.objects.filter(action="jobs.test.ran").values_list("note", flat=True))
    assert runs == Counter({str(n): 1 for n in range(150)})
    assert set(QueuedTask.objects.values_list("status", flat=True)) == {TaskStatus.SUCCESSFUL}
    per_worker = Counter(tuple(ids) for ids in QueuedTask.objects.values_list("worker_ids", flat=True))
    assert all(len(ids) == 1 for ids in per_worker)
    assert len(per_worker) == 2, per_worker  # both took part


def test_two_schedulers_queue_each_tick_once():
    schedulers = [_jifang("scheduler", "--once"), _jifang("scheduler", "--once")]
    outs = [s.communicate(timeout=120) for s in schedulers]
    assert [s.returncode for s in schedulers] == [0, 0], outs
    claimed = [line.split()[-1] for out, _err in outs for line in out.splitlines() if line.strip()]
    assert claimed and len(claimed) == len(set(claimed))  # every job claimed by one of the two
    ticks = Counter(QueuedTask.objects.filter(tick__isnull=False).values_list("job", "tick"))
    assert set(ticks.values()) == {1} and {job for job, _tick in ticks} == set(claimed)


def test_an_idle_worker_wakes_when_a_task_is_queued_not_at_its_next_poll():
    """LISTEN/NOTIFY: the worker looks at the queue every 60 s at most when idle, yet a task
    queued now starts within a second or two."""
    import time

    def ran(note, within):
        end = time.monotonic() + within
        while time.monotonic() < end and not AuditEntry.objects.filter(action="jobs.test.ran", note=note).exists():
            time.sleep(0.05)
        return AuditEntry.objects.filter(action="jobs.test.ran", note=note).exists()

    note_run.enqueue("first")
    worker = _jifang("worker", "--poll", "60", "--fallback", "60")
    try:
        assert ran("first", 60)  # it started and looked at the queue
        time.sleep(1)  # now idle, its next look a minute away
        queued = time.monotonic()
        note_run.enqueue("woken")
        assert ran("woken", 20)
        assert time.monotonic() - queued < 5
    finally:
        worker.terminate()
        worker.wait(timeout=60)
