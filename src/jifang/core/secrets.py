"""Secrets kept at rest in the database (alarm-panel keys, device passwords, officers' private keys).

Each purpose gets its own Fernet key, derived with HKDF-SHA256 from settings.JIFANG_SIGNING_SECRET
(SECRET_KEY when that is empty), so a token sealed for one purpose cannot be opened as another.
Rotating the secret makes every stored token unreadable: re-enter the secrets (docs/operations.md).
Callers never show a decrypted secret again after it was entered.
"""
import base64
import functools

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]


@functools.cache
def _fernet(secret: bytes, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jifang-secrets",
               info=purpose.encode()).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def _for(purpose: str) -> Fernet:
    if not purpose:
        raise ValueError("a secret needs a purpose")
    return _fernet((settings.JIFANG_SIGNING_SECRET or settings.SECRET_KEY).encode(), purpose)


def encrypt(purpose: str, plaintext: bytes) -> str:
    """The token to store for `plaintext` (text, safe for a TextField)."""
    return _for(purpose).encrypt(plaintext).decode()


def decrypt(purpose: str, token: str) -> bytes:
    """The plaintext sealed by `encrypt(purpose, ...)`; raises InvalidToken for another purpose or secret."""
    return _for(purpose).decrypt(token.encode())
