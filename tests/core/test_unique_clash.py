"""A key already registered outside the user's scope is refused without being named (issue 15 §4):
the UI, the API and the import say "registered elsewhere" and whom to contact; a clash with a row
the user can see names it by id, so they can open and update it."""
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jifang.core import dataset as ds
from jifang.registry import models as m

from .. import factories as f

ELSEWHERE = "已在其他辖区或单位登记"


@pytest.fixture
def panlong_site(db, panlong_unit):
    return f.SiteFactory(unit=panlong_unit, district_id="530103", code="PL-SECRET-01", name="盘龙机要库房")


def _says_elsewhere(text: str, hidden: m.Site) -> None:
    assert ELSEWHERE in text and "registered elsewhere" in text and "公安机关" in text
    assert hidden.name not in text and hidden.unit.name not in text and f"编号{hidden.pk}" not in text


def test_ui_form(client, wuhua_officer, wuhua_unit, panlong_site):
    client.force_login(wuhua_officer)
    response = client.post(reverse("registry:site_add"), {"code": panlong_site.code, "name": "新场所",
                                                          "unit": wuhua_unit.pk, "district": "530102"})
    assert response.status_code == 200  # the form again, with the error
    text = response.content.decode()
    _says_elsewhere(text, panlong_site)
    assert "具有" not in text  # not Django's "site with this code already exists" either
    assert not m.Site.objects.filter(name="新场所").exists()


def test_api(wuhua_officer, wuhua_unit, panlong_site):
    client = APIClient()
    client.force_authenticate(wuhua_officer)
    response = client.post("/api/sites/", {"code": panlong_site.code, "name": "新场所", "unit": wuhua_unit.credit_code,
                                           "district": "530102"}, format="json")
    assert response.status_code == 400
    _says_elsewhere(json.dumps(response.json(), ensure_ascii=False), panlong_site)


def test_import(wuhua_officer, wuhua_unit, panlong_site):
    doc = {"format": "jifang-dataset", "version": 1, "sheets": {"sites": [
        {"code": panlong_site.code, "name": "新场所", "unit": wuhua_unit.credit_code, "district": "530102"}]}}
    result = ds.dataset_import(actor=wuhua_officer, data=json.dumps(doc).encode())
    assert [e.row for e in result.errors] == [1]
    _says_elsewhere(result.errors[0].message, panlong_site)


def test_a_clash_inside_the_scope_names_the_row(client, wuhua_officer, wuhua_unit):
    mine = f.SiteFactory(unit=wuhua_unit, district_id="530102", code="WH-MINE-01")
    doc = {"format": "jifang-dataset", "version": 1, "sheets": {"sites": [
        {"code": mine.code, "name": "新场所", "unit": wuhua_unit.credit_code, "district": "530102"}]}}
    result = ds.dataset_import(actor=wuhua_officer, data=json.dumps(doc).encode())
    assert f"已登记（编号{mine.pk}）" in result.errors[0].message
    client.force_login(wuhua_officer)
    response = client.post(reverse("registry:site_add"), {"code": mine.code, "name": "新场所", "unit": wuhua_unit.pk,
                                                          "district": "530102"})
    assert f"已登记（编号{mine.pk}）" in response.content.decode()
    # the console (jifang import without --as) sees everything
    result = ds.dataset_import(actor=ds.SYSTEM, data=json.dumps(doc).encode())
    assert f"已登记（编号{mine.pk}）" in result.errors[0].message
