"""Supervision with a fake clock: a panel that misses its link test (interval + grace) raises a
trouble and opens an art_19 outage; its next message restores both."""
import datetime as dt

import pytest

from jifang.alarms import codes, dc09, services
from jifang.alarms.models import AlarmAccount, AlarmEvent, EventStatus
from jifang.duties.models import Outage, OutageSource

from .conftest import make_panel

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def heard(account: AlarmAccount, at: dt.datetime, token="NULL", data="", seq=1) -> int:
    raw = dc09.message(token, seq, account.account, data)
    message = dc09.decode(dc09.read_frame(raw), known=True, key=None, now=at).message
    copies = {k: getattr(account, k) for k in ("device_id", "system_id", "site_id", "unit_id", "district_id")}
    return services.store_batch([services.Received(account.pk, copies, message, codes.decode(token, data), at, "tcp",
                                                   "127.0.0.1:5000")])


@pytest.fixture
def panel(db, admin_user):
    account = make_panel(admin_user, "3300", supervision_seconds=300, grace_seconds=60)
    heard(account, T0)
    account.refresh_from_db()
    assert account.last_seen_at == T0
    return account


@pytest.mark.clause("art_19__para_1")
def test_missed_link_test_raises_trouble_and_outage_then_next_message_restores(panel):
    assert services.supervision_sweep(now=T0 + dt.timedelta(seconds=360)) == []  # the edge: not yet
    lost = services.supervision_sweep(now=T0 + dt.timedelta(seconds=361))
    assert [a.pk for a in lost] == [panel.pk]
    trouble = AlarmEvent.objects.get(code="SUP", qualifier="new")
    assert (trouble.category, trouble.status, trouble.priority) == ("trouble", EventStatus.NEW, 5)
    outage = Outage.objects.get(device_id=panel.device_id)
    assert outage.source == OutageSource.ALARM_RECEIVER and outage.ended_at is None
    assert outage.started_at == T0 + dt.timedelta(seconds=300)  # when the missed report was due
    assert services.supervision_sweep(now=T0 + dt.timedelta(seconds=900)) == []  # raised once

    back = T0 + dt.timedelta(seconds=1000)
    heard(panel, back, "ADM-CID", "#3300|1602 00 000", seq=2)  # a periodic test restores as well
    panel.refresh_from_db()
    trouble.refresh_from_db()
    outage.refresh_from_db()
    assert panel.trouble_since is None and trouble.restored_at == back
    restore = AlarmEvent.objects.get(code="SUP", qualifier="restore")
    assert restore.restores_id == trouble.pk and restore.status == EventStatus.LOGGED
    assert outage.ended_at == back


def test_unsupervised_and_reporting_panels_raise_nothing(panel, admin_user):
    quiet = make_panel(admin_user, "3301", supervision_seconds=0)
    AlarmAccount.objects.filter(pk=quiet.pk).update(created_at=T0 - dt.timedelta(days=3))
    for minute in range(1, 30, 5):
        heard(panel, T0 + dt.timedelta(minutes=minute), seq=minute + 1)
        assert services.supervision_sweep(now=T0 + dt.timedelta(minutes=minute, seconds=30)) == []
    assert not AlarmEvent.objects.filter(code="SUP").exists() and not Outage.objects.exists()
