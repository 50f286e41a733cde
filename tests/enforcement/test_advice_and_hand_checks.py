"""Advice never reaches enforcement (no order, no confirmation at an inspection, no fine), and the
clauses only an inspector can establish (art_22 points 1, 4, 5) are raised by hand at an inspection."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jifang.enforcement import services
from jifang.enforcement.models import InspectionFinding
from jifang.regulation import services as scans
from jifang.regulation.models import Finding, Stage


pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 1)


@pytest.fixture
def advice(wuhua_site):
    """A system of the site in use for two years with no maintenance record: the engine's advice."""
    system = wuhua_site.systems.get()
    system.in_use_since = AS_OF - dt.timedelta(days=730)
    system.save(update_fields=["in_use_since"])
    scans.scan(actor=None, as_of=AS_OF)
    return Finding.objects.get(rule_id="art20-no-maintenance-for-a-year")


@pytest.mark.clause("art_20__para_1__point_2")
def test_advice_is_never_ordered_confirmed_or_fined(advice, wuhua_officer, wuhua_site, clock):
    assert advice.outcome == "advice" and advice.sanction == {}
    with pytest.raises(ValidationError, match="不是待处理的违规"):
        services.rectification_order_issue(actor=wuhua_officer, findings=[advice], deadline=clock.today()
                                           + dt.timedelta(days=30))
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    with pytest.raises(ValidationError, match="只能确认"):
        services.inspection_finding_confirm(actor=wuhua_officer, inspection=insp, finding=advice)
    advice.refresh_from_db()
    assert advice.stage == Stage.DETECTED and not InspectionFinding.objects.exists()


@pytest.mark.parametrize("clause_id", [
    pytest.param("art_22__para_1__point_1", marks=pytest.mark.clause("art_22__para_1__point_1")),
    pytest.param("art_22__para_1__point_4", marks=pytest.mark.clause("art_22__para_1__point_4")),
    pytest.param("art_22__para_1__point_5", marks=pytest.mark.clause("art_22__para_1__point_5")),
])
def test_an_inspector_raises_what_only_an_inspection_can_establish(wuhua_officer, panlong_officer, wuhua_site,
                                                                   clock, clause_id):
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    link = services.inspection_finding_raise(actor=wuhua_officer, inspection=insp, clause_id=clause_id,
                                             explanation_zh="检查发现录像主机中近三日录像被人为删除")
    finding = link.finding
    assert (finding.clause_id, finding.outcome, finding.sanction["article"]) == (clause_id, "violation", "art_25")
    assert finding.unit_id == wuhua_site.unit_id
    # the finding can go on to an order like any violation
    order = services.rectification_order_issue(actor=wuhua_officer, findings=[finding],
                                               deadline=clock.today() + dt.timedelta(days=30))
    assert order.items.get().finding_id == finding.pk
    # an officer of another district cannot raise it here
    other = services.inspection_create
    with pytest.raises(Exception):
        other(actor=panlong_officer, site=wuhua_site, inspected_on=clock.today())
