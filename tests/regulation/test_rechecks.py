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
