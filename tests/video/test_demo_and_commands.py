"""The demo city's video states, `jifang up` starting the gateway."""
import pytest

from jifang.core.demo import seed_city
from jifang.core.management.commands.up import Command as Up
from jifang.regulation import services as engine
from jifang.regulation.models import Finding, FindingStatus
from jifang.video.models import Channel, Endpoint, SystemRetention, UnknownDevice


@pytest.mark.django_db
def test_demo_city_shows_the_video_states_and_plants_nothing_the_scan_would_add():
    ctx = seed_city(scale=200, seed=116)
    assert Endpoint.objects.filter(online=True).exists() and Endpoint.objects.filter(online=False).exists()
    assert set(SystemRetention.objects.values_list("verdict", flat=True)) == {"proven", "not_proven"}
    assert Channel.objects.filter(device__isnull=True).exists() and UnknownDevice.objects.exists()
    engine.scan(actor=None, as_of=ctx.today)
    assert not Finding.objects.filter(rule_id="art19-retention-proven-short", status=FindingStatus.OPEN).exists()


def test_up_starts_the_gateway():
    commands = Up().processes({"bind": "127.0.0.1:8000", "workers": 1})
    assert any(command[-1] == "gb28181" for command in commands)
    left_out = Up().processes({"bind": "127.0.0.1:8000", "workers": 1, "no_video_gateway": True})
    assert not any(command[-1] == "gb28181" for command in left_out)
