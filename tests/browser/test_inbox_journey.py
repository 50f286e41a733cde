"""The inbox in a real browser: a reminder reaches the unit three WORKING days before its
rectification deadline (across the National Day holiday, on a fake clock); the bell counts it,
the inbox words it, its link opens the order. And a background import followed by its progress,
left and found again under "my imports and exports"."""
import datetime as dt
import json
import threading

import pytest

from jifang.jobs.worker import run_pending
from jifang.notifications import reminders
from jifang.registry.models import Unit

from .. import factories as f
from ..conftest import PASSWORD
from ..enforcement.conftest import Clock
from ..notifications.conftest import at, issue
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_reminder_reaches_the_unit_three_working_days_before(page, clock, wuhua_officer, unit_user, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部", code="WH-0001")
    f.SystemFactory(site=site, has_audio_video=True)
    at(clock, dt.date(2026, 9, 21))
    order = issue(wuhua_officer, site, dt.date(2026, 10, 9))
    # 29 September: 30 September, 8 and 9 October remain (1-7 October is the National Day holiday)
    at(clock, dt.date(2026, 9, 29))
    reminders.run(clock.now)

    login(page, "unituser", PASSWORD)
    page.goto("/")
    assert page.locator("[data-testid=bell-count]").inner_text() == "2"  # served + 3 working days
    page.click("[data-testid=bell]")
    items = page.locator("[data-testid=notification]")
    assert items.count() == 2
    newest = items.first.inner_text()
    assert order.number in newest and "2026年10月9日" in newest and "还有3个工作日" in newest, newest
    assert "order_deadline" not in page.content()  # no enum keys where a person reads
    items.first.locator("[data-testid=notification-open]").click()
    page.wait_for_url(f"**/enforcement/orders/{order.pk}/")
    assert order.number in page.content()
    assert page.locator("[data-testid=bell-count]").inner_text() == "1"  # that one is read now

    # another unit's user sees none of it
    other = f.UserFactory(username="other", role="unit_user", units=[f.UnitFactory()])
    assert other.pk
    page.context.clear_cookies()
    login(page, "other", PASSWORD)
    page.goto("/inbox/")
    assert page.locator("[data-testid=inbox-empty]").count() == 1
    assert page.locator("[data-testid=bell-count]").count() == 0


def _units_file(n: int) -> bytes:
    units = [{"credit_code": f.credit_code(), "name": f"后台导入单位{i:04d}", "district": "530102"} for i in range(n)]
    return json.dumps({"format": "jifang-dataset", "version": 1, "sheets": {"units": units}}).encode()


def _upload(page, name: str, body: bytes) -> None:
    page.goto("/dataset/")
    page.set_input_files("[data-testid=import-form] input[type=file]",
                         files=[{"name": name, "mimeType": "application/json", "buffer": body}])
    page.click("[data-testid=import-form] button[type=submit]")


def test_background_import_with_progress(page, wuhua_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(page, "wuhua", PASSWORD)

    # queued: the page shows a progress bar at 0 and says the user may leave
    _upload(page, "first.json", _units_file(5))
    page.wait_for_selector("[data-testid=job-status][data-status=queued]")
    assert page.locator("[data-testid=job-progress]").get_attribute("value") == "0"
    # the user leaves; a worker runs the import meanwhile; the user comes back through the list
    page.goto("/")
    run_pending(queues=["imports"])
    page.goto("/dataset/")
    page.click("[data-testid=my-jobs]")
    row = page.locator("[data-testid=job-table] tbody tr").first
    assert "first.json" in row.inner_text() and "已完成" in row.inner_text()
    row.locator("a").click()
    assert "已创建: 单位 5" in page.locator("[data-testid=import-ok]").inner_text()

    # staying on the page: it follows the worker by itself, progress included, without a reload
    _upload(page, "second.json", _units_file(3000))
    page.wait_for_selector("[data-testid=job-status][data-status=queued]")
    page.evaluate("window.stillThisPage = true")  # gone if the page were reloaded
    worker = threading.Thread(target=run_pending, kwargs={"queues": ["imports"]})
    worker.start()
    try:
        page.wait_for_selector("[data-testid=job-status][data-status=done]", timeout=60000)
    finally:
        worker.join(timeout=60)
    assert page.evaluate("window.stillThisPage") is True  # htmx swapped the status in place
    assert "已创建: 单位 3000" in page.locator("[data-testid=import-ok]").inner_text()
    assert page.locator("[data-testid=job-progress]").count() == 0
    assert Unit.objects.filter(name__startswith="后台导入单位").count() == 3005
