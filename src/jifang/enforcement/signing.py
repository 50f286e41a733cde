"""Electronic signatures of officers (art_23 para 1: 由监督检查人员签字确认).

- Each officer has one Ed25519 key pair (made on first signature). The private key is stored
  encrypted by core.secrets (purpose KEY_PURPOSE), whose key derives from JIFANG_SIGNING_SECRET, or
  SECRET_KEY when that is empty. Rotating that secret makes stored keys unreadable: re-key officers.
- A record's hash is SHA-256 over its canonical JSON (sorted keys, no whitespace), built from the
  rows themselves, so `verify` recomputes it and any direct database edit shows up as a mismatch.
- The platform key (core.platform_key, never in the database) signs each officer key's enrolment:
  officer id, public key, time. Verification accepts a signature only from the key the platform
  enrolled for its signer, so someone who edits a record, swaps the officer's public key and
  re-signs is caught although every hash in the database agrees.
"""
import datetime as dt
import hashlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils import timezone

from jifang.core import platform_key, secrets
from jifang.core.audit import canonical

from .models import OfficerKey, Signature

RAW = serialization.Encoding.Raw


KEY_PURPOSE = "enforcement.officer-signing-key"  # core.secrets: one derived key per purpose


def _public_hex(private: Ed25519PrivateKey) -> str:
    return private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw).hex()


ENROLMENT = b"jifang officer key enrolment v1\n"


def enrolment_text(officer_id: int, public_key: str, enrolled_at) -> bytes:
    """What the platform key signs when it enrols an officer's key."""
    return ENROLMENT + canonical({"officer": officer_id, "public_key": public_key,
                                  "enrolled_at": enrolled_at.astimezone(dt.UTC).isoformat()})


def enrolment_ok(key: OfficerKey, known: dict | None = None) -> bool:
    """True when the platform enrolled exactly this public key for this officer."""
    if not key.enrolment_signature or key.enrolled_at is None:
        return False
    return platform_key.verify(key.enrolment_key_id, enrolment_text(key.officer_id, key.public_key, key.enrolled_at),
                               key.enrolment_signature, known)


def officer_key(officer) -> OfficerKey:
    """The officer's key pair, made and enrolled on first use (callers hold a transaction)."""
    existing = OfficerKey.objects.filter(officer=officer).first()
    if existing:
        return existing
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = _public_hex(private)
    enrolled_at = timezone.now()
    key_id, signature = platform_key.sign(enrolment_text(officer.pk, public, enrolled_at))
    return OfficerKey.objects.create(
        officer=officer, public_key=public, fingerprint=hashlib.sha256(bytes.fromhex(public)).hexdigest()[:16],
        private_key_encrypted=secrets.encrypt(KEY_PURPOSE, raw), enrolled_at=enrolled_at, enrolment_key_id=key_id,
        enrolment_signature=signature,
    )


def _private(key: OfficerKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(secrets.decrypt(KEY_PURPOSE, key.private_key_encrypted))


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
    zh: str = ""
    en: str = ""


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

    @property
    def problems(self) -> list[tuple[str, str]]:
        """What fails, first things first, as (zh, en): the first bad link of the record."""
        found = []
        if self.sealed_hash and not self.hash_ok:
            found.append(("记录内容与签名时不一致", "the record differs from what was signed"))
        if self.sealed_hash and not self.signatures:
            found.append(("没有签名", "there is no signature"))
        found += [(s.zh, s.en) for s in self.signatures if not s.ok]
        return found


def _signature_check(sig: Signature, record_hash: str, keys: dict, known: dict) -> SignatureCheck:
    """A signature holds when it is over this record's hash, by the key the platform enrolled for
    its signer: swapping the key in both the signature and the key row is caught by the enrolment."""
    who = sig.signer.username
    key = keys.get(sig.signer_id)
    if key is None or not enrolment_ok(key, known):
        return SignatureCheck(sig, False, f"{who} 的签名密钥未经平台登记（密钥被替换）",
                              f"{who}'s signing key was not enrolled by the platform (the key was swapped)")
    if key.public_key != sig.public_key:
        return SignatureCheck(sig, False, f"{who} 的签名不是用其登记的密钥所签",
                              f"{who}'s signature was not made with the key enrolled for them")
    if sig.record_hash != record_hash:
        return SignatureCheck(sig, False, f"{who} 签名的是另一内容", f"{who} signed other content")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(sig.public_key)).verify(
            bytes.fromhex(sig.signature), bytes.fromhex(record_hash))
    except (InvalidSignature, ValueError):
        return SignatureCheck(sig, False, f"{who} 的签名无效", f"{who}'s signature does not verify")
    return SignatureCheck(sig, True)


def verify(*, record_type: str, record_id: int, content: dict, sealed_hash: str) -> Verification:
    now_hash = content_hash(content)
    sigs = list(Signature.objects.filter(record_type=record_type, record_id=record_id).select_related("signer"))
    keys = {k.officer_id: k for k in OfficerKey.objects.filter(officer_id__in=[s.signer_id for s in sigs])}
    known = platform_key.trusted_keys()
    result = Verification(record_hash=now_hash, sealed_hash=sealed_hash)
    result.signatures = [_signature_check(s, now_hash, keys, known) for s in sigs]
    return result
