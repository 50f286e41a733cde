"""Signed checkpoints of the audit chain, and their export: the part a verifier needs without the
database (no Django imports here, so `jifang audit verify-export` and any outside tool can use it).

A checkpoint says "the audit chain's entry #seq has hash H", signed by the platform key
(core.platform_key). Its signed text is `PREFIX + canonical JSON` of its fields; `prev` is the
SHA-256 of the previous checkpoint's signed text (GENESIS for the first), so checkpoints form a chain
and one removed in the middle breaks it.

Export file (JSON, UTF-8):
    {"format": "jifang-audit-checkpoints", "version": 1, "exported_at": ISO time,
     "public_keys": {key id: hex, ...},          # informational: the verifier brings its own key
     "checkpoints": [{"number", "seq", "hash", "at", "reason", "prev", "key_id", "signature"}, ...]}
"""
import hashlib
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .keys import key_id, load_public, public_hex, verify

FORMAT = "jifang-audit-checkpoints"
VERSION = 1
PREFIX = b"jifang audit checkpoint v1\n"
GENESIS = "0" * 64
FIELDS = ("number", "seq", "hash", "at", "reason", "prev", "key_id")


def signed_text(cp: dict) -> bytes:
    """The bytes the platform key signs: every field but the signature, canonical JSON."""
    body = {k: cp[k] for k in FIELDS}
    return PREFIX + json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(cp: dict) -> str:
    return hashlib.sha256(signed_text(cp)).hexdigest()


def signature_ok(cp: dict, keys: dict[str, Ed25519PublicKey]) -> bool:
    try:
        return verify(keys.get(cp["key_id"]), cp["signature"], signed_text(cp))
    except (KeyError, TypeError):
        return False


@dataclass
class Problem:
    number: int | None      # the first checkpoint that fails
    zh: str
    en: str

    def __str__(self):
        return f"{self.zh} / {self.en}"


def check_sequence(cps: list[dict], keys: dict[str, Ed25519PublicKey]) -> Problem | None:
    """The checkpoints in number order: each signed by a trusted key, numbered without gaps, linked
    to the one before, the chain positions never going back. None when all hold."""
    prev = None
    for cp in cps:
        try:
            n, seq, head = int(cp["number"]), int(cp["seq"]), str(cp["hash"])
        except (KeyError, TypeError, ValueError):
            return Problem(None, "检查点格式错误", "a checkpoint is malformed")
        if not signature_ok(cp, keys):
            return Problem(n, f"检查点 {n} 的签名无效（不是平台密钥所签）",
                           f"checkpoint {n} is not signed by the platform key")
        if prev is None:
            if n == 1 and cp["prev"] != GENESIS:
                return Problem(n, "第一个检查点未从创始值开始", "the first checkpoint does not start the chain")
        else:
            if n != prev["number"] + 1:
                return Problem(prev["number"] + 1, f"缺少检查点 {prev['number'] + 1}",
                               f"checkpoint {prev['number'] + 1} is missing")
            if cp["prev"] != digest(prev):
                return Problem(n, f"检查点 {n} 与前一检查点不衔接", f"checkpoint {n} does not follow the one before")
            if seq < prev["seq"] or (seq == prev["seq"] and head != prev["hash"]):
                return Problem(n, f"检查点 {n} 的审计链位置倒退", f"checkpoint {n} goes back in the chain")
        prev = {**cp, "number": n, "seq": seq}
    return None


@dataclass
class ExportReport:
    checkpoints: int
    last_seq: int
    last_hash: str
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_export(data: dict, public_keys: list[str]) -> ExportReport:
    """Check an export file's content with the given public keys only (no database)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        return ExportReport(0, 0, GENESIS, Problem(None, "不是审计检查点导出文件", "not an audit checkpoint export"))
    keys = {key_id(public_hex(k)): k for k in map(load_public, public_keys)}
    cps = data.get("checkpoints")
    if not isinstance(cps, list) or not all(isinstance(c, dict) for c in cps):
        return ExportReport(0, 0, GENESIS, Problem(None, "检查点列表格式错误", "the checkpoint list is malformed"))
    problem = check_sequence(cps, keys)
    last = cps[-1] if cps else {"seq": 0, "hash": GENESIS}
    return ExportReport(len(cps), int(last["seq"]), str(last["hash"]), problem)
