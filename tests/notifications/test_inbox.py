"""The inbox: scoped like everything else, marked read, the bell's count; delivery through the
gateways with each user's preferences (nothing leaves the machine)."""
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from jifang.notifications import delivery, reminders, selectors
from jifang.notifications.models import Delivery, DeliveryStatus, Kind, Notification

from .. import factories as f
from .conftest import at, issue

D = dt.date
DEADLINE = D(2026, 10, 9)


@pytest.fixture
def served(clock, wuhua_officer, wuhua_site, unit_user):
    at(clock, D(2026, 9, 29))
    order = issue(wuhua_officer, wuhua_site, DEADLINE)
    reminders.run(clock.now)
    return order


def test_each_user_sees_only_their_own(served, unit_user, panlong_unit):
    other = f.UserFactory(role="unit_user", units=[panlong_unit])
    assert {n.kind for n in selectors.inbox(unit_user)} == {Kind.ORDER_SERVED, Kind.ORDER_DEADLINE}
    assert not selectors.inbox(other).exists()
    assert selectors.unread_count(unit_user) == 2


def test_a_user_who_left_the_unit_no_longer_reads_it(served, unit_user):
    unit_user.units.clear()
    assert Notification.objects.filter(user=unit_user).count() == 2  # kept, never lost
    assert not selectors.inbox(unit_user).exists()  # but out of scope now


def test_inbox_page_bell_and_open(client, served, unit_user):
    client.force_login(unit_user)
    bell = client.get(reverse("notifications:bell"))
    assert 'data-testid="bell-count">2<' in bell.content.decode()
    page = client.get(reverse("notifications:inbox"))
    assert page.status_code == 200
    text = page.content.decode()
    assert served.number in text and "3" in text
    n = Notification.objects.get(user=unit_user, kind=Kind.ORDER_DEADLINE)
    opened = client.post(reverse("notifications:open", args=[n.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("enforcement:order_detail", args=[served.pk])
    n.refresh_from_db()
    assert n.read_at is not None
    assert selectors.unread_count(unit_user) == 1
    client.post(reverse("notifications:read_all"))
    assert selectors.unread_count(unit_user) == 0


def test_another_users_notification_is_404(client, served, panlong_unit):
    other = f.UserFactory(role="unit_user", units=[panlong_unit])
    client.force_login(other)
    n = Notification.objects.first()
    assert client.post(reverse("notifications:open", args=[n.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[2**70])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_preferences_page_saves_and_audits(client, unit_user):
    from jifang.core.models import AuditEntry

    client.force_login(unit_user)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(reverse("notifications:preferences"), {"order_deadline-enabled": "on",
                                                                  "order_deadline-email": "on"})
    assert response.status_code == 302
    prefs = {p.kind: (p.enabled, p.email, p.sms) for p in unit_user.notification_preferences.all()}
    assert prefs[Kind.ORDER_DEADLINE] == (True, True, False)
    assert prefs[Kind.ORDER_SERVED] == (False, False, False)
    assert AuditEntry.objects.filter(action="notifications.preferences.set").count() == 1


def test_email_by_preference_once(clock, outbox, wuhua_officer, wuhua_site, unit_user, mailoutbox, settings):
    from jifang.notifications import services

    settings.JIFANG_NOTIFY_GATEWAYS = {"email": "email", "sms": "file"}
    unit_user.email, unit_user.phone = "bank@example.cn", "13800000000"
    unit_user.save()
    services.preferences_set(actor=unit_user, choices={Kind.ORDER_DEADLINE: {"enabled": True, "email": True,
                                                                             "sms": True}})
    at(clock, D(2026, 9, 29))
    order = issue(wuhua_officer, wuhua_site, DEADLINE)
    reminders.run(clock.now)
    reminders.run(clock.now)
    assert len(mailoutbox) == 1  # the deadline only: "served" was not asked for by e-mail
    mail = mailoutbox[0]
    assert mail.to == ["bank@example.cn"] and order.number in mail.body
    assert mail.body.index("整改") < mail.body.index("Rectification")  # Chinese first
    assert f"/enforcement/orders/{order.pk}/" in mail.body
    lines = (outbox / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["to"] for x in lines] == ["13800000000"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


class _Sms(BaseHTTPRequestHandler):
    received: list = []
    fail = False

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(500 if type(self).fail else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_server(settings):
    server = HTTPServer(("127.0.0.1", 0), _Sms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Sms.received, _Sms.fail = [], False
    settings.JIFANG_NOTIFY_GATEWAYS = {"email": "file", "sms": "http"}
    settings.JIFANG_SMS_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.JIFANG_SMS_TOKEN = "t0ken"
    yield _Sms
    server.shutdown()
    server.server_close()


def test_sms_gateway_failure_is_kept_and_retried(clock, sms_server, wuhua_officer, wuhua_site, unit_user):
    from jifang.notifications import services

    unit_user.phone = "13800000000"
    unit_user.save()
    services.preferences_set(actor=unit_user, choices={Kind.ORDER_SERVED: {"enabled": True, "sms": True}})
    at(clock, D(2026, 9, 21))
    issue(wuhua_officer, wuhua_site, DEADLINE)
    sms_server.fail = True
    reminders.run(clock.now)
    d = Delivery.objects.get()
    assert (d.status, d.attempts) == (DeliveryStatus.FAILED, 1) and "500" in d.error
    sms_server.fail = False
    delivery.deliver(clock.now)
    d.refresh_from_db()
    assert (d.status, d.attempts) == (DeliveryStatus.SENT, 2)
    assert [r[0] for r in sms_server.received] == ["Bearer t0ken"] * 2
    assert sms_server.received[-1][1]["to"] == "13800000000"
    delivery.deliver(clock.now)
    assert len(sms_server.received) == 2  # sent once
