"""services.store_batch, the receiver's write, on both backends (on PostgreSQL a batch without
restores is one statement; otherwise one transaction): retransmissions across the hour, the same
message twice in a batch, a sequence number reused later, last-seen never moved back, and a panel
back from a supervision trouble restored even when the first try fails."""
import dataclasses
import datetime as dt

import psycopg
import pytest
from django.db import DataError, OperationalError, connection, transaction

from jifang.alarms import codes, dc09, services
from jifang.alarms.models import AlarmAccount, AlarmEvent
from jifang.duties.models import Outage

from .conftest import make_panel

pytestmark = pytest.mark.clause("art_12__para_1")

T0 = dt.datetime(2026, 12, 1, 2, 59, 30, tzinfo=dt.UTC)


def received(account: AlarmAccount, at: dt.datetime, data: str | None = None, seq: int = 1, token: str = "ADM-CID",
             source: str = "127.0.0.1:5000") -> services.Received:
    data = f"#{account.account}|1130 01 003" if data is None else data
    message = dc09.decode(dc09.read_frame(dc09.message(token, seq, account.account, data)), known=True, key=None,
                          now=at).message
    copies = {k: getattr(account, k) for k in ("device_id", "system_id", "site_id", "unit_id", "district_id")}
    return services.Received(account.pk, copies, message, codes.decode(token, data), at, "tcp", source)


@pytest.fixture
def panel(db, admin_user):
    return make_panel(admin_user, "4400", supervision_seconds=300, grace_seconds=60)


def test_a_retransmission_in_the_next_hour_is_stored_once(panel):
    assert services.store_batch([received(panel, T0)]) == 1
    assert services.store_batch([received(panel, T0 + dt.timedelta(seconds=50))]) == 0  # 03:00:20, next hour
    assert AlarmEvent.objects.count() == 1


def test_the_same_message_twice_in_one_batch_is_stored_once(panel):
    assert services.store_batch([received(panel, T0), received(panel, T0 + dt.timedelta(seconds=1))]) == 1
    assert AlarmEvent.objects.count() == 1


def test_a_sequence_number_reused_hours_later_is_a_new_event(panel):
    """After the wrap 9999 -> 0001 a panel reuses its numbers: two hours on, the same seq and data
    is a new alarm, not a retransmission."""
    services.store_batch([received(panel, T0)])
    assert services.store_batch([received(panel, T0 + dt.timedelta(hours=2))]) == 1
    assert AlarmEvent.objects.count() == 2


def test_last_seen_never_moves_back_and_link_tests_are_no_events(panel):
    later, earlier = T0 + dt.timedelta(seconds=30), T0
    services.store_batch([received(panel, later, token="NULL", data="", source="10.0.0.2:1")])
    services.store_batch([received(panel, earlier, token="NULL", data="", seq=2, source="10.0.0.3:1")])
    panel.refresh_from_db()
    assert panel.last_seen_at == later
    assert not AlarmEvent.objects.exists()


def test_events_land_on_their_panel_site_unit_and_district(panel, admin_user):
    other = make_panel(admin_user, "4401", district="530103")
    services.store_batch([received(panel, T0), received(other, T0, seq=7)])
    for account in (panel, other):
        event = AlarmEvent.objects.get(account=account)
        assert (event.device_id, event.site_id, event.unit_id, event.district_id, event.system_id) == (
            account.device_id, account.site_id, account.unit_id, account.district_id, account.system_id)
        assert (event.code, event.zone, event.label_zh) == ("130", "003", "盗警")


@pytest.mark.clause("art_19__para_1")
def test_a_panel_back_from_trouble_is_restored_even_if_the_first_try_fails(panel, monkeypatch):
    """On PostgreSQL the events commit first and the restore follows; on SQLite both are one
    transaction. Either way a failed restore loses nothing: the panel's retransmission (or next
    message) finds the account still in trouble and restores it, once."""
    services.store_batch([received(panel, T0, token="NULL", data="")])
    assert services.supervision_sweep(now=T0 + dt.timedelta(seconds=400))
    real, calls = services._supervision_restored, []

    def failing_once(items):
        calls.append(len(items))
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(items)

    monkeypatch.setattr(services, "_supervision_restored", failing_once)
    back = T0 + dt.timedelta(seconds=500)
    with pytest.raises(RuntimeError):
        services.store_batch([received(panel, back, seq=2)])
    panel.refresh_from_db()
    assert panel.trouble_since is not None  # still in trouble: nothing restored half-way
    services.store_batch([received(panel, back + dt.timedelta(seconds=3), seq=2)])  # the retransmission
    panel.refresh_from_db()
    assert panel.trouble_since is None and len(calls) == 2
    assert AlarmEvent.objects.filter(code="130").count() == 1
    assert AlarmEvent.objects.filter(code="SUP", qualifier="restore").count() == 1
    assert Outage.objects.get(device_id=panel.device_id).ended_at is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not enforce a varchar's length")
def test_a_value_too_long_for_its_column_is_refused_never_cut(panel):
    """codes.decode keeps every value within its column (test_dc09); should one ever be longer, the
    database refuses it with a DataError (the receiver then stores that message's batch-mates
    alone) rather than storing it cut short."""
    item = received(panel, T0)
    item.decoded = dataclasses.replace(item.decoded, zone="123456789012")
    with pytest.raises(DataError), transaction.atomic():  # the test's own transaction survives
        services.store_batch([item])
    assert not AlarmEvent.objects.exists()


def test_a_deadlock_is_tried_again_other_errors_are_not(panel, monkeypatch):
    """A statement PostgreSQL rolled back for a deadlock (two receivers, the same panels) is run
    again; a database that is down is not retried here (no ACK: the panels retry)."""
    real, calls = services._store, []

    def failing(first_error):
        def store(items):
            calls.append(first_error)
            if len(calls) == 1:
                raise OperationalError("refused") from first_error
            return real(items)
        return store

    monkeypatch.setattr(services, "_store", failing(psycopg.errors.DeadlockDetected("deadlock detected")))
    assert services.store_batch([received(panel, T0)]) == 1 and len(calls) == 2
    calls.clear()
    monkeypatch.setattr(services, "_store", failing(psycopg.OperationalError("connection refused")))
    with pytest.raises(OperationalError):
        services.store_batch([received(panel, T0, seq=2)])
    assert len(calls) == 1
