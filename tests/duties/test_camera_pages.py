"""Camera baselines on the pages and in the API: the unit records an approved change, the district
police record what they find (the form starts from the baseline), others see nothing."""
import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jifang.duties.camera import CameraBaseline, CameraRecord
from tests.factories import DeviceFactory, SiteFactory, SystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(wuhua_unit):
    return DeviceFactory(system=SystemFactory(site=SiteFactory(unit=wuhua_unit)), name="金库门口摄像机")


APPROVED = {"position": "金库门外走廊", "direction": "朝向金库门", "purpose": "金库出入监控",
            "approved_by_name": "王行长", "effective_at": "2026-10-01T09:00", "reason": ""}


@pytest.mark.clause("art_21__para_1__point_4")
def test_the_unit_approves_and_the_district_records_what_it_finds(client, unit_user, wuhua_officer,
                                                                 panlong_officer, camera):
    client.force_login(unit_user)
    response = client.post(reverse("duties:camerarecord_add"), {"device": camera.pk, **APPROVED})
    assert response.status_code == 302, response.content.decode()[:2000]
    baseline = CameraBaseline.objects.get(device=camera)
    assert baseline.approved_at == dt.datetime(2026, 10, 1, 1, 0, tzinfo=dt.UTC)  # typed in Kunming's time
    # the police may not approve; they record what they find, starting from the baseline
    client.force_login(wuhua_officer)
    assert client.get(reverse("duties:camerarecord_add")).status_code == 403
    form = client.get(reverse("duties:camerarecord_found") + f"?device={camera.pk}")
    assert "金库门外走廊" in form.content.decode()
    response = client.post(reverse("duties:camerarecord_found"), {
        "device": camera.pk, "position": "金库门外走廊", "direction": "朝向员工通道", "purpose": "金库出入监控",
        "effective_at": "2026-11-02T10:00", "reason": "检查时发现镜头转向"})
    assert response.status_code == 302
    baseline.refresh_from_db()
    assert baseline.found_direction == "朝向员工通道"
    page = client.get(baseline.get_absolute_url()).content.decode()
    assert "朝向员工通道" in page and "王行长" in page
    # another district sees neither the baseline nor the records
    client.force_login(panlong_officer)
    assert client.get(baseline.get_absolute_url()).status_code == 404
    assert "金库" not in client.get(reverse("duties:camerabaseline_list")).content.decode()


def test_the_api_takes_both_kinds_and_keeps_the_scope(unit_user, wuhua_officer, panlong_officer, firm_user, camera):
    unit = APIClient()
    unit.force_authenticate(unit_user)
    created = unit.post("/api/camera-records/", {"device": camera.pk, "kind": "approved",
                                                  **APPROVED, "effective_at": "2026-10-01T09:00:00+08:00"},
                        format="json")
    assert created.status_code == 201, created.content
    police = APIClient()
    police.force_authenticate(wuhua_officer)
    refused = police.post("/api/camera-records/", {"device": camera.pk, "kind": "approved", **APPROVED,
                                                    "effective_at": "2026-10-02T09:00:00+08:00", "reason": "x"},
                          format="json")
    assert refused.status_code in (400, 403)
    found = police.post("/api/camera-records/", {"device": camera.pk, "kind": "found", "position": "大厅",
                                                  "direction": "朝向金库门", "purpose": "金库出入监控",
                                                  "effective_at": "2026-11-02T10:00:00+08:00"}, format="json")
    assert found.status_code == 201, found.content
    assert police.get("/api/camera-baselines/").json()["results"][0]["found_position"] == "大厅"
    assert police.delete(f"/api/camera-records/{created.json()['id']}/").status_code == 405
    for outsider in (panlong_officer, firm_user):
        client = APIClient()
        client.force_authenticate(outsider)
        assert client.get("/api/camera-records/").json()["results"] == []
        assert client.get("/api/camera-baselines/").json()["results"] == []
    assert CameraRecord.objects.count() == 2
