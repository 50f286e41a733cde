"""The footage usage register in a real browser: a bank's security manager logs a copy of footage
for the police with its legal basis and the approval of the person responsible; the district
inspector reads the register during an inspection and confirms the engine's finding on an earlier
copy that had no approval."""
import datetime as dt

import pytest
from django.utils import timezone

from jifang.duties import services
from jifang.duties.models import FootageUse
from jifang.enforcement.models import InspectionFinding
from jifang.regulation import services as scans
from jifang.regulation.models import Finding

from .. import factories as f
from ..conftest import PASSWORD
from ..duties.conftest import put_on_roster
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.clause("art_21__para_1__point_2")
@pytest.mark.clause("art_21__para_1__point_3")
def test_a_copy_for_the_police_is_logged_and_an_unapproved_one_confirmed_at_inspection(page, wuhua_officer,
                                                                                        unit_user, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部")
    system = f.SystemFactory(site=site, name="营业部视频监控系统")
    now = timezone.now()
    put_on_roster(site, "张三", on_from=now - dt.timedelta(days=60), on_to=now + dt.timedelta(days=1))
    # An earlier copy handed out without legal basis or approval; the engine finds it.
    earlier = services.footage_use_record(
        actor=unit_user, system=system, kind="copy", recording_from=now - dt.timedelta(days=20, hours=2),
        recording_to=now - dt.timedelta(days=20, hours=1), used_at=now - dt.timedelta(days=20), user_name="张三",
        purpose="客户纠纷", destination="客户本人")
    scans.scan(actor=None, as_of=timezone.localdate())
    finding = Finding.objects.get(rule_id="art21-footage-copy-without-approval", subject_id=earlier.pk)

    # The unit's security manager logs today's copy for the police, with basis and approval.
    login(page, "unituser", PASSWORD)
    page.goto(f"/duties/footage/add/?system={system.pk}")
    page.select_option("#id_kind", "copy")
    page.fill("#id_recording_from", _local(now - dt.timedelta(hours=5)))
    page.fill("#id_recording_to", _local(now - dt.timedelta(hours=4)))
    page.fill("#id_used_at", _local(now - dt.timedelta(minutes=30)))
    page.fill("#id_user_name", "张三")
    page.fill("#id_purpose", "协助公安机关调查盗窃案")
    page.fill("#id_destination", "五华分局刑侦大队")
    page.fill("#id_requester_unit", "昆明市公安局五华分局")
    page.fill("#id_requester_name", "李警官")
    page.fill("#id_legal_basis", "调取证据通知书（五公刑调字〔2026〕118号）")
    page.fill("#id_approved_by_name", "王行长")
    page.fill("#id_approved_at", _local(now - dt.timedelta(hours=1)))
    page.click("[data-testid=object-form] button[type=submit]")
    page.wait_for_url("**/duties/footage/*/")
    entry = FootageUse.objects.exclude(pk=earlier.pk).get()
    assert entry.approved_by_name == "王行长" and entry.legal_basis.startswith("调取证据通知书")
    assert "王行长" in page.content()
    page.context.clear_cookies()

    # The district inspector reads the register during an inspection of the site ...
    login(page, "wuhua", PASSWORD)
    page.goto("/enforcement/inspections/add/?site=%d" % site.pk)
    page.fill("#id_observations", "查阅录像使用登记簿")
    page.click("[data-testid=submit]")
    inspection_url = page.url
    page.goto(f"/duties/footage/?site={site.pk}")
    register = page.content()
    assert "协助公安机关调查盗窃案" in register and "客户纠纷" in register
    page.goto(entry.get_absolute_url())
    assert "调取证据通知书" in page.content() and "王行长" in page.content()
    # ... and confirms the engine's finding on the copy given out without approval.
    page.goto(inspection_url)
    page.click(f"[data-testid=confirm-{finding.pk}]")
    page.wait_for_selector("[data-testid=findings]")
    assert "第二十一条第（三）项" in page.locator("[data-testid=findings]").inner_text()
    assert InspectionFinding.objects.filter(finding=finding).exists()
    # the logged copy with approval is no finding
    assert not Finding.objects.filter(rule_id="art21-footage-copy-without-approval", subject_id=entry.pk).exists()
