"""/api/me/, /api/divisions/, API tokens (command and page), the OpenAPI schema and offline docs."""
import re

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jifang.core.models import AuditEntry

from .. import factories as f


def issue_by_command(username, *extra) -> str:
    from io import StringIO

    out = StringIO()
    call_command("token", "issue", username, *extra, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_token_from_the_command_authenticates_and_rotates(unit_user, wuhua_unit, panlong_unit):
    first = issue_by_command(unit_user.username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert {row["id"] for row in client.get("/api/units/").json()["results"]} == {wuhua_unit.pk}
    second = issue_by_command(unit_user.username)
    assert second != first
    assert client.get("/api/units/").status_code == 401  # the old token is revoked
    assert AuditEntry.objects.filter(action="accounts.token.issue", object_id=str(unit_user.pk)).count() == 2


@pytest.mark.django_db
def test_only_an_admin_issues_for_someone_else(unit_user, wuhua_officer, admin_user):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        issue_by_command(unit_user.username, "--as", wuhua_officer.username)
    assert not Token.objects.filter(user=unit_user).exists()
    assert issue_by_command(unit_user.username, "--as", admin_user.username)


@pytest.mark.django_db
def test_token_page_shows_the_key_once(client, wuhua_officer):
    client.force_login(wuhua_officer)
    assert b'data-testid="token-none"' in client.get("/accounts/api-token/").content
    page = client.post("/accounts/api-token/").content.decode()
    key = Token.objects.get(user=wuhua_officer).key
    assert key in page
    later = client.get("/accounts/api-token/").content.decode()
    assert key not in later and 'data-testid="token-current"' in later


@pytest.mark.django_db
def test_token_page_needs_a_sign_in(client):
    response = client.get("/accounts/api-token/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_me_describes_the_caller(unit_user, wuhua_unit):
    client = APIClient()
    client.force_authenticate(unit_user)
    body = client.get("/api/me/").json()
    assert body["role"] == "unit_user" and body["units"] == [wuhua_unit.pk]
    assert body["may_create"]["device"] is True and body["may_create"]["product"] is False
    assert APIClient().get("/api/me/").status_code == 401


@pytest.mark.django_db
def test_divisions_are_the_city_and_its_districts(unit_user):
    client = APIClient()
    client.force_authenticate(unit_user)
    codes = [row["code"] for row in client.get("/api/divisions/").json()]
    assert codes[0] == "530100" and "530181" in codes and len(codes) == 15


@pytest.mark.django_db
def test_schema_is_valid_openapi(tmp_path):
    # the whole /api/ schema validates against the OpenAPI 3 specification, with nothing left to guess
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/units/", "/api/site-parts/{id}/", "/api/devices/", "/api/me/", "/api/divisions/"):
        assert f"{path}:" in text


@pytest.mark.django_db
def test_registry_and_accounts_schema_has_no_warnings():
    """Every registry and accounts endpoint is fully typed: drf-spectacular has nothing to guess."""
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    patterns = [path("api/", include("jifang.registry.api.urls")), path("api/", include("jifang.accounts.api.urls"))]
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    # list and detail per registry object; me, divisions (2); the audited corrections of sites, site parts
    # (an officer's privacy-spot mark, order 799 art. 8) and systems
    assert len(schema["paths"]) == 7 * 2 + 3 + 3


@pytest.mark.django_db
def test_swagger_ui_loads_nothing_from_outside(client, wuhua_officer):
    client.force_login(wuhua_officer)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""", html)
    assert urls, "the page should reference its own assets"
    outside = [u for u in urls if re.match(r"^(https?:)?//", u)]
    assert outside == []
    for asset in [u for u in urls if u.startswith("/static/")]:
        assert client.get(asset).status_code == 200, asset
