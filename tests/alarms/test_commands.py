"""`jifang up` starts the receiver beside the web server; `jifang alarm send` fires a test alarm."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jifang.alarms.models import AlarmEvent
from jifang.core.management.commands.up import Command as Up

from .conftest import make_panel


def test_up_starts_the_alarm_receiver_on_its_bind(settings):
    settings.JIFANG_ALARM_BIND = "127.0.0.1:57199"
    processes = Up().processes({"bind": "127.0.0.1:8000", "workers": 2, "no_alarm_receiver": False})
    assert processes[1][1:] == ["alarm-receiver", "--bind", "127.0.0.1:57199"]
    without = Up().processes({"bind": "127.0.0.1:8000", "workers": 2, "no_alarm_receiver": True})
    assert not any("alarm-receiver" in command for command in without)


@pytest.mark.parametrize("udp", [False, True])
def test_alarm_send_reaches_the_receiver(transactional_db, admin_user, receiver, capsys, udp):
    make_panel(admin_user, "000001")
    args = ["send", "--account", "000001", "--event", "fire", "--zone", "7", "--to", f"127.0.0.1:{receiver.port}"]
    call_command("alarm", *args, *(["--udp"] if udp else []))
    assert "-> ACK" in capsys.readouterr().out
    event = AlarmEvent.objects.get()
    assert (event.category, event.zone) == ("fire", "007")


def test_alarm_send_reports_a_nak(transactional_db, receiver):
    with pytest.raises(CommandError, match="NAK"):
        call_command("alarm", "send", "--account", "ABCDEF", "--to", f"127.0.0.1:{receiver.port}")
