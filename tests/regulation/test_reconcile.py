"""Reconciling a run with the stored findings: new, still open, resolved, recurring, under enforcement."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jifang.core.models import AuditEntry
from jifang.registry import models as m
from jifang.regulation.models import Finding, FindingStatus, Stage
from tests import factories as f

from jifang.regulation import services

from .conftest import AS_OF, KUNMING

ART19 = "art19-retention-below-minimum"
DAY = dt.timedelta(days=1)


def _with_last_seen(finding) -> Finding:
    return Finding.objects.with_last_seen().get(pk=finding.pk)


def _retention(system, days):
    m.SecuritySystem.objects.filter(pk=system.pk).update(retention_days=days)


@pytest.mark.clause("art_19__para_1")
def test_new_then_still_open_then_resolved(scan):
    system = f.SystemFactory(retention_days=10)
    first = scan(as_of=AS_OF)
    finding = Finding.objects.get(rule_id=ART19)
    assert (first.counts["new"], finding.first_seen, finding.first_run_id) == (1, AS_OF, first.pk)
    second = scan(as_of=AS_OF + DAY)
    finding = _with_last_seen(finding)
    assert second.counts["new"] == 0 and second.counts["still_open"] == 1
    assert (finding.status, finding.first_seen, finding.last_seen) == (FindingStatus.OPEN, AS_OF, AS_OF + DAY)
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
    assert _with_last_seen(finding).last_seen == AS_OF  # the last run that saw it
    _retention(system, 10)  # relapsed: seen again, so no longer "unseen"
    scan(as_of=AS_OF + 2 * DAY)
    finding = _with_last_seen(finding)
    assert (finding.status, finding.unseen_since, finding.last_seen) == (FindingStatus.OPEN, None, AS_OF + 2 * DAY)
    scan(as_of=AS_OF + 3 * DAY)
    assert _with_last_seen(finding).last_seen == AS_OF + 3 * DAY


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


# --- last seen without rewriting every open finding -----------------------------------------------

def _finding_writes(scan, as_of, **area) -> list[str]:
    """The UPDATE/INSERT statements a run sends to the findings table."""
    with CaptureQueriesContext(connection) as ctx:
        scan(as_of=as_of, **area)
    table = Finding._meta.db_table
    return [q["sql"] for q in ctx.captured_queries
            if table in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


@pytest.mark.clause("art_19__para_1")
def test_a_repeat_scan_writes_nothing_to_the_findings_it_sees_again(scan):
    """Seen again is the steady state of a nightly scan: the run leaves one watermark per rule,
    not one new row version per open finding (what made PostgreSQL slow at city scale)."""
    systems = [f.SystemFactory(retention_days=10) for _ in range(5)]
    scan(as_of=AS_OF)
    assert _finding_writes(scan, AS_OF + DAY) == []
    assert {_with_last_seen(x).last_seen for x in Finding.objects.filter(rule_id=ART19)} == {AS_OF + DAY}
    _retention(systems[0], 30)
    resolved = Finding.objects.get(rule_id=ART19, subject_id=systems[0].pk)
    writes = _finding_writes(scan, AS_OF + 2 * DAY)  # only the one that went away is written
    assert writes and all(w.upper().startswith("UPDATE") and f'"id" IN ({resolved.pk})' in w for w in writes)
    # frozen at the last run that saw it, not the run that found it gone
    resolved = _with_last_seen(resolved)
    assert (resolved.status, resolved.last_seen) == (FindingStatus.RESOLVED, AS_OF + DAY)
    scan(as_of=AS_OF + 3 * DAY)
    assert _with_last_seen(resolved).last_seen == AS_OF + DAY


def test_a_site_recheck_and_a_district_run_date_only_their_own_findings(scan):
    wuhua_site = f.SiteFactory(unit=f.UnitFactory(district_id="530102"))
    here = f.SystemFactory(retention_days=10, site=wuhua_site)
    beside = f.SystemFactory(retention_days=10, site=f.SiteFactory(unit=wuhua_site.unit))
    panlong = f.SystemFactory(retention_days=10, site=f.SiteFactory(unit=f.UnitFactory(district_id="530103")))
    scan(as_of=AS_OF)
    scan(as_of=AS_OF + DAY, site=wuhua_site.code)
    scan(as_of=AS_OF + 2 * DAY, district="530103")
    seen = dict(Finding.objects.with_last_seen().filter(rule_id=ART19).values_list("subject_id", "last_seen"))
    assert seen == {here.pk: AS_OF + DAY, beside.pk: AS_OF, panlong.pk: AS_OF + 2 * DAY}


def test_last_seen_is_the_as_of_date_of_the_latest_run_that_saw_it(scan):
    system = f.SystemFactory(retention_days=10)
    scan(as_of=AS_OF + 5 * DAY)
    scan(as_of=AS_OF)  # a run for an earlier day is still the latest run that saw it
    assert _with_last_seen(Finding.objects.get(rule_id=ART19)).last_seen == AS_OF
    late = f.SystemFactory(retention_days=10, site=system.site)
    scan(as_of=AS_OF + DAY, site=system.site.code)
    dates = dict(Finding.objects.with_last_seen().filter(rule_id=ART19).values_list("subject_id", "last_seen"))
    assert dates == {system.pk: AS_OF + DAY, late.pk: AS_OF + DAY}


def test_a_hand_raised_finding_keeps_its_recorded_date(scan, city_officer):
    site = f.SiteFactory(art6_point=None)
    finding = services.finding_raise(actor=city_officer, pack_id=KUNMING, clause_id="art_21__para_1__point_2",
                                     subject=site, facts={}, explanation_zh="未落实值班", explanation_en="no duty")
    scan(as_of=finding.first_seen + 30 * DAY)  # watermarks are for the engine's rules, not "manual"
    assert _with_last_seen(finding).last_seen == finding.first_seen


def test_a_subject_moved_to_another_district_is_seen_again_not_found_twice(scan):
    """The finding keeps the district it was found in; a run over the new district sees the same
    fingerprint open and must not insert a second open finding (the unique constraint forbids it)."""
    system = f.SystemFactory(retention_days=10, site=f.SiteFactory(unit=f.UnitFactory(district_id="530102")))
    scan(as_of=AS_OF)
    for model, pk in ((m.Site, system.site_id), (m.SecuritySystem, system.pk)):
        model.objects.filter(pk=pk).update(district_id="530103")
    run = scan(as_of=AS_OF + DAY, district="530103")
    assert (run.counts["new"], run.counts["still_open"]) == (0, 1)
    finding = Finding.objects.get(rule_id=ART19)
    assert (finding.status, _with_last_seen(finding).last_seen) == (FindingStatus.OPEN, AS_OF + DAY)
