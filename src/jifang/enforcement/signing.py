"""Electronic signatures of officers (art_23 para 1: 由监督检查人员签字确认).

- Each officer has one Ed25519 key pair (made on first signature). The private key is stored
  encrypted with Fernet under a key derived (HKDF-SHA256) from settings.JIFANG_SIGNING_SECRET, or
  SECRET_KEY when that is empty. Rotating that secret makes stored keys unreadable: re-key officers.
- A record's hash is SHA-256 over its canonical JSON (sorted keys, no whitespace), built from the
  rows themselves, so `verify` recomputes it and any direct database edit shows up as a mismatch.
"""
import base64
import hashlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

from jifang.core.audit import canonical

from .models import OfficerKey, Signature

RAW = serialization.Encoding.Raw


def _fernet() -> Fernet:
    secret = (settings.JIFANG_SIGNING_SECRET or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jifang-enforcement",
               info=b"officer signing keys").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def _public_hex(private: Ed25519PrivateKey) -> str:
    return private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw).hex()


def officer_key(officer) -> OfficerKey:
    """The officer's key pair, made on first use (callers hold a transaction)."""
    existing = OfficerKey.objects.filter(officer=officer).first()
    if existing:
        return existing
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = _public_hex(private)
    return OfficerKey.objects.create(
        officer=officer, public_key=public, fingerprint=hashlib.sha256(bytes.fromhex(public)).hexdigest()[:16],
        private_key_encrypted=_fernet().encrypt(raw).decode(),
    )


def _private(key: OfficerKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_fernet().decrypt(key.private_key_encrypted.encode()))


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def sign(*, officer, record_type: str, record_id: int, record_hash: str) -> Signature:
    key = officer_key(officer)
    signature = _private(key).sign(bytes.fromhex(record_hash)).hex()
    return Signature.objects.create(
        record_type=record_type, record_id=record_id, signer=officer, public_key=key.public_key,
        key_fingerprint=key.fingerprint, record_hash=record_hash, signature=signature, signed_at=timezone.now(),
    )


@dataclass
class SignatureCheck:
    signature: Signature
    ok: bool


@dataclass
class Verification:
    record_hash: str          # recomputed now from the rows
    sealed_hash: str          # fixed when first signed
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def hash_ok(self) -> bool:
        return bool(self.sealed_hash) and self.record_hash == self.sealed_hash

    @property
    def ok(self) -> bool:
        return self.hash_ok and bool(self.signatures) and all(s.ok for s in self.signatures)


def _signature_ok(sig: Signature, record_hash: str, keys: dict) -> bool:
    # The key on the signature must still be the signer's registered key: swapping both the
    # signature and the public key in the row is then caught too.
    if keys.get(sig.signer_id) != sig.public_key or sig.record_hash != record_hash:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(sig.public_key)).verify(
            bytes.fromhex(sig.signature), bytes.fromhex(record_hash))
    except (InvalidSignature, ValueError):
        return False
    return True


def verify(*, record_type: str, record_id: int, content: dict, sealed_hash: str) -> Verification:
    now_hash = content_hash(content)
    sigs = list(Signature.objects.filter(record_type=record_type, record_id=record_id).select_related("signer"))
    keys = dict(OfficerKey.objects.filter(officer_id__in=[s.signer_id for s in sigs])
                .values_list("officer_id", "public_key"))
    result = Verification(record_hash=now_hash, sealed_hash=sealed_hash)
    result.signatures = [SignatureCheck(s, _signature_ok(s, now_hash, keys)) for s in sigs]
    return result
