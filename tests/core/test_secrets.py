import pytest
from django.test import override_settings

from jifang.core import secrets


def test_round_trip_and_token_is_not_the_plaintext():
    token = secrets.encrypt("alarm panel key", b"\x01" * 16)
    assert b"\x01" * 16 not in token.encode()
    assert secrets.decrypt("alarm panel key", token) == b"\x01" * 16


def test_a_token_opens_only_for_its_own_purpose():
    token = secrets.encrypt("alarm panel key", b"secret")
    with pytest.raises(secrets.InvalidToken):
        secrets.decrypt("video device password", token)


def test_another_secret_cannot_open_it():
    token = secrets.encrypt("p", b"secret")
    with override_settings(JIFANG_SIGNING_SECRET="another"), pytest.raises(secrets.InvalidToken):
        secrets.decrypt("p", token)


def test_a_purpose_is_required():
    with pytest.raises(ValueError):
        secrets.encrypt("", b"x")
