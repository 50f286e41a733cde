"""Ed25519 key helpers shared by the platform key and offline verification (no Django here)."""
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def load_public(text: str) -> Ed25519PublicKey:
    """A public key from 64 hex digits or PEM (SubjectPublicKeyInfo); ValueError otherwise."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
    else:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def key_id(public: str) -> str:
    """The short name a signature carries for the key that made it: SHA-256 of the raw public key."""
    return hashlib.sha256(bytes.fromhex(public)).hexdigest()[:16]


def verify(public: Ed25519PublicKey | None, signature: str, payload: bytes) -> bool:
    if public is None:
        return False
    try:
        public.verify(bytes.fromhex(signature), payload)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
