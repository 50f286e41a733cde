"""The only writer of the audit log. Services call `record` inside their own transaction, so a
change and its audit row commit together or not at all."""
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (set, frozenset, tuple)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model | None) -> dict | None:
    """The concrete field values of an object, as JSON-safe plain data (foreign keys by id)."""
    if obj is None:
        return None
    data = {}
    for field in obj._meta.concrete_fields:
        data[field.attname] = _plain(getattr(obj, field.attname))
    return data


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain).encode()


def entry_hash(prev_hash: str, entry: dict) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry)).hexdigest()


def _hashed_fields(e: AuditEntry) -> dict:
    return {
        "seq": e.seq,
        # UTC whatever zone the caller's datetime carries: the database hands it back in UTC.
        "at": e.at.astimezone(dt.UTC).isoformat(),
        "actor_id": e.actor_id,
        "actor_label": e.actor_label,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "object_repr": e.object_repr,
        "district_code": e.district_code,
        "before": e.before,
        "after": e.after,
        "note": e.note,
    }


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", str(actor))


def _district_of(obj) -> str:
    if obj is None:
        return ""
    code = getattr(obj, "district_id", None)
    return code or ""


def _lock_head() -> AuditHead:
    head, _ = AuditHead.objects.get_or_create(id=1)
    return AuditHead.objects.select_for_update().get(id=1)


def _new_entry(*, actor, action, obj, before, after, note, district, at) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        district_code=district if district is not None else _district_of(obj),
        before=json.loads(canonical(before)) if before is not None else None,
        after=json.loads(canonical(after)) if after is not None else None,
        note=note,
    )


def _append(entries: list[AuditEntry]) -> list[AuditEntry]:
    head = _lock_head()
    prev, seq = head.hash, head.seq
    for e in entries:
        seq += 1
        e.seq = seq
        e.prev_hash = prev
        e.hash = prev = entry_hash(prev, _hashed_fields(e))
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])
    return entries


@transaction.atomic
def record(*, actor, action: str, obj=None, before=None, after=None, note: str = "", district=None) -> AuditEntry:
    """Append one audit row. `before`/`after` are snapshots (see `snapshot`)."""
    entry = _new_entry(
        actor=actor, action=action, obj=obj, before=before, after=after, note=note, district=district, at=timezone.now()
    )
    return _append([entry])[0]


@transaction.atomic
def record_many(*, actor, action: str, objects: Iterable, note: str = "") -> int:
    """One row per created object, appended in one lock: bulk import's path."""
    now = timezone.now()
    entries = [
        _new_entry(actor=actor, action=action, obj=o, before=None, after=snapshot(o), note=note, district=None, at=now)
        for o in objects
    ]
    return len(_append(entries)) if entries else 0


def verify_chain(batch: int = 5000) -> tuple[bool, int | None]:
    """Walk the chain in order; returns (ok, first bad seq)."""
    prev = GENESIS
    expected_seq = 1
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last_id).order_by("seq")[:batch])
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq or e.prev_hash != prev or entry_hash(prev, _hashed_fields(e)) != e.hash:
                return False, e.seq
            prev = e.hash
            expected_seq += 1
        last_id = rows[-1].seq
    head = AuditHead.objects.filter(id=1).first()
    if head and (head.seq != expected_seq - 1 or head.hash != prev):
        return False, expected_seq
    return True, None
