"""Generated scope suite over every app: the pages and API endpoints are found, not listed.

Every list page built on core.generic.ObjectListView (registry, works, enforcement, regulation, and any
app added later) and every API viewset built on core.api.ScopedReads (ScopedModelViewSet, ScopedReadOnlyViewSet) is discovered from the URL
configuration. Over the demo city (every app's demo hook, then a scan) each role must see in a list only
rows `visible()` gives it, open a visible row's page and get 404 on any other row, page and API alike.
The registry's own suites (tests/registry/test_ui_generated.py, test_api.py) test the edit forms too."""
import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jifang.core.api import ScopedReads
from jifang.core.demo import seed_city
from jifang.core.generic import ObjectListView
from jifang.core.roles import Role
from jifang.core.scoping import visible
from jifang.registry.models import Firm, Unit
from jifang.regulation import services as regulation
from tests import factories as f

pytestmark = pytest.mark.django_db

ROLES = ("district_officer", "department_officer", "unit_user", "firm_user")


@dataclass(frozen=True)
class Endpoint:
    name: str  # URL name, namespaced
    model: type


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def list_pages() -> list[Endpoint]:
    found = {}
    for name, p in _walk(get_resolver().url_patterns):
        cls = getattr(p.callback, "view_class", None)
        if cls and issubclass(cls, ObjectListView) and not p.pattern.converters:
            found[name] = Endpoint(name, cls.model)
    return sorted(found.values(), key=lambda e: e.name)


def api_lists() -> list[Endpoint]:
    found = {}
    for name, p in _walk(get_resolver().url_patterns):
        cls = getattr(p.callback, "cls", None)
        if (cls and issubclass(cls, ScopedReads) and name.endswith("-list")
                and "list" in getattr(p.callback, "actions", {}).values()):
            found[name] = Endpoint(name, cls.queryset.model)
    return sorted(found.values(), key=lambda e: e.name)


def test_the_suite_reaches_every_app():
    apps = {e.model._meta.app_label for e in list_pages()}
    assert {"registry", "works", "enforcement", "regulation"} <= apps
    assert {"registry", "works", "enforcement", "regulation"} <= {e.model._meta.app_label for e in api_lists()}


@pytest.fixture
def city(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    ctx = seed_city(scale=40, seed=7)
    regulation.scan(actor=None, as_of=ctx.today)
    return ctx


def _user(role: str, ctx):
    if role == "unit_user":
        return f.UserFactory(role=Role.UNIT_USER, division_id=None,
                             units=[Unit.objects.get(credit_code=ctx.keys["bank_unit"])])
    if role == "firm_user":
        return f.UserFactory(role=Role.FIRM_USER, division_id=None,
                             firm=Firm.objects.get(credit_code=ctx.keys["demo_firm"]))
    return f.UserFactory(role=role, division_id="530102")


def _pks_linked(html: str, model) -> set[int]:
    """The rows a page links to: every object's own page address that appears in it."""
    urls = {obj.get_absolute_url(): obj.pk for obj in model._default_manager.all()}
    return {pk for url, pk in urls.items() if re.search(f'href="{re.escape(url)}["?#]', html)}


@pytest.mark.parametrize("role", ROLES)
def test_every_list_page_and_object_page_keeps_to_the_users_scope(client, city, role):
    user = _user(role, city)
    client.force_login(user)
    checked = seen = 0
    for page in list_pages():
        response = client.get(reverse(page.name), {"page_size": 500})
        if response.status_code == 403:  # a page this role may not open at all
            continue
        assert response.status_code == 200, page.name
        mine = set(visible(user, page.model).values_list("pk", flat=True))
        shown = _pks_linked(response.content.decode(), page.model)
        assert shown <= mine, (page.name, shown - mine)
        seen += len(shown)
        outside = page.model._default_manager.exclude(pk__in=mine).first()
        if outside is not None:
            answer = client.get(outside.get_absolute_url())
            if outside.get_absolute_url().startswith(reverse(page.name) + "?"):
                # a row without a page of its own is "opened" as its list filtered to it: empty
                table = answer.content.decode().split('data-testid="object-table"', 1)[-1]
                assert answer.status_code == 200 and str(outside) not in table, page.name
            else:
                assert answer.status_code == 404, (page.name, outside.pk)
            checked += 1
        inside = page.model._default_manager.filter(pk__in=mine).first()
        if inside is not None:
            assert client.get(inside.get_absolute_url()).status_code == 200, (page.name, inside.pk)
    assert checked >= 5 and seen > 0  # every role sees rows of its own and has rows it must not see


@pytest.mark.parametrize("role", ROLES)
def test_every_api_list_and_detail_keeps_to_the_users_scope(client, city, role):
    user = _user(role, city)
    client.force_login(user)
    for endpoint in api_lists():
        response = client.get(reverse(endpoint.name), {"page_size": 1000})
        if response.status_code == 403:
            continue
        assert response.status_code == 200, endpoint.name
        mine = set(visible(user, endpoint.model).values_list("pk", flat=True))
        ids = {row["id"] for row in response.json()["results"]}
        assert ids <= mine, (endpoint.name, ids - mine)
        outside = endpoint.model._default_manager.exclude(pk__in=mine).first()
        if outside is not None:
            detail = reverse(endpoint.name.replace("-list", "-detail"), args=[outside.pk])
            assert client.get(detail).status_code == 404, (endpoint.name, outside.pk)
