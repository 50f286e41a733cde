"""The database task queue: Django's task API on jobs.QueuedTask, retries with back-off, one run per
tick across schedulers. Every time is a fake clock passed in."""
from datetime import datetime, timedelta

import pytest
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from jifang.jobs import schedule, worker
from jifang.jobs.models import QueuedTask, TaskStatus

pytestmark = pytest.mark.django_db
CALLS = []


@task
def add(a, b):
    CALLS.append((a, b))
    return a + b


@task
def always_fails():
    raise RuntimeError("设备目录服务无响应")


@task(queue_name="rechecks")
def recheck_once():
    CALLS.append("recheck")


def test_enqueue_then_a_worker_runs_it_and_the_result_reads_back():
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    assert worker.run_pending() == 1
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert result.attempts == 1


def test_a_task_deferred_with_run_after_waits_for_its_time():
    at = timezone.now() + timedelta(minutes=5)
    add.using(run_after=at).enqueue(1, 1)
    assert worker.run_pending(now=at - timedelta(seconds=1)) == 0
    assert worker.run_pending(now=at) == 1


def test_a_failure_is_retried_with_back_off_then_kept_failed_with_its_error():
    t0 = timezone.now()
    result = always_fails.enqueue()
    assert worker.run_pending(now=t0) == 1
    row = QueuedTask.objects.get(pk=result.id)
    assert row.status == TaskStatus.READY and row.run_after == t0 + timedelta(seconds=30)
    assert worker.run_pending(now=t0 + timedelta(seconds=29)) == 0
    assert worker.run_pending(now=t0 + timedelta(seconds=30)) == 1
    row.refresh_from_db()
    assert row.run_after == t0 + timedelta(seconds=90)  # then 60 s after the second failure
    assert worker.run_pending(now=t0 + timedelta(seconds=90)) == 1
    row.refresh_from_db()
    assert row.status == TaskStatus.FAILED and row.attempts == 3 and len(row.errors) == 3
    assert row.last_error == "RuntimeError: 设备目录服务无响应"
    assert worker.run_pending(now=t0 + timedelta(days=1)) == 0


def test_backoff_doubles_and_stops_at_an_hour():
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert worker.backoff(30) == timedelta(hours=1)


def test_a_burst_under_one_key_is_queued_once():
    backend = recheck_once.get_backend()
    first = backend.enqueue(recheck_once, [], {}, dedupe_key="k")
    for _ in range(5):
        assert backend.enqueue(recheck_once, [], {}, dedupe_key="k").id == first.id
    CALLS.clear()
    worker.run_pending()
    assert CALLS == ["recheck"]
    # once it has run, the next request queues a new one
    assert backend.enqueue(recheck_once, [], {}, dedupe_key="k").id != first.id


def test_a_task_whose_worker_died_is_queued_again():
    t0 = timezone.now()
    add.enqueue(1, 2)
    row = worker.claim("dead-worker", t0)
    assert row is not None
    assert worker.requeue_abandoned(t0 + worker.LEASE - timedelta(seconds=1)) == 0
    assert worker.requeue_abandoned(t0 + worker.LEASE + timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert row.status == TaskStatus.READY and "WorkerLost" in row.last_error


def test_daily_ticks_are_asia_shanghai_times():
    sched = schedule.daily(0, 5)
    # 2026-12-03 16:04 UTC is 00:04 on the 4th in Kunming: the last tick was the 3rd, 00:05
    now = datetime(2026, 12, 3, 16, 4, tzinfo=timezone.UTC)
    assert sched.latest(now) == datetime(2026, 12, 3, 0, 5, tzinfo=schedule.SHANGHAI)
    assert sched.latest(now + timedelta(minutes=1)) == datetime(2026, 12, 4, 0, 5, tzinfo=schedule.SHANGHAI)


@pytest.fixture
def one_job(monkeypatch):
    seen = []
    monkeypatch.setattr(schedule, "REGISTRY", {})
    schedule.periodic("test.tick", schedule.every(minutes=10), title=("测试", "test"))(seen.append)
    return seen


def test_each_tick_is_claimed_once_and_run_with_its_tick_as_now(one_job):
    now = datetime(2026, 12, 3, 4, 12, 30, tzinfo=timezone.UTC)
    tick = datetime(2026, 12, 3, 4, 10, tzinfo=timezone.UTC)
    assert schedule.claim_due(now) == [("test.tick", tick)]
    assert schedule.claim_due(now + timedelta(seconds=5)) == []  # a second scheduler, or a second look
    worker.run_pending(now=now)
    assert one_job == [tick]
    assert schedule.claim_due(tick + timedelta(minutes=10)) == [("test.tick", tick + timedelta(minutes=10))]


def test_a_tick_missed_beyond_its_grace_is_skipped(one_job):
    job = schedule.REGISTRY["test.tick"]
    late = datetime(2026, 12, 3, 4, 10, tzinfo=timezone.UTC) + job.window + timedelta(seconds=1)
    assert job.due(late) is not None  # the newer tick is due instead
    daily = schedule.Job("d", schedule.daily(2), print)
    assert daily.due(datetime(2026, 12, 3, 2, 0, tzinfo=schedule.SHANGHAI) + timedelta(hours=7)) is None
