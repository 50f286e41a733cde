"""A district officer reads the law, runs a scan of their district and follows a finding to the
explanation of the clause, the facts and the penalty path, in Chinese."""
import pytest

from jifang.registry import models as m
from tests import factories as f
from .conftest import login
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.clause("art_19__para_1")
def test_officer_scans_and_reads_a_finding(page, wuhua_officer, wuhua_unit, panlong_unit):
    short = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit, name="五华支行"), retention_days=15, code="SYS-WH-15")
    f.SystemFactory(site=f.SiteFactory(unit=panlong_unit), retention_days=10, code="SYS-PL-10")
    f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), retention_days=30, code="SYS-WH-30")
    login(page, "wuhua", PASSWORD)
    page.goto("/regulation/")
    assert "第十九条" in page.locator("[data-testid='clause-art_19__para_1']").inner_text()
    page.fill("#as_of", "2026-06-01")
    page.click("[data-testid=run-scan]")
    page.wait_for_selector("[data-testid=object-table]")
    table = page.locator("[data-testid=object-table]").inner_text()
    assert "SYS-WH-15" in table and "SYS-PL-10" not in table and "SYS-WH-30" not in table
    page.click("text=SYS-WH-15")
    panel = page.locator("[data-testid=explain]").inner_text()
    assert "留存时间为 15 日，少于 30 日" in panel
    assert "留存时间不得少于30日：30" in panel and "retention_days_min" not in panel and "第二十五条" in panel and "责令限期改正" in panel
    page.goto("/regulation/")
    assert page.locator("[data-testid='open-art_19__para_1']").inner_text().startswith("1")
    assert m.SecuritySystem.objects.get(pk=short.pk).retention_days == 15


@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1")
@pytest.mark.clause("art_7__para_1")
def test_officer_sees_both_laws_on_a_hotel_site(page, wuhua_officer, wuhua_unit):
    """A camera in a hotel guest room breaks the Kunming order and order 799: the site page shows
    both findings side by side, the national one first as the higher law, with confiscation."""
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit, name="翠湖宾馆"), public_video_class="",
                             retention_days=30, code="SYS-HOTEL")
    room = f.SitePartFactory(site=system.site, name="三楼客房", area_kind=m.AreaKind.HOTEL_ROOM)
    f.DeviceFactory(system=system, part=room, serial="CAM-ROOM-301")
    login(page, "wuhua", PASSWORD)
    page.goto("/regulation/")
    page.fill("#as_of", "2026-06-01")
    page.click("[data-testid=run-scan]")
    page.wait_for_selector("[data-testid=object-table]")
    page.goto(f"/registry/sites/{system.site.pk}/")
    group = page.locator("[data-testid=site-finding-group]").first
    text = group.inner_text()
    assert "同时违反两部法规" in text and "CAM-ROOM-301" in text
    findings = group.locator("[data-testid=site-finding]")
    assert findings.count() == 2
    first, second = findings.nth(0).inner_text(), findings.nth(1).inner_text()
    assert "国务院令第799号 第八条第一款第一项" in first and "上位法，优先适用" in first
    assert "没收相关设备设施" in first and "10000元以上20000元以下" in first
    assert "昆明市人民政府令第116号 第七条" in second and "2000元以上5000元以下" in second
    page.click("text=国务院令第799号 第八条第一款第一项")
    assert "第二十七条第一款" in page.locator("[data-testid=explain]").inner_text()
