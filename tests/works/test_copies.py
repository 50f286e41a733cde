"""core.copies: the one owner of the district/unit/site columns copied from a related row."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jifang.core import copies
from jifang.enforcement import services as enforcement
from jifang.enforcement.models import Inspection
from jifang.registry import models as rm
from jifang.registry import services as registry
from jifang.works import models as wm
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_declarations_cover_registry_works_and_enforcement():
    from_site = {m for m, _ in copies.dependents(rm.Site)}
    from_system = {m for m, _ in copies.dependents(rm.SecuritySystem)}
    assert {rm.SecuritySystem, Inspection} <= from_site
    assert {rm.Device, wm.Works, wm.NetworkingNotice} <= from_system
    assert {wm.Acceptance, wm.Filing, wm.Notification} <= {m for m, _ in copies.dependents(wm.Works)}
    assert not Inspection.copied.follow  # a signed record names the unit and district it was made for
    from jifang.duties.models import FootageUse, Outage

    assert {Outage, FootageUse} <= from_system and not Outage.copied.follow  # duty records keep their moment


def test_a_site_moving_carries_its_systems_devices_and_works_not_its_signed_records(
        city_officer, works, system):
    device = f.DeviceFactory(system=system)
    inspection = enforcement.inspection_create(actor=city_officer, site=system.site,
                                               inspected_on=timezone.localdate())
    panlong_unit = f.UnitFactory(district_id="530103")
    registry.site_update(actor=city_officer, site=system.site, unit=panlong_unit, district_id="530103")

    for row in (system, device, works):
        row.refresh_from_db()
        assert (row.unit_id, row.district_id) == (panlong_unit.pk, "530103"), row
    assert device.site_id == works.site_id == system.site_id
    inspection.refresh_from_db()
    assert inspection.district_id == "530102" and inspection.unit_id != panlong_unit.pk


def test_a_system_moving_to_another_site_takes_its_devices_and_works(city_officer, works, system):
    device = f.DeviceFactory(system=system)
    elsewhere = f.SiteFactory(unit=f.UnitFactory(district_id="530111"), district_id="530111")
    registry.system_update(actor=city_officer, system=system, site=elsewhere)
    device.refresh_from_db()
    works.refresh_from_db()
    assert (device.site_id, device.district_id) == (elsewhere.pk, "530111")
    assert (works.site_id, works.unit_id, works.district_id) == (elsewhere.pk, elsewhere.unit_id, "530111")


@pytest.mark.parametrize("devices", [1, 20])
def test_following_is_set_based(system, devices):
    f.DeviceFactory.create_batch(devices, system=system)
    site = system.site
    rm.Site.objects.filter(pk=site.pk).update(district_id="530103")
    with CaptureQueriesContext(connection) as queries:
        changed = copies.follow(rm.Site.objects.get(pk=site.pk))
    assert changed == 1 + devices
    assert len(queries) <= 12  # one UPDATE per dependent model, whatever the number of rows
    assert set(rm.Device.objects.filter(system=system).values_list("district_id", flat=True)) == {"530103"}


def test_alarm_accounts_and_video_endpoints_follow_their_device_events_keep_their_moment(city_officer, system):
    from jifang.alarms.models import AlarmAccount, AlarmEvent
    from jifang.video.models import Endpoint

    from_device = dict(copies.dependents(rm.Device))
    assert {AlarmAccount, AlarmEvent, Endpoint} <= set(from_device) and from_device[AlarmEvent].follow is False
    panel = f.DeviceFactory(system=system, kind="alarm_panel")
    camera = f.DeviceFactory(system=system, kind="camera")
    place = {"system_id": system.pk, "site_id": system.site_id, "unit_id": system.unit_id,
             "district_id": system.district_id}
    account = AlarmAccount.objects.create(device=panel, account="A1", **place)
    endpoint = Endpoint.objects.create(device=camera, gb28181_id="53010200001320000001", **place)
    panlong_unit = f.UnitFactory(district_id="530103")
    registry.site_update(actor=city_officer, site=system.site, unit=panlong_unit, district_id="530103")
    for row in (account, endpoint):
        row.refresh_from_db()
        assert (row.unit_id, row.district_id) == (panlong_unit.pk, "530103"), row
