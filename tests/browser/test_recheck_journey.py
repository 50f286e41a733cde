"""Findings follow changes, in a real browser: a bank's security manager sees the finding on its
video system's retention, corrects the retention on the system's page, and watches the finding
resolve while a background worker runs, with no officer doing anything."""
import threading
import time

import pytest
from django.db import connection

from jifang.jobs import worker
from jifang.regulation import services
from jifang.regulation.models import Finding, FindingStatus

from .. import factories as f
from ..conftest import PASSWORD
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Worker(threading.Thread):
    """`jifang worker` in a thread: runs whatever is due every 0.1 s until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopping = threading.Event()

    def run(self):
        try:
            while not self.stopping.is_set():
                worker.run_pending(worker_id="journey")
                time.sleep(0.1)
        finally:
            connection.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        # it stops after the pass in hand; on a loaded machine that pass may take longer than 10 s, and
        # a thread left running holds the in-memory database's table locks into the next tests
        self.join(timeout=300)


@pytest.mark.clause("art_19__para_1")
def test_a_unit_fixes_its_retention_and_watches_the_finding_resolve(page, unit_user, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部")
    system = f.SystemFactory(site=site, name="营业厅视频监控系统", retention_days=15)
    services.scan(actor=None)
    finding = Finding.objects.get(rule_id="art19-retention-below-minimum", subject_id=system.pk)
    login(page, "unituser", PASSWORD)
    page.goto(f"/regulation/findings/{finding.pk}/")
    attributes = page.locator("[data-testid=attributes]")
    assert "未结" in attributes.inner_text() and "营业厅视频监控系统" in page.content()

    with Worker():
        page.goto(f"/registry/systems/{system.pk}/edit/")
        page.fill("#id_retention_days", "30")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=attributes]")
        saved = time.monotonic()
        page.goto(f"/regulation/findings/{finding.pk}/")
        while "已消除" not in page.locator("[data-testid=attributes]").inner_text():
            assert time.monotonic() - saved < 10, "the finding was not resolved within 10 s"
            time.sleep(0.3)
            page.reload()
        took = time.monotonic() - saved
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESOLVED and finding.stage == "detected"
    assert took < 5, f"resolved {took:.1f} s after the save"
