"""The public report page (order 799 art. 24) in a real browser, signed out: a person answers the sum,
attaches a photo and gets a receipt code whose status page shows the status only; an oversized photo
is refused with a clear message and nothing stored; a flood from one address is throttled; the
district officer then finds the report in the queue and closes it with a reason."""
import re

import pytest

from jifang.national.models import PublicReport, ReportStatus

from ..conftest import PASSWORD
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 2048


def fill(page, place="某酒店 1203 客房", photo=None):
    page.goto("/national/report/")
    page.select_option("#id_district", "530102")
    page.check("input[name=kind][value=prohibited_place]")
    page.fill("#id_place", place)
    page.fill("#id_description", "烟雾报警器里疑似有摄像头，镜头朝向床铺")
    if photo is not None:
        page.set_input_files("#id_photos", files=[photo])
    a, b = map(int, re.search(r"What is (\d+) plus (\d+)", page.inner_text("[data-testid=question]")).groups())
    page.fill("#id_answer", str(a + b))
    page.click("[data-testid=send]")


@pytest.mark.clause("cn-order-2025-799#art_24__para_2")
def test_a_person_reports_follows_the_status_and_the_officer_closes_it(page, wuhua_officer, settings):
    fill(page, photo={"name": "photo.png", "mimeType": "image/png", "buffer": PNG})
    code = page.inner_text("[data-testid=receipt-code]").strip()
    report = PublicReport.objects.get()
    assert code == report.code and report.photos.count() == 1
    page.click("text=查看办理状态")
    assert "已收到，等待处理" in page.inner_text("[data-testid=report-status]")
    assert "1203" not in page.content()  # the status page shows the status only

    login(page, "wuhua", PASSWORD)
    page.goto("/national/reports/?status=received")
    page.click(f"text={code}")
    page.fill("form[action$='/close/'] textarea", "现场核实为普通烟雾报警器")
    page.click("[data-testid=close-report]")
    page.wait_for_selector(".alert")
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    page.context.clear_cookies()
    page.goto(f"/national/report/status/?code={code}")
    assert "已办结" in page.inner_text("[data-testid=report-status]")


def test_an_oversized_photo_is_refused_with_a_clear_message(page, settings):
    settings.JIFANG_PUBLIC_REPORT_PHOTO_MAX_BYTES = 1024
    fill(page, photo={"name": "big.png", "mimeType": "image/png", "buffer": PNG})
    error = page.inner_text("[data-testid=form-error]")
    assert "过大" in error and "big.png" in error
    assert page.input_value("#id_place") == "某酒店 1203 客房"  # what was typed is kept
    assert not PublicReport.objects.exists()


def test_a_flood_from_one_address_is_throttled(page, settings):
    settings.JIFANG_PUBLIC_REPORT_LIMIT = 2
    for i in range(2):
        fill(page, place=f"第{i}号房间")
        page.wait_for_selector("[data-testid=receipt-code]")
    fill(page, place="第三次")
    assert "过于频繁" in page.inner_text("[data-testid=form-error]")
    assert PublicReport.objects.count() == 2
