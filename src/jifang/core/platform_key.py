"""The platform's own Ed25519 key: the trust anchor that lives outside the database.

Someone who can write to the database can rewrite any row and recompute any hash; what they cannot
do is sign with a key the database does not hold. This key signs each officer key's enrolment
(enforcement.signing) and the checkpoints of the audit chain (core.checkpoints); verification
checks both against the public key, so an edited record, a swapped officer key or a rebuilt chain
shows up although every hash in the database is consistent.

Where the key comes from (docs/operations.md, "Platform key and checkpoints"):
- `JIFANG_PLATFORM_KEY`: the private key itself (PEM, PKCS#8; or the raw 32-byte seed as 64 hex
  digits), in the environment;
- `JIFANG_PLATFORM_KEY_FILE`: a file holding the same (mode 600, owned by the service);
- neither, outside production: a development key generated once into
  `$JIFANG_VAR_DIR/platform-key.DEVELOPMENT-ONLY.pem`. Production never falls back to it:
  `private_key()` refuses and `check --deploy` reports jifang.E001.
`JIFANG_PLATFORM_TRUSTED_KEYS` lists earlier public keys (hex, comma-separated) still accepted when
verifying what they signed, after a rotation.
"""
import functools
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import keys
from .keys import key_id, load_public, public_hex

DEV_KEY_NAME = "platform-key.DEVELOPMENT-ONLY.pem"


class PlatformKeyError(ImproperlyConfigured):
    pass


def parse_private(text: str) -> Ed25519PrivateKey:
    """A private key from PEM (PKCS#8) or 64 hex digits (the raw seed)."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text))
    except ValueError as exc:
        raise PlatformKeyError(f"the platform key is not an Ed25519 private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PlatformKeyError("the platform key must be an Ed25519 key")
    return key


def parse_public(text: str):
    try:
        return load_public(text)
    except ValueError as exc:
        raise PlatformKeyError(f"not an Ed25519 public key: {exc}") from None


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write_new_key(path: Path) -> Ed25519PrivateKey:
    """A new key written to `path` (mode 600); refuses to overwrite an existing file."""
    key = Ed25519PrivateKey.generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem(key))
    return key


def _dev_key() -> Ed25519PrivateKey:
    """The development key under JIFANG_VAR_DIR, made once (the first of concurrent makers wins)."""
    path = Path(settings.VAR_DIR) / DEV_KEY_NAME
    if not path.exists():
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        write_new_key(tmp)
        try:
            os.link(tmp, path)  # atomic: a concurrent maker's key, if first, is kept
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return parse_private(path.read_text())


def source() -> str:
    """Where the key comes from: "environment", "file" or "development"."""
    if getattr(settings, "JIFANG_PLATFORM_KEY", ""):
        return "environment"
    if getattr(settings, "JIFANG_PLATFORM_KEY_FILE", ""):
        return "file"
    return "development"


@functools.cache
def private_key() -> Ed25519PrivateKey:
    origin = source()
    if origin == "environment":
        return parse_private(settings.JIFANG_PLATFORM_KEY)
    if origin == "file":
        try:
            return parse_private(Path(settings.JIFANG_PLATFORM_KEY_FILE).read_text())
        except OSError as exc:
            raise PlatformKeyError(f"cannot read JIFANG_PLATFORM_KEY_FILE: {exc}") from None
    if settings.PRODUCTION:
        raise PlatformKeyError("JIFANG_PLATFORM_KEY or JIFANG_PLATFORM_KEY_FILE must be set when "
                               "JIFANG_PRODUCTION=1 (the development key is never used in production)")
    return _dev_key()


def public_key() -> str:
    """This platform's public key, hex: what verifiers outside the platform are given."""
    return public_hex(private_key().public_key())


def current_key_id() -> str:
    return key_id(public_key())


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """key id -> public key, for every key whose signatures verify: the current one and those in
    JIFANG_PLATFORM_TRUSTED_KEYS (earlier keys, after a rotation)."""
    publics = [public_key(), *(k for k in getattr(settings, "JIFANG_PLATFORM_TRUSTED_KEYS", ()) if k)]
    return {key_id(k): parse_public(k) for k in publics}


def sign(payload: bytes) -> tuple[str, str]:
    """(key id, signature hex) over `payload` with the platform key."""
    return current_key_id(), private_key().sign(payload).hex()


def verify(key: str, payload: bytes, signature: str, known: dict | None = None) -> bool:
    """True when `signature` over `payload` was made by the trusted key named `key`."""
    return keys.verify((trusted_keys() if known is None else known).get(key), signature, payload)


def reset() -> None:
    """Forget the loaded key (tests that change settings)."""
    private_key.cache_clear()
