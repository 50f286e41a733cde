"""Reconciling a run with the stored findings: new, still open, resolved, recurring, under enforcement."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jifang.core.models import AuditEntry
from jifang.registry import models as m
from jifang.regulation.models import Finding, FindingStatus, Stage
from tests import factories as f

from .conftest import AS_OF

ART19 = "art19-retention-below-minimum"
DAY = dt.timedelta(days=1)


def _retention(system, days):
    m.SecuritySystem.objects.filter(pk=system.pk).update(retention_days=days)


@pytest.mark.clause("art_19__para_1")
def test_new_then_still_open_then_resolved(scan):
    system = f.SystemFactory(retention_days=10)
    first = scan(as_of=AS_OF)
    finding = Finding.objects.get(rule_id=ART19)
    assert (first.counts["new"], finding.first_seen, finding.first_run_id) == (1, AS_OF, first.pk)
    second = scan(as_of=AS_OF + DAY)
    finding.refresh_from_db()
    assert second.counts["new"] == 0 and second.counts["still_open"] == 1
    assert (finding.status, finding.first_seen, finding.last_seen, finding.last_run_id) == (
        FindingStatus.OPEN, AS_OF, AS_OF + DAY, second.pk)
    _retention(system, 30)
    third = scan(as_of=AS_OF + 2 * DAY)
    finding.refresh_from_db()
    assert third.counts["resolved"] == 1
    assert (finding.status, finding.resolved_on) == (FindingStatus.RESOLVED, AS_OF + 2 * DAY)


@pytest.mark.clause("art_19__para_1")
def test_a_resolved_violation_that_recurs_is_a_new_finding(scan):
    system = f.SystemFactory(retention_days=10)
    scan(as_of=AS_OF)
    _retention(system, 30)
    scan(as_of=AS_OF + DAY)
    _retention(system, 15)
    scan(as_of=AS_OF + 2 * DAY)
    rows = list(Finding.objects.filter(rule_id=ART19).order_by("pk").values_list("status", "first_seen"))
    assert rows == [(FindingStatus.RESOLVED, AS_OF), (FindingStatus.OPEN, AS_OF + 2 * DAY)]


@pytest.mark.clause("art_19__para_1")
def test_a_finding_under_a_rectification_order_is_not_auto_resolved(scan):
    system = f.SystemFactory(retention_days=10)
    scan(as_of=AS_OF)
    Finding.objects.filter(rule_id=ART19).update(stage=Stage.ORDERED)  # enforcement's move
    _retention(system, 30)
    run = scan(as_of=AS_OF + DAY)
    finding = Finding.objects.get(rule_id=ART19)
    assert run.counts["resolved"] == 0 and run.counts["unseen_under_enforcement"] == 1
    assert (finding.status, finding.unseen_since) == (FindingStatus.OPEN, AS_OF + DAY)
    _retention(system, 10)  # relapsed: seen again, so no longer "unseen"
    scan(as_of=AS_OF + 2 * DAY)
    finding.refresh_from_db()
    assert (finding.status, finding.unseen_since, finding.last_seen) == (FindingStatus.OPEN, None, AS_OF + 2 * DAY)


def test_a_district_run_does_not_touch_findings_elsewhere(scan):
    wuhua = f.SystemFactory(retention_days=10, site=f.SiteFactory(unit=f.UnitFactory(district_id="530102")))
    panlong = f.SystemFactory(retention_days=10, site=f.SiteFactory(unit=f.UnitFactory(district_id="530103")))
    scan(as_of=AS_OF)
    _retention(panlong, 30)
    run = scan(as_of=AS_OF + DAY, district="530102")
    assert run.counts["resolved"] == 0
    assert set(Finding.objects.filter(status="open", rule_id=ART19).values_list("subject_key", flat=True)) == {
        wuhua.code, panlong.code}


def test_undetermined_becoming_a_violation_resolves_one_and_opens_the_other(scan):
    system = f.SystemFactory(retention_days=None)
    scan(as_of=AS_OF)
    _retention(system, 5)
    scan(as_of=AS_OF + DAY)
    rows = set(Finding.objects.filter(rule_id=ART19).values_list("outcome", "status"))
    assert rows == {("undetermined", "resolved"), ("violation", "open")}


def test_a_run_writes_one_audit_row_and_stores_its_counts(scan):
    f.SystemFactory(retention_days=10)
    before = AuditEntry.objects.count()
    run = scan(as_of=AS_OF)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.object_id) == ("regulation.scanrun.create", str(run.pk))
    assert run.counts["rules"][ART19] == 1 and run.finished_at is not None


def _queries(scan, as_of) -> int:
    with CaptureQueriesContext(connection) as ctx:
        scan(as_of=as_of)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_registry(scan):
    """One query per rule plus a fixed number for reconciliation, however many rows violate."""
    f.SystemFactory(retention_days=10)
    scan(as_of=AS_OF)
    f.SiteFactory(art6_point=2)
    small = _queries(scan, AS_OF + DAY)  # one new, one still open
    for _ in range(15):
        f.SystemFactory(retention_days=10, reserved_interface=None)
        f.SiteFactory(art6_point=3)
        f.DeviceFactory(product=None)
    large = _queries(scan, AS_OF + 2 * DAY)  # 60 new, two still open
    assert large == small
