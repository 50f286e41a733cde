"""Two gateway processes on one PostgreSQL keep one online state: a device failing over from one
to the other, another device on the second only; both fall silent and each gets exactly one
offline transition and one outage, although both processes sweep."""
import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from jifang.duties.models import Outage
from jifang.video.models import Endpoint, Transition
from tests import factories as f

from .conftest import CH1, free_port, sipp_command

A, B = "34020000001180000001", "34020000001180000002"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several processes share PostgreSQL, not SQLite"),
]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _gateway(port: int) -> subprocess.Popen:
    env = dict(os.environ, JIFANG_DATABASE_URL=_database_url(), JIFANG_SECRET_KEY="two-gateways-test",
               JIFANG_SIP_ID="34020000002000000001", JIFANG_SIP_REALM="3402000000", JIFANG_SIP_ANSWER_TIMEOUT="1.5")
    process = subprocess.Popen([sys.executable, "-m", "jifang.cli", "gb28181", "--bind", f"127.0.0.1:{port}",
                                "--keepalive", "1.0", "--missed", "3", "--sweep"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()
    assert "gateway" in line, line + process.stdout.read()
    return process


def test_two_processes_one_online_state():
    for gb_id in (A, B):
        nvr = f.DeviceFactory(gb28181_id=gb_id, kind="nvr")
    f.DeviceFactory(gb28181_id=CH1, system=nvr.system)
    ports = [free_port(), free_port()]
    gateways = [_gateway(port) for port in ports]
    try:
        first = subprocess.Popen(sipp_command("device.xml", ports[0], dev=A, answers="answers.xml"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        other = subprocess.Popen(sipp_command("device.xml", ports[1], dev=B, answers="answers.xml"),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert first.wait(60) == 0, first.stderr.read()
        # A fails over to the second process and goes on keeping alive there
        again = subprocess.run(sipp_command("device.xml", ports[1], dev=A, answers="answers.xml"),
                               capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stderr
        assert other.wait(60) == 0, other.stderr.read()
        deadline = time.monotonic() + 15
        while Endpoint.objects.filter(online=True).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)                         # both processes sweep again over the offline rows
    finally:
        for process in gateways:
            process.terminate()
            process.wait(15)
    for gb_id in (A, B):
        endpoint = Endpoint.objects.get(gb28181_id=gb_id)
        assert not endpoint.online
        assert list(Transition.objects.filter(endpoint=endpoint).order_by("at").values_list("online", flat=True)) == \
            [True, False], gb_id
        assert Outage.objects.filter(device=endpoint.device).count() == 1
    # A came online through the first process and was last registered by the second
    pids = [str(process.pid) for process in gateways]
    a = Endpoint.objects.get(gb28181_id=A)
    assert Transition.objects.get(endpoint=a, online=True).gateway_node.endswith(":" + pids[0])
    assert a.gateway_node.endswith(":" + pids[1])
