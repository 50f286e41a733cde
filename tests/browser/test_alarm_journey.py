"""The alarm console in a real browser: a panel simulator sends a burglary to the receiver; the
district officer sees it appear live (measured: within 1 s of the ACK), acknowledges, dispatches
and closes it; the officer of another district never sees it."""
import time

import pytest

from jifang.alarms import simulator
from jifang.alarms.models import AlarmEvent, EventStatus
from jifang.alarms.receiver import Limits

from ..alarms.conftest import Running, make_panel
from ..conftest import PASSWORD
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.clause("art_12__para_1")
def test_operator_sees_a_burglary_live_and_handles_it(page, browser, live_server, admin_user, wuhua_officer,
                                                      panlong_officer):
    account = make_panel(admin_user, "8801", district="530102")
    login(page, "wuhua", PASSWORD)
    page.goto("/alarms/")
    page.wait_for_selector("[data-testid=queue-empty]")
    with Running(limits=Limits()) as running:
        link = simulator.TcpLink("127.0.0.1", running.port)
        panel = simulator.SimPanel(account.account)
        kind, _ = simulator.send(link, panel, "ADM-CID", "#8801|1130 01 004")
        acked = time.monotonic()
        link.close()
    assert kind == "ACK"
    event = AlarmEvent.objects.get(account=account)
    page.wait_for_selector(f"[data-testid=alarm-{event.pk}]", timeout=5000)
    seen = time.monotonic() - acked
    assert seen <= 1.0, f"the alarm appeared {seen:.2f} s after its ACK"
    row = page.locator(f"[data-testid=alarm-{event.pk}]")
    assert "盗警" in row.inner_text() and "004" in row.inner_text()

    row.locator("a").first.click()
    page.click("[data-testid=acknowledge]")
    page.wait_for_selector("[data-testid=dispatch]")
    page.fill("#id_verification", "监控画面可见人员翻越围墙")
    page.click("[data-testid=verify]")
    page.select_option("#id_to", "110")
    page.fill("#id_note", "110指挥中心 接警员张")
    page.click("[data-testid=dispatch]")
    page.wait_for_selector("[data-testid=dispatched]")
    page.select_option("#id_disposition", "real")
    page.click("[data-testid=close]")
    page.wait_for_selector("[data-testid=disposition]")
    event.refresh_from_db()
    assert (event.status, event.dispatched_to, event.disposition) == (EventStatus.CLOSED, "110", "real")
    page.goto("/alarms/")
    page.wait_for_selector("[data-testid=queue-empty]")

    other = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    login(other, "panlong", PASSWORD)
    other.goto("/alarms/events/")
    assert account.site.name not in other.content() and f"/alarms/events/{event.pk}/" not in other.content()
    assert other.goto(f"/alarms/events/{event.pk}/").status == 404
    other.context.close()
