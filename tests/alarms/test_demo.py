"""The demo city's alarm centre: every panel has its account, and a week of history with open alarms."""
import pytest

from jifang.alarms.models import AlarmAccount, AlarmEvent, EventStatus
from jifang.core.demo import seed_city
from jifang.registry.models import Device, DeviceKind

pytestmark = pytest.mark.django_db


def test_demo_panels_have_accounts_and_a_short_history():
    seed_city(scale=100, seed=116)
    panels = Device.objects.filter(kind=DeviceKind.ALARM_PANEL).exclude(dc09_account="")
    assert panels.exists()
    assert AlarmAccount.objects.count() == panels.count()
    assert AlarmAccount.objects.filter(account="000001").exists()  # the account docs/alarm-centre.md uses
    assert AlarmEvent.objects.filter(status=EventStatus.NEW).count() == 3
    assert AlarmEvent.objects.filter(disposition="false").exists()
    alarm = AlarmEvent.objects.filter(status=EventStatus.CLOSED).first()
    assert alarm.restored_at is not None and alarm.site_id == alarm.device.site_id
