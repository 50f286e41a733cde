"""Video pages and API: scoped like everything else."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jifang.video import services
from jifang.video.gateway import parse_local
from jifang.video.models import Channel, Endpoint
from tests import factories as f

pytestmark = pytest.mark.django_db


def endpoint(unit, gb_id, *, online=True):
    nvr = f.DeviceFactory(gb28181_id=gb_id, kind="nvr", system__site__unit=unit)
    now = timezone.now()
    return Endpoint.objects.create(device=nvr, gb28181_id=gb_id, district_id=nvr.district_id, unit_id=nvr.unit_id,
                                   site_id=nvr.site_id, system_id=nvr.system_id, online=online,
                                   status_since=now - dt.timedelta(hours=3), last_seen_at=now)


@pytest.fixture
def city(wuhua_unit, panlong_unit):
    return {"wuhua_on": endpoint(wuhua_unit, "53010200001180000001"),
            "wuhua_off": endpoint(wuhua_unit, "53010200001180000002", online=False),
            "panlong_on": endpoint(panlong_unit, "53010300001180000003")}


def test_online_rate_per_district_and_unit_is_scoped(client, city, city_officer, wuhua_officer, unit_user):
    client.force_login(city_officer)
    page = client.get(reverse("video:overview")).content.decode()
    assert "66.7%" in page and "五华区" in page and "盘龙区" in page
    client.force_login(wuhua_officer)
    page = client.get(reverse("video:overview")).content.decode()
    assert "50.0%" in page and "盘龙区" not in page
    client.force_login(unit_user)
    page = client.get(reverse("video:overview") + "?by=unit").content.decode()
    assert "五华测试银行" in page and "盘龙测试酒店" not in page


def test_offline_now_and_since_when(client, city, wuhua_officer, panlong_officer):
    client.force_login(wuhua_officer)
    page = client.get(reverse("video:endpoint_list") + "?online=false").content.decode()
    assert "53010200001180000002" in page and "53010200001180000001" not in page
    client.force_login(panlong_officer)
    assert "53010200001180000002" not in client.get(reverse("video:endpoint_list") + "?online=false").content.decode()
    assert client.get(reverse("video:endpoint_detail", args=[city["wuhua_off"].pk])).status_code == 404


def test_timeline_and_device_page_live_status(client, city, unit_user):
    e = city["wuhua_on"]
    services.registered(endpoint_id=e.pk, at=timezone.now(), expires=3600, contact="127.0.0.1:5070", transport="UDP",
                        source="127.0.0.1:5070", node="n")
    Endpoint.objects.filter(pk=e.pk).update(online=True)
    client.force_login(unit_user)
    detail = client.get(reverse("video:endpoint_detail", args=[e.pk])).content.decode()
    assert 'data-testid="timeline"' in detail and 'data-testid="password-form"' in detail
    device_page = client.get(e.device.get_absolute_url()).content.decode()
    assert reverse("video:device_status", args=[e.device_id]) in device_page
    status = client.get(reverse("video:device_status", args=[e.device_id])).content.decode()
    assert "在线" in status or "online" in status


def test_retention_page_shows_declared_proven_and_not_proven(client, city, city_officer):
    e = city["wuhua_on"]
    camera = f.DeviceFactory(gb28181_id="53010200001310000011", system=e.device.system)
    services.catalog_received(endpoint_id=e.pk, items=[{"DeviceID": camera.gb28181_id, "Name": "大门"}],
                              at=timezone.now())
    now = timezone.now()
    window = (now - dt.timedelta(days=30, minutes=30), now - dt.timedelta(days=30) + dt.timedelta(minutes=30))
    services.proof_recorded(channel_id=Channel.objects.get().pk, sn=5, asked_at=now, answered_at=now, window=window,
                            required_days=30, items=[], parse_time=parse_local)
    client.force_login(city_officer)
    page = client.get(reverse("video:retention")).content.decode()
    assert "少于 30 日" in page or "fewer than 30 days" in page
    assert "未经证实" in page or "not proven" in page          # the other systems were never asked


def test_a_unit_accepts_a_new_channel_from_its_page(client, city, unit_user, panlong_officer):
    e = city["wuhua_on"]
    services.catalog_received(endpoint_id=e.pk, items=[{"DeviceID": "53010200001310000021", "Name": "后门"}],
                              at=timezone.now())
    channel = Channel.objects.get()
    client.force_login(panlong_officer)
    assert client.post(reverse("video:channel_accept", args=[channel.pk])).status_code == 404
    client.force_login(unit_user)
    response = client.post(reverse("video:channel_accept", args=[channel.pk]), {"name": "后门摄像机"})
    channel.refresh_from_db()
    assert channel.device is not None and response.url == channel.device.get_absolute_url()


def test_api_is_read_only_and_scoped(client, city, panlong_officer):
    client.force_login(panlong_officer)
    rows = client.get("/api/video/endpoints/").json()
    ids = {r["gb28181_id"] for r in rows.get("results", rows)}
    assert ids == {"53010300001180000003"}
    assert client.post("/api/video/endpoints/", {}).status_code == 405
