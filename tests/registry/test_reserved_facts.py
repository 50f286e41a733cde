"""Issue 15 §1, reproduced: facts the law reserves to a procedure come only from that procedure.

Each attack reported (a unit user creates a planned system and PATCHes it to passed / in use /
connected; a firm turns a failed acceptance into a passed one; the edit form offers the same) is
replayed here through the API, the edit form and the import, and must change nothing. The way
that remains: the police or an administrator correct, with a reason (audited); administrators and
the console load an older registry's history, shown as such on the object."""
import datetime as dt
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jifang.core.dataset import SYSTEM, dataset_import
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.models import AuditEntry
from jifang.core.services import correct_object
from jifang.registry import models as m

from .. import factories as f

pytestmark = pytest.mark.django_db

PASSED_AND_LIVE = {"acceptance_result": "passed", "acceptance_date": "2026-01-05", "status": "in_use",
                   "police_connected": True}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def planned(wuhua_unit, firm):
    site = f.SiteFactory(unit=wuhua_unit, district_id="530102")
    return f.SystemFactory(site=site, firm=firm, status="planned", acceptance_result="", acceptance_date=None,
                           reserved_interface=None, police_connected=False, police_connected_since=None)


def _unchanged(system, **expected):
    system.refresh_from_db()
    for name, value in expected.items():
        assert getattr(system, name) == value, name


@pytest.mark.clause("art_14__para_2")
def test_unit_creates_a_planned_system_and_cannot_patch_it_to_passed_in_use_and_connected(unit_user, wuhua_unit):
    client = api(unit_user)
    site = f.SiteFactory(unit=wuhua_unit, district_id="530102")
    created = client.post("/api/systems/", {"code": "ATK-1", "name": "攻击", "site": site.code}, format="json")
    assert created.status_code == 201, created.content
    system = m.SecuritySystem.objects.get(code="ATK-1")
    for name, value in PASSED_AND_LIVE.items():
        response = client.patch(f"/api/systems/{system.pk}/", {name: value}, format="json")
        assert response.status_code in (400, 403), (name, response.content)
    response = client.patch(f"/api/systems/{system.pk}/", PASSED_AND_LIVE, format="json")
    assert response.status_code == 403 and "竣工验收" in response.json()["detail"]
    _unchanged(system, acceptance_result="", acceptance_date=None, status="planned", police_connected=False)


@pytest.mark.clause("art_14__para_2")
def test_unit_cannot_register_a_system_already_passed_or_connected(unit_user, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit, district_id="530102")
    for extra in ({"acceptance_result": "passed"}, {"status": "accepted"}, {"police_connected": True},
                  {"reserved_interface": True}):
        response = api(unit_user).post("/api/systems/", {"code": "ATK-2", "name": "攻击", "site": site.code, **extra},
                                       format="json")
        assert response.status_code == 403, (extra, response.content)
    assert not m.SecuritySystem.objects.filter(code="ATK-2").exists()


@pytest.mark.clause("art_14__para_2")
def test_firm_cannot_turn_a_failed_acceptance_into_a_passed_one(firm_user, planned):
    m.SecuritySystem.objects.filter(pk=planned.pk).update(status="accepted", acceptance_result="failed",
                                                          acceptance_date=dt.date(2026, 1, 5))
    response = api(firm_user).patch(f"/api/systems/{planned.pk}/", {"acceptance_result": "passed"}, format="json")
    assert response.status_code == 403
    _unchanged(planned, acceptance_result="failed")


def test_the_police_and_admins_cannot_plainly_edit_reserved_facts_either(city_officer, admin_user, planned):
    for user in (city_officer, admin_user):
        response = api(user).patch(f"/api/systems/{planned.pk}/", {"acceptance_result": "passed"}, format="json")
        assert response.status_code == 403, response.content
    _unchanged(planned, acceptance_result="")


@pytest.mark.clause("art_14__para_2")
def test_the_edit_form_offers_no_reserved_fact_and_ignores_one_slipped_in(client, unit_user, planned):
    client.force_login(unit_user)
    url = reverse("registry:securitysystem_edit", args=[planned.pk])
    page = client.get(url).content.decode()
    for name in ("acceptance_result", "acceptance_date", "acceptance_certificate", "reserved_interface",
                 "police_connected", "police_connected_since"):
        assert f'name="{name}"' not in page, name
    assert '<option value="accepted"' not in page  # the status the acceptance alone gives
    client.post(url, {"code": planned.code, "name": planned.name, "status": "planned",
                      "acceptance_result": "passed", "acceptance_date": "2026-01-05", "police_connected": "on"})
    _unchanged(planned, acceptance_result="", acceptance_date=None, police_connected=False)


@pytest.mark.clause("art_14__para_2")
def test_units_and_firms_cannot_import_acceptance_or_connection_facts(unit_user, firm_user, planned):
    for user in (unit_user, firm_user):
        for name, value in PASSED_AND_LIVE.items():
            doc = {"format": "jifang-dataset", "version": 1,
                   "sheets": {"systems": [{"id": planned.pk, "code": planned.code, name: value}]}}
            result = dataset_import(actor=user, data=json.dumps(doc).encode())
            assert not result.ok, (user.role, name)
    _unchanged(planned, acceptance_result="", status="planned", police_connected=False)


def test_works_history_import_is_refused_to_parties(unit_user, planned, wuhua_unit, firm):
    doc = {"format": "jifang-dataset", "version": 1, "sheets": {"works": [{
        "code": "GC-ATK", "name": "假工程", "kind": "new", "status": "in_use", "system": planned.code,
        "builder": wuhua_unit.credit_code, "firm": firm.credit_code, "registered_on": "2025-01-01",
        "accepted_on": "2025-03-01", "live_on": "2025-03-02"}]}}
    result = dataset_import(actor=unit_user, data=json.dumps(doc).encode())
    assert not result.ok and "技防工程的办理步骤" in str(result.errors[0])


def test_an_admin_loads_an_older_registrys_acceptance_as_imported_history(client, admin_user, planned):
    doc = {"format": "jifang-dataset", "version": 1, "sheets": {"systems": [
        {"id": planned.pk, "code": planned.code, "acceptance_result": "passed", "acceptance_date": "2019-06-01",
         "status": "in_use"}]}}
    result = dataset_import(actor=admin_user, data=json.dumps(doc).encode())
    assert result.ok, result.errors
    _unchanged(planned, acceptance_result="passed", status="in_use")
    entry = AuditEntry.objects.get(action="registry.securitysystem.history", object_id=str(planned.pk))
    assert entry.actor_label == admin_user.username
    # the console too (`jifang import` without --as)
    doc["sheets"]["systems"][0]["acceptance_certificate"] = "YS-2019-01"
    assert dataset_import(actor=SYSTEM, data=json.dumps(doc).encode()).ok
    client.force_login(admin_user)
    page = client.get(reverse("registry:securitysystem_detail", args=[planned.pk])).content.decode()
    assert 'data-testid="fact-origins"' in page and "导入的历史记录" in page


def test_the_police_correct_with_a_reason_and_it_is_audited(client, wuhua_officer, planned):
    with pytest.raises(ServiceError):
        correct_object(actor=wuhua_officer, obj=planned, data={"acceptance_result": "failed"}, reason=" ")
    with pytest.raises(ServiceError):  # a plain field is not corrected, it is edited
        correct_object(actor=wuhua_officer, obj=planned, data={"name": "x"}, reason="录入错误")
    response = api(wuhua_officer).post(f"/api/systems/{planned.pk}/correct/", {
        "acceptance_result": "failed", "acceptance_date": "2026-01-05", "reason": "验收报告载明不合格，原登记有误"},
        format="json")
    assert response.status_code == 200, response.content
    _unchanged(planned, acceptance_result="failed", acceptance_date=dt.date(2026, 1, 5))
    entry = AuditEntry.objects.get(action="registry.securitysystem.correct")
    assert entry.note == "验收报告载明不合格，原登记有误" and entry.before["acceptance_result"] == ""
    assert api(wuhua_officer).post(f"/api/systems/{planned.pk}/correct/", {"name": "x", "reason": "原登记有误"},
                                   format="json").status_code == 400
    # the UI: a correction page with the reason; the detail page says the facts were corrected
    client.force_login(wuhua_officer)
    url = reverse("registry:securitysystem_correct", args=[planned.pk])
    client.post(url, {"status": "accepted", "acceptance_result": "passed", "acceptance_date": "2026-01-06",
                      "acceptance_certificate": "YS-1", "reserved_interface": "true", "police_connected": "",
                      "reason": "复核验收报告后更正"})
    _unchanged(planned, acceptance_result="passed", acceptance_certificate="YS-1")
    page = client.get(reverse("registry:securitysystem_detail", args=[planned.pk])).content.decode()
    assert "复核验收报告后更正" in page and 'data-testid="correct"' in page


def test_units_firms_and_other_districts_cannot_correct(client, unit_user, firm_user, panlong_officer,
                                                        department_officer, planned):
    for user in (unit_user, firm_user, department_officer):
        with pytest.raises(NotPermitted):
            correct_object(actor=user, obj=planned, data={"acceptance_result": "passed"}, reason="我说合格")
        response = api(user).post(f"/api/systems/{planned.pk}/correct/",
                                  {"acceptance_result": "passed", "reason": "我说合格"}, format="json")
        assert response.status_code in (403, 404)
        client.force_login(user)
        assert client.get(reverse("registry:securitysystem_correct", args=[planned.pk])).status_code in (403, 404)
    response = api(panlong_officer).post(f"/api/systems/{planned.pk}/correct/",
                                         {"acceptance_result": "passed", "reason": "越权更正"}, format="json")
    assert response.status_code == 404
    _unchanged(planned, acceptance_result="")


@pytest.mark.clause("art_6__para_1__point_10")
def test_a_point_10_designation_comes_only_from_police_officers(unit_user, admin_user, wuhua_officer, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit, district_id="530102", art6_point=None)
    designation = {"art6_point": 10, "designation_number": "五公技指〔2026〕1号", "designation_date": "2026-02-01"}
    for user in (unit_user, admin_user):
        response = api(user).patch(f"/api/sites/{site.pk}/", designation, format="json")
        assert response.status_code == 403, (user.role, response.content)
    site.refresh_from_db()
    assert site.art6_point is None
    assert api(wuhua_officer).patch(f"/api/sites/{site.pk}/", designation, format="json").status_code == 200
    site.refresh_from_db()
    assert site.art6_point == 10 and site.designation_number == "五公技指〔2026〕1号"
    # an administrator corrects a designation only explicitly, with a reason
    correct_object(actor=admin_user, obj=site, data={"designation_number": "五公技指〔2026〕2号"}, reason="文号录入错误")
    assert AuditEntry.objects.filter(action="registry.site.correct", note="文号录入错误").exists()


def test_networking_facts_come_from_the_notice_confirmation(wuhua_officer, unit_user, wuhua_unit):
    from jifang.works import services as works

    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit, district_id="530102"), is_public_area=True,
                             police_connected=False, police_connected_since=None)
    notice = works.notice_issue(actor=wuhua_officer, system=system, basis="art_10__para_1",
                                due_on=dt.date.today() + dt.timedelta(days=30))
    works.notice_confirm(actor=unit_user, notice=notice, connected_on=dt.date.today())
    _unchanged(system, police_connected=True, police_connected_since=dt.date.today())
    entry = AuditEntry.objects.get(action="registry.securitysystem.networking")
    assert entry.actor_label == unit_user.username
