"""Generated API suite over every registry endpoint: anonymous, no role, allowed, and scoped to
another district / unit / firm (404 on detail, absent from the list and its filters)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from jifang.core.roles import Role
from jifang.core.models import AuditEntry
from jifang.registry import models as m

from .. import factories as f


def _site(unit):
    return f.SiteFactory(unit=unit, district_id=unit.district_id)


def _part(unit):
    return f.SitePartFactory(site=_site(unit))


def _system(unit):
    return f.SystemFactory(site=_site(unit))


def _device(unit):
    return f.DeviceFactory(system=_system(unit))


# endpoint -> a maker of one object anchored to a unit (and so to its district)
SCOPED = {
    "units": lambda unit: unit,
    "sites": _site,
    "site-parts": _part,
    "systems": _system,
    "devices": _device,
}
PUBLIC = {"firms": lambda: f.FirmFactory(), "products": lambda: f.ProductFactory()}
ALL = [*SCOPED, *PUBLIC]


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _any_object(endpoint, unit):
    return SCOPED[endpoint](unit) if endpoint in SCOPED else PUBLIC[endpoint]()


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ALL)
def test_anonymous_is_refused(endpoint, wuhua_unit):
    obj = _any_object(endpoint, wuhua_unit)
    client = client_for()
    assert client.get(f"/api/{endpoint}/").status_code == 401
    assert client.get(f"/api/{endpoint}/{obj.pk}/").status_code == 401
    assert client.post(f"/api/{endpoint}/", {}, format="json").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ALL)
def test_user_without_role_sees_nothing(endpoint, wuhua_unit):
    obj = _any_object(endpoint, wuhua_unit)
    nobody = f.UserFactory(role="", division_id=None)
    client = client_for(nobody)
    assert ids(client.get(f"/api/{endpoint}/")) == set()
    assert client.get(f"/api/{endpoint}/{obj.pk}/").status_code == 404
    assert client.post(f"/api/{endpoint}/", {}, format="json").status_code in (400, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(SCOPED))
def test_district_officer_sees_only_the_district(endpoint, wuhua_officer, wuhua_unit, panlong_unit):
    mine, theirs = SCOPED[endpoint](wuhua_unit), SCOPED[endpoint](panlong_unit)
    client = client_for(wuhua_officer)
    assert ids(client.get(f"/api/{endpoint}/")) == {mine.pk}
    assert client.get(f"/api/{endpoint}/{mine.pk}/").status_code == 200
    assert client.get(f"/api/{endpoint}/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/{endpoint}/{theirs.pk}/", {"name": "x"}, format="json").status_code == 404
    # a filter cannot reach across the boundary either
    if endpoint != "site-parts":
        assert ids(client.get(f"/api/{endpoint}/", {"district": "530103"})) == set()
    # the city officer sees both
    assert ids(client_for(f.UserFactory(role=Role.CITY_OFFICER)).get(f"/api/{endpoint}/")) == {mine.pk, theirs.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(SCOPED))
def test_unit_user_sees_only_own_units(endpoint, unit_user, wuhua_unit):
    neighbour = f.UnitFactory(district_id="530102")  # same district, another unit
    mine, theirs = SCOPED[endpoint](wuhua_unit), SCOPED[endpoint](neighbour)
    client = client_for(unit_user)
    assert ids(client.get(f"/api/{endpoint}/")) == {mine.pk}
    assert client.get(f"/api/{endpoint}/{theirs.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["systems", "devices"])
def test_firm_user_sees_only_its_systems(endpoint, firm_user, firm, wuhua_unit):
    mine, theirs = SCOPED[endpoint](wuhua_unit), SCOPED[endpoint](wuhua_unit)
    system = mine if endpoint == "systems" else mine.system
    system.firm = firm
    system.save()
    client = client_for(firm_user)
    assert ids(client.get(f"/api/{endpoint}/")) == {mine.pk}
    assert client.get(f"/api/{endpoint}/{theirs.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(PUBLIC))
def test_public_directories_are_read_by_every_role(endpoint, unit_user, firm_user, department_officer):
    obj = PUBLIC[endpoint]()
    for user in (unit_user, firm_user, department_officer):
        assert obj.pk in ids(client_for(user).get(f"/api/{endpoint}/"))


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ALL)
def test_list_query_count_does_not_grow_with_rows(endpoint, unit_user, wuhua_unit):
    client = client_for(unit_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/api/{endpoint}/")
        return len(ctx.captured_queries)

    _any_object(endpoint, wuhua_unit)
    few = count()
    for _ in range(4):
        _any_object(endpoint, wuhua_unit)
    assert count() == few
    # the scope (unit ids) and the page: nothing per row
    assert few <= 2


@pytest.mark.django_db
def test_keyset_pages_walk_the_whole_list(city_officer):
    units = [f.UnitFactory() for _ in range(5)]
    client = client_for(city_officer)
    seen, url = [], "/api/units/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted(u.pk for u in units)


# --- writes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_officer_creates_a_site_by_natural_key_and_it_is_audited(wuhua_officer, wuhua_unit):
    client = client_for(wuhua_officer)
    response = client.post("/api/sites/", {
        "code": "WH-0001", "name": "五华支行营业部", "unit": wuhua_unit.credit_code, "district": "530102",
        "art6_point": 5,
    }, format="json")
    assert response.status_code == 201, response.content
    site = m.Site.objects.get(code="WH-0001")
    assert site.unit == wuhua_unit and response.json()["unit"] == wuhua_unit.pk
    assert AuditEntry.objects.filter(action="registry.site.create", object_id=str(site.pk)).count() == 1


@pytest.mark.django_db
def test_officer_cannot_create_outside_the_district(wuhua_officer, panlong_unit):
    client = client_for(wuhua_officer)
    response = client.post("/api/units/", {
        "name": "越界单位", "credit_code": f.credit_code("530103"), "district": "530103", "kind": "business",
    }, format="json")
    assert response.status_code == 403
    assert not m.Unit.objects.filter(name="越界单位").exists()
    # nor reference a unit of another district: it does not exist for them
    response = client.post("/api/sites/", {"code": "X1", "name": "x", "unit": panlong_unit.credit_code,
                                           "district": "530102"}, format="json")
    assert response.status_code == 400 and "unit" in response.json()


@pytest.mark.django_db
def test_read_only_officer_cannot_write(department_officer, wuhua_unit):
    client = client_for(department_officer)
    assert client.patch(f"/api/units/{wuhua_unit.pk}/", {"address": "x"}, format="json").status_code == 403
    wuhua_unit.refresh_from_db()
    assert wuhua_unit.address != "x"


@pytest.mark.django_db
def test_unit_user_may_not_change_a_police_only_field(unit_user, wuhua_unit):
    response = client_for(unit_user).patch(f"/api/units/{wuhua_unit.pk}/", {"kind": "non_business"}, format="json")
    assert response.status_code == 403
    assert "只有公安机关" in response.json()["detail"]


@pytest.mark.django_db
def test_invalid_credit_code_is_a_bilingual_400(city_officer):
    response = client_for(city_officer).post("/api/units/", {
        "name": "坏代码", "credit_code": "91530102ABCDEFGHI0", "district": "530102"}, format="json")
    assert response.status_code == 400
    message = " ".join(response.json()["credit_code"])
    assert "统一社会信用代码" in message and "unified social credit code" in message


@pytest.mark.django_db
@pytest.mark.clause("art_14__para_2")
def test_service_refusal_is_a_400_with_the_law(unit_user, wuhua_unit):
    system = _system(wuhua_unit)
    m.SecuritySystem.objects.filter(pk=system.pk).update(status="accepted", acceptance_result="")
    response = client_for(unit_user).patch(f"/api/systems/{system.pk}/", {"status": "in_use"}, format="json")
    assert response.status_code == 400
    assert "第十四条第二款" in str(response.json())
    system.refresh_from_db()
    assert system.status == "accepted"


@pytest.mark.django_db
def test_unit_user_adds_a_device_by_natural_keys(unit_user, wuhua_unit):
    system = _system(wuhua_unit)
    part = f.SitePartFactory(site=system.site)
    product = f.ProductFactory()
    response = client_for(unit_user).post("/api/devices/", {
        "serial": "HK-NEW-1", "system": system.code, "kind": "camera", "part": part.pk,
        "product": {"brand": product.brand, "model": product.model},
    }, format="json")
    assert response.status_code == 201, response.content
    device = m.Device.objects.get(serial="HK-NEW-1")
    # the copied columns follow the system, as registry.services keeps them
    assert (device.site_id, device.unit_id, device.district_id) == (system.site_id, wuhua_unit.pk, "530102")
    assert device.product == product


@pytest.mark.django_db
def test_copied_columns_are_read_only(city_officer, wuhua_unit, panlong_unit):
    device = _device(wuhua_unit)
    client_for(city_officer).patch(f"/api/devices/{device.pk}/", {"district": "530103", "unit": panlong_unit.pk},
                                   format="json")
    device.refresh_from_db()
    assert (device.district_id, device.unit_id) == ("530102", wuhua_unit.pk)


@pytest.mark.django_db
def test_unknown_filter_value_is_a_400(city_officer):
    assert client_for(city_officer).get("/api/devices/", {"kind": "teleporter"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-8.9e176", str(2**63), "1e19"])
def test_out_of_range_id_filter_is_a_400_not_a_crash(city_officer, value):
    # found by schemathesis: ?site=-8.9e176 overflowed SQLite's integer (a 500)
    response = client_for(city_officer).get("/api/site-parts/", {"site": value})
    assert response.status_code == 400 and "site" in response.json()
