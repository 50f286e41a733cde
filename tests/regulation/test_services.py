"""Who may scan what, and findings raised by hand by an inspector."""
import pytest

from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.models import AuditEntry
from jifang.registry import models as m
from jifang.regulation import services
from jifang.regulation.models import Finding
from tests import factories as f

from .conftest import AS_OF, KUNMING


def _system_in(district, **kw):
    return f.SystemFactory(site=f.SiteFactory(unit=f.UnitFactory(district_id=district)), **kw)


@pytest.mark.clause("art_5__para_2")
def test_a_district_officer_scans_only_their_district(wuhua_officer):
    _system_in("530102", retention_days=5)
    _system_in("530103", retention_days=5)
    run = services.scan(actor=wuhua_officer, as_of=AS_OF)
    assert run.area == "district:530102"
    assert set(Finding.objects.values_list("district_id", flat=True)) == {"530102"}
    with pytest.raises(NotPermitted):
        services.scan(actor=wuhua_officer, as_of=AS_OF, district="530103")


@pytest.mark.clause("art_5__para_2")
def test_a_district_officer_cannot_recheck_a_site_elsewhere(wuhua_officer):
    panlong = _system_in("530103")
    with pytest.raises(NotPermitted):
        services.scan(actor=wuhua_officer, as_of=AS_OF, site=panlong.site)


@pytest.mark.clause("art_5__para_2")
def test_the_city_scans_everything_and_others_may_not_scan(city_officer, unit_user, firm_user, department_officer):
    _system_in("530102", retention_days=5)
    _system_in("530103", retention_days=5)
    assert services.scan(actor=city_officer, as_of=AS_OF).counts["violation"] == 2
    for user in (unit_user, firm_user, department_officer):
        with pytest.raises(NotPermitted):
            services.scan(actor=user, as_of=AS_OF)


def test_a_one_site_recheck_by_site_code(city_officer):
    system = _system_in("530102", retention_days=5)
    _system_in("530102", retention_days=5)
    run = services.scan(actor=city_officer, as_of=AS_OF, site=system.site.code)
    assert run.area == f"site:{system.site_id}"
    assert list(Finding.objects.values_list("subject_key", flat=True)) == [system.code]


@pytest.mark.clause("art_21__para_1__point_2")
def test_an_inspector_raises_a_finding_no_data_can_check(wuhua_officer):
    system = _system_in("530102")
    finding = services.finding_raise(
        actor=wuhua_officer, pack_id=KUNMING, clause_id="art_21__para_1__point_2", subject=system,
        facts={"inspection": "2026-05-30"}, explanation_zh="未建立语音图像信息使用登记制度",
        explanation_en="no usage register kept",
    )
    assert (finding.rule_id, finding.subject_key, finding.district_id, finding.site_id) == (
        "manual", system.code, "530102", system.site_id)
    assert finding.clauses[0]["label"] == "第二十一条第（二）项"
    assert finding.sanction["article"] == "art_25" and finding.facts["raised_by"] == "wuhua"
    assert AuditEntry.objects.filter(action="regulation.finding.raise", object_id=str(finding.pk)).exists()
    with pytest.raises(ServiceError, match="already has an open finding"):
        services.finding_raise(actor=wuhua_officer, pack_id=KUNMING, clause_id="art_21__para_1__point_2",
                               subject=system, facts={}, explanation_zh="再次", explanation_en="again")


@pytest.mark.clause("art_22__para_1__point_3")
def test_a_raised_finding_on_a_unit_of_unknown_kind_keeps_both_art24_ranges(wuhua_officer):
    site = f.SiteFactory(unit=f.UnitFactory(kind=m.UnitKind.UNKNOWN), art6_point=1)
    finding = services.finding_raise(
        actor=wuhua_officer, pack_id=KUNMING, clause_id="art_6__para_1__point_1", subject=site, facts={},
        explanation_zh="现场检查发现未建系统", explanation_en="inspection found no system")
    assert finding.facts["unit_kind_gap"] is True and len(finding.sanction["fines"]) == 2
    assert not Finding.objects.filter(rule_id="art6-mandatory-site-without-system").exists()


def test_raising_is_refused_outside_the_area_for_declarative_clauses_and_for_non_police(
        wuhua_officer, unit_user):
    panlong = _system_in("530103")
    wuhua = _system_in("530102")
    ok = dict(pack_id=KUNMING, facts={}, explanation_zh="说明", explanation_en="note")
    with pytest.raises(NotPermitted):
        services.finding_raise(actor=wuhua_officer, clause_id="art_19__para_1", subject=panlong, **ok)
    with pytest.raises(ServiceError, match="sets no duty"):
        services.finding_raise(actor=wuhua_officer, clause_id="art_1__para_1", subject=wuhua, **ok)
    with pytest.raises(NotPermitted):
        services.finding_raise(actor=unit_user, clause_id="art_19__para_1", subject=wuhua, **ok)
    assert not Finding.objects.exists()


def test_an_unknown_district_is_refused(city_officer):
    with pytest.raises(ServiceError, match="no district 999999"):
        services.scan(actor=city_officer, as_of=AS_OF, district="999999")
