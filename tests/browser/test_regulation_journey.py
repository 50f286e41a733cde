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
