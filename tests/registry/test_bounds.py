"""Dates the law speaks of as past cannot be in the future, and a retention period stays within a
configured bound: one declaration on the model fields, obeyed by the UI forms, the API and the
import alike (issue 15 §4)."""
import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from jifang.core import dataset as ds
from jifang.registry import models as m

from .. import factories as f


def _future() -> dt.date:
    """A day after today in Asia/Shanghai, taken when the test runs (not at import: a suite that
    crosses Shanghai's midnight, 16:00 UTC, would make an import-time "tomorrow" today)."""
    return timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def system(db, wuhua_unit):
    return f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit, district_id="530102"), retention_days=30)


def test_api_refuses_future_dates_and_absurd_retention(wuhua_officer, system):
    client = APIClient()
    client.force_authenticate(wuhua_officer)
    url = f"/api/systems/{system.pk}/"
    future = _future()
    for body, field in (({"police_connected_since": future.isoformat()}, "police_connected_since"),
                        ({"retention_days": 100_000}, "retention_days"), ({"retention_days": 0}, "retention_days"),
                        ({"retention_days": 2**63}, "retention_days")):
        response = client.patch(url, body, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.content)
    system.refresh_from_db()
    assert system.retention_days == 30 and system.police_connected_since != future
    assert client.patch(url, {"retention_days": 90}, format="json").status_code == 200


def test_ui_form_refuses_a_future_designation_date(client, wuhua_officer, wuhua_unit):
    future = _future()
    client.force_login(wuhua_officer)
    response = client.post(reverse("registry:site_add"), {
        "code": "WH-FUT-1", "name": "未来场所", "unit": wuhua_unit.pk, "district": "530102", "art6_point": 10,
        "designation_number": "昆公技防〔2026〕1号", "designation_date": future.isoformat()})
    assert response.status_code == 200 and "不能晚于今天" in response.content.decode()
    assert not m.Site.objects.filter(code="WH-FUT-1").exists()


def test_import_refuses_them_per_cell(wuhua_officer, system):
    device = f.DeviceFactory(system=system)
    future = _future()
    doc = {"format": "jifang-dataset", "version": 1, "sheets": {
        "systems": [{"id": system.pk, "retention_days": 99_999}],
        "devices": [{"id": device.pk, "installed_on": future.isoformat()}]}}
    result = ds.dataset_import(actor=wuhua_officer, data=json.dumps(doc).encode())
    assert {(e.sheet, e.column.split(" (")[-1]) for e in result.errors} == {("systems", "retention_days)"),
                                                                           ("devices", "installed_on)")}
