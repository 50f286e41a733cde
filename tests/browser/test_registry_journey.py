"""Key registry journeys in a real browser: a district officer finds devices and opens a site; a bank's
security manager (unit user) adds a device from the site's page; anyone switches to English."""
import pytest

from jifang.registry.models import Device

from .. import factories as f
from ..conftest import PASSWORD
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_officer_filters_devices_and_opens_a_site(page, wuhua_officer, wuhua_unit, panlong_unit):
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部")
    f.DeviceFactory(system=f.SystemFactory(site=site), serial="CAM-WH-1", kind="camera")
    f.DeviceFactory(system=f.SystemFactory(site=site), serial="PANEL-WH-1", kind="alarm_panel")
    f.DeviceFactory(system=f.SystemFactory(site=f.SiteFactory(unit=panlong_unit)), serial="CAM-PL-1")
    login(page, "wuhua", PASSWORD)
    assert page.locator("[data-count=devices]").inner_text() == "2"  # Panlong's device is not counted
    page.goto("/registry/devices/")
    table = page.locator("[data-testid=object-table]")
    assert "CAM-WH-1" in table.inner_text() and "CAM-PL-1" not in table.inner_text()
    page.select_option("#id_kind", "camera")
    page.click("[data-testid=filters] button[type=submit]")
    text = page.locator("[data-testid=object-table]").inner_text()
    assert "CAM-WH-1" in text and "PANEL-WH-1" not in text
    page.click("text=CAM-WH-1")
    page.click("[data-testid=attributes] >> text=五华支行营业部")
    assert page.locator("h1").inner_text().endswith("五华支行营业部")


def test_unit_user_adds_a_device_from_the_site_page(page, unit_user, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行金库")
    system = f.SystemFactory(site=site, name="金库视频监控系统")
    f.SitePartFactory(site=site, name="金库门", area_kind="vault")
    login(page, "unituser", PASSWORD)
    page.click("[data-testid=counts] >> text=场所")
    page.click("[data-testid=object-table] >> text=五华支行金库")
    page.click("[data-testid=add-device]")
    # opened from the site: its only system is chosen (the picker shows its code and name)
    assert page.input_value("input[name=system]") == str(system.pk)
    assert "金库视频监控系统" in page.input_value("#id_system")
    page.fill("#id_serial", "HIK-VAULT-0001")
    page.fill("#id_name", "金库门摄像机")
    page.select_option("#id_kind", "camera")
    page.fill("[data-testid=picker-part]", "金库门")
    page.locator("[data-testid=picker-results-part] [data-pick-value]", has_text="五华支行金库").click()
    page.click("[data-testid=object-form] button[type=submit]")
    assert page.locator(".alert-success").inner_text() == "已保存。"
    assert "HIK-VAULT-0001" in page.locator("h1").inner_text() or "金库门摄像机" in page.locator("h1").inner_text()
    assert "登记" in page.locator("[data-testid=history]").inner_text()
    page.goto("/registry/devices/")
    assert "HIK-VAULT-0001" in page.locator("[data-testid=object-table]").inner_text()
    device = Device.objects.get(serial="HIK-VAULT-0001")
    assert (device.site_id, device.part.name, device.unit_id) == (site.pk, "金库门", wuhua_unit.pk)


def test_switching_to_english_and_back(page, city_officer):
    login(page, "city", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "概况" in page.locator("h1").inner_text()
    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Overview" in page.locator("h1").inner_text()
    page.goto("/registry/sites/")
    assert page.locator("h1").inner_text().lower() == "sites"  # the choice sticks across pages
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("h1").inner_text() == "场所"
