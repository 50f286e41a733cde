"""The city at a glance: charts drawn from scoped aggregates, each bar linking to the list behind it."""
import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jifang.dashboards import charts
from jifang.enforcement.models import (
    AmountStage, CaseStatus, PenaltyAmount, PenaltyCase, PenaltyDecision, RectificationOrder,
)
from jifang.regulation.models import Finding
from jifang.regulation.labels import clause_label, pack_short
from jifang.registry.models import Site
from tests import factories as f

pytestmark = pytest.mark.django_db


def _city(n: int, unit, district="530102"):
    """n mandatory sites, every other one with a system."""
    for i in range(n):
        site = f.SiteFactory(unit=unit, district_id=district, art6_point=5)
        if i % 2 == 0:
            f.SystemFactory(site=site)


def _bar(chart, label):
    return next(b for b in chart.bars if b.label == label)


def test_mandatory_sites_with_and_without_a_system_per_district(city_officer, wuhua_unit, panlong_unit):
    _city(3, wuhua_unit)
    _city(2, panlong_unit, "530103")
    f.SiteFactory(unit=wuhua_unit, art6_point=None)  # not required: not counted
    chart = charts.mandatory_sites(city_officer, "district")
    wuhua = _bar(chart, "五华区")
    assert [s.value for s in wuhua.segments] == [2, 1]
    assert [s.value for s in _bar(chart, "盘龙区").segments] == [1, 1]
    assert {b.label for b in chart.bars} == {"五华区", "盘龙区"}


def test_a_district_officer_sees_only_their_district(wuhua_officer, wuhua_unit, panlong_unit):
    _city(3, wuhua_unit)
    _city(2, panlong_unit, "530103")
    assert [b.label for b in charts.mandatory_sites(wuhua_officer, "district").bars] == ["五华区"]
    by_category = charts.mandatory_sites(wuhua_officer, "category")
    assert [b.total for b in by_category.bars] == [3]


def test_each_bar_links_to_the_list_with_the_same_rows(client, city_officer, wuhua_unit):
    _city(5, wuhua_unit)
    client.force_login(city_officer)
    without = _bar(charts.mandatory_sites(city_officer, "district"), "五华区").segments[1]
    assert without.value == 2
    page = client.get(without.url)
    assert page.status_code == 200
    expected = Site.objects.filter(art6_point__isnull=False, systems__isnull=True).values_list("name", flat=True)
    html = page.content.decode()
    assert all(name in html for name in expected)


def test_the_page_costs_the_same_queries_at_any_size(client, city_officer, wuhua_unit, panlong_unit):
    client.force_login(city_officer)
    _city(2, wuhua_unit)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboards:charts")).status_code == 200
    _city(12, panlong_unit, "530103")
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("dashboards:charts"))
    assert len(large) == len(small)
    html = response.content.decode()
    assert html.count('data-testid="chart-') >= 7 and "<svg" in html
    assert "http://" not in html.split("<body", 1)[1] and "https://" not in html.split("<body", 1)[1]


def test_units_and_firms_do_not_get_the_city_figures(client, unit_user, firm_user, department_officer):
    for user in (unit_user, firm_user):
        client.force_login(user)
        assert client.get(reverse("dashboards:charts")).status_code == 403
    client.force_login(department_officer)  # the read-only officers of other departments do
    assert client.get(reverse("dashboards:charts")).status_code == 200


def test_findings_orders_fines_and_filings_are_counted_where_their_lists_find_them(
        client, city_officer, wuhua_unit):
    from tests.enforcement.conftest import make_finding

    today = timezone.localdate()
    site = f.SiteFactory(unit=wuhua_unit, art6_point=5)
    finding = make_finding(site, "art_19__para_1")
    Finding.objects.filter(pk=finding.pk).update(first_seen=today)
    by_clause = charts.open_findings_by_clause(city_officer)
    kunming = finding.pack_id
    assert [(b.label, b.total) for b in by_clause.bars] == [
        (f"{pack_short(kunming)} {clause_label('art_19__para_1', pack_id=kunming)}", 1)]
    weekly = charts.findings_per_week(city_officer, today)
    assert len(weekly.bars) == charts.WEEKS and weekly.bars[-1].total == 1
    client.force_login(city_officer)
    for url in (by_clause.bars[0].segments[0].url, weekly.bars[-1].segments[0].url):
        assert finding.subject_key in unescape(client.get(url).content.decode()), url
    # orders: each deadline bucket and its list agree
    for number, days in (("ORD-LATE", -2), ("ORD-WEEK", 3), ("ORD-LATER", 90)):
        RectificationOrder.objects.create(number=number, district_id="530102", unit=wuhua_unit, created_by=city_officer,
                                          deadline=today + dt.timedelta(days=days), served_at=timezone.now())
    deadlines = charts.order_deadlines(city_officer, today)
    assert [b.total for b in deadlines.bars] == [1, 1, 0, 1, 0]
    for bar, number in zip(deadlines.bars, ("ORD-LATE", "ORD-WEEK", None, "ORD-LATER"), strict=False):
        if number:
            listed = re.findall(r"ORD-[A-Z]+", client.get(bar.segments[0].url).content.decode())
            assert set(listed) == {number}, bar.label
    # fines: the decided amounts of this month
    order = RectificationOrder.objects.get(number="ORD-LATE")
    case = PenaltyCase.objects.create(number="CASE-1", district_id="530102", unit=wuhua_unit, created_by=city_officer,
                                      order=order, article="art_24", unit_kind="business", facts="事实",
                                      notice_served_at=timezone.now(), status=CaseStatus.DECIDED)
    PenaltyDecision.objects.create(number="JD-1", case=case, district_id="530102", unit=wuhua_unit,
                                   created_by=city_officer, facts="事实", decided_at=timezone.now(),
                                   served_at=timezone.now())
    PenaltyAmount.objects.create(case=case, stage=AmountStage.NOTICE, target="unit", amount=Decimal("9000"))
    PenaltyAmount.objects.create(case=case, stage=AmountStage.DECISION, target="unit", amount=Decimal("5000"))
    fines = charts.fines_per_month(city_officer, today)
    assert len(fines.bars) == charts.MONTHS and fines.bars[-1].total == Decimal("5000")
    assert "CASE-1" in client.get(fines.bars[-1].segments[0].url).content.decode()


def test_filters_behind_the_charts(client, city_officer):
    client.force_login(city_officer)
    for name, query in (("enforcement:rectificationorder_list", "open=true&deadline_after=2026-01-01"),
                        ("enforcement:penaltycase_list", "decided_after=2026-01-01&decided_before=2026-01-31"),
                        ("works:filing_list", "on_time=false"),
                        ("regulation:finding_list", "first_seen_after=2026-01-01&first_seen_before=2026-01-07")):
        assert client.get(f"{reverse(name)}?{query}").status_code == 200, name
