"""The works API: the same scope, services and board as the pages."""
import pytest
from rest_framework.test import APIClient

from jifang.works import services as s
from jifang.works.models import Acceptance, Works

from .. import factories as f
from .conftest import approve, complete, days_ago

pytestmark = pytest.mark.django_db


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_register_by_natural_keys_and_list_in_scope(unit_user, system, firm, wuhua_unit, panlong_officer):
    response = api(unit_user).post("/api/works/", {"system": system.code, "builder": wuhua_unit.credit_code,
                                                   "firm": firm.credit_code, "name": "改造", "kind": "rebuild"},
                                   format="json")
    assert response.status_code == 201, response.content
    works = Works.objects.get()
    assert response.json()["code"] == works.code and works.builder == wuhua_unit
    assert [r["id"] for r in api(unit_user).get("/api/works/").json()["results"]] == [works.pk]
    assert api(panlong_officer).get("/api/works/").json()["results"] == []
    assert api(panlong_officer).get(f"/api/works/{works.pk}/").status_code == 404


def test_system_outside_scope_does_not_resolve(unit_user, firm, wuhua_unit, panlong_unit):
    foreign = f.SystemFactory(site=f.SiteFactory(unit=panlong_unit))
    response = api(unit_user).post("/api/works/", {"system": foreign.code, "builder": wuhua_unit.pk, "firm": firm.pk,
                                                   "name": "x", "kind": "new"}, format="json")
    assert response.status_code == 400 and "system" in response.json()


def test_full_journey_through_the_api(works, unit_user, firm_user, wuhua_officer):
    complete(works, unit_user, firm_user)
    r = api(unit_user).post(f"/api/works/{works.pk}/schedule/", {"scheduled_for": days_ago(0).isoformat()},
                            format="json")
    assert r.status_code == 200, r.content
    acceptance = Acceptance.objects.get()
    board = api(wuhua_officer).get("/api/works/board/").json()
    attend = next(sec for sec in board if sec["key"] == "attend")
    assert [i["id"] for i in attend["items"]] == [acceptance.pk]
    assert api(wuhua_officer).post(f"/api/acceptances/{acceptance.pk}/attend/", {}, format="json").status_code == 200
    r = api(wuhua_officer).post(f"/api/acceptances/{acceptance.pk}/result/", {
        "held_on": days_ago(0).isoformat(), "reserved_interface": True,
        "items": [{"name": "图像质量", "passed": True}]}, format="json")
    assert r.status_code == 200 and r.json()["result"] == "passed"
    r = api(firm_user).post(f"/api/works/{works.pk}/file/", {"filed_on": days_ago(0).isoformat(),
                                                             "contact_name": "王", "contact_phone": "1"},
                            format="json")
    assert r.status_code == 200 and r.json()["filed_on"] == days_ago(0).isoformat()
    filings = api(wuhua_officer).get("/api/filings/").json()["results"]
    assert len(filings) == 1 and filings[0]["on_time"] is False  # completed 30 days ago
    timeline = api(unit_user).get(f"/api/works/{works.pk}/timeline/").json()
    assert [e["on"] for e in timeline] == sorted(e["on"] for e in timeline) and len(timeline) >= 6


@pytest.mark.clause("art_14__para_1")
def test_refusal_is_400_with_the_bilingual_message(works, unit_user):
    r = api(unit_user).post(f"/api/works/{works.pk}/schedule/", {"scheduled_for": days_ago(-1).isoformat()},
                            format="json")
    assert r.status_code == 400
    text = str(r.json())
    assert "第十四条第一款" in text and "art. 14 para. 1" in text
    assert not Acceptance.objects.exists()


def test_missing_right_is_403(works, unit_user, firm_user):
    approve(works, unit_user)
    r = api(firm_user).post(f"/api/works/{works.pk}/schedule/", {"scheduled_for": days_ago(-1).isoformat()},
                            format="json")
    assert r.status_code == 403


def test_police_issue_a_notice_and_the_operator_confirms(wuhua_officer, unit_user, wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), is_public_area=True, police_connected=False)
    r = api(wuhua_officer).post("/api/networking-notices/", {"system": system.code, "basis": "art_10__para_1",
                                                             "issued_on": days_ago(3).isoformat(),
                                                             "due_on": days_ago(-30).isoformat()}, format="json")
    assert r.status_code == 201, r.content
    r = api(unit_user).post(f"/api/networking-notices/{r.json()['id']}/confirm/",
                            {"connected_on": days_ago(1).isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "connected"
