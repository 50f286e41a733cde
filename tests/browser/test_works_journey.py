"""The works journey in a real browser: the builder schedules the acceptance, the district officer
attends and records the pass, the firm files, the officer sees and receives the filing."""
import pytest

from jifang.works.models import Filing, Works, WorksStatus

from .. import factories as f
from ..conftest import PASSWORD
from ..works.conftest import complete, days_ago
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def completed_works(unit_user, firm_user, wuhua_unit, firm, media_root):
    from jifang.works import services as s

    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部")
    system = f.SystemFactory(site=site, firm=firm, status="under_construction", acceptance_result="",
                             acceptance_date=None, reserved_interface=None)
    works = s.works_register(actor=unit_user, system=system, builder=wuhua_unit, firm=firm, name="营业部技防改造",
                             kind="rebuild", registered_on=days_ago(90))
    return complete(works, unit_user, firm_user, completed_on=days_ago(3))


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.clause("art_14__para_1")
@pytest.mark.clause("art_16__para_1")
def test_builder_schedules_officer_attends_and_passes_firm_files(page, completed_works, unit_user, firm_user,
                                                                  wuhua_officer):
    works = completed_works
    # The builder: the works waits on the board under "acceptance to schedule".
    login(page, "unituser", PASSWORD)
    page.goto("/works/")
    page.click(f"[data-testid=board-schedule] >> text={works.name}")
    page.click("[data-testid=steps] >> text=安排竣工验收")
    page.fill("#id_scheduled_for", days_ago(0).isoformat())
    page.fill("#id_location", "营业部三楼")
    page.click("[data-testid=step-form] button[type=submit]")
    assert page.locator("[data-testid=acceptances] tbody tr").count() == 1
    assert "已安排" in page.locator("[data-testid=acceptances]").inner_text()
    page.context.clear_cookies()

    # The Wuhua officer: the notice is in the queue; attend, then record the pass.
    login(page, "wuhua", PASSWORD)
    page.goto("/works/")
    page.click(f"[data-testid=board-attend] >> text={works.code}-YS1")
    page.click("[data-testid=steps] >> text=记录参加验收")
    page.click("[data-testid=step-form] button[type=submit]")
    page.click("[data-testid=steps] >> text=记录验收结果")
    page.fill("#id_held_on", days_ago(0).isoformat())
    page.fill("#id_items", "视频图像质量, 合格\n报警响应, 合格")
    page.check("#id_reserved_interface")
    page.fill("#id_certificate", "昆公技验字〔2026〕第0001号")
    page.click("[data-testid=step-form] button[type=submit]")
    assert "✓ 预留与公安机关联网的接口" in page.locator("[data-testid=acceptances]").inner_text()
    assert Works.objects.get(pk=works.pk).status == WorksStatus.ACCEPTED
    page.context.clear_cookies()

    # The firm: the filing is due; file it.
    login(page, "firmuser", PASSWORD)
    page.goto("/works/")
    page.click(f"[data-testid=board-file] >> text={works.code}")
    page.click("[data-testid=steps] >> text=备案")
    page.fill("#id_filed_on", days_ago(0).isoformat())
    page.fill("#id_contact_name", "王经理")
    page.fill("#id_contact_phone", "0871-63000000")
    page.click("[data-testid=step-form] button[type=submit]")
    receipt = Filing.objects.get(works=works).receipt_number
    assert receipt in page.locator("[data-testid=filing]").inner_text()
    page.context.clear_cookies()

    # The officer sees the filing in the queue and receives it.
    login(page, "wuhua", PASSWORD)
    page.goto("/works/")
    page.click(f"[data-testid=board-filings] >> text={receipt}")
    page.click("[data-testid=filing] >> text=接收备案")
    page.click("[data-testid=step-form] button[type=submit]")
    assert Filing.objects.get(works=works).received_by_id == wuhua_officer.pk
    assert str(wuhua_officer) in page.locator("[data-testid=filing]").inner_text()
