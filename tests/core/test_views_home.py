"""The home page per role: scoped figures, the per-district table for the city, what needs attention,
and the panels other apps register."""
import re

import pytest
from django.urls import reverse

from jifang.dashboards import panels
from jifang.dashboards.selectors import home_figures

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(wuhua_unit, panlong_unit, firm):
    """Wuhua: a bank site with an accepted system in use (firm), a faulty camera; a mandatory site with no
    system. Panlong: a hotel site with a system in use that never passed acceptance, retention unknown."""
    bank = f.SiteFactory(unit=wuhua_unit, art6_point=5)
    f.SiteFactory(unit=wuhua_unit, art6_point=8, name="无系统的商场")
    bank_system = f.SystemFactory(site=bank, firm=firm)
    f.DeviceFactory(system=bank_system, status="faulty")
    f.DeviceFactory(system=bank_system)
    hotel = f.SiteFactory(unit=panlong_unit, art6_point=None)
    hotel_system = f.SystemFactory(site=hotel, acceptance_result="", acceptance_date=None, retention_days=None)
    f.DeviceFactory(system=hotel_system, status="offline")
    return {"bank_system": bank_system, "hotel_system": hotel_system}


def count(page: str, key: str) -> int:
    return int(re.search(rf'data-count="{key}">([\d,]+)<', page).group(1).replace(",", ""))


def test_city_officer_sees_the_whole_city_by_district(client, city, city_officer):
    client.force_login(city_officer)
    page = client.get(reverse("home")).content.decode()
    assert (count(page, "sites"), count(page, "mandatory"), count(page, "systems"), count(page, "devices")) == (3, 2, 2, 3)
    figures = home_figures(city_officer)
    rows = {r["code"]: r for r in figures["districts"]}
    assert len(rows) == 14
    assert (rows["530102"]["sites"], rows["530102"]["mandatory_without_system"], rows["530102"]["devices"]) == (2, 1, 2)
    assert (rows["530103"]["sites"], rows["530103"]["in_use"], rows["530111"]["sites"]) == (1, 1, 0)
    assert 'data-district="530102"' in page and "五华区（530102）" in page


def test_district_officer_sees_their_district_without_the_city_table(client, city, wuhua_officer):
    client.force_login(wuhua_officer)
    page = client.get(reverse("home")).content.decode()
    assert (count(page, "sites"), count(page, "systems"), count(page, "devices")) == (2, 1, 2)
    assert 'data-testid="districts"' not in page
    attention = {item["key"]: item["count"] for item in home_figures(wuhua_officer)["attention"]}
    # the Panlong system in use without acceptance is not Wuhua's business
    assert attention == {"mandatory_without_system": 1, "devices_faulty": 1}


def test_attention_links_open_the_matching_rows(client, city, city_officer):
    client.force_login(city_officer)
    items = {item["key"]: item for item in home_figures(city_officer)["attention"]}
    assert {k: v["count"] for k, v in items.items()} == {
        "mandatory_without_system": 1, "in_use_unaccepted": 1, "facts_missing": 1, "devices_faulty": 1,
        "devices_offline": 1}
    for item in items.values():
        response = client.get(f'{reverse(item["url"])}?{item["query"]}')
        assert len(response.context["page"].rows) == item["count"], item["key"]


def test_firm_user_counts_the_systems_it_maintains(client, city, firm_user):
    figures = home_figures(firm_user)
    assert (figures["systems"]["total"], figures["devices"]["total"], figures["districts"]) == (1, 2, None)
    by_status = {value: n for _, value, n in figures["systems"]["by_status"]}
    assert by_status["in_use"] == 1 and by_status["planned"] == 0


def test_unit_user_sees_their_units_figures(client, city, unit_user):
    client.force_login(unit_user)
    page = client.get(reverse("home")).content.decode()
    assert (count(page, "units"), count(page, "sites"), count(page, "devices")) == (1, 2, 2)
    assert 'data-attention="mandatory_without_system"' in page and 'data-attention="in_use_unaccepted"' not in page


def test_home_panels_from_other_apps_render_in_order_for_whom_they_choose(client, city, unit_user, tmp_path, settings):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "panel.html").write_text("<p class='test-panel'>{{ panel.text }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    panels.register(panels.HomePanel(key="zz-test-b", template="p/panel.html", order=2,
                                     context=lambda user: {"text": f"B for {user.username}"}))
    panels.register(panels.HomePanel(key="zz-test-a", template="p/panel.html", order=1, context=lambda user: {"text": "A"}))
    panels.register(panels.HomePanel(key="zz-test-none", template="p/panel.html", context=lambda user: None))
    try:
        client.force_login(unit_user)
        page = client.get(reverse("home")).content.decode()
        assert page.index(">A<") < page.index("B for unituser")
        assert 'data-panel="zz-test-none"' not in page
    finally:
        for key in ("zz-test-a", "zz-test-b", "zz-test-none"):
            panels.unregister(key)
