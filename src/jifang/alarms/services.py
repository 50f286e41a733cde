"""The only write path of the alarm centre.

Two kinds of writer:
- the receiver (`store_batch`, `quarantine`, `supervision_sweep`, actor None): set-based, one
  transaction per batch of concurrent messages, committed before any of their ACKs leaves. Events
  are their own record (an append-only table whose received fields never change), so the receiver
  writes no audit row per event; supervision's outages are audited by duties.services.
- people (`account_register`, `account_update`, `event_acknowledge` ... `event_close`): checked,
  validated and audited like every other service.
"""
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import psycopg
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from jifang.core import audit, secrets
from jifang.core.errors import NotPermitted
from jifang.core.scoping import can_write
from jifang.core.services import require
from jifang.duties import services as duties
from jifang.duties.models import OutageSource
from jifang.registry.models import Device, DeviceKind

from . import dc09
from .codes import ACTION, PRIORITY, Category, Decoded
from .models import AlarmAccount, AlarmEvent, Disposition, DispatchTarget, EventStatus, UnknownAccount

KEY_PURPOSE = "alarms.panel_key"
DEDUPE_BUCKET = dt.timedelta(hours=1)
_ACCOUNT = re.compile(r"[0-9A-Z]{3,16}")


# --- accounts ---------------------------------------------------------------------------------------

def parse_key(text: str) -> bytes:
    """An AES key as installers write it: 32/48/64 hex digits, or 16/24/32 ASCII characters."""
    text = text.strip()
    if len(text) in (32, 48, 64) and re.fullmatch(r"[0-9A-Fa-f]+", text):
        return bytes.fromhex(text)
    require(len(text) in dc09.KEY_SIZES and text.isascii() and text.isprintable(),
            "密钥应为16、24或32个字符，或32、48、64位十六进制数", "the key must be 16, 24 or 32 characters, "
            "or 32, 48 or 64 hex digits")
    return text.encode("ascii")


def panel_key(account: AlarmAccount) -> bytes | None:
    return secrets.decrypt(KEY_PURPOSE, account.key_token) if account.key_token else None


def _seal(account: AlarmAccount, key: str) -> None:
    raw = parse_key(key)
    account.key_token, account.key_bits = secrets.encrypt(KEY_PURPOSE, raw), len(raw) * 8


def _check_account(account: AlarmAccount) -> None:
    require(_ACCOUNT.fullmatch(account.account) is not None, "账号应为3至16位数字或大写字母",
            "the account must be 3 to 16 digits or capital letters")
    require(not AlarmAccount.objects.filter(account=account.account).exclude(pk=account.pk).exists(),
            "该账号已被另一台报警主机使用", "another panel already uses this account")
    require(account.supervision_seconds == 0 or account.supervision_seconds >= 60, "监控周期不能少于60秒",
            "the supervision interval must be at least 60 seconds")


@transaction.atomic
def account_register(*, actor, device: Device, account: str, key: str = "", supervision_seconds: int | None = None,
                     grace_seconds: int | None = None) -> AlarmAccount:
    """Give an alarm panel its DC-09 account (and key): from now on the receiver ACKs it."""
    if not can_write(actor, AlarmAccount) or not can_write(actor, Device, device):
        raise NotPermitted()
    require(device.kind == DeviceKind.ALARM_PANEL, "只有报警主机才能登记联网账号", "only alarm panels have DC-09 accounts")
    require(not AlarmAccount.objects.filter(device=device).exists(), "该报警主机已有联网账号",
            "this panel already has an account")
    obj = AlarmAccount(device=device, system_id=device.system_id, site_id=device.site_id, unit_id=device.unit_id,
                       district_id=device.district_id, account=account.strip().upper())
    if supervision_seconds is not None:
        obj.supervision_seconds = supervision_seconds
    if grace_seconds is not None:
        obj.grace_seconds = grace_seconds
    if key:
        _seal(obj, key)
    _check_account(obj)
    obj.save()
    Device.objects.filter(pk=device.pk).update(dc09_account=obj.account)
    audit.record(actor=actor, action="alarms.account.registered", obj=obj, after=_shown(obj))
    return obj


@transaction.atomic
def account_update(*, actor, account: AlarmAccount, key: str | None = None, clear_key: bool = False,
                   supervision_seconds: int | None = None, grace_seconds: int | None = None) -> AlarmAccount:
    """Change the interval or the key (a new key replaces the old one; it is never shown)."""
    obj = AlarmAccount.objects.select_for_update().get(pk=account.pk)
    if not can_write(actor, AlarmAccount, obj):
        raise NotPermitted()
    before = _shown(obj)
    if supervision_seconds is not None:
        obj.supervision_seconds = supervision_seconds
    if grace_seconds is not None:
        obj.grace_seconds = grace_seconds
    if clear_key:
        obj.key_token, obj.key_bits = "", None
    elif key:
        _seal(obj, key)
    _check_account(obj)
    obj.save()
    audit.record(actor=actor, action="alarms.account.changed", obj=obj, before=before, after=_shown(obj))
    return obj


def _shown(obj: AlarmAccount) -> dict:
    """What the audit log keeps of an account: never the key, only its length."""
    return {"account": obj.account, "device": obj.device_id, "key_bits": obj.key_bits,
            "supervision_seconds": obj.supervision_seconds, "grace_seconds": obj.grace_seconds}


# --- the receiver's writes --------------------------------------------------------------------------

@dataclass
class Received:
    """One decoded message on its way to the database (built by the receiver)."""

    account_id: int
    copies: dict  # device_id, system_id, site_id, unit_id, district_id
    message: dc09.Message
    decoded: Decoded
    received_at: dt.datetime
    transport: str
    source: str
    receiver: str = ""
    keys: tuple[str, ...] = field(default=(), init=False)  # dedupe keys: this bucket's and the previous one

    def __post_init__(self):
        self.keys = dedupe_keys(self.account_id, self.message, self.received_at)


def _dedupe_head(account_id: int, message: dc09.Message):
    f = message.frame
    text = "\x1f".join([str(account_id), f.seq, f.token, message.data, "\x1e".join(message.extra), ""])
    return hashlib.sha256(text.encode())


def dedupe_key(account_id: int, message: dc09.Message, at: dt.datetime) -> str:
    """Same account, sequence and content within the same hour = the same event. The panel's
    timestamp is left out (an encrypted retransmission carries a new one) and the hour bucket
    keeps a sequence number reused after a wrap (9999 -> 0001) from being taken for a retransmission."""
    digest = _dedupe_head(account_id, message)
    digest.update(str(int(at.timestamp() // DEDUPE_BUCKET.total_seconds())).encode())
    return digest.hexdigest()


def dedupe_keys(account_id: int, message: dc09.Message, at: dt.datetime) -> tuple[str, str]:
    """dedupe_key for `at`'s hour and for the hour before, hashing the message once."""
    head = _dedupe_head(account_id, message)
    bucket = int(at.timestamp() // DEDUPE_BUCKET.total_seconds())
    keys = []
    for hour in (bucket, bucket - 1):
        digest = head.copy()
        digest.update(str(hour).encode())
        keys.append(digest.hexdigest())
    return tuple(keys)


# The received columns of an event, in the order _event_row gives them (the operators' columns
# start empty: bulk.insert_rows fills them with their defaults).
EVENT_COLUMNS = ("device_id", "system_id", "site_id", "unit_id", "district_id", "account_id", "received_at",
                 "panel_time", "transport", "source", "receiver", "token", "encrypted", "seq", "data", "extra",
                 "dedupe", "protocol", "code", "qualifier", "label_zh", "label_en", "category", "priority",
                 "partition", "zone", "user_number", "status")


def _event_row(item: Received) -> tuple:
    """One event as a row of EVENT_COLUMNS: plain values, no model object (the receiver's hot path)."""
    d, m, c = item.decoded, item.message, item.copies
    needs_action = d.category in ACTION and d.qualifier == "new"
    return (c["device_id"], c["system_id"], c["site_id"], c["unit_id"], c["district_id"], item.account_id,
            item.received_at, m.timestamp, item.transport, item.source[:64], item.receiver[:64], m.frame.token,
            m.frame.encrypted, m.frame.seq, m.data, "\n".join(m.extra), item.keys[0], d.protocol, d.code,
            d.qualifier, d.label_zh, d.label_en, d.category, PRIORITY[d.category], d.partition, d.zone, d.user,
            EventStatus.NEW.value if needs_action else EventStatus.LOGGED.value)


def store_batch(items: Sequence[Received]) -> int:
    """Commit a batch of received messages; returns how many new events it stored. Link tests
    are not events: they only move the account's last-seen time (supervision). A retransmission
    (already stored, here or by another receiver) is skipped; the caller ACKs every item once
    this returns, i.e. after the commit.

    The receiver's cost is per batch (the batch is as large as the queue is deep), so a batch costs
    a fixed number of statements whatever its size. On PostgreSQL a batch without restores is one
    statement, i.e. one round trip (_store_in_one_statement); otherwise one transaction of three
    statements (_store_in_transaction)."""
    if not items:
        return 0
    for attempt in range(1, TRIES + 1):
        try:
            return _store(items)
        except OperationalError as exc:
            if attempt == TRIES or not _transient(exc):
                raise


TRIES = 3


def _store(items: Sequence[Received]) -> int:
    if connection.vendor == "postgresql" and not any(i.decoded.qualifier == "restore" for i in items):
        return _store_in_one_statement(items)
    return _store_in_transaction(items)


def _transient(exc: OperationalError) -> bool:
    """A deadlock or a serialization failure (PostgreSQL's SQLSTATE class 40: two receivers storing
    the same retransmission, say): the server rolled the statement back whole, and it may simply
    run again."""
    return isinstance(exc.__cause__, (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure))


def _new_in_batch(events: Iterable[Received], stored: set[str] = frozenset()) -> list[Received]:
    """The events not stored yet (neither dedupe key in `stored`), each message once."""
    fresh, batch_keys = [], set()
    for item in events:
        if stored.isdisjoint(item.keys) and item.keys[0] not in batch_keys:
            batch_keys.add(item.keys[0])
            fresh.append(item)
    return fresh


@transaction.atomic
def _store_in_transaction(items: Sequence[Received]) -> int:
    """The dedupe lookup, one compiled multi-row INSERT (ON CONFLICT DO NOTHING: another receiver
    may have stored the same message meanwhile) and one UPDATE of the accounts' last-seen times that
    also says which accounts were in supervision trouble. Only a restore or a panel back from a
    trouble takes the slower, per-event path, in the same transaction."""
    events = [i for i in items if i.decoded.protocol != "null"]
    fresh = _new_in_batch(events, _stored_keys([k for i in events for k in i.keys]) if events else set())
    if fresh:
        sql, adapt = _event_insert(connection.vendor)
        with connection.cursor() as cursor:
            cursor.executemany(sql, [adapt(_event_row(i)) for i in fresh])
    troubled = _mark_seen(items)
    restores = [i.keys[0] for i in fresh if i.decoded.qualifier == "restore"]
    if restores:
        _pair_restores(restores)
    if troubled:
        _supervision_restored([i for i in items if i.account_id in troubled])
    return len(fresh)


def _store_in_one_statement(items: Sequence[Received]) -> int:
    """PostgreSQL, a batch without restores: one statement in its own transaction, one round trip
    (the receiver's batch time on PostgreSQL is its round trips). Data-modifying CTEs insert the new
    events (a message stored before under this hour's key or the previous hour's is skipped) and move
    the accounts' last-seen times, which also says which accounts were in supervision trouble. The
    columns travel as arrays (unnest), so the statement's text is the same for every batch and is
    prepared once per connection. The accounts are locked first, in id order (`locked`, read whole
    before the update starts): two receivers updating the same panels never deadlock (the update's
    own join would lock them in the order it finds them in the table, which HOT updates reshuffle).

    A panel back from a trouble is restored in a second transaction after the first has committed
    (and before the caller ACKs). Should that one fail, nothing is lost and no ACK leaves: the events
    are stored, the account stays in trouble, and the panel's retransmission (stored once) or its
    next message, at the latest its next link test, restores it."""
    events = _new_in_batch(i for i in items if i.decoded.protocol != "null")
    columns = list(zip(*(_event_row(i) for i in events))) or [()] * len(EVENT_COLUMNS)
    latest = _latest_per_account(items)
    accounts = sorted(latest)  # rows locked in id order: two receivers never deadlock on them
    params = [*(list(c) for c in columns), [i.keys[1] for i in events], accounts, accounts,
              [latest[a].received_at for a in accounts], [latest[a].source[:64] for a in accounts]]
    connection.ensure_connection()
    # server-side binding, binary arrays; psycopg's errors raised as Django's (DataError, ...)
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_one_statement(), params, prepare=True)
        stored, troubled = cursor.fetchone()
    if troubled:
        troubled = set(troubled)
        with transaction.atomic():
            _supervision_restored([i for i in items if i.account_id in troubled])
    return stored


@functools.cache
def _one_statement() -> str:
    event, account = AlarmEvent._meta, AlarmAccount._meta
    quote = connection.ops.quote_name
    given = [event.get_field(n) for n in EVENT_COLUMNS]
    blank = [f for f in event.concrete_fields if f not in given and not f.primary_key and f.get_default() is not None]
    # varchar without its length: casting to varchar(n) would cut a longer value silently, where
    # the INSERT into the column refuses it (DataError: the receiver stores that message alone)
    arrays = ", ".join(f"%b::{re.sub(r'[(][0-9]+[)]', '', f.db_type(connection))}[]" for f in given)
    names = ", ".join(f"c{n}" for n in range(len(given)))
    table, dedupe = quote(event.db_table), quote(event.get_field("dedupe").column)
    seen_at, source, trouble, pk = (quote(account.get_field(n).column)
                                    for n in ("last_seen_at", "last_source", "trouble_since", "id"))
    defaults = ", ".join(f"'{f.get_default()}'" for f in blank)  # '' for the operators' text columns
    return f"""
WITH v AS (SELECT * FROM unnest({arrays}, %b::text[]) AS v({names}, previous)),
ins AS (INSERT INTO {table} ({", ".join(quote(f.column) for f in given + blank)})
        SELECT {names}, {defaults} FROM v
        WHERE NOT EXISTS (SELECT 1 FROM {table} e WHERE e.{dedupe} = v.previous)
        ON CONFLICT DO NOTHING RETURNING 1),
locked AS (SELECT {pk} FROM {quote(account.db_table)} WHERE {pk} = ANY(%b::bigint[]) ORDER BY {pk}
           FOR NO KEY UPDATE),
seen AS (UPDATE {quote(account.db_table)} a SET {seen_at} = GREATEST(a.{seen_at}, s.at), {source} = s.src
         FROM unnest(%b::bigint[], %b::timestamptz[], %b::text[]) AS s(id, at, src)
         WHERE a.{pk} = s.id AND (SELECT count(*) FROM locked) > 0 RETURNING a.{pk}, a.{trouble})
SELECT (SELECT count(*) FROM ins)::int, ARRAY(SELECT {pk} FROM seen WHERE {trouble} IS NOT NULL)"""


def _latest_per_account(items: Iterable[Received]) -> dict[int, Received]:
    latest: dict[int, Received] = {}
    for item in items:
        if item.account_id not in latest or item.received_at >= latest[item.account_id].received_at:
            latest[item.account_id] = item
    return latest


@functools.cache
def _event_insert(vendor: str):
    """The INSERT of one event, compiled once per backend, and the function that turns an
    _event_row into its parameters. executemany runs it for the whole batch: one prepared statement
    on SQLite, one pipelined round trip on PostgreSQL (psycopg 3). The operators' columns get what a
    new model object holds (default, "" or None); ON CONFLICT DO NOTHING (both backends) skips a
    message another receiver stored meanwhile."""
    opts, quote = AlarmEvent._meta, connection.ops.quote_name
    given = [opts.get_field(n) for n in EVENT_COLUMNS]
    rest = [f for f in opts.concrete_fields if f not in given and not f.primary_key]
    columns = ", ".join(quote(f.column) for f in given + rest)
    sql = (f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({', '.join(['%s'] * (len(given) + len(rest)))}) "
           "ON CONFLICT DO NOTHING")
    defaults = tuple(f.get_default() for f in rest)
    times = [i for i, f in enumerate(given) if f.get_internal_type() == "DateTimeField"]

    def adapt(row: tuple) -> tuple:
        row, to_db = list(row), connection.ops.adapt_datetimefield_value  # this thread's connection
        for i in times:
            row[i] = to_db(row[i])
        return (*row, *defaults)

    return sql, adapt


def _stored_keys(keys: list[str]) -> set[str]:
    table, column = AlarmEvent._meta.db_table, AlarmEvent._meta.get_field("dedupe").column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} IN "
                       f"({', '.join(['%s'] * len(keys))})", keys)
        return {row[0] for row in cursor.fetchall()}


def _mark_seen(items: Iterable[Received]) -> set[int]:
    """Last-seen time (never moved back) and source per account in one UPDATE; returns the
    accounts among them in supervision trouble (RETURNING: SQLite >= 3.35 and PostgreSQL)."""
    latest = _latest_per_account(items)
    quote, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    seen_at, source, trouble = (quote(AlarmAccount._meta.get_field(n).column)
                                for n in ("last_seen_at", "last_source", "trouble_since"))
    pk = quote(AlarmAccount._meta.pk.column)
    newer = " ".join([f"WHEN %s THEN (CASE WHEN {seen_at} IS NULL OR {seen_at} < %s THEN %s ELSE {seen_at} END)"]
                     * len(latest))
    sources = " ".join(["WHEN %s THEN %s"] * len(latest))
    params = []
    for account, item in latest.items():
        at = adapt(item.received_at)
        params += [account, at, at]
    for account, item in latest.items():
        params += [account, item.source[:64]]
    params += list(latest)
    sql = (f"UPDATE {quote(AlarmAccount._meta.db_table)} SET {seen_at} = CASE {pk} {newer} ELSE {seen_at} END, "
           f"{source} = CASE {pk} {sources} ELSE {source} END WHERE {pk} IN ({', '.join(['%s'] * len(latest))}) "
           f"RETURNING {pk}, {trouble}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall() if row[1] is not None}


def _pair_restores(keys: list[str]) -> None:
    """A restore ends the latest unrestored alarm of the same code, partition and zone (the
    restores are given by their dedupe keys, in the order received)."""
    stored = {e.dedupe: e for e in AlarmEvent.objects.filter(dedupe__in=keys)}
    for key in keys:
        restore = stored.get(key)
        if restore is None:
            continue
        alarm = (AlarmEvent.objects.filter(account_id=restore.account_id, code=_alarm_code(restore),
                                           partition=restore.partition, zone=restore.zone, qualifier="new",
                                           restored_at__isnull=True, received_at__lte=restore.received_at)
                 .order_by("-received_at", "-id").first())
        if alarm is not None:
            AlarmEvent.objects.filter(pk=alarm.pk, restored_at__isnull=True).update(restored_at=restore.received_at)
            AlarmEvent.objects.filter(pk=restore.pk).update(restores=alarm)


def _alarm_code(restore: AlarmEvent) -> str:
    from .codes import SIA

    if restore.protocol == "sia":
        return SIA.get(restore.code, (None, None, None, restore.code))[3] or restore.code
    return restore.code


@transaction.atomic
def quarantine(rows: Iterable[tuple[str, dt.datetime, str, bytes]]) -> None:
    """Count messages from unknown accounts: (account, when, source, frame)."""
    for account, at, source, raw in rows:
        account = account.upper()[:16]
        frame = raw.decode("latin-1")[:300]
        updated = UnknownAccount.objects.filter(account=account).update(
            last_seen=Greatest(F("last_seen"), Value(at)), count=F("count") + 1, last_source=source[:64],
            last_frame=frame)
        if not updated:
            UnknownAccount.objects.bulk_create([UnknownAccount(account=account, first_seen=at, last_seen=at, count=1,
                                                               last_source=source[:64], last_frame=frame)],
                                               ignore_conflicts=True)


# --- supervision --------------------------------------------------------------------------------------

SUPERVISION_LOST = Decoded("supervision", "SUP", "new", Category.TROUBLE, "未按时上报（监控中断）",
                           "supervision lost (missed link test)")
SUPERVISION_BACK = Decoded("supervision", "SUP", "restore", Category.TROUBLE, "恢复上报（监控恢复）",
                           "supervision restored", restores="SUP")


def _internal(account: AlarmAccount, decoded: Decoded, at: dt.datetime, dedupe: str, status: str) -> AlarmEvent:
    return AlarmEvent(device_id=account.device_id, system_id=account.system_id, site_id=account.site_id,
                      unit_id=account.unit_id, district_id=account.district_id, account=account, received_at=at,
                      transport="internal", token="", dedupe=dedupe, protocol=decoded.protocol, code=decoded.code,
                      qualifier=decoded.qualifier, label_zh=decoded.label_zh, label_en=decoded.label_en,
                      category=decoded.category, priority=PRIORITY[decoded.category], status=status)


def _overdue(now: dt.datetime):
    """Supervised panels silent for longer than their interval plus grace, untroubled: one indexed
    query per distinct (interval, grace) pair, of which a centre has a handful, instead of reading
    every account (portable SQL has no integer-seconds-to-interval arithmetic)."""
    windows = (AlarmAccount.objects.filter(supervision_seconds__gt=0)
               .values_list("supervision_seconds", "grace_seconds").distinct())
    for interval, grace in windows:
        cut = now - dt.timedelta(seconds=interval + grace)
        yield from (AlarmAccount.objects.select_for_update()
                    .filter(supervision_seconds=interval, grace_seconds=grace, trouble_since__isnull=True)
                    .filter(Q(last_seen_at__lt=cut) | Q(last_seen_at__isnull=True, created_at__lt=cut))
                    .select_related("device"))


@transaction.atomic
def supervision_sweep(*, now: dt.datetime) -> list[AlarmAccount]:
    """Raise a supervision trouble for every supervised panel whose last message (or, never heard
    from, its registration) is older than its interval plus grace. The trouble starts when the
    missed report was due; an outage record (art_19) opens at the same moment. Safe to run in
    several receivers at once: rows are locked and re-checked (trouble_since still empty)."""
    lost = []
    for account in _overdue(now):
        due = (account.last_seen_at or account.created_at) + dt.timedelta(seconds=account.supervision_seconds)
        if AlarmAccount.objects.filter(pk=account.pk, trouble_since__isnull=True).update(trouble_since=due):
            account.trouble_since = due
            lost.append(account)
    AlarmEvent.objects.bulk_create(
        [_internal(a, SUPERVISION_LOST, now, f"sup:{a.pk}:{a.trouble_since.isoformat()}", EventStatus.NEW)
         for a in lost], ignore_conflicts=True)
    for account in lost:
        duties.outage_open(source=OutageSource.ALARM_RECEIVER, device=account.device, started_at=account.trouble_since)
    return lost


def _supervision_restored(items: Sequence[Received]) -> None:
    """The first message after a supervision trouble restores it and ends the outage."""
    heard = {}
    for item in items:
        heard[item.account_id] = min(item.received_at, heard.get(item.account_id, item.received_at))
    back = list(AlarmAccount.objects.select_for_update().filter(pk__in=heard, trouble_since__isnull=False))
    for account in back:
        at = heard[account.pk]
        lost_key = f"sup:{account.pk}:{account.trouble_since.isoformat()}"
        trouble = AlarmEvent.objects.filter(dedupe=lost_key).first()
        restore = _internal(account, SUPERVISION_BACK, at, f"{lost_key}:restored", EventStatus.LOGGED)
        restore.restores = trouble
        AlarmEvent.objects.bulk_create([restore], ignore_conflicts=True)
        if trouble is not None:
            AlarmEvent.objects.filter(pk=trouble.pk, restored_at__isnull=True).update(restored_at=at)
        AlarmAccount.objects.filter(pk=account.pk).update(trouble_since=None)
        duties.outage_close(source=OutageSource.ALARM_RECEIVER, device=account.device, ended_at=at)


# --- the operators ----------------------------------------------------------------------------------

def _locked(actor, event: AlarmEvent) -> tuple[AlarmEvent, dict]:
    obj = AlarmEvent.objects.select_for_update().get(pk=event.pk)
    if not can_write(actor, AlarmEvent, obj):
        raise NotPermitted()
    return obj, audit.snapshot(obj)


def _save(actor, obj: AlarmEvent, before: dict, verb: str, fields: list[str]) -> AlarmEvent:
    obj.save(update_fields=fields)
    audit.record(actor=actor, action=f"alarms.event.{verb}", obj=obj, before=before, after=audit.snapshot(obj))
    return obj


@transaction.atomic
def event_acknowledge(*, actor, event: AlarmEvent) -> AlarmEvent:
    """The operator has seen the alarm (stops the acknowledge timer)."""
    obj, before = _locked(actor, event)
    require(obj.status == EventStatus.NEW, "该报警已被受理", "this alarm has been acknowledged already")
    obj.status, obj.acknowledged_at, obj.acknowledged_by = EventStatus.ACKNOWLEDGED, timezone.now(), actor
    return _save(actor, obj, before, "acknowledged", ["status", "acknowledged_at", "acknowledged_by"])


@transaction.atomic
def event_verify(*, actor, event: AlarmEvent, verification: str) -> AlarmEvent:
    """What the operator found out (a call to the site, the cameras)."""
    obj, before = _locked(actor, event)
    require(obj.status in (EventStatus.ACKNOWLEDGED, EventStatus.DISPATCHED), "请先受理该报警",
            "acknowledge the alarm first")
    require(bool(verification.strip()), "请填写核实情况", "describe the verification")
    obj.verified_at, obj.verification = timezone.now(), verification.strip()
    return _save(actor, obj, before, "verified", ["verified_at", "verification"])


@transaction.atomic
def event_dispatch(*, actor, event: AlarmEvent, to: str, note: str = "") -> AlarmEvent:
    """Send the alarm to the district police or 110, with the time and to whom."""
    obj, before = _locked(actor, event)
    require(obj.status == EventStatus.ACKNOWLEDGED, "只有已受理、未派警的报警才能派警",
            "only an acknowledged alarm not yet dispatched can be dispatched")
    require(to in DispatchTarget.values, "请选择派警对象", "choose where to dispatch")
    obj.status, obj.dispatched_at, obj.dispatched_to, obj.dispatch_note = (EventStatus.DISPATCHED, timezone.now(), to,
                                                                           note.strip()[:200])
    return _save(actor, obj, before, "dispatched", ["status", "dispatched_at", "dispatched_to", "dispatch_note"])


@transaction.atomic
def event_close(*, actor, event: AlarmEvent, disposition: str, note: str = "") -> AlarmEvent:
    """Close with a disposition; a closed event cannot be closed (or changed) again."""
    obj, before = _locked(actor, event)
    require(obj.status != EventStatus.CLOSED, "该报警已结案", "this alarm is closed already")
    require(obj.status in (EventStatus.ACKNOWLEDGED, EventStatus.DISPATCHED), "请先受理该报警",
            "acknowledge the alarm first")
    require(disposition in Disposition.values, "请选择处理结论", "choose a disposition")
    obj.status, obj.closed_at, obj.closed_by = EventStatus.CLOSED, timezone.now(), actor
    obj.disposition, obj.note = disposition, note.strip()
    return _save(actor, obj, before, "closed", ["status", "closed_at", "closed_by", "disposition", "note"])
