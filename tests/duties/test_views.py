"""The duty record pages: a unit records an outage and explains it once; a unit keeps its footage
register and corrects an entry by a new one; the district reads; nobody else sees anything."""
import datetime as dt

import pytest
from django.urls import reverse

from jifang.duties import services
from jifang.duties.models import FootageUse, Outage, OutageCause, OutageSource
from tests.duties.conftest import put_on_roster
from tests.factories import DeviceFactory, SiteFactory, SystemFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def camera(wuhua_unit):
    device = DeviceFactory(system=SystemFactory(site=SiteFactory(unit=wuhua_unit)))
    put_on_roster(device.site)  # 张三 keeps watch there all year (art_21 point 1)
    return device


def test_a_unit_records_an_outage_from_the_page(client, unit_user, camera):
    client.force_login(unit_user)
    response = client.post(reverse("duties:outage_add"), {
        "system": camera.system_id, "device": camera.pk, "started_at": "2026-11-02T09:00",
        "ended_at": "2026-11-02T13:30", "cause": OutageCause.UNKNOWN, "note": ""})
    outage = Outage.objects.get()
    assert response.status_code == 302 and response["Location"] == outage.get_absolute_url()
    # entered in Kunming's time (UTC+8)
    assert outage.started_at == dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    assert outage.source == OutageSource.MANUAL and outage.unit_id == camera.unit_id


def test_the_unit_explains_once_and_the_form_then_disappears(client, unit_user, camera):
    outage = services.outage_open(source=OutageSource.VIDEO_GATEWAY, device=camera, started_at=T0)
    client.force_login(unit_user)
    page = client.get(outage.get_absolute_url())
    assert b'data-testid="explain"' in page.content
    client.post(reverse("duties:outage_explain", args=[outage.pk]), {"cause": OutageCause.POWER_CUT, "note": "停电"})
    outage.refresh_from_db()
    assert outage.cause == OutageCause.POWER_CUT and outage.explained_by == unit_user
    assert b'data-testid="explain"' not in client.get(outage.get_absolute_url()).content
    client.post(reverse("duties:outage_explain", args=[outage.pk]), {"cause": OutageCause.FAULT, "note": "改"})
    outage.refresh_from_db()
    assert outage.cause == OutageCause.POWER_CUT  # refused: the explanation is evidence


def test_the_police_read_but_do_not_explain(client, wuhua_officer, camera):
    outage = services.outage_open(source=OutageSource.VIDEO_GATEWAY, device=camera, started_at=T0)
    client.force_login(wuhua_officer)
    page = client.get(outage.get_absolute_url())
    assert page.status_code == 200


def test_other_districts_and_units_get_404(client, panlong_officer, panlong_unit, camera):
    from tests.factories import UserFactory
    outage = services.outage_open(source=OutageSource.VIDEO_GATEWAY, device=camera, started_at=T0)
    other_unit_user = UserFactory(role="unit_user", division_id=None, units=[panlong_unit])
    for user in (panlong_officer, other_unit_user):
        client.force_login(user)
        assert client.get(outage.get_absolute_url()).status_code == 404
        assert client.post(reverse("duties:outage_explain", args=[outage.pk]),
                           {"cause": OutageCause.POWER_CUT, "note": "x"}).status_code == 404
        assert str(camera.system) not in client.get(reverse("duties:outage_list")).content.decode()
    assert Outage.objects.get().explained_at is None


def test_a_register_entry_and_its_correction(client, unit_user, camera, wuhua_officer, firm_user):
    client.force_login(unit_user)
    data = {"system": camera.system_id, "kind": "copy", "recording_from": "2026-11-01T08:00",
            "recording_to": "2026-11-01T08:30", "cameras": [camera.pk], "used_at": "2026-11-02T10:00",
            "user_name": "张三", "purpose": "配合调查", "destination": "五华分局", "requester_unit": "五华分局",
            "requester_name": "李警官", "content": "大门录像", "legal_basis": "调取证据通知书",
            "approved_by_name": "王经理", "approved_at": "2026-11-02T09:50"}
    assert client.post(reverse("duties:footageuse_add"), data).status_code == 302
    entry = FootageUse.objects.get()
    assert list(entry.cameras.all()) == [camera]
    form = client.get(reverse("duties:footageuse_add") + f"?system={camera.system_id}&corrects={entry.pk}")
    assert f'value="{entry.pk}"'.encode() in form.content
    assert client.post(reverse("duties:footageuse_add"), {**data, "purpose": "配合刑事调查",
                                                          "corrects": entry.pk}).status_code == 302
    fix = FootageUse.objects.exclude(pk=entry.pk).get()
    assert fix.corrects_id == entry.pk
    entry.refresh_from_db()
    assert entry.purpose == "配合调查"  # the original is never rewritten
    client.force_login(wuhua_officer)
    assert "配合刑事调查" in client.get(reverse("duties:footageuse_list")).content.decode()
    client.force_login(firm_user)  # the register is the unit's and the police's, not the installer's
    assert client.get(entry.get_absolute_url()).status_code == 404
