"""The shared duty records: outages (written by the protocol servers and by units) and the footage
usage register. Rules over them come with the units' duties work (issue 10)."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jifang.core.models import AuditEntry
from jifang.core.scoping import visible
from jifang.duties import services
from jifang.duties.models import FootageUse, FootageUseKind, Outage, OutageCause, OutageSource
from tests.duties.conftest import put_on_roster
from tests.factories import DeviceFactory, SiteFactory, SystemFactory

pytestmark = pytest.mark.django_db
GATEWAY = OutageSource.VIDEO_GATEWAY
T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def camera(wuhua_unit):
    device = DeviceFactory(system=SystemFactory(site=SiteFactory(unit=wuhua_unit)))
    put_on_roster(device.site)  # 张三 keeps watch there all year (art_21 point 1)
    return device


def test_a_machine_outage_copies_its_device_and_is_audited(camera):
    outage = services.outage_open(source=GATEWAY, device=camera, started_at=T0)
    assert (outage.system_id, outage.site_id, outage.unit_id, outage.district_id) == (
        camera.system_id, camera.site_id, camera.unit_id, camera.district_id)
    assert outage.ended_at is None and outage.justified is None
    assert AuditEntry.objects.filter(action="duties.outage.opened", object_id=str(outage.pk),
                                     actor_label="system").exists()


def test_opening_twice_keeps_one_open_outage_per_device_and_source(camera):
    first = services.outage_open(source=GATEWAY, device=camera, started_at=T0)
    again = services.outage_open(source=GATEWAY, device=camera, started_at=T0 + dt.timedelta(minutes=3))
    assert again.pk == first.pk and again.started_at == T0
    other = services.outage_open(source=OutageSource.ALARM_RECEIVER, device=camera, started_at=T0)
    assert other.pk != first.pk
    assert Outage.objects.filter(device=camera, ended_at__isnull=True).count() == 2


def test_the_database_refuses_a_second_open_outage_even_without_the_service(camera):
    services.outage_open(source=GATEWAY, device=camera, started_at=T0)
    duplicate = Outage(system=camera.system, site_id=camera.site_id, unit_id=camera.unit_id,
                       district_id=camera.district_id, device=camera, source=GATEWAY, started_at=T0)
    with pytest.raises(Exception):  # IntegrityError: what makes several gateway processes safe
        duplicate.save()


def test_closing_ends_the_open_outage_and_a_second_close_does_nothing(camera):
    services.outage_open(source=GATEWAY, device=camera, started_at=T0)
    closed = services.outage_close(source=GATEWAY, device=camera, ended_at=T0 + dt.timedelta(minutes=7))
    assert closed.ended_at - closed.started_at == dt.timedelta(minutes=7)
    assert services.outage_close(source=GATEWAY, device=camera, ended_at=T0 + dt.timedelta(minutes=9)) is None
    assert AuditEntry.objects.filter(action="duties.outage.ended").count() == 1


def test_set_based_open_and_close_over_many_devices(wuhua_unit):
    system = SystemFactory(site=SiteFactory(unit=wuhua_unit))
    devices = DeviceFactory.create_batch(30, system=system)
    ids = [d.pk for d in devices]
    services.outages_open(source=GATEWAY, device_ids=ids[:10], started_at=T0)
    opened = services.outages_open(source=GATEWAY, device_ids=ids, started_at=T0 + dt.timedelta(minutes=1))
    assert len(opened) == 20  # the ten already out are left alone
    assert services.outages_close(source=GATEWAY, device_ids=ids, ended_at=T0 + dt.timedelta(hours=1)) == 30
    assert not Outage.objects.filter(ended_at__isnull=True).exists()


def test_only_machine_sources_use_the_machine_path(camera):
    with pytest.raises(ValidationError):
        services.outages_open(source=OutageSource.MANUAL, device_ids=[camera.pk], started_at=T0)


def test_a_unit_records_and_explains_an_outage_once(unit_user, camera):
    outage = services.outage_record(actor=unit_user, system=camera.system, device=camera, started_at=T0,
                                    ended_at=T0 + dt.timedelta(hours=2))
    assert outage.justified is None
    services.outage_explain(actor=unit_user, outage=outage, cause=OutageCause.POWER_CUT, note="片区停电")
    outage.refresh_from_db()
    assert outage.justified is True and outage.explained_by == unit_user
    with pytest.raises(ValidationError):
        services.outage_explain(actor=unit_user, outage=outage, cause=OutageCause.FAULT, note="改口")


def test_an_outage_cannot_end_before_it_starts_or_lie_in_the_future(unit_user, camera):
    with pytest.raises(ValidationError):
        services.outage_record(actor=unit_user, system=camera.system, started_at=T0, ended_at=T0 - dt.timedelta(1))
    with pytest.raises(ValidationError):
        services.outage_record(actor=unit_user, system=camera.system,
                               started_at=timezone.now() + dt.timedelta(days=1))
    assert not Outage.objects.exists()


def test_another_unit_and_another_district_neither_write_nor_see(unit_user, panlong_unit, panlong_officer,
                                                                 wuhua_officer, camera):
    foreign = DeviceFactory(system=SystemFactory(site=SiteFactory(unit=panlong_unit)))
    with pytest.raises(PermissionDenied):
        services.outage_record(actor=unit_user, system=foreign.system, started_at=T0)
    services.outage_open(source=GATEWAY, device=camera, started_at=T0)
    assert visible(unit_user, Outage).count() == 1
    assert visible(wuhua_officer, Outage).count() == 1
    assert visible(panlong_officer, Outage).count() == 0


def test_the_usage_register_is_append_only_with_corrections(unit_user, camera, panlong_officer):
    entry = services.footage_use_record(
        actor=unit_user, system=camera.system, kind=FootageUseKind.COPY, recording_from=T0,
        recording_to=T0 + dt.timedelta(minutes=30), used_at=T0 + dt.timedelta(days=1), user_name="张三",
        purpose="配合公安机关调查", destination="五华分局", cameras=[camera], requester_unit="五华分局",
        requester_name="李警官", legal_basis="协助调查通知书", approved_by_name="王经理",
        approved_at=T0 + dt.timedelta(days=1))
    assert list(entry.cameras.all()) == [camera]
    fix = services.footage_use_record(
        actor=unit_user, system=camera.system, kind=FootageUseKind.COPY, recording_from=T0,
        recording_to=T0 + dt.timedelta(minutes=40), used_at=T0 + dt.timedelta(days=1), user_name="张三",
        purpose="配合公安机关调查", corrects=entry)
    assert list(entry.corrections.all()) == [fix]
    assert FootageUse.objects.count() == 2
    assert visible(panlong_officer, FootageUse).count() == 0
    assert AuditEntry.objects.filter(action="duties.footage_use.recorded").count() == 2


def test_the_register_refuses_cameras_of_another_system(unit_user, camera, wuhua_unit):
    elsewhere = DeviceFactory(system=SystemFactory(site=SiteFactory(unit=wuhua_unit)))
    with pytest.raises(ValidationError):
        services.footage_use_record(actor=unit_user, system=camera.system, kind=FootageUseKind.VIEW,
                                    recording_from=T0, recording_to=T0, used_at=T0, user_name="张三",
                                    purpose="回看", cameras=[elsewhere])
    assert not FootageUse.objects.exists()
