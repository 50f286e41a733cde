"""Scoping fails closed and follows role + anchor, for every registry model."""
import pytest

from jifang.core.roles import Role
from jifang.core.scoping import can_write, visible
from jifang.registry.models import Device, Firm, Product, SecuritySystem, Site, SitePart, Unit

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts(wuhua_unit, panlong_unit, firm):
    wuhua_dev = f.DeviceFactory(system=f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), firm=firm))
    panlong_dev = f.DeviceFactory(system=f.SystemFactory(site=f.SiteFactory(unit=panlong_unit)))
    f.SitePartFactory(site=wuhua_dev.site)
    f.SitePartFactory(site=panlong_dev.site)
    return wuhua_dev, panlong_dev


SCOPED = [Unit, Site, SitePart, SecuritySystem, Device]


@pytest.mark.parametrize("model", SCOPED)
def test_district_officer_sees_only_the_district(model, two_districts, wuhua_officer):
    rows = visible(wuhua_officer, model)
    assert rows.count() >= 1
    district_path = model.scope.district
    assert set(rows.values_list(district_path, flat=True)) == {"530102"}


@pytest.mark.parametrize("model", SCOPED)
def test_city_and_admin_see_everything(model, two_districts, city_officer, admin_user):
    total = model.objects.count()
    assert visible(city_officer, model).count() == total
    assert visible(admin_user, model).count() == total


@pytest.mark.parametrize("model", SCOPED)
def test_unit_user_sees_only_own_unit(model, two_districts, unit_user, wuhua_unit):
    rows = visible(unit_user, model)
    assert rows.count() >= 1
    unit_path = model.scope.unit
    assert set(rows.values_list(unit_path, flat=True)) == {wuhua_unit.id}


@pytest.mark.parametrize("model", SCOPED)
def test_firm_user_sees_only_what_its_systems_touch(model, two_districts, firm_user):
    wuhua_dev, panlong_dev = two_districts
    rows = visible(firm_user, model)
    assert rows.count() >= 1
    assert not rows.filter(pk__in=model.objects.filter(**{model.scope.district: "530103"}).values("pk")).exists()


@pytest.mark.parametrize("model", SCOPED + [Product, Firm])
def test_anonymous_and_roleless_users_see_nothing(model, two_districts, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    roleless = f.UserFactory(username="nobody", role="", division_id=None)
    assert visible(AnonymousUser(), model).count() == 0
    assert visible(roleless, model).count() == 0


def test_district_officer_without_a_district_sees_nothing(two_districts):
    orphan = f.UserFactory(username="orphan", role=Role.DISTRICT_OFFICER, division_id=None)
    assert visible(orphan, Site).count() == 0
    anchored_to_city = f.UserFactory(username="odd", role=Role.DISTRICT_OFFICER, division_id="530100")
    assert visible(anchored_to_city, Site).count() == 0


def test_catalogue_and_firm_directory_are_public_to_signed_in_users(two_districts, unit_user, firm_user):
    assert visible(unit_user, Product).count() == Product.objects.count()
    assert visible(firm_user, Firm).count() == Firm.objects.count()


def test_write_rights(two_districts, wuhua_officer, department_officer, unit_user, firm_user, panlong_officer):
    wuhua_dev, panlong_dev = two_districts
    assert can_write(wuhua_officer, Device, wuhua_dev)
    assert not can_write(wuhua_officer, Device, panlong_dev)
    assert not can_write(department_officer, Device, wuhua_dev)
    assert not can_write(department_officer, Device)
    assert can_write(unit_user, Device, wuhua_dev)
    assert not can_write(unit_user, Device, panlong_dev)
    assert can_write(firm_user, Device, wuhua_dev)
    assert not can_write(firm_user, Device, panlong_dev)
    assert not can_write(unit_user, Product)
    assert not can_write(panlong_officer, Product)  # the catalogue is the city's
