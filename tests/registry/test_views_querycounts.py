"""Each list page issues the same number of queries for 5 rows as for 50 (no query per row), for the
city officer and for users whose scope is a join (unit, firm)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jifang.core.generic import object_history
from jifang.registry import services

from .. import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(wuhua_unit, firm):
    site = f.SiteFactory(unit=wuhua_unit)
    return {"unit": wuhua_unit, "site": site, "part": f.SitePartFactory(site=site),
            "system": f.SystemFactory(site=site, firm=firm), "firm": firm}


# list url name -> how to add n rows every viewer below can see (each row with its own related rows
# where the list shows them, so a missing select_related would cost one query per row)
MAKERS = {
    "unit": lambda c, n: [f.DeviceFactory(system=f.SystemFactory(site=f.SiteFactory(unit=f.UnitFactory()),
                                                                   firm=c["firm"])) for _ in range(n)],
    "firm": lambda c, n: f.FirmFactory.create_batch(n),
    "product": lambda c, n: f.ProductFactory.create_batch(n),
    "site": lambda c, n: [f.SystemFactory(site=f.SiteFactory(unit=c["unit"]), firm=c["firm"]) for _ in range(n)],
    "sitepart": lambda c, n: [f.SitePartFactory(site=f.SystemFactory(site=f.SiteFactory(unit=c["unit"]),
                                                                      firm=c["firm"]).site) for _ in range(n)],
    "securitysystem": lambda c, n: [f.SystemFactory(site=f.SiteFactory(unit=c["unit"]), firm=c["firm"])
                                    for _ in range(n)],
    "device": lambda c, n: [f.DeviceFactory(system=f.SystemFactory(site=c["site"], firm=c["firm"]),
                                            part=f.SitePartFactory(site=c["site"])) for _ in range(n)],
}
VIEWERS = {
    "unit": ["city_officer", "firm_user"],
    "firm": ["city_officer", "unit_user"],
    "product": ["city_officer", "unit_user"],
    "site": ["city_officer", "unit_user", "firm_user"],
    "sitepart": ["city_officer", "unit_user", "firm_user"],
    "securitysystem": ["city_officer", "unit_user", "firm_user"],
    "device": ["city_officer", "unit_user", "firm_user", "wuhua_officer"],
}
CASES = [(name, viewer) for name, viewers in VIEWERS.items() for viewer in viewers]


def rows_on(response) -> int:
    return len(response.context["page"].rows)


@pytest.mark.parametrize("name,viewer", CASES)
def test_list_query_count_does_not_grow_with_rows(client, chain, request, name, viewer):
    client.force_login(request.getfixturevalue(viewer))
    target = reverse(f"registry:{name}_list")
    MAKERS[name](chain, 5)
    client.get(target)  # warm up: session, content types
    with CaptureQueriesContext(connection) as small:
        response = client.get(target)
    assert rows_on(response) >= 5
    MAKERS[name](chain, 50)
    django_assert_num_queries = request.getfixturevalue("django_assert_num_queries")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(target)
    assert rows_on(response) == 50  # a full page: the count held with ten times the rows


def test_home_query_count_does_not_grow_with_rows(client, chain, city_officer, django_assert_num_queries):
    client.force_login(city_officer)
    MAKERS["device"](chain, 3)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    MAKERS["device"](chain, 30)
    MAKERS["site"](chain, 30)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))


def test_change_history_is_one_query(chain, city_officer, django_assert_num_queries):
    site = chain["site"]
    for n in range(5):
        services.site_update(actor=city_officer, site=site, name=f"更名{n}")
    with django_assert_num_queries(1):
        history = object_history(site)
    assert [h["changes"][0].after for h in history[:2]] == ["更名4", "更名3"]
