"""`jifang video simulate`'s device against the gateway: it comes online, lists its cameras,
answers RecordInfo like a recorder keeping N days."""
import asyncio

import pytest

from jifang.video.models import Channel, Endpoint, RetentionProof, Transition
from jifang.video.simulator import DeviceSpec, SimulatedDevice
from tests import factories as f

from .conftest import PASSWORD, PLATFORM, REALM

DEV = "53010200001180000001"
CAM = "53010200001320000001"


def _run(gateway, spec, duration=None, *, until=None, timeout=20.0):
    """Run the simulated device for `duration`, or (robust on a loaded machine) until `until()` holds
    or `timeout` passes; then let the queries still in flight be answered."""
    async def go():
        loop = asyncio.get_running_loop()
        transport, device = await loop.create_datagram_endpoint(
            lambda: SimulatedDevice(spec, ("127.0.0.1", gateway.port), REALM, PLATFORM, log=lambda line: None),
            local_addr=("127.0.0.1", 0))
        if until is None:
            await device.run(duration)
        else:
            running = asyncio.ensure_future(device.run())
            deadline = loop.time() + timeout
            while not until(device) and loop.time() < deadline and not running.done():
                await asyncio.sleep(0.05)
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
        await asyncio.sleep(0.3)                       # answer the queries still in flight
        transport.close()
        return device

    return gateway.run(go())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("days, outcome", [(90, "present"), (29, "absent")])
def test_simulated_device_comes_online_and_proves_its_retention(gateway, days, outcome):
    nvr = f.DeviceFactory(gb28181_id=DEV, kind="nvr")
    f.DeviceFactory(gb28181_id=CAM, system=nvr.system)
    spec = DeviceSpec(DEV, PASSWORD, [(CAM, "大堂摄像机"), ("53010200001320000002", "新通道")], days, keepalive=0.2)
    device = _run(gateway, spec, until=lambda d: d.keepalives_sent >= 3 and RetentionProof.objects.exists())
    assert device.keepalives_sent >= 3
    assert device.queries_answered[:3] == ["Catalog", "DeviceStatus", "RecordInfo"]
    # it came online by registering (a loaded machine may later flap it at these 0.2 s keepalives)
    assert Transition.objects.filter(endpoint__device=nvr, online=True).order_by("at")[0].reason == "registered"
    assert gateway.wait_for(lambda: not Endpoint.objects.get(device=nvr).online)      # silent once stopped
    assert Channel.objects.get(gb28181_id=CAM).name == "大堂摄像机"
    assert RetentionProof.objects.get().outcome == outcome


@pytest.mark.django_db(transaction=True)
def test_simulated_device_with_a_wrong_password_stays_offline(gateway):
    nvr = f.DeviceFactory(gb28181_id=DEV, kind="nvr")
    device = _run(gateway, DeviceSpec(DEV, "wrong", keepalive=0.2), duration=0.5)
    assert device.keepalives_sent == 0 and not Endpoint.objects.filter(device=nvr, online=True).exists()
