import pytest

from jifang.registry.models import Device

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_site_pages_are_scoped(client, wuhua_officer, wuhua_unit, panlong_unit):
    mine = f.DeviceFactory(system=f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit)))
    other = f.DeviceFactory(system=f.SystemFactory(site=f.SiteFactory(unit=panlong_unit)))
    client.force_login(wuhua_officer)
    page = client.get("/registry/sites/").content.decode()
    assert mine.site.name in page and other.site.name not in page
    assert client.get(f"/registry/sites/{mine.site_id}/").status_code == 200
    assert client.get(f"/registry/sites/{other.site_id}/").status_code == 404
    assert client.get(f"/registry/devices/{other.pk}/edit/").status_code == 404


def test_unit_user_adds_a_device_through_the_form(client, unit_user, wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit))
    client.force_login(unit_user)
    response = client.post("/registry/devices/add/", {
        "serial": "HK-0001", "name": "大厅摄像机", "system": system.pk, "kind": "camera", "status": "active",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    device = Device.objects.get(serial="HK-0001")
    assert (device.site_id, device.unit_id, device.district_id) == (system.site_id, wuhua_unit.id, "530102")


def test_unit_user_cannot_add_a_device_to_another_units_system(client, unit_user, panlong_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=panlong_unit))
    client.force_login(unit_user)
    response = client.post("/registry/devices/add/", {"serial": "X-1", "system": system.pk, "kind": "camera",
                                                      "status": "active"})
    assert response.status_code == 200  # the form comes back with the error: the system is not a choice
    assert not Device.objects.filter(serial="X-1").exists()


def test_site_and_unit_pages_link_to_their_findings_and_case_file(client, wuhua_officer, firm_user, firm, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit)
    f.SystemFactory(site=site, firm=firm)
    client.force_login(wuhua_officer)
    page = client.get(f"/registry/sites/{site.pk}/").content.decode()
    assert f"/regulation/findings/?site={site.pk}" in page and f"/enforcement/casefile/site/{site.pk}/" in page
    page = client.get(f"/registry/units/{wuhua_unit.pk}/").content.decode()
    assert f"/regulation/findings/?unit={wuhua_unit.pk}" in page
    client.force_login(firm_user)  # a firm sees the site it works on, but no case file
    page = client.get(f"/registry/sites/{site.pk}/").content.decode()
    assert f"/regulation/findings/?site={site.pk}" in page and "/enforcement/casefile/" not in page


@pytest.mark.parametrize("value", ["1e200", "-8", "abc", str(2**64)])
def test_out_of_range_id_filters_are_form_errors_not_crashes(client, wuhua_officer, value):
    client.force_login(wuhua_officer)
    response = client.get(f"/registry/devices/?site={value}")
    assert response.status_code == 200
    assert "data-testid=\"filters\"" in response.content.decode()


@pytest.mark.parametrize("url", ["/regulation/findings/?site=1e200", "/enforcement/inspections/?unit=1e200",
                                 "/works/list/?firm=1e200"])
def test_every_id_filter_is_bounded(client, city_officer, url):
    client.force_login(city_officer)
    assert client.get(url).status_code == 200  # a form error on the filter, never a 500
