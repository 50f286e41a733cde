"""A district officer opens the city at a glance from the menu, reads the charts of their district
(nothing from another district, nothing loaded from outside) and follows a bar to the list behind it;
the page also reads on a phone."""
import pytest

from tests import factories as f
from tests.conftest import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sites(unit, district, names_without):
    for i, name in enumerate(names_without):
        f.SiteFactory(unit=unit, district_id=district, art6_point=5, name=name)
        f.SystemFactory(site=f.SiteFactory(unit=unit, district_id=district, art6_point=5, name=f"{name}-有系统{i}"))


def test_officer_reads_the_charts_and_follows_a_bar(page, wuhua_officer, wuhua_unit, panlong_unit):
    _sites(wuhua_unit, "530102", ["五华无系统营业厅甲", "五华无系统营业厅乙"])
    _sites(panlong_unit, "530103", ["盘龙无系统营业厅"])
    outside = []
    page.on("request", lambda r: outside.append(r.url))
    login(page, "wuhua", PASSWORD)
    page.click("[data-testid=nav-charts]")
    card = page.locator("[data-testid=chart-mandatory_by_district]")
    card.wait_for()
    text = card.inner_text()
    assert "五华区" in text and "盘龙区" not in text
    assert page.locator("svg.jf-chart").count() >= 2
    bad = card.locator("rect.bad")
    assert bad.count() == 1
    assert "未建系统 2" in bad.locator("title").text_content()
    bad.click()
    page.wait_for_selector("[data-testid=object-table]")
    table = page.locator("[data-testid=object-table]").inner_text()
    assert "五华无系统营业厅甲" in table and "五华无系统营业厅乙" in table
    assert "有系统" not in table and "盘龙" not in table
    assert not [u for u in outside if not u.startswith(("http://localhost", "http://127.0.0.1", "data:"))]


def test_the_charts_fit_a_phone(browser, live_server, city_officer, wuhua_unit):
    _sites(wuhua_unit, "530102", ["五华无系统营业厅"])
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", has_touch=True)
    page = context.new_page()
    try:
        login(page, "city", PASSWORD)  # the menu is folded on a phone: sign in wide, then narrow the screen
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/dashboards/charts/")
        svg = page.locator("[data-testid=chart-mandatory_by_district] svg")
        box = svg.bounding_box()
        assert box is not None and box["width"] <= 390  # scales down with the screen, no sideways scroll
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
