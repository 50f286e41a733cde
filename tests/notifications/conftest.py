"""Notification fixtures: the enforcement clock and findings, an order issued through the service."""
import datetime as dt

import pytest
from django.utils import timezone

from jifang.enforcement import services

# the enforcement clock and bank site, shared (fixtures imported into this conftest are in scope here)
from ..enforcement.conftest import Clock, clock, make_finding, wuhua_site  # noqa: F401

TZ = dt.timezone(dt.timedelta(hours=8))


def at(clock: Clock, day: dt.date, hour: int = 9) -> None:
    """Move the clock to `day` at `hour` o'clock in Kunming."""
    clock.now = dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    assert timezone.localdate() == day


@pytest.fixture
def outbox(tmp_path, settings):
    settings.JIFANG_NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    return settings.JIFANG_NOTIFY_OUTBOX_DIR


def issue(officer, site, deadline: dt.date):
    return services.rectification_order_issue(actor=officer, findings=[make_finding(site, "art_6__para_1__point_5")],
                                              deadline=deadline)
