"""Findings follow changes (issue 14 §1): a service write asks, after it commits, for a recheck of
the sites it touched; the worker rechecks each site once, however many writes came."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jifang.jobs import worker
from jifang.jobs.models import QueuedTask, TaskStatus
from jifang.registry import services as registry
from jifang.regulation import rechecks
from jifang.regulation import services as regulation
from jifang.regulation.models import Finding, FindingStatus, RecheckRequest, ScanRun, Stage
from tests import factories as f

RULE = "art19-retention-below-minimum"
pytestmark = pytest.mark.django_db


def _finding(system):
    return Finding.objects.filter(rule_id=RULE, subject_id=system.pk).order_by("-id").first()


@pytest.mark.clause("art_19__para_1")
def test_a_unit_that_fixes_its_retention_sees_its_finding_resolved_without_an_officer(
        unit_user, wuhua_unit, django_capture_on_commit_callbacks):
    system = f.SystemFactory(retention_days=10, site=f.SiteFactory(unit=wuhua_unit))
    regulation.scan(actor=None)
    assert _finding(system).status == FindingStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        registry.system_update(actor=unit_user, system=system, retention_days=30)
    assert list(RecheckRequest.objects.values_list("site_id", flat=True)) == [system.site_id]
    assert worker.run_pending() == 1
    assert _finding(system).status == FindingStatus.RESOLVED
    assert not RecheckRequest.objects.exists()


@pytest.mark.clause("art_19__para_1")
def test_a_change_that_breaks_a_rule_raises_a_finding_within_one_worker_pass(unit_user, wuhua_unit,
                                                                             django_capture_on_commit_callbacks):
    system = f.SystemFactory(retention_days=30, site=f.SiteFactory(unit=wuhua_unit))
    with django_capture_on_commit_callbacks(execute=True):
        registry.system_update(actor=unit_user, system=system, retention_days=7)
    worker.run_pending()
    assert _finding(system).status == FindingStatus.OPEN


def test_a_burst_of_writes_to_one_site_is_one_recheck(unit_user, wuhua_unit, django_capture_on_commit_callbacks):
    system = f.SystemFactory(retention_days=30, site=f.SiteFactory(unit=wuhua_unit))
    for days in (20, 25, 10, 40, 12):
        with django_capture_on_commit_callbacks(execute=True):
            registry.system_update(actor=unit_user, system=system, retention_days=days)
    assert RecheckRequest.objects.count() == 5
    assert QueuedTask.objects.filter(status=TaskStatus.READY).count() == 1  # queued once
    runs = ScanRun.objects.count()
    worker.run_pending()
    assert ScanRun.objects.count() == runs + 1  # one run for the site
    assert _finding(system).facts["retention_days"] == 12


def test_nothing_is_asked_when_the_write_rolls_back(unit_user, wuhua_unit, django_capture_on_commit_callbacks):
    system = f.SystemFactory(retention_days=30, site=f.SiteFactory(unit=wuhua_unit))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            from django.db import transaction

            with transaction.atomic():
                registry.system_update(actor=unit_user, system=system, retention_days=7)
                raise RuntimeError("rolled back")
    assert callbacks == [] and not RecheckRequest.objects.exists()


def test_an_order_keeps_its_finding_open_when_the_recheck_no_longer_sees_it(unit_user, wuhua_unit,
                                                                           django_capture_on_commit_callbacks):
    """Evidence, not a decision: under an order the recheck only notes when it stopped seeing it."""
    system = f.SystemFactory(retention_days=10, site=f.SiteFactory(unit=wuhua_unit))
    regulation.scan(actor=None)
    Finding.objects.filter(pk=_finding(system).pk).update(stage=Stage.ORDERED)
    with django_capture_on_commit_callbacks(execute=True):
        registry.system_update(actor=unit_user, system=system, retention_days=30)
    worker.run_pending()
    finding = _finding(system)
    assert finding.status == FindingStatus.OPEN and finding.unseen_since is not None


def test_which_sites_a_write_touches():
    unit = f.UnitFactory()
    a, b = f.SiteFactory(unit=unit), f.SiteFactory(unit=unit)
    device = f.DeviceFactory(system=f.SystemFactory(site=a))
    from jifang.core import audit

    def entry(obj, action="x.y.update", before=None):
        return audit.pending(actor=None, action=action, obj=obj, before=before, after=audit.snapshot(obj))

    moved = audit.snapshot(device) | {"site_id": b.pk}
    assert rechecks.sites_touched([entry(device, before=moved)]) == {a.pk, b.pk}  # old and new site
    assert rechecks.sites_touched([entry(unit)]) == {a.pk, b.pk}
    assert rechecks.sites_touched([entry(device.product)]) == {a.pk}
    assert rechecks.sites_touched([entry(a, action="registry.site.update.refused")]) == set()
    assert rechecks.sites_touched([audit.pending(actor=None, action="auth.login", obj=None)]) == set()


def test_a_write_wider_than_the_limit_asks_for_one_full_run(settings):
    settings.JIFANG_RECHECK_MAX_SITES = 1
    from jifang.core import audit

    sites = [f.SiteFactory(), f.SiteFactory()]
    entries = [audit.pending(actor=None, action="registry.site.create", obj=s, after=audit.snapshot(s)) for s in sites]
    assert rechecks.sites_touched(entries) == rechecks.ALL
    rechecks.request_sites(rechecks.ALL)
    rechecks.request_sites(rechecks.ALL)
    assert QueuedTask.objects.filter(task_path__endswith="recheck_all", status=TaskStatus.READY).count() == 1
    worker.run_pending()
    assert ScanRun.objects.filter(area="").count() == 1


def test_the_hook_costs_no_query_for_a_row_that_carries_its_site(wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit))
    from jifang.core import audit

    e = audit.pending(actor=None, action="registry.securitysystem.update", obj=system, after=audit.snapshot(system))
    with CaptureQueriesContext(connection) as queries:
        assert rechecks.sites_touched([e]) == {system.site_id}
    assert len(queries) == 0


# ---- batches: one engine run over several sites --------------------------------------------------

def _state(site_ids) -> list[tuple]:
    """What a reader sees of these sites' findings (ids and run links aside)."""
    rows = (Finding.objects.with_last_seen().filter(site_id__in=site_ids)
            .values_list("site_id", "rule_id", "fingerprint", "status", "stage", "unseen_since", "resolved_on",
                         "last_seen", "recurrence_of_id"))
    return sorted(rows, key=lambda r: tuple(str(x) for x in r))


def _mixed_city(unit):
    """Sites whose facts changed since the last full scan in different ways: fixed, broken, an
    ordered finding whose violation went away, a system taken out of use, and one left alone."""
    systems = {name: f.SystemFactory(retention_days=days, site=f.SiteFactory(unit=unit))
               for name, days in [("fixed", 10), ("broken", 30), ("ordered", 7), ("removed", 5), ("same", 12)]}
    f.SystemFactory(site=systems["same"].site, retention_days=30, reserved_interface=False)
    regulation.scan(actor=None)
    Finding.objects.filter(site=systems["ordered"].site, rule_id=RULE).update(stage=Stage.ORDERED)
    from jifang.registry.models import SecuritySystem, SystemStatus

    SecuritySystem.objects.filter(pk=systems["fixed"].pk).update(retention_days=30)
    SecuritySystem.objects.filter(pk=systems["broken"].pk).update(retention_days=3)
    SecuritySystem.objects.filter(pk=systems["ordered"].pk).update(retention_days=90)
    SecuritySystem.objects.filter(pk=systems["removed"].pk).update(status=SystemStatus.RETIRED)
    return {name: s.site_id for name, s in systems.items()}


@pytest.mark.clause("art_19__para_1")
def test_a_batch_recheck_finds_what_one_run_per_site_finds(wuhua_unit):
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from jifang.registry.models import Site

    sites = _mixed_city(wuhua_unit)
    ids = sorted(sites.values())
    before = _state(ids)
    later = timezone.localdate() + dt.timedelta(days=2)  # last_seen moves for the findings seen again
    point = transaction.savepoint_create()
    for site in ids:
        regulation.scan(actor=None, site=Site.objects.get(pk=site), as_of=later)
    one_by_one = _state(ids)
    transaction.savepoint_rollback(point)
    assert _state(ids) == before
    run = regulation.scan(actor=None, sites=ids, as_of=later)
    assert _state(ids) == one_by_one != before
    assert any(row[-2] == later for row in one_by_one)
    assert run.area == f"sites:{len(ids)}" and run.counts["sites"] == ids
    ordered = Finding.objects.get(site_id=sites["ordered"], rule_id=RULE)
    assert ordered.status == FindingStatus.OPEN and ordered.stage == Stage.ORDERED and ordered.unseen_since
    assert Finding.objects.get(site_id=sites["fixed"], rule_id=RULE).status == FindingStatus.RESOLVED
    assert Finding.objects.get(site_id=sites["broken"], rule_id=RULE).status == FindingStatus.OPEN


def test_a_batch_leaves_the_sites_outside_it_alone(wuhua_unit):
    sites = _mixed_city(wuhua_unit)
    outside = [sites.pop("fixed"), sites.pop("broken")]
    untouched = _state(outside)
    regulation.scan(actor=None, sites=list(sites.values()))
    assert _state(outside) == untouched  # the fixed site's finding stays open until its own recheck


def test_the_worker_rechecks_every_asked_site_in_one_run_and_one_audit_row(wuhua_unit):
    from jifang.core.models import AuditEntry

    sites = _mixed_city(wuhua_unit)
    rechecks.request_sites(sites.values())
    rechecks.request_sites([sites["fixed"]])  # asked twice: one recheck
    runs, entries = ScanRun.objects.count(), AuditEntry.objects.filter(action="regulation.scanrun.create").count()
    assert worker.run_pending() == 1
    assert ScanRun.objects.count() == runs + 1
    entry = AuditEntry.objects.filter(action="regulation.scanrun.create").order_by("-id").first()
    assert AuditEntry.objects.filter(action="regulation.scanrun.create").count() == entries + 1
    assert sorted(entry.after["counts"]["sites"]) == sorted(sites.values())  # the auditor sees which sites
    assert not RecheckRequest.objects.exists()
    assert Finding.objects.get(site_id=sites["fixed"], rule_id=RULE).status == FindingStatus.RESOLVED


def test_batches_are_bounded(wuhua_unit, settings):
    settings.JIFANG_RECHECK_BATCH = 2
    ids = [f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit)).site_id for _i in range(5)]
    rechecks.request_sites(ids)
    runs = ScanRun.objects.count()
    worker.run_pending()
    added = ScanRun.objects.filter(pk__gt=0).order_by("id")[runs:]
    assert [r.counts["sites"] for r in added] == [ids[0:2], ids[2:4], ids[4:]]


def test_a_failed_batch_keeps_its_requests_and_changes_nothing(wuhua_unit, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    sites = _mixed_city(wuhua_unit)
    before = _state(sites.values())
    rechecks.request_sites(sites.values())
    runs = ScanRun.objects.count()

    def crash(*args, **kwargs):
        raise RuntimeError("the worker died mid-run")

    monkeypatch.setattr(regulation, "_leave_watermarks", crash)  # after the findings were written
    worker.run_pending()
    assert RecheckRequest.objects.count() == len(sites)
    assert _state(sites.values()) == before and ScanRun.objects.count() == runs
    assert QueuedTask.objects.get(task_path__endswith="recheck_pending").status == TaskStatus.READY  # retried
    monkeypatch.undo()
    worker.run_pending(now=timezone.now() + dt.timedelta(minutes=5))
    assert not RecheckRequest.objects.exists()
    assert Finding.objects.get(site_id=sites["fixed"], rule_id=RULE).status == FindingStatus.RESOLVED


def test_only_the_system_rechecks_a_batch(city_officer):
    from jifang.core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        regulation.scan(actor=city_officer, sites=[f.SiteFactory().pk])
