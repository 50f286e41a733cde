"""The duty records through the API: same services, same scope, evidence cannot be rewritten."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from jifang.duties import services
from jifang.duties.models import FootageUse, Outage, OutageCause, OutageSource
from tests.duties.conftest import put_on_roster
from tests.factories import DeviceFactory, SiteFactory, SystemFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def camera(wuhua_unit):
    device = DeviceFactory(system=SystemFactory(site=SiteFactory(unit=wuhua_unit)))
    put_on_roster(device.site)  # 张三 keeps watch there all year (art_21 point 1)
    return device


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_outages_listed_in_scope_and_explained_once(unit_user, panlong_officer, camera):
    outage = services.outage_open(source=OutageSource.VIDEO_GATEWAY, device=camera, started_at=T0)
    rows = api(unit_user).get("/api/outages/").json()["results"]
    assert [r["id"] for r in rows] == [outage.pk] and rows[0]["justified"] is None
    assert api(panlong_officer).get("/api/outages/").json()["results"] == []
    assert api(panlong_officer).get(f"/api/outages/{outage.pk}/").status_code == 404
    done = api(unit_user).post(f"/api/outages/{outage.pk}/explain/", {"cause": "power_cut", "note": "停电"})
    assert done.status_code == 200 and done.json()["justified"] is True
    again = api(unit_user).post(f"/api/outages/{outage.pk}/explain/", {"cause": "fault", "note": "改"})
    assert again.status_code == 400
    assert Outage.objects.get().cause == OutageCause.POWER_CUT


def test_evidence_cannot_be_patched_or_deleted(unit_user, camera):
    outage = services.outage_open(source=OutageSource.VIDEO_GATEWAY, device=camera, started_at=T0)
    client = api(unit_user)
    assert client.patch(f"/api/outages/{outage.pk}/", {"cause": "power_cut"}).status_code == 405
    assert client.delete(f"/api/outages/{outage.pk}/").status_code == 405
    assert Outage.objects.get().cause == OutageCause.UNKNOWN


def test_a_register_entry_through_the_api(unit_user, wuhua_officer, camera):
    response = api(unit_user).post("/api/footage-uses/", {
        "system": camera.system_id, "kind": "view", "recording_from": "2026-11-01T08:00:00+08:00",
        "recording_to": "2026-11-01T09:00:00+08:00", "cameras": [camera.pk], "used_at": "2026-11-02T10:00:00+08:00",
        "user_name": "张三", "purpose": "回看"}, format="json")
    assert response.status_code == 201, response.content
    assert FootageUse.objects.get().cameras.get() == camera
    assert api(wuhua_officer).post("/api/footage-uses/", {}, format="json").status_code in (400, 403)
    assert len(api(wuhua_officer).get("/api/footage-uses/").json()["results"]) == 1
