"""An enforcement case in a real browser: the officer inspects, signs and orders; the unit answers;
the order goes overdue; the officer gives notice, records the defence, decides a fine and
downloads the decision."""
import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from jifang.enforcement.models import PenaltyCase
from jifang.regulation.models import Finding, Stage

from .. import factories as f
from ..conftest import PASSWORD
from ..enforcement.conftest import Clock, make_finding
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.mark.clause("art_24__para_1")
def test_officer_carries_a_case_from_inspection_to_decision(page, wuhua_officer, unit_user, wuhua_unit, clock):
    wuhua_unit.kind = "business"
    wuhua_unit.save()
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部")
    finding = make_finding(site, "art_6__para_1__point_5")

    # The officer inspects, confirms the engine's finding and signs.
    login(page, "wuhua", PASSWORD)
    page.goto(f"/enforcement/inspections/add/?site={site.pk}")
    page.fill("#id_observations", "营业部未建立入侵报警系统")
    page.click("[data-testid=submit]")
    page.click(f"[data-testid=confirm-{finding.pk}]")
    page.click("[data-testid=sign]")
    page.wait_for_selector("[data-testid=verify-ok]")

    # ... and orders correction, from the signed inspection.
    page.click("[data-testid=issue-order]")
    page.check(f"input[name=findings][value='{finding.pk}']")
    page.click("[data-testid=submit]")
    assert page.locator("[data-testid=status]").inner_text().strip()
    order_url = page.url
    page.context.clear_cookies()

    # The unit answers in the platform.
    login(page, "unituser", PASSWORD)
    page.goto(order_url)
    page.fill("#id_response", "已联系施工单位，正在采购设备")
    page.click("[data-testid=answer]")
    assert "正在采购设备" in page.locator("[data-testid=response]").inner_text()
    page.context.clear_cookies()

    # The deadline passes uncorrected.
    clock.advance(40)
    call_command("enforcement", "overdue")
    finding.refresh_from_db()
    assert finding.stage == Stage.OVERDUE

    # Notice, statement and defence, decision.
    login(page, "wuhua", PASSWORD)
    page.goto(order_url)
    page.click("[data-testid=start-penalty]")
    page.fill("#id_amount_unit", "4999")  # below the business range: refused, nothing written
    page.fill("#id_facts", "逾期未建立技防系统")
    page.click("[data-testid=submit]")
    assert "超出法定幅度" in page.content() and not PenaltyCase.objects.exists()
    page.fill("#id_amount_unit", "8000")
    page.click("[data-testid=submit]")
    page.fill("#id_statement", "资金紧张，请求从轻处罚")
    page.click("[data-testid=statement-form] button")
    page.fill("[data-testid=decide-form] #id_amount_unit", "6000")
    page.click("[data-testid=decide]")
    assert "罚" in page.locator("[data-testid=decision-number]").inner_text()
    with page.expect_download(timeout=60000) as download:  # rendering is slow on a loaded machine
        page.click("[data-testid=decision-pdf]")
    pdf = open(download.value.path(), "rb").read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    assert "行政处罚决定书" in text and "人民币陆仟元整" in text and wuhua_unit.name in text
    assert Finding.objects.get(pk=finding.pk).stage == Stage.DECIDED


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
def test_officer_fines_a_hotel_room_camera_at_once_from_the_signed_inspection(page, wuhua_officer, wuhua_unit):
    """Order 799 art. 27 para. 1: confiscation, deletion and a fine together, no order first."""
    from django.utils import timezone

    from jifang.regulation import services as engine

    site = f.SiteFactory(unit=wuhua_unit, name="五华宾馆")
    system = f.SystemFactory(site=site, has_audio_video=True, public_video_class="")
    device = f.DeviceFactory(system=system, part=f.SitePartFactory(site=site, area_kind="hotel_room"))
    engine.scan(actor=None, as_of=timezone.localdate(), site=site)
    national = Finding.objects.get(pack_id="cn-order-2025-799", subject_key=device.serial)

    login(page, "wuhua", PASSWORD)
    page.goto(f"/enforcement/inspections/add/?site={site.pk}")
    page.fill("#id_observations", "客房内安装摄像机")
    page.click("[data-testid=submit]")
    page.click(f"[data-testid=confirm-{national.pk}]")
    assert page.locator("[data-testid=penalty-at-once]").count() == 0   # not before the record is signed
    page.click("[data-testid=sign]")
    page.wait_for_selector("[data-testid=verify-ok]")
    inspection_number = page.locator("h1").inner_text()
    page.click("[data-testid=penalty-at-once]")
    assert "不经责令改正" in page.locator("[data-testid=at-once]").inner_text()
    page.fill("#id_amount_unit", "9000")  # below the unit's 10,000: refused, nothing written
    page.fill("#id_amount_person_in_charge", "5000")
    page.fill("#id_name_person_in_charge", "赵主管")
    page.fill("#id_amount_person_directly_responsible", "5000")
    page.fill("#id_name_person_directly_responsible", "钱直接")
    page.fill("#id_facts", "客房内安装可拍摄住宿人员隐私的摄像机")
    page.click("[data-testid=submit]")
    assert "超出法定幅度" in page.content() and not PenaltyCase.objects.exists()
    page.fill("#id_amount_unit", "15000")
    page.click("[data-testid=submit]")
    assert page.locator("[data-testid=case-inspection]").count() == 1
    page.check("#id_waived")
    page.click("[data-testid=statement-form] button")
    page.click("[data-testid=decide]")
    with page.expect_download(timeout=60000) as download:
        page.click("[data-testid=decision-pdf]")
    pdf = open(download.value.path(), "rb").read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    assert "第二十七条第一款" in text and "人民币壹万伍仟元整" in text
    assert "并处：没收相关设备设施；删除所收集的视频图像信息" in text and "逾期未改正" not in text
    assert PenaltyCase.objects.get().order_id is None
    assert inspection_number.split()[-1] in text
    assert Finding.objects.get(pk=national.pk).stage == Stage.DECIDED


@pytest.mark.clause("cn-order-2025-799#art_28__para_1")
def test_the_home_page_counts_violations_awaiting_a_fine_at_once_and_leads_to_the_case(page, wuhua_officer, wuhua_unit):
    """Order 799 art. 28: the officer finds the confirmed violations to fine at once from the home page."""
    from ..enforcement.test_fine_at_once import _signed_inspection

    site = f.SiteFactory(unit=wuhua_unit, name="保密单位旁的商铺")
    finding = make_finding(site, "art_10__para_1", pack_id="cn-order-2025-799")
    insp = _signed_inspection(wuhua_officer, site, [finding])

    login(page, "wuhua", PASSWORD)
    page.goto("/")
    figure = page.locator("[data-testid=enforcement-panel] [data-figure=at_once]")
    assert "待立即处罚的违法行为" in figure.inner_text() and figure.locator(".badge").inner_text() == "1"
    page.click("[data-testid=at-once-link]")
    assert page.locator("h1").inner_text() == "待立即处罚的违法行为"
    row = page.locator(f"[data-testid=at-once-{finding.pk}]")
    assert insp.number in row.inner_text() and site.name in row.inner_text()
    page.click(f"[data-testid=penalty-at-once-{finding.pk}]")
    assert page.url.endswith(f"/enforcement/inspections/{insp.pk}/penalty/")
    assert "不经责令改正" in page.locator("[data-testid=at-once]").inner_text()
