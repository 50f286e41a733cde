"""No 500 for bad input in a query string or a path (issue 15 §4): every page of the UI that takes
no path argument is requested with generated query strings (the filters it declares, paging, and
strangers: words for numbers, 1e9, integers past 2^63, unknown choices, NUL, odd dates), and every
page with an id in its path with ids past 2^63. The API gets the same from schemathesis
(tests/registry/test_api_schemathesis.py) and, for paging, here.

Deterministic (derandomised) and small, so it runs with the suite on both databases."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .. import factories as f

NASTY = ["abc", "1e9", "1E9", "-1", "0", "2.5", str(2**63), str(2**63 - 1), str(2**64), "9" * 40, "-" + "9" * 30,
         "\x00", "NaN", "inf", "", " ", "2024-13-45", "0000-00-00", "9999-12-31", "2024/1/5", "true", "None",
         "art_99", "teleporter", "530100", "%", "'", "<script>", "１２３", "²"]
ALWAYS = ["page_size", "after", "q", "id", "pk", "site", "unit", "system", "inspection", "article", "code", "next",
          "status", "kind", "district", "sort", "format"]
values = st.one_of(st.sampled_from(NASTY), st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(max_size=12))


def _pages() -> tuple[list[str], list[str]]:
    """URL names of the UI's GET pages: those without path arguments, and those with one integer id."""
    plain, with_id = [], []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                converters = p.pattern.converters
                if not converters:
                    plain.append(name)
                elif list(converters) == ["pk"] or (len(converters) == 1 and type(next(iter(converters.values()))).__name__ == "IntConverter"):
                    with_id.append(name)

    walk(get_resolver().url_patterns, "")
    skip = {"logout", "set_language", "schema", "swagger-ui"}
    return sorted(set(plain) - skip), sorted(set(with_id))


PLAIN, WITH_ID = _pages()


def _filter_names(url_name: str) -> list[str]:
    from django.urls import resolve

    view = resolve(reverse(url_name)).func
    cls = getattr(view, "view_class", None)
    filterset = getattr(cls, "filterset_class", None)
    return list(filterset.base_filters) if filterset else []


@pytest.fixture
def registry(db):
    for district in ("530102", "530103"):
        unit = f.UnitFactory(district_id=district)
        site = f.SiteFactory(unit=unit, district_id=district)
        f.DeviceFactory(system=f.SystemFactory(site=site, firm=f.FirmFactory()))


@pytest.mark.parametrize("url_name", PLAIN)
def test_no_page_answers_a_query_string_with_a_server_error(url_name, registry, client, city_officer):
    client.force_login(city_officer)
    url = reverse(url_name)
    keys = st.sampled_from(ALWAYS + _filter_names(url_name))

    @given(params=st.dictionaries(keys, values, max_size=4))
    @settings(max_examples=12, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(params):
        response = client.get(url, params)
        assert response.status_code < 500, (url, params)

    check()


@pytest.mark.parametrize("url_name", WITH_ID)
@pytest.mark.parametrize("pk", [2**63, 2**63 - 1, 10**30])
def test_an_id_past_the_64_bit_range_is_not_found_not_a_crash(url_name, pk, registry, client, city_officer):
    client.force_login(city_officer)
    url = _reverse_with_id(url_name, pk)
    assert client.get(url).status_code in (302, 400, 403, 404, 405), url


def _reverse_with_id(url_name: str, pk: int) -> str:
    """reverse() with the page's one integer argument set to a small id, then the id swapped for
    `pk` (reverse() itself accepts any int)."""
    from django.urls import NoReverseMatch

    for name in ("pk", "id", "number"):
        try:
            return reverse(url_name, kwargs={name: 7_654_321}).replace("7654321", str(pk))
        except NoReverseMatch:
            continue
    return reverse(url_name, args=[7_654_321]).replace("7654321", str(pk))


def _api_routes() -> tuple[list[str], list[str]]:
    """Every list of the API (routes without arguments) and every detail route (one pk)."""
    from django.urls import resolve

    api = resolve("/api/units/").route.split("units")[0]  # the API's prefix, as mounted
    lists, details = [], []

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern).lstrip("^").rstrip("$")
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif p.name and p.name.endswith("-list") and "(?P" not in route and "<" not in route:
                lists.append("/" + route.replace("\\.", "."))
            elif p.name and p.name.endswith("-detail") and "format" not in route:
                details.append("/" + route.split("(?P<pk>")[0].split("<pk>")[0])

    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and str(p.pattern).startswith(api.lstrip("/")):
            walk(p.url_patterns, str(p.pattern))
    return sorted(set(lists)), sorted(set(details))


API_LISTS, API_DETAILS = _api_routes()


def test_every_api_list_and_detail_is_covered():
    assert "/api/units/" in API_LISTS and "/api/enforcement/orders/" in API_LISTS and "/api/works/" in API_LISTS
    assert "/api/units/" in API_DETAILS and len(API_DETAILS) >= 12


@pytest.mark.parametrize("page_size", ["abc", "1e9", str(2**63), "-5", "0", "\x00"])
@pytest.mark.parametrize("after", ["abc", str(2**63), "-1", "9" * 40])
def test_the_api_pages_any_page_size_and_cursor(page_size, after, registry, client, city_officer):
    client.force_login(city_officer)
    for path in API_LISTS:
        response = client.get(path, {"page_size": page_size, "after": after})
        assert response.status_code < 500 and response.headers["Content-Type"].startswith("application/json"), path


@pytest.mark.parametrize("pk", [str(2**63), str(2**64), "9" * 40, "-" + str(2**63 + 1), "abc"])
def test_an_api_id_past_the_64_bit_range_is_not_found(pk, registry, client, city_officer):
    client.force_login(city_officer)
    for path in API_DETAILS:
        assert client.get(f"{path}{pk}/").status_code in (400, 404), path
    for path in API_LISTS:
        assert client.get(path, {"unit": pk, "site": pk, "system": pk}).status_code in (200, 400), path
