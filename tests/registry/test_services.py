import pytest

from django.core.exceptions import ValidationError

from jifang.core.errors import NotPermitted, ServiceError
from jifang.registry import services
from jifang.registry.models import AcceptanceResult, Device, SystemStatus, Unit

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.clause("art_14__para_2")
def test_unit_cannot_put_an_unaccepted_system_into_use(unit_user, wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), status=SystemStatus.ACCEPTED,
                             acceptance_result=AcceptanceResult.FAILED)
    with pytest.raises(ServiceError) as exc:
        services.system_update(actor=unit_user, system=system, status=SystemStatus.IN_USE)
    assert exc.value.clause == "art_14__para_2" and "第十四条第二款" in exc.value.messages[0]
    system.refresh_from_db()
    assert system.status == SystemStatus.ACCEPTED


@pytest.mark.clause("art_14__para_2")
def test_unit_may_put_an_accepted_system_into_use(unit_user, wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), status=SystemStatus.ACCEPTED,
                             acceptance_result=AcceptanceResult.PASSED)
    services.system_update(actor=unit_user, system=system, status=SystemStatus.IN_USE)
    system.refresh_from_db()
    assert system.status == SystemStatus.IN_USE


def test_police_may_record_a_system_found_in_use_unaccepted(wuhua_officer, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit)
    system = services.system_create(actor=wuhua_officer, code="SYS-X", name="大堂监控", site=site,
                                    status=SystemStatus.IN_USE, has_audio_video=True)
    assert system.acceptance_result == AcceptanceResult.NONE and system.district_id == "530102"


def test_district_officer_cannot_register_outside_the_district(wuhua_officer):
    with pytest.raises(NotPermitted):
        services.unit_create(actor=wuhua_officer, name="盘龙某单位", credit_code=f.credit_code("530103"),
                             district_id="530103")
    assert not Unit.objects.filter(name="盘龙某单位").exists()


def test_unit_user_cannot_change_police_only_fields(unit_user, wuhua_unit):
    with pytest.raises(NotPermitted):
        services.unit_update(actor=unit_user, unit=wuhua_unit, kind="non_business")
    services.unit_update(actor=unit_user, unit=wuhua_unit, contact_phone="0871-12345678")
    wuhua_unit.refresh_from_db()
    assert wuhua_unit.kind == "business" and wuhua_unit.contact_phone == "0871-12345678"


def test_moving_a_site_carries_its_systems_and_devices(city_officer, wuhua_unit, panlong_unit):
    device = f.DeviceFactory(system=f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit)))
    services.site_update(actor=city_officer, site=device.site, unit=panlong_unit, district_id="530103")
    device = Device.objects.select_related("system").get(pk=device.pk)
    assert (device.unit_id, device.district_id) == (panlong_unit.id, "530103")
    assert (device.system.unit_id, device.system.district_id) == (panlong_unit.id, "530103")


def test_a_device_part_must_be_at_the_systems_site(unit_user, wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit))
    elsewhere = f.SitePartFactory(site=f.SiteFactory(unit=wuhua_unit))
    with pytest.raises(ValidationError):
        services.device_create(actor=unit_user, serial="D-1", system=system, kind="camera", part=elsewhere)
    assert not Device.objects.filter(serial="D-1").exists()


def test_unit_user_registers_a_site_of_its_own_unit(unit_user, wuhua_unit, panlong_unit):
    site = services.site_create(actor=unit_user, code="S-NEW-1", name="五华支行二号网点", unit=wuhua_unit)
    assert site.district_id == wuhua_unit.district_id  # taken from the unit
    branch = services.site_create(actor=unit_user, code="S-NEW-2", name="盘龙网点", unit=wuhua_unit,
                                  district_id="530103")
    assert branch.district_id == "530103"  # a branch in another district is a fact the unit may state
    with pytest.raises(NotPermitted):
        services.site_create(actor=unit_user, code="S-NEW-3", name="别人的场所", unit=panlong_unit)
    with pytest.raises(NotPermitted):  # the art. 6 category is the police's to set
        services.site_create(actor=unit_user, code="S-NEW-4", name="自定类别", unit=wuhua_unit, art6_point=5)
    with pytest.raises(NotPermitted):  # moving an existing site stays with the police
        services.site_update(actor=unit_user, site=site, district_id="530103")


def test_police_only_fields_cannot_be_reached_through_their_id_names(unit_user, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit)
    for data in ({"district_id": "530103"}, {"district": "530103"}):
        with pytest.raises(NotPermitted):
            services.site_update(actor=unit_user, site=site, **data)
    site.refresh_from_db()
    assert site.district_id == "530102"


def test_unit_user_registers_a_system_at_its_own_site_only(unit_user, wuhua_unit, panlong_unit):
    mine = f.SiteFactory(unit=wuhua_unit)
    system = services.system_create(actor=unit_user, code="SYS-U-1", name="营业厅监控", site=mine,
                                    has_audio_video=True)
    assert (system.unit_id, system.district_id) == (wuhua_unit.id, "530102")
    with pytest.raises(NotPermitted):
        services.system_create(actor=unit_user, code="SYS-U-2", name="别家", site=f.SiteFactory(unit=panlong_unit))


def test_a_firm_cannot_register_a_system_itself(firm_user, firm, wuhua_unit):
    with pytest.raises(NotPermitted):
        services.system_create(actor=firm_user, code="SYS-F-1", name="x", site=f.SiteFactory(unit=wuhua_unit),
                               firm=firm)


def test_moving_a_system_carries_its_devices(city_officer, wuhua_unit, panlong_unit):
    device = f.DeviceFactory(system=f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit)))
    target = f.SiteFactory(unit=panlong_unit)
    services.system_update(actor=city_officer, system=device.system, site=target)
    device.refresh_from_db()
    assert (device.site_id, device.unit_id, device.district_id) == (target.id, panlong_unit.id, "530103")
