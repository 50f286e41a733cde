"""The only writer of the audit log. Services call `record` inside their own transaction, so a
change and its audit row commit together or not at all; bulk paths call `record_many` /
`record_updates` (one lock of the chain's head for all their rows).

A row's before/after are made canonical JSON once (`json_text`): that text is hashed, inside the
row's hashed text (`Pending.text`, byte for byte `canonical(_hashed_fields(row))`, which is what
`verify_chain` recomputes from the stored row), and stored as it is (core.bulk), so what is read
back hashes the same."""
import bisect
import datetime as dt
import decimal
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_str

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import bulk, checkpoints, platform_key
from .models import AuditCheckpoint, AuditEntry, AuditHead, CheckpointReason

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


_listeners: list[Callable[[list[Pending]], None]] = []


def on_append(listener: Callable[[list[Pending]], None]) -> None:
    """Call `listener(entries)` after every append, inside the writer's transaction. Every service
    write passes here, so this is where other apps follow changes (regulation.rechecks)."""
    if listener not in _listeners:
        _listeners.append(listener)


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
    every = settings.JIFANG_AUDIT_CHECKPOINT_EVERY
    crossed = every > 0 and seq // every != head.seq // every
    head.seq, head.hash = seq, prev
    if crossed:  # a signed checkpoint every N entries, of the head as it now stands
        _checkpoint(head, CheckpointReason.PERIODIC, at)
    head.save(update_fields=["seq", "hash", "checkpoint_number", "checkpoint_digest"])
    for listener in _listeners:
        listener(entries)
    return pks, rows


def _checkpoint(head: AuditHead, reason: str, at: dt.datetime) -> AuditCheckpoint:
    """Sign the locked head's position with the platform key and add it to the checkpoints' chain
    (the caller saves the head)."""
    cp = {"number": head.checkpoint_number + 1, "seq": head.seq, "hash": head.hash,
          "at": at.astimezone(dt.UTC).isoformat(), "reason": str(reason), "prev": head.checkpoint_digest,
          "key_id": platform_key.current_key_id()}
    _key, cp["signature"] = platform_key.sign(checkpoints.signed_text(cp))
    saved = AuditCheckpoint.objects.create(**{**cp, "at": at})
    head.checkpoint_number, head.checkpoint_digest = cp["number"], checkpoints.digest(cp)
    return saved


@transaction.atomic
def checkpoint(reason: str = CheckpointReason.SCHEDULED) -> AuditCheckpoint:
    """A signed checkpoint of the chain's head now (at every signed document; from cron)."""
    head = _lock_head()
    saved = _checkpoint(head, reason, timezone.now())
    head.save(update_fields=["checkpoint_number", "checkpoint_digest"])
    return saved


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


def checkpoint_dict(cp: AuditCheckpoint) -> dict:
    """A stored checkpoint as it is signed and exported."""
    return {"number": cp.number, "seq": cp.seq, "hash": cp.hash, "at": cp.at.astimezone(dt.UTC).isoformat(),
            "reason": cp.reason, "prev": cp.prev, "key_id": cp.key_id, "signature": cp.signature}


@dataclass
class ChainReport:
    """What `verify` found. `first_bad` is the first entry that cannot be trusted (None when the
    log is whole); `last_bad` closes the range when a rewrite can only be bounded by checkpoints."""

    entries: int = 0
    checkpoints: int = 0
    first_bad: int | None = None
    last_bad: int | None = None
    zh: str = ""
    en: str = ""

    @property
    def ok(self) -> bool:
        return not self.zh

    def fail(self, first_bad, zh: str, en: str, last_bad=None) -> "ChainReport":
        self.first_bad, self.last_bad, self.zh, self.en = first_bad, last_bad, zh, en
        return self

    def __str__(self):
        return f"{self.zh} / {self.en}" if self.zh else "ok"


_SELECT = ("SELECT seq, at, actor_id, actor_label, action, object_type, object_id, object_repr, district_code, "
           "{before}, {after}, note, prev_hash, hash FROM core_auditentry WHERE seq > %s ORDER BY seq LIMIT %s")


def _at_text(value: dt.datetime) -> str:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        return value.isoformat() + "+00:00"
    return value.astimezone(dt.UTC).isoformat()


def _pages(sql: str, batch: int, after: int = 0):
    """The rows of `sql` (seq first; `seq > %s ... LIMIT %s`) in chain order, a page at a time."""
    last = after
    while True:
        with connection.cursor() as cur:
            cur.execute(sql, [last, batch])
            rows = cur.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _row_select() -> str:
    """Every hashed column, before/after as JSON text: on SQLite the stored text itself, on
    PostgreSQL jsonb's own spelling."""
    cast = "" if connection.vendor == "sqlite" else "::text"
    return _SELECT.format(before=f"before{cast}", after=f"after{cast}")


def _rows(batch: int):
    """The stored rows in chain order, as plain tuples (no model instances: this is the hot path)."""
    return _pages(_row_select(), batch)


def _json_again(text: str | None) -> str:
    return "null" if text is None else canonical(json.loads(text)).decode()


def stored_text(row, respell: bool) -> str:
    """The hashed text of a stored row (`_rows`), as `Pending.text` wrote it. Its JSON columns are
    taken as stored (canonical text, as SQLite keeps it) or, with `respell`, written canonically
    again (jsonb's spelling; rows stored before canonical storage)."""
    seq, at, actor_id, label, action, otype, oid, orepr, district, before, after, note = row[:12]
    if respell:
        before, after = _json_again(before), _json_again(after)
    return _ENTRY_TEXT % (_encode_str(action), "null" if actor_id is None else int.__repr__(actor_id),
                          _encode_str(label), after or "null", '"' + _at_text(at) + '"', before or "null",
                          _encode_str(district), _encode_str(note), _encode_str(oid), _encode_str(orepr),
                          _encode_str(otype), int.__repr__(seq))


def _entry_digest(prev: str, row, respell: bool) -> str:
    return hashlib.sha256((prev + stored_text(row, respell)).encode()).hexdigest()


# SQLite writes each row's hashed text itself and Python only hashes it. Strings go in quotes as
# they are: right for every string with nothing to escape (nearly all); a row whose text comes out
# otherwise (a quote, a backslash, a line break in a note) is checked again by `_row_digest`, which
# spells it as the chain was written, before it is called bad.
_SQLITE_HASHED = (
    "CAST(format('%s{\"action\":\"%s\",\"actor_id\":%s,\"actor_label\":\"%s\",\"after\":%s,"
    "\"at\":\"%sT%s+00:00\",\"before\":%s,\"district_code\":\"%s\",\"note\":\"%s\",\"object_id\":\"%s\","
    "\"object_repr\":\"%s\",\"object_type\":\"%s\",\"seq\":%d}', "
    "prev_hash, action, coalesce(actor_id, 'null'), actor_label, coalesce(after, 'null'), substr(at, 1, 10), "
    "substr(at, 12), coalesce(before, 'null'), district_code, note, object_id, object_repr, object_type, seq) AS BLOB)")
_SQLITE_TEXT = ("SELECT seq, prev_hash, hash, " + _SQLITE_HASHED.replace("%", "%%") +
                " FROM core_auditentry WHERE seq > %s ORDER BY seq LIMIT %s")


class _Scan:
    """One pass over the whole log inside the database, for a log that is whole (the common case).
    On SQLite, SQLite reads each row and writes its hashed text, and `step` (called by SQLite for each
    row, in table order) checks seq, link, hash and checkpoint with no Python row objects in between;
    PostgreSQL does all of it itself (`_PG_SCAN`). It only answers "whole, or look closer": any
    fault, or rows arriving out of chain order, hands the log to the page walk in `verify`, which
    names the first bad link. Rows whose text the database spells otherwise (on SQLite strings that
    need escapes) are kept in `respell` and checked the slow way afterwards."""

    LIMIT = 10_000  # rows needing the slow spelling before the page walk is cheaper

    __slots__ = ("seq", "last", "faulty", "respell", "vouched")

    def __init__(self, vouched: dict):
        self.seq, self.last, self.faulty, self.respell, self.vouched = 0, GENESIS, False, [], vouched

    def step(self, seq, prev, stored, text, sha256=hashlib.sha256):
        if seq != self.seq + 1 or prev != self.last:
            self.faulty = True
        elif sha256(text).hexdigest() != stored:
            self.respell.append((seq, prev, stored))
            self.faulty = self.faulty or len(self.respell) > self.LIMIT
        signed = self.vouched.get(seq)
        if signed is not None and signed[1] != stored:
            self.faulty = True
        self.seq, self.last = seq, stored

    def whole(self) -> bool:
        return not self.faulty and all(_row_digest(seq, prev) == stored for seq, prev, stored in self.respell)


# The hashed text of every row, handed to `_Scan.step` row by row in table order.
_SQLITE_SCAN = f"SELECT count(jifang_audit_step(seq, prev_hash, hash, {_SQLITE_HASHED})) FROM core_auditentry"


# PostgreSQL writes and hashes every row's text itself (format, sha256) and checks the links with a
# window over seq; only rows that fail come back: a broken link, or a digest that differs -- a fault,
# or a row spelled otherwise, which `_row_digest` spells again in Python: rows stored before
# before/after were kept as hashed text, and codes put in quotes as they are (action, object type and
# id, district: no escapes in practice; free text goes through to_json, which escapes as Python does).
_PG_SCAN = (
    "SELECT seq, prev_hash, hash, linked FROM ("
    " SELECT seq, prev_hash, hash,"
    "  prev_hash = coalesce(lag(hash) OVER w, %s) AND seq = row_number() OVER w AS linked,"
    "  encode(sha256(convert_to(format('%%s{\"action\":\"%%s\",\"actor_id\":%%s,\"actor_label\":%%s,\"after\":%%s,"
    "\"at\":\"%%s+00:00\",\"before\":%%s,\"district_code\":\"%%s\",\"note\":%%s,\"object_id\":\"%%s\","
    "\"object_repr\":%%s,\"object_type\":\"%%s\",\"seq\":%%s}', prev_hash, action, coalesce(actor_id::text, 'null'),"
    "   to_json(actor_label), coalesce(after, 'null'),"
    "   replace(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', ''),"
    "   coalesce(before, 'null'), district_code, to_json(note), object_id, to_json(object_repr), object_type, seq),"
    "  'UTF8')), 'hex') AS digest"
    " FROM core_auditentry WINDOW w AS (ORDER BY seq)) AS chain"
    " WHERE NOT linked OR digest <> hash ORDER BY seq LIMIT %s")


def _scan_postgresql(vouched: dict) -> _Scan:
    scan = _Scan(vouched)
    with connection.cursor() as cur:
        cur.execute(_PG_SCAN, [GENESIS, _Scan.LIMIT + 1])
        odd = cur.fetchall()
        cur.execute("SELECT seq, hash FROM core_auditentry WHERE seq = ANY(%s)", [list(vouched)])
        signed = cur.fetchall()
        cur.execute("SELECT seq, hash FROM core_auditentry ORDER BY seq DESC LIMIT 1")
        scan.seq, scan.last = cur.fetchone() or (0, GENESIS)
    scan.respell = [(seq, prev, stored) for seq, prev, stored, linked in odd if linked]
    scan.faulty = (len(scan.respell) < len(odd) or len(odd) > _Scan.LIMIT
                   or any(vouched[seq][1] != stored for seq, stored in signed))
    return scan


def _scan_sqlite(vouched: dict) -> _Scan:
    scan = _Scan(vouched)
    raw = connection.connection
    raw.create_function("jifang_audit_step", 4, scan.step)
    try:
        raw.execute(_SQLITE_SCAN).fetchall()
    finally:
        raw.create_function("jifang_audit_step", 4, None)
    return scan


def _row_digest(seq: int, prev: str) -> str | None:
    """The hash of entry `seq` after `prev`, built in Python from the stored row."""
    respell = connection.vendor != "sqlite"
    (row,) = next(_pages(_row_select(), 1, after=seq - 1))
    digests = {_entry_digest(prev, row, respell), _entry_digest(prev, row, True)}
    return row[13] if row[13] in digests else None


def _links(batch: int):
    """Pages of (seq, prev_hash, stored hash, hash recomputed over prev_hash and the row), in chain order."""
    if connection.vendor != "sqlite":
        for rows in _rows(batch):
            yield [(r[0], r[12], r[13], _entry_digest(r[12], r, True)) for r in rows]
        return
    sha256 = hashlib.sha256
    for rows in _pages(_SQLITE_TEXT, batch):
        # bytes from SQLite (CAST AS BLOB: the UTF-8 that encode() would give): Python only hashes
        yield [(seq, prev, stored, sha256(text).hexdigest()) for seq, prev, stored, text in rows]


def _clean(page: list, expected: int, prev: str, vouched: dict, marks: list) -> bool:
    """A whole page holds, checked with list comparisons (the common case, fast): consecutive from
    `expected` (seq is unique and ordered), linked from `prev` and to each other, every hash as
    recomputed, every checkpoint inside it matching. Otherwise the row-by-row walk finds the fault."""
    first, last = page[0][0], page[-1][0]
    if first != expected or last != expected + len(page) - 1 or page[0][1] != prev:
        return False
    stored = [r[2] for r in page]
    if [r[1] for r in page[1:]] != stored[:-1] or [r[3] for r in page] != stored:
        return False
    return all(vouched[s][1] == stored[s - first]
               for s in marks[bisect.bisect_left(marks, first):bisect.bisect_right(marks, last)])


def _checkpoint_problem(report: ChainReport, cps: list[dict], extra: list[dict] | None):
    """The checkpoints (stored, and from an export kept elsewhere) as {seq: (number, hash)}, or the
    report failed on the first checkpoint that does not hold."""
    known = platform_key.trusted_keys()
    problem = checkpoints.check_sequence(cps, known)
    if problem:
        return report.fail(None, problem.zh, problem.en)
    head = AuditHead.objects.filter(id=1).first()
    tip = (head.checkpoint_number, head.checkpoint_digest) if head else (0, checkpoints.GENESIS)
    stored_tip = (cps[-1]["number"], checkpoints.digest(cps[-1])) if cps else (0, checkpoints.GENESIS)
    if tip != stored_tip:
        return report.fail(None, f"检查点链末端与记录的末端（第 {tip[0]} 个）不符，检查点被删除或改动",
                           f"the checkpoints end at {stored_tip[0]}, not at the recorded tip {tip[0]}: "
                           "checkpoints were removed or changed")
    vouched = {}
    for source in (cps, extra or []):
        if source is extra and extra:
            problem = checkpoints.check_sequence(extra, known)
            if problem:
                return report.fail(None, f"导出文件：{problem.zh}", f"export file: {problem.en}")
        for cp in source:
            seq, h = int(cp["seq"]), cp["hash"]
            if vouched.setdefault(seq, (int(cp["number"]), h))[1] != h:
                return report.fail(seq, f"导出文件与数据库中的检查点在第 {seq} 条处不一致",
                                   f"the export and the stored checkpoints disagree at entry {seq}")
    return vouched


def _walk(report: ChainReport, page: list, expected: int, prev: str, good: int, vouched: dict):
    """Row by row through a page that did not hold as a whole: the report failed on the first bad
    link; or, when the page holds after all (a row only the slow spelling vouches for), where the
    walk stands."""
    for seq, prev_hash, stored, digest in page:
        if seq != expected:
            return report.fail(expected, f"审计链缺少第 {expected} 条（下一条为第 {seq} 条）",
                               f"entry {expected} is missing (the next is {seq})")
        if prev_hash != prev or (digest != stored and _row_digest(seq, prev) != stored):
            return report.fail(seq, f"审计链在第 {seq} 条处断裂（内容或顺序被改动）",
                               f"the chain breaks at entry {seq} (its content or order was changed)")
        signed = vouched.get(seq)
        if signed is not None:
            if signed[1] != stored:
                return report.fail(good + 1, f"审计链被重写：第 {seq} 条与平台签名的第 {signed[0]} 个检查点不符；"
                                   f"第 {good + 1} 至 {seq} 条之间的记录不可信",
                                   f"the chain was rebuilt: entry {seq} does not match signed checkpoint "
                                   f"{signed[0]}; entries {good + 1} to {seq} cannot be trusted", last_bad=seq)
            good = seq
        prev = stored
        expected += 1
    return expected, prev, good


def verify(*, extra_checkpoints: list[dict] | None = None, batch: int = 20000) -> ChainReport:
    """Walk the chain in order and hold it against the signed checkpoints (the stored ones and,
    when given, those of an export kept outside the database). Every entry must follow the one
    before (seq, prev_hash, its own hash); every checkpoint must be signed by the platform key, in an
    unbroken chain of checkpoints, and match the entry it names; no checkpoint may name an entry the
    log no longer has."""
    cps = [checkpoint_dict(c) for c in AuditCheckpoint.objects.order_by("number")]
    report = ChainReport(checkpoints=len(cps))
    vouched = _checkpoint_problem(report, cps, extra_checkpoints)
    if isinstance(vouched, ChainReport):
        return vouched
    prev, expected, good = GENESIS, 1, 0  # good: the last entry a checkpoint vouched for
    marks = sorted(vouched)
    if connection.vendor in ("sqlite", "postgresql"):
        connection.ensure_connection()
        scan = (_scan_sqlite if connection.vendor == "sqlite" else _scan_postgresql)(vouched)
        if scan.whole():
            return _ends(report, vouched, scan.seq + 1, scan.last)
    for page in _links(batch):
        if _clean(page, expected, prev, vouched, marks):
            inside = marks[bisect.bisect_left(marks, page[0][0]):bisect.bisect_right(marks, page[-1][0])]
            good = inside[-1] if inside else good
            prev, expected = page[-1][2], page[-1][0] + 1
            continue
        failed = _walk(report, page, expected, prev, good, vouched)
        if isinstance(failed, ChainReport):
            return failed
        expected, prev, good = failed
    return _ends(report, vouched, expected, prev)


def _ends(report: ChainReport, vouched: dict, expected: int, prev: str) -> ChainReport:
    """The log's end after a whole walk: no checkpoint beyond it, and it is the recorded head."""
    report.entries = expected - 1
    beyond = [s for s in vouched if s > report.entries]
    if beyond:
        return report.fail(report.entries + 1, f"审计链末尾被截断：检查点记载到第 {max(beyond)} 条，现仅有 {report.entries} 条",
                           f"the chain's tail was cut: checkpoints vouch for entry {max(beyond)}, the log now ends "
                           f"at {report.entries}", last_bad=max(beyond))
    head = AuditHead.objects.filter(id=1).first()
    if head and (head.seq != report.entries or head.hash != prev):
        return report.fail(expected, f"审计链末端与记录的链头（第 {head.seq} 条）不符",
                           f"the chain's end does not match the recorded head (entry {head.seq})")
    return report


def verify_chain(batch: int = 20000) -> tuple[bool, int | None]:
    """(ok, first bad seq): `verify` for callers that need only the verdict."""
    report = verify(batch=batch)
    return report.ok, report.first_bad


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
    # the generic paths of every model (core.services.correct_object, the import's history)
    "correct": _("corrected"), "history": _("imported history"), "amend": _("amendment made"),
    "recorded": _("entered in the register"),
}
# Full names: where the verb alone would mislead or say nothing. tests/core/test_audit_labels.py finds
# every action a service can write in the source and fails on one that reads as the bare fallback.
ACTION_LABELS = {
    "accounts.token.issue": _("API token issued"), "auth.login": _("signed in"), "auth.logout": _("signed out"),
    "auth.login_failed": _("sign-in failed"), "regulation.scanrun.create": _("compliance scan run"),
    "works.notification.create": _("office notified"),
    "alarms.account.registered": _("alarm account registered"), "alarms.account.changed": _("alarm account changed"),
    "alarms.event.acknowledged": _("alarm acknowledged"), "alarms.event.verified": _("alarm verified"),
    "alarms.event.dispatched": _("police dispatched to the alarm"), "alarms.event.closed": _("alarm closed"),
    "duties.camera.approved": _("approved camera position, direction and use recorded"),
    "duties.camera.found": _("camera as found on site recorded"),
    "duties.outage.opened": _("outage began"), "duties.outage.ended": _("outage ended"),
    "duties.outage.explained": _("outage explained"),
    "duties.suspicionreport.acknowledged": _("suspicion report acknowledged by the police"),
    "enforcement.penalty.status": _("penalty case status changed"),
    "enforcement.document.refused": _("document withheld: the record failed verification"),
    "jobs.task.retry": _("background task queued again"),
    "national.filing.received": _("system filing received"),
    "national.filing.returned": _("system filing returned for correction"),
    "national.report.received": _("report from the public received"),
    "national.report.inspection": _("report handed to an inspection"),
    "national.report.closed": _("report closed"),
    "national.report.contact_read": _("reporter's contact details read"),
    "national.viewing.requested": _("viewing request recorded"),
    "national.viewing.consented": _("viewing consented"),
    "national.viewing.refused": _("viewing refused by the manager"),
    "registry.securitysystem.networking": _("networking facts recorded"),
    "video.channel.accepted": _("video channel accepted"), "video.endpoint.password_set": _("device password set"),
    "works.filing.receive": _("works filing received"), "works.review.record": _("design review recorded"),
    "works.works.lifecycle": _("works stage recorded"),
}


def action_label(action: str) -> str:
    """What an audit row's action means, in the reader's language (被拒绝 marks a refusal). A full
    name comes first: `national.viewing.refused` is the manager's answer, not a refused call."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    refused = action.endswith(".refused")
    base = action.removesuffix(".refused")
    label = ACTION_LABELS.get(base) or VERB_LABELS.get(base.rsplit(".", 1)[-1]) or _("recorded")
    return _("%(action)s (refused)") % {"action": label} if refused else str(label)
