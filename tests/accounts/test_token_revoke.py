"""Revoking an API token: `accounts.services.token_revoke`, `jifang token revoke`, the "my API token" page."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jifang.accounts.services import token_issue, token_revoke
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.models import AuditEntry


def api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def revocations(user) -> int:
    return AuditEntry.objects.filter(action="accounts.token.revoke", object_id=str(user.pk)).count()


@pytest.mark.django_db
def test_a_user_revokes_their_own_token_and_the_api_refuses_it(unit_user, wuhua_unit):
    key = token_issue(actor=unit_user, user=unit_user).key
    client = api(key)
    assert client.get("/api/units/").status_code == 200
    token_revoke(actor=unit_user, user=unit_user)
    assert not Token.objects.filter(user=unit_user).exists()
    assert client.get("/api/units/").status_code == 401
    assert client.get("/api/me/").status_code == 401


@pytest.mark.django_db
def test_the_revocation_is_audited_with_its_actor(wuhua_officer, admin_user):
    token_issue(actor=wuhua_officer, user=wuhua_officer)
    token_revoke(actor=admin_user, user=wuhua_officer)
    entry = AuditEntry.objects.get(action="accounts.token.revoke")
    assert entry.object_id == str(wuhua_officer.pk)
    assert entry.actor_id == admin_user.pk
    assert entry.district_code == "530102" and entry.object_type == "accounts.user"


@pytest.mark.django_db
def test_an_admin_revokes_another_users_token(unit_user, admin_user):
    key = token_issue(actor=unit_user, user=unit_user).key
    token_revoke(actor=admin_user, user=unit_user)
    assert api(key).get("/api/me/").status_code == 401
    assert revocations(unit_user) == 1


@pytest.mark.django_db
def test_another_user_may_not_revoke(unit_user, wuhua_officer, city_officer):
    key = token_issue(actor=unit_user, user=unit_user).key
    for other in (wuhua_officer, city_officer):
        with pytest.raises(NotPermitted):
            token_revoke(actor=other, user=unit_user)
    assert Token.objects.get(user=unit_user).key == key
    assert api(key).get("/api/me/").status_code == 200
    assert revocations(unit_user) == 0


@pytest.mark.django_db
def test_revoking_without_a_token_is_a_bilingual_refusal(unit_user):
    with pytest.raises(ServiceError) as refused:
        token_revoke(actor=unit_user, user=unit_user)
    message = refused.value.messages[0]
    assert "没有API令牌" in message and "has no API token" in message
    assert message.index("没有API令牌") < message.index("has no API token")  # Chinese first
    assert revocations(unit_user) == 0


@pytest.mark.django_db
def test_the_revoke_and_its_audit_row_are_one_transaction(unit_user, monkeypatch):
    """If the audit row cannot be written, the token is not revoked either."""
    from jifang.accounts import services

    token_issue(actor=unit_user, user=unit_user)

    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        token_revoke(actor=unit_user, user=unit_user)
    assert Token.objects.filter(user=unit_user).exists()


def command(*args) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_the_command_revokes(unit_user):
    key = command("issue", unit_user.username)
    output = command("revoke", unit_user.username)
    assert unit_user.username in output and "已作废" in output
    assert api(key).get("/api/me/").status_code == 401
    assert AuditEntry.objects.get(action="accounts.token.revoke").actor_id == unit_user.pk


@pytest.mark.django_db
def test_the_command_revokes_as_an_admin_only(unit_user, wuhua_officer, admin_user):
    command("issue", unit_user.username)
    with pytest.raises(CommandError):
        command("revoke", unit_user.username, "--as", wuhua_officer.username)
    assert Token.objects.filter(user=unit_user).exists()
    command("revoke", unit_user.username, "--as", admin_user.username)
    assert not Token.objects.filter(user=unit_user).exists()
    assert AuditEntry.objects.get(action="accounts.token.revoke").actor_id == admin_user.pk


@pytest.mark.django_db
def test_the_command_refuses_when_there_is_no_token(unit_user):
    with pytest.raises(CommandError) as refused:
        command("revoke", unit_user.username)
    assert "没有API令牌" in str(refused.value) and "has no API token" in str(refused.value)
    assert "[" not in str(refused.value)  # the message, not a list's repr


@pytest.mark.django_db
def test_the_page_revokes_with_a_post(client, wuhua_officer):
    client.force_login(wuhua_officer)
    assert b'data-testid="token-revoke"' not in client.get("/accounts/api-token/").content  # nothing to revoke
    client.post("/accounts/api-token/")
    key = Token.objects.get(user=wuhua_officer).key
    page = client.get("/accounts/api-token/").content.decode()
    assert 'data-testid="token-revoke"' in page and 'name="action" value="revoke"' in page
    assert "作废令牌" in page  # the Chinese label
    page = client.post("/accounts/api-token/", {"action": "revoke"}).content.decode()
    assert 'data-testid="token-revoked"' in page and 'data-testid="token-none"' in page
    assert not Token.objects.filter(user=wuhua_officer).exists()
    assert api(key).get("/api/me/").status_code == 401
    assert revocations(wuhua_officer) == 1
    # a second revoke (another tab) says there is nothing to revoke and writes nothing
    page = client.post("/accounts/api-token/", {"action": "revoke"}).content.decode()
    assert "没有API令牌" in page and 'data-testid="token-revoked"' not in page
    assert revocations(wuhua_officer) == 1


@pytest.mark.django_db
def test_the_page_revoke_needs_the_csrf_token(wuhua_officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(wuhua_officer)
    token_issue(actor=wuhua_officer, user=wuhua_officer)
    assert client.post("/accounts/api-token/", {"action": "revoke"}).status_code == 403
    assert Token.objects.filter(user=wuhua_officer).exists()
