"""Headers that keep what a signed-in person sees out of caches, and the API token that stops
working while its account is locked out (issue 15 §4)."""
import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_signed_in_pages_and_api_answers_are_not_stored(client, wuhua_officer):
    client.force_login(wuhua_officer)
    for url in (reverse("home"), reverse("registry:site_list"), "/api/sites/", reverse("dataset_download",
                                                                                     args=["export", "json"])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=wuhua_officer).key}")
    assert "no-store" in api.get("/api/units/")["Cache-Control"]


@pytest.mark.django_db
def test_a_token_is_refused_while_its_account_is_locked_out(client, settings, wuhua_officer):
    from jifang.accounts.authentication import is_locked_out

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=wuhua_officer).key}")
    assert api.get("/api/units/").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):  # wrong passwords on the login page, from another address
        client.post(reverse("login"), {"username": wuhua_officer.username, "password": "wrong"},
                    REMOTE_ADDR="203.0.113.9")
    assert is_locked_out(wuhua_officer.username)
    response = api.get("/api/units/")
    assert response.status_code == 401 and "locked" in response.json()["detail"]
    # when the lockout has cooled off, the token works again
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(hours=2))
    assert api.get("/api/units/").status_code == 200
