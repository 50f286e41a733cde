"""The platform's calendar with a fake clock: each job runs at its time in Kunming, once per tick,
with its tick as `now`; failures reach the administrators' page and `jifang jobs`."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from jifang.jobs import schedule, worker
from jifang.jobs.models import QueuedTask, TaskStatus
from jifang.regulation.models import Finding, ScanRun, Stage
from tests import factories as f
from tests.enforcement.conftest import Clock, make_finding

pytestmark = pytest.mark.django_db
SH = schedule.SHANGHAI


@pytest.fixture
def only(monkeypatch):
    """Keep just the named jobs in the registry, so a tick claims nothing else."""
    def keep(*names):
        monkeypatch.setattr(schedule, "REGISTRY", {n: schedule.REGISTRY[n] for n in names})
    return keep


def test_every_job_the_issue_asks_for_is_declared_with_a_title():
    names = set(schedule.REGISTRY)
    assert {"regulation.nightly_scan", "enforcement.overdue_sweep", "alarms.supervision_sweep",
            "video.offline_sweep"} <= names
    assert all(job.title[0] and job.title[1] for job in schedule.REGISTRY.values())


def test_the_nightly_scan_runs_at_two_in_kunming_once_and_as_of_that_day(only):
    only("regulation.nightly_scan")
    f.SystemFactory(retention_days=3)
    before_two = dt.datetime(2026, 11, 20, 1, 59, tzinfo=SH)
    assert schedule.claim_due(before_two) == []  # yesterday's 02:00 is beyond its six hours' grace
    at = dt.datetime(2026, 11, 20, 2, 0, 30, tzinfo=SH)
    assert schedule.claim_due(at) == [("regulation.nightly_scan", dt.datetime(2026, 11, 20, 2, 0, tzinfo=SH))]
    assert schedule.claim_due(at + dt.timedelta(hours=3)) == []  # the same night: already claimed
    worker.run_pending(now=at)
    run = ScanRun.objects.get()
    assert (run.area, run.as_of) == ("", dt.date(2026, 11, 20))
    assert run.counts["new"] >= 1


@pytest.mark.clause("art_23__para_2")
def test_the_overdue_sweep_runs_just_after_midnight_and_moves_passed_deadlines(only, monkeypatch, wuhua_unit,
                                                                                 wuhua_officer):
    from tests.enforcement.test_services import _order

    only("enforcement.overdue_sweep")
    clock = Clock(monkeypatch)
    site = f.SiteFactory(unit=wuhua_unit)
    finding = make_finding(site, "art_19__para_1")
    order = _order(wuhua_officer, [finding], clock, days=3)
    clock.past(order)
    midnight = dt.datetime.combine(clock.today(), dt.time(0, 5, 10), SH)
    clock.now = midnight
    assert schedule.claim_due(midnight - dt.timedelta(seconds=20)) == [
        ("enforcement.overdue_sweep", midnight.replace(second=0) - dt.timedelta(days=1))]  # last night's tick
    worker.run_pending(now=midnight)  # that tick's as-of day is the deadline: nothing yet
    finding.refresh_from_db()
    assert finding.stage == Stage.ORDERED
    assert schedule.claim_due(midnight) == [("enforcement.overdue_sweep", midnight.replace(second=0))]
    worker.run_pending(now=midnight)
    finding.refresh_from_db()
    assert finding.stage == Stage.OVERDUE


def _failed_job(only, monkeypatch):
    def broken(now):
        raise ConnectionError("视频平台无响应")

    monkeypatch.setattr(schedule, "REGISTRY", {})
    schedule.periodic("video.catalog", schedule.every(minutes=5), title=("目录刷新", "Catalog refresh"),
                      max_attempts=2)(broken)
    t0 = dt.datetime(2026, 11, 20, 9, 0, 5, tzinfo=SH)
    schedule.claim_due(t0)
    worker.run_pending(now=t0)
    worker.run_pending(now=t0 + worker.backoff(1))
    return QueuedTask.objects.get(job="video.catalog")


def test_a_failed_job_is_shown_to_administrators_with_its_error_and_can_be_retried(client, admin_user, only,
                                                                                   monkeypatch):
    task = _failed_job(only, monkeypatch)
    assert task.status == TaskStatus.FAILED and task.attempts == 2
    client.force_login(admin_user)
    page = client.get(reverse("jobs:list")).content.decode()
    assert "目录刷新" in page and "视频平台无响应" in page
    response = client.post(reverse("jobs:retry", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.READY and task.max_attempts == 3 and len(task.errors) == 2


def test_only_administrators_see_the_jobs_page(client, unit_user, wuhua_officer, admin_user, only, monkeypatch):
    task = _failed_job(only, monkeypatch)
    for user in (unit_user, wuhua_officer):
        client.force_login(user)
        assert client.get(reverse("jobs:list")).status_code == 403
        assert client.post(reverse("jobs:retry", args=[task.pk])).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED


def test_jifang_jobs_lists_the_calendar_failed_and_recent_tasks(capsys, only, monkeypatch):
    task = _failed_job(only, monkeypatch)
    call_command("jobs")
    out = capsys.readouterr().out
    assert "video.catalog" in out and "FAILED" in out and "ConnectionError: 视频平台无响应" in out
    call_command("jobs", "--failed")
    assert "Traceback" in capsys.readouterr().out
    call_command("jobs", "retry", str(task.pk))
    task.refresh_from_db()
    assert task.status == TaskStatus.READY
