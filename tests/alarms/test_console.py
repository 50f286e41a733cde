"""The operators' console and history: scoping, the workflow (acknowledge, verify, dispatch, close
once), timers and escalation, false-alarm figures and the export."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jifang.alarms import codes, dc09, selectors, services
from jifang.alarms.models import AlarmEvent, EventStatus
from jifang.core.errors import ServiceError
from tests.conftest import PASSWORD

from .conftest import make_panel

pytestmark = pytest.mark.clause("art_12__para_1")


def received(account, data="#{a}|1130 01 003", token="ADM-CID", seq=1, at=None) -> AlarmEvent:
    data = data.format(a=account.account)
    at = at or timezone.now()
    message = dc09.decode(dc09.read_frame(dc09.message(token, seq, account.account, data)), known=True, key=None,
                          now=at).message
    copies = {k: getattr(account, k) for k in ("device_id", "system_id", "site_id", "unit_id", "district_id")}
    services.store_batch([services.Received(account.pk, copies, message, codes.decode(token, data), at, "tcp", "x")])
    return AlarmEvent.objects.filter(account=account).latest("id")


@pytest.fixture
def wuhua_panel(db, admin_user):
    return make_panel(admin_user, "5101", district="530102")


@pytest.fixture
def panlong_panel(db, admin_user):
    return make_panel(admin_user, "5201", district="530103")


def test_queue_is_scoped_and_ordered_by_priority(client, wuhua_panel, panlong_panel, city_officer, wuhua_officer):
    burglary = received(wuhua_panel)
    fire = received(wuhua_panel, "#{a}|1110 01 009", seq=2)
    other = received(panlong_panel)
    received(wuhua_panel, "#{a}|1602 00 000", seq=3)  # a test: logged, not queued
    assert [line.event.pk for line in selectors.queue(city_officer)] == [fire.pk, burglary.pk, other.pk]
    assert [line.event.pk for line in selectors.queue(wuhua_officer)] == [fire.pk, burglary.pk]
    client.force_login(wuhua_officer)
    page = client.get(reverse("alarms:queue")).content.decode()
    assert "火警" in page and "盗警" in page and f"alarm-{other.pk}" not in page
    assert client.get(reverse("alarms:alarmevent_detail", args=[other.pk])).status_code == 404


def test_workflow_acknowledge_dispatch_close_once(client, wuhua_panel, wuhua_officer):
    event = received(wuhua_panel)
    client.force_login(wuhua_officer)
    act = lambda action, **data: client.post(reverse("alarms:event_act", args=[event.pk, action]), data)  # noqa: E731
    assert act("close", disposition="false").status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.NEW  # refused: acknowledge first
    act("acknowledge")
    act("verify", verification="值班员电话确认：无人值守，门磁被触发")
    act("dispatch", to="district_police", note="五华分局指挥室 王警官")
    act("close", disposition="real", note="已出警")
    event.refresh_from_db()
    assert (event.status, event.dispatched_to, event.disposition) == (EventStatus.CLOSED, "district_police", "real")
    assert event.acknowledged_by == wuhua_officer and event.closed_at and event.verified_at
    with pytest.raises(ServiceError):
        services.event_close(actor=wuhua_officer, event=event, disposition="false")
    event.refresh_from_db()
    assert event.disposition == "real"
    page = client.get(reverse("alarms:alarmevent_detail", args=[event.pk])).content.decode()
    assert "已出警" in page


def test_others_cannot_act(wuhua_panel, panlong_officer, department_officer, wuhua_unit):
    event = received(wuhua_panel)
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

    for actor in (panlong_officer, department_officer):
        with pytest.raises((PermissionDenied, ObjectDoesNotExist)):
            services.event_acknowledge(actor=actor, event=event)
    event.refresh_from_db()
    assert event.status == EventStatus.NEW


def test_unit_and_firm_see_their_own_history(db, admin_user):
    from jifang.accounts.models import Role
    from tests import factories as f

    mine = make_panel(admin_user, "6101")
    theirs = make_panel(admin_user, "6102")
    firm = f.FirmFactory()
    type(mine.system).objects.filter(pk=mine.system_id).update(firm=firm)
    unit_user = f.UserFactory(role=Role.UNIT_USER, division_id=None)
    unit_user.units.add(mine.unit)
    firm_user = f.UserFactory(role=Role.FIRM_USER, division_id=None, firm=firm)
    a, b = received(mine), received(theirs)
    from jifang.core.scoping import visible

    assert list(visible(unit_user, AlarmEvent)) == [a]
    assert list(visible(firm_user, AlarmEvent)) == [a]
    assert b not in visible(unit_user, AlarmEvent)


def test_timers_escalate():
    now = timezone.now()
    new = AlarmEvent(status=EventStatus.NEW, received_at=now - dt.timedelta(seconds=61))
    assert selectors.timer(new, now).escalated
    fresh = AlarmEvent(status=EventStatus.NEW, received_at=now - dt.timedelta(seconds=30))
    assert not selectors.timer(fresh, now).escalated and selectors.timer(fresh, now).waiting_text == "0:30"
    slow = AlarmEvent(status=EventStatus.ACKNOWLEDGED, received_at=now - dt.timedelta(minutes=10),
                      acknowledged_at=now - dt.timedelta(minutes=6))
    assert selectors.timer(slow, now).escalated


def test_false_alarm_rate_and_export(client, wuhua_panel, panlong_panel, city_officer, wuhua_officer):
    for n, disposition in enumerate(["false", "false", "real", "false"], start=1):
        event = received(wuhua_panel, f"#{{a}}|1130 01 {n:03d}", seq=n)
        services.event_acknowledge(actor=city_officer, event=event)
        services.event_close(actor=city_officer, event=event, disposition=disposition)
    received(panlong_panel)
    rows = selectors.false_alarm_figures(wuhua_officer)
    assert [(r["alarms"], r["closed"], r["false"], r["rate"]) for r in rows] == [(4, 4, 3, 0.75)]
    client.force_login(wuhua_officer)
    assert "75%" in client.get(reverse("alarms:figures")).content.decode()
    csv_text = b"".join(client.get(reverse("alarms:event_export")).streaming_content).decode("utf-8-sig")
    assert csv_text.count("\n") == 5 and "盗警" in csv_text
    assert csv_text.count("false alarm") == 3 or csv_text.count("误报") == 3
    assert panlong_panel.site.name not in csv_text


def test_pages_render(client, wuhua_panel, city_officer):
    received(wuhua_panel)
    client.force_login(city_officer)
    for name in ("console", "alarmevent_list", "figures", "alarmaccount_list", "unknownaccount_list",
                 "alarmaccount_add"):
        assert client.get(reverse(f"alarms:{name}")).status_code == 200, name
    assert client.get(reverse("alarms:alarmaccount_detail", args=[wuhua_panel.pk])).status_code == 200


def test_account_key_is_sealed_and_never_shown(client, db, admin_user, city_officer):
    from jifang.registry.models import DeviceKind
    from tests import factories as f

    device = f.DeviceFactory(kind=DeviceKind.ALARM_PANEL, serial="PANEL-NEW")
    client.force_login(city_officer)
    response = client.post(reverse("alarms:alarmaccount_add"), {
        "serial": "PANEL-NEW", "account": "abc123", "key": "Secret-Key-16chr", "supervision_seconds": 600,
        "grace_seconds": 60})
    assert response.status_code == 302
    account = device.alarm_accounts.get() if hasattr(device, "alarm_accounts") else None
    from jifang.alarms.models import AlarmAccount

    account = AlarmAccount.objects.get(device=device)
    assert account.account == "ABC123" and account.key_bits == 128
    assert "Secret-Key-16chr" not in account.key_token and services.panel_key(account) == b"Secret-Key-16chr"
    page = client.get(account.get_absolute_url()).content.decode()
    assert "Secret-Key-16chr" not in page and account.key_token not in page
    device.refresh_from_db()
    assert device.dc09_account == "ABC123"
    bad = client.post(reverse("alarms:alarmaccount_add"), {"serial": "PANEL-NEW", "account": "X1", "key": "short",
                                                            "supervision_seconds": 600, "grace_seconds": 60})
    assert bad.status_code == 200 and AlarmAccount.objects.count() == 1


def test_api_queue_and_actions_are_scoped(wuhua_panel, panlong_panel, wuhua_officer):
    from rest_framework.test import APIClient

    mine, theirs = received(wuhua_panel), received(panlong_panel)
    api = APIClient()
    api.force_authenticate(wuhua_officer)
    assert [row["id"] for row in api.get("/api/alarm-events/queue/").json()] == [mine.pk]
    assert api.post(f"/api/alarm-events/{theirs.pk}/acknowledge/", {}).status_code == 404
    assert api.post(f"/api/alarm-events/{mine.pk}/acknowledge/", {}).json()["status"] == "acknowledged"
    again = api.post(f"/api/alarm-events/{mine.pk}/acknowledge/", {})
    assert again.status_code == 400
    closed = api.post(f"/api/alarm-events/{mine.pk}/close/", {"disposition": "test"}, format="json")
    assert closed.json()["status"] == "closed"
    assert "key_token" not in str(api.get("/api/alarm-accounts/").json())


def test_account_edit_replaces_or_removes_the_key(client, wuhua_panel, city_officer):
    client.force_login(city_officer)
    url = reverse("alarms:alarmaccount_edit", args=[wuhua_panel.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"key": "0123456789ABCDEF0123456789ABCDEF", "supervision_seconds": 120, "grace_seconds": 30})
    wuhua_panel.refresh_from_db()
    assert wuhua_panel.key_bits == 128 and wuhua_panel.supervision_seconds == 120  # 32 hex digits: AES-128
    assert services.panel_key(wuhua_panel) == bytes.fromhex("0123456789ABCDEF0123456789ABCDEF")
    refused = client.post(url, {"supervision_seconds": 5, "grace_seconds": 30})
    assert refused.status_code == 200 and "60" in refused.content.decode()
    client.post(url, {"clear_key": "on", "supervision_seconds": 0, "grace_seconds": 30})
    wuhua_panel.refresh_from_db()
    assert wuhua_panel.key_token == "" and wuhua_panel.key_bits is None and wuhua_panel.supervision_seconds == 0


def test_home_panel_counts_open_and_late_in_scope(client, wuhua_panel, panlong_panel, wuhua_officer):
    received(wuhua_panel, at=timezone.now() - dt.timedelta(minutes=3))
    received(panlong_panel)
    assert selectors.home_figures(wuhua_officer) == {"open": 1, "late": 1, "lost": 0}
    client.force_login(wuhua_officer)
    assert 'data-testid="alarms-panel"' in client.get(reverse("home")).content.decode()
