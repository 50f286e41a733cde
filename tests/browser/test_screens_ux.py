"""What users do, in the browser, on the demo city: pickers that search as you type, no action a
user cannot take, error pages in the site's layout, Swagger UI under the site's CSP, inspection
pages on a phone, lists with totals and chips."""
import re

import pytest
from django.core.management import call_command

from jifang.demo.management.commands.demo import DEMO_PASSWORD
from jifang.enforcement.models import Inspection
from jifang.registry.models import SecuritySystem, Site

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city():
    call_command("demo", scale=60, stdout=open("/dev/null", "w"))


def test_site_picker_searches_as_you_type_and_tells_namesakes_apart(page, demo_city):
    site = Site.objects.filter(district_id="530102").order_by("id").first()
    twin = Site.objects.create(code="S5301029999999", name=site.name, address="昆明市五华区测试路1号",
                               district_id="530102", unit_id=site.unit_id, art6_point=site.art6_point)
    login(page, "wuhua", DEMO_PASSWORD)
    page.goto("/enforcement/inspections/add/")
    assert page.locator("select[name=site]").count() == 0  # no 85-item list
    page.fill("[data-testid=picker-site]", site.name)
    results = page.locator("[data-testid=picker-results-site]")
    results.locator(f"[data-pick-value='{twin.pk}']").wait_for()
    text = results.inner_text()
    assert site.code in text and twin.code in text and twin.address in text
    results.locator(f"[data-pick-value='{twin.pk}']").click()
    assert page.input_value("input[name=site]") == str(twin.pk)
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=inspection-page]")
    assert Inspection.objects.order_by("-id").first().site == twin


def test_picker_offers_only_what_the_user_may_see(page, demo_city):
    outside = Site.objects.exclude(district_id="530102").order_by("id").first()
    login(page, "wuhua", DEMO_PASSWORD)
    body = page.request.get(f"/pick/site/?q={outside.code}").text()
    assert outside.code not in body and "没有匹配的记录" in body
    assert page.request.get("/pick/nothing/?q=x").status == 404


def test_device_form_picks_a_system_by_name(page, demo_city):
    system = SecuritySystem.objects.filter(site__unit__name__contains="银行", district_id="530102").first()
    login(page, "bank", DEMO_PASSWORD)
    page.goto("/registry/devices/add/")
    page.fill("[data-testid=picker-system]", system.name[:4])
    page.locator(f"[data-testid=picker-results-system] [data-pick-value='{system.pk}']").click()
    assert page.input_value("input[name=system]") == str(system.pk)
    # the part box now offers only the parts of that system's site (it sends the system chosen above)
    from jifang.registry.models import SitePart

    page.fill("[data-testid=picker-part]", "")
    page.locator("[data-testid=picker-part]").press("Space")
    results = page.locator("[data-testid=picker-results-part] [data-pick-value]")
    results.first.wait_for()
    offered = {int(v) for v in results.evaluate_all("els => els.map(e => e.dataset.pickValue)")}
    visible_parts = set(SitePart.objects.filter(site__unit__name__contains="银行").values_list("pk", flat=True))
    assert offered and offered <= set(SitePart.objects.filter(site_id=system.site_id).values_list("pk", flat=True))
    assert len(visible_parts) > len(offered)  # the bank has parts at other sites, not offered here
    # typing again clears the choice: a half-typed name is never submitted as one
    page.fill("[data-testid=picker-system]", "别的")
    assert page.input_value("input[name=system]") == ""


def test_read_only_officer_sees_no_action_they_cannot_take(page, demo_city):
    login(page, "zhujian", DEMO_PASSWORD)
    page.goto("/dataset/")
    assert page.locator("[data-testid=import-form]").count() == 0
    assert page.request.post("/dataset/", multipart={"file": {"name": "x.json", "mimeType": "application/json",
                                                              "buffer": b"{}"}}).status == 403
    page.goto("/works/")
    assert "下达联网通知" not in page.inner_text("main") and "待我办理" not in page.inner_text("main")
    assert page.locator("a[href='/enforcement/queues/']").count() == 0


@pytest.mark.parametrize("username", ["bank", "firm"])
def test_units_and_firms_get_the_403_page_on_police_pages(page, demo_city, username):
    system = SecuritySystem.objects.order_by("id").first()
    login(page, username, DEMO_PASSWORD)
    for url in ["/enforcement/queues/", "/enforcement/figures/", "/enforcement/inspections/add/",
                f"/works/systems/{system.pk}/notice/", f"/enforcement/casefile/site/{system.site_id}/"]:
        response = page.goto(url)
        assert response.status == 403, url
        assert "无权访问" in page.inner_text("main") and page.locator("[data-testid=back-home]").count() == 1
        assert page.locator("[data-testid=whoami]").count() == 1  # the site's own layout


def test_error_pages_are_chinese_first_with_a_way_back_and_a_favicon(page, demo_city):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("main") and "Not Found" not in page.inner_text("body")
    page.click("[data-testid=back-home]")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon.startswith("/static/") and page.request.get(icon).ok
    assert page.request.get("/favicon.ico").ok


def test_swagger_ui_runs_under_the_sites_csp(page, demo_city):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "city", DEMO_PASSWORD)
    response = page.goto("/api/docs/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")
    assert violations == []


def test_inspection_pages_work_on_a_phone(page, demo_city):
    login(page, "wuhua", DEMO_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/enforcement/inspections/add/")
    site = Site.objects.filter(district_id="530102", systems__isnull=False).first()
    page.fill("[data-testid=picker-site]", site.code)
    page.locator(f"[data-pick-value='{site.pk}']").click()
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=inspection-page]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the screen
    for button in page.locator("[data-testid=inspection-page] .btn").all():
        if button.is_visible():
            assert button.bounding_box()["height"] >= 44
    photo = page.locator("input[type=file][name=file]")
    assert photo.get_attribute("accept") == "image/*" and photo.get_attribute("capture") == "environment"


def test_lists_show_totals_one_any_own_districts_and_unwrapped_chips(page, demo_city):
    login(page, "wuhua", DEMO_PASSWORD)
    page.goto("/regulation/findings/?status=open")
    total = page.inner_text("[data-testid=total]")
    assert re.match(r"共 \d+ 条", total)
    for select in page.locator("[data-testid=filters] select").all():
        options = select.locator("option").all_inner_texts()
        assert options.count("不限") == 1, options
    districts = page.locator("select[name=district] option").all_inner_texts()
    assert districts == ["不限", "五华区"]
    chip = page.locator("[data-testid=object-table] .badge").first
    assert chip.bounding_box()["height"] < 2 * 16  # one line, not one character per line
