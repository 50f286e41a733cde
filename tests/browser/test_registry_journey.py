"""Key registry journeys in a real browser."""
import pytest

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
