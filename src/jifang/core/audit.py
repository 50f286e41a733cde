"""The only writer of the audit log. Services call `record` inside their own transaction, so a
change and its audit row commit together or not at all; bulk paths call `record_many` /
`record_updates` (one lock of the chain's head for all their rows).

A row's before/after are made canonical JSON once (`json_text`): that text is hashed, inside the
row's hashed text (`Pending.text`, byte for byte `canonical(_hashed_fields(row))`, which is what
`verify_chain` recomputes from the stored row), and stored as it is (core.bulk), so what is read
back hashes the same."""
import datetime as dt
import decimal
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_str

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import bulk
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


_SIMPLE = frozenset({str, int, float, bool, type(None)})


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


@functools.cache
def _snapshot_spec(model) -> tuple[tuple[str, ...], Callable]:
    names = tuple(f.attname for f in model._meta.concrete_fields)
    return names, bulk.values_getter(names)


def snapshot(obj: models.Model | None) -> dict | None:
    """The concrete field values of an object, as JSON-safe plain data (foreign keys by id)."""
    if obj is None:
        return None
    names, get = _snapshot_spec(type(obj))
    return {n: v if type(v) in _SIMPLE else _plain(v) for n, v in zip(names, get(obj), strict=True)}


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


_CONTAINERS = frozenset({dict, list, tuple, set, frozenset})


def _has_other_keys(value) -> bool:
    """A dict key anywhere that is not a string (JSON makes it one, and may then sort it elsewhere)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if type(k) is not str or (type(v) in _CONTAINERS and _has_other_keys(v)):
                return True
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(type(v) in _CONTAINERS and _has_other_keys(v) for v in value)
    return False


def json_text(data) -> str | None:
    """The canonical JSON text of a before/after value, as stored and as hashed. It is a fixed
    point of `canonical(json.loads(...))`, so the value read back from the database hashes the
    same (`verify_chain`): only non-string keys need the round trip."""
    if data is None:
        return None
    text = canonical(data)
    if _has_other_keys(data):
        text = canonical(json.loads(text))
    return text.decode()


def _json(value) -> str:
    """One scalar as `canonical` writes it."""
    if type(value) is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    return canonical(value).decode()


# `canonical(_hashed_fields(e))` written from the parts, with before/after as their stored text:
# the keys in sorted order, the separators of `canonical` (tests check both spell the same bytes).
_ENTRY_TEXT = ('{"action":%s,"actor_id":%s,"actor_label":%s,"after":%s,"at":%s,"before":%s,"district_code":%s,'
               '"note":%s,"object_id":%s,"object_repr":%s,"object_type":%s,"seq":%s}')


@dataclass(slots=True)
class Pending:
    """An audit row before it joins the chain; before/after are `json_text` (or None)."""

    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    district_code: str
    before: str | None
    after: str | None
    note: str

    def text(self, seq: int, at: str) -> str:
        return _ENTRY_TEXT % (
            _json(self.action), _json(self.actor_id), _json(self.actor_label), self.after or "null", _json(at),
            self.before or "null", _json(self.district_code), _json(self.note), _json(self.object_id),
            _json(self.object_repr), _json(self.object_type), _json(seq),
        )


_COLUMNS = ("seq", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr",
            "district_code", "before", "after", "note", "prev_hash", "hash")


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
    head = AuditHead.objects.select_for_update().filter(id=1).first()
    if head is None:  # the first append ever
        AuditHead.objects.get_or_create(id=1)
        head = AuditHead.objects.select_for_update().get(id=1)
    return head


def pending(*, actor, action: str, obj=None, before=None, after=None, note: str = "", district=None) -> Pending:
    """An audit row for `obj` (None: an event without an object); before/after are snapshots."""
    return Pending(
        actor_id=actor.pk if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        district_code=district if district is not None else _district_of(obj),
        before=json_text(before),
        after=json_text(after),
        note=note,
    )


def append(entries: list[Pending], at: dt.datetime | None = None) -> tuple[list[int], list[tuple]]:
    """Chain `entries` after the head, under its lock, and insert them (one compiled statement per
    batch); the caller's transaction holds the lock until it ends. Returns the new pks and the rows
    (in `_COLUMNS` order)."""
    if not entries:
        return [], []
    at = at or timezone.now()
    at_text = at.astimezone(dt.UTC).isoformat()
    head = _lock_head()
    prev, seq = head.hash, head.seq
    rows = []
    for e in entries:
        seq += 1
        digest = hashlib.sha256((prev + e.text(seq, at_text)).encode()).hexdigest()
        rows.append((seq, e.actor_id, e.actor_label, e.action, e.object_type, e.object_id, e.object_repr,
                     e.district_code, e.before, e.after, e.note, prev, digest))
        prev = digest
    pks = bulk.insert_rows(AuditEntry, _COLUMNS, rows, constants={"at": at}, json_text=("before", "after"))
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])
    return pks, rows


# savepoint=False: called inside the service's own transaction, whose fate the row shares
@transaction.atomic(savepoint=False)
def record(*, actor, action: str, obj=None, before=None, after=None, note: str = "", district=None) -> AuditEntry:
    """Append one audit row. `before`/`after` are snapshots (see `snapshot`)."""
    entry = pending(actor=actor, action=action, obj=obj, before=before, after=after, note=note, district=district)
    at = timezone.now()
    (pk,), (row,) = append([entry], at)
    values = dict(zip(_COLUMNS, row, strict=True))
    values["before"], values["after"] = (json.loads(v) if v is not None else None for v in (entry.before, entry.after))
    saved = AuditEntry(id=pk, at=at, **values)
    saved._state.adding = False
    return saved


# savepoint=False: called inside the service's own transaction, whose fate the row shares
@transaction.atomic(savepoint=False)
def record_many(*, actor, action: str, objects: Iterable, note: str = "") -> int:
    """One row per created object, appended in one lock: bulk import's path."""
    return len(append([pending(actor=actor, action=action, obj=o, after=snapshot(o), note=note) for o in objects])[0])


# savepoint=False: called inside the service's own transaction, whose fate the row shares
@transaction.atomic(savepoint=False)
def record_updates(*, actor, action: str, pairs: Iterable[tuple[models.Model, dict]], note: str = "") -> int:
    """One row per updated object, with its `before` snapshot and its state now, in one lock."""
    return len(append([pending(actor=actor, action=action, obj=o, before=before, after=snapshot(o), note=note)
                       for o, before in pairs])[0])


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


# ---- labels for people ----------------------------------------------------------------------------
# A change history shows what happened, never the action's dotted name. Actions are named
# app.model.verb; the verb says what happened, and a full name overrides it where the verb alone
# would mislead (works.works.filed is a filing, not a generic change).
VERB_LABELS = {
    "create": _("registered"), "update": _("changed"), "register": _("registered"), "import": _("imported"),
    "export": _("exported"), "issue": _("issued"), "answer": _("answered"), "review": _("reviewed"),
    "sign": _("signed"), "confirm": _("confirmed on site"), "photo": _("photo added"),
    "set": _("checklist updated"), "raise": _("found in an inspection"), "stage": _("enforcement stage changed"),
    "overdue": _("deadline passed"), "decide": _("penalty decided"), "notice": _("notice served"),
    "statement": _("statement recorded"), "lodge": _("complaint lodged"), "schedule": _("acceptance scheduled"),
    "attend": _("acceptance attended"), "result": _("acceptance result recorded"), "upload": _("document uploaded"),
    "download": _("document downloaded"), "submit": _("filing submitted"), "record": _("recorded"),
    "add": _("added"), "filed": _("filed"), "complete": _("completed"), "go_live": _("put into use"),
    "construction_start": _("construction started"), "design_approved": _("design approved"),
    "acceptance": _("acceptance passed"), "revoke": _("revoked"), "seed": _("demo data loaded"),
}
ACTION_LABELS = {
    "accounts.token.issue": _("API token issued"), "auth.login": _("signed in"), "auth.logout": _("signed out"),
    "auth.login_failed": _("sign-in failed"), "regulation.scanrun.create": _("compliance scan run"),
    "works.notification.create": _("office notified"),
}


def action_label(action: str) -> str:
    """What an audit row's action means, in the reader's language (被拒绝 marks a refusal)."""
    refused = action.endswith(".refused")
    base = action.removesuffix(".refused")
    label = ACTION_LABELS.get(base) or VERB_LABELS.get(base.rsplit(".", 1)[-1]) or _("recorded")
    return _("%(action)s (refused)") % {"action": label} if refused else str(label)
