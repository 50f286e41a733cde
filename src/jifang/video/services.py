"""The only write path of the video app.

Two kinds of writers:
- people (a unit setting a device's SIP password, accepting a new channel): keyword-only functions
  with `actor`, checked and audited like every other service;
- the gateway processes (actor None): registration, keepalives, catalogue, status and proofs. Their
  rows are evidence of their own (Transition, RetentionProof are append-only; an endpoint's live
  state is one row), so they are not copied into the audit log one keepalive at a time. Several
  gateway processes write the same rows: every online/offline flip is a conditional UPDATE, and only
  the process whose UPDATE changed the row writes the transition and the outage.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from jifang.core.divisions import DISTRICTS
from jifang.core import audit, secrets
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.scoping import can_write
from jifang.regulation import rechecks
from jifang.registry.models import Device, DeviceKind
from jifang.registry.services import device_create

from .models import (
    Channel, ChannelStatus, Endpoint, ProofOutcome, RetentionProof, SystemRetention, Transition, TransitionReason,
    UnknownDevice,
)

PASSWORD_PURPOSE = "video.sip_password"
OUTAGE_SOURCE = "video_gateway"


# --- people --------------------------------------------------------------------------------------

def _endpoint_of(device: Device) -> Endpoint:
    if not device.gb28181_id:
        raise ServiceError("设备没有国标编码", "the device has no GB/T 28181 ID")
    endpoint = Endpoint.objects.filter(device=device).first()
    if endpoint is None:
        endpoint = Endpoint(device=device, gb28181_id=device.gb28181_id)
        endpoint.place_from(device)
    return endpoint


@transaction.atomic
def endpoint_password_set(*, actor, device: Device, password: str) -> Endpoint:
    """Store the device's own SIP password, encrypted; an empty one returns it to the platform
    default. The password is never shown again."""
    if not can_write(actor, Device, device):
        raise NotPermitted()
    if len(password) > 64 or any(ord(c) < 32 for c in password):
        raise ServiceError("密码不能超过64个字符，且不能含控制字符", "a password has at most 64 characters and no control characters")
    endpoint = _endpoint_of(device)
    endpoint.password_token = secrets.encrypt(PASSWORD_PURPOSE, password.encode()) if password else ""
    endpoint.save()
    audit.record(actor=actor, action="video.endpoint.password_set", obj=endpoint,
                 after={"device": device.pk, "own_password": bool(password)})
    return endpoint


@transaction.atomic
def channel_accept(*, actor, channel: Channel, name: str = "") -> Device:
    """A unit accepts a new channel of its endpoint: a registry camera with the channel's ID, in
    the endpoint's system (through the registry's own service and audit)."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.device_id:
        raise ServiceError("该通道已登记为设备", "this channel is already a registry device")
    if Device.objects.filter(gb28181_id=channel.gb28181_id).exists():
        raise ServiceError("已有设备使用该国标编码", "a device already has this GB/T 28181 ID")
    if not can_write(actor, Channel, channel):
        raise NotPermitted()
    endpoint = channel.endpoint
    device = device_create(actor=actor, serial=channel.gb28181_id, name=(name or channel.name)[:200],
                           system=endpoint.device.system, kind=DeviceKind.CAMERA, gb28181_id=channel.gb28181_id,
                           part=endpoint.device.part)
    before = audit.snapshot(channel)
    channel.device = device
    channel.place_from(device)
    channel.save()
    audit.record(actor=actor, action="video.channel.accepted", obj=channel, before=before,
                 after=audit.snapshot(channel))
    return device


# --- the gateway ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Known:
    """What the gateway needs in memory about a registering device."""

    endpoint_id: int
    device_id: int
    gb28181_id: str
    password: str


def _endpoint_for_new(device: Device) -> Endpoint:
    endpoint = Endpoint(device=device, gb28181_id=device.gb28181_id)
    endpoint.place_from(device)
    try:
        with transaction.atomic():
            endpoint.save()
    except IntegrityError:      # another gateway process created it meanwhile
        endpoint = Endpoint.objects.get(gb28181_id=device.gb28181_id)
    return endpoint


def known_devices(gb28181_ids: list[str]) -> list[Known | None]:
    """For each ID, the endpoint of the registry device with that ID (created on first contact), or
    None when no registry device has it. One query for IDs seen before (plain rows: no model objects
    on the registration path)."""
    wanted = list(dict.fromkeys(gb28181_ids))
    where, params = _among(wanted)
    with connection.cursor() as cursor:      # raw: the ORM's compiling cost more than the query, batch after batch
        cursor.execute(_sql("SELECT {pk}, {device}, {gb28181_id}, {password_token} FROM {t} WHERE {gb28181_id} ")
                       + where, params)
        endpoints = {row[2]: row for row in cursor.fetchall()}
    missing = [gb_id for gb_id in wanted if gb_id not in endpoints]
    if missing:
        for device in Device.objects.filter(gb28181_id__in=missing).exclude(status="removed"):
            e = _endpoint_for_new(device)
            endpoints[device.gb28181_id] = (e.pk, e.device_id, e.gb28181_id, e.password_token)
    return [_known(endpoints.get(gb_id)) for gb_id in gb28181_ids]


def _known(row: tuple | None) -> Known | None:
    if row is None:
        return None
    pk, device_id, gb_id, token = row
    password = (secrets.decrypt(PASSWORD_PURPOSE, token).decode() if token
                else settings.JIFANG_SIP_DEFAULT_PASSWORD)
    return Known(pk, device_id, gb_id, password)


def registrations_live(gb28181_ids: list[str], now: dt.datetime) -> list[tuple[Known, float] | None]:
    """For each ID, (Known without the password, seconds its registration has left) when it is
    registered (with any gateway process), else None: one raw query for the batch."""
    where, params = _among(list(set(gb28181_ids)))
    with connection.cursor() as cursor:
        cursor.execute(_sql("SELECT {pk}, {device}, {gb28181_id}, {expires_at} FROM {t} WHERE {expires_at} > %s "
                            "AND {gb28181_id} ") + where, [connection.ops.adapt_datetimefield_value(now), *params])
        rows = cursor.fetchall()
    found = {}
    for pk, device_id, gb_id, expires in rows:
        expires = _aware(expires)
        found[gb_id] = (Known(pk, device_id, gb_id, ""), (expires - now).total_seconds())
    return [found.get(gb_id) for gb_id in gb28181_ids]


def _aware(value) -> dt.datetime:
    """A raw DateTimeField value as an aware datetime (SQLite returns text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def known_device(gb28181_id: str) -> Known | None:
    return known_devices([gb28181_id])[0]


@dataclass
class Sighting:
    """The refused registrations of one unknown ID that a gateway gathered before a flush."""
    attempts: int
    first: dt.datetime
    last: dt.datetime
    source: str


def unknowns_seen(*, sightings: dict[str, Sighting]) -> None:
    """Count refused registrations from IDs the registry does not know, as the gateway gathered them
    (flushed once a second): a REGISTER storm from unknown IDs costs three statements a flush, not a
    write per REGISTER. Insert the IDs not listed yet (no attempts; a row another gateway inserted
    first is kept), read their ids, then add each one's attempts in one UPDATE. The counts are
    increments and the times widen (earliest first, latest last), so gateways sharing the table add up."""
    if not sightings:
        return
    with transaction.atomic():
        UnknownDevice.objects.bulk_create([
            UnknownDevice(gb28181_id=gb_id, first_seen=s.first, last_seen=s.first, count=0, source=s.source[:64],
                          district_id=gb_id[:6] if gb_id[:6] in DISTRICTS else None)
            for gb_id, s in sightings.items()], ignore_conflicts=True)
        ids = dict(UnknownDevice.objects.filter(gb28181_id__in=list(sightings)).values_list("gb28181_id", "pk"))
        UnknownDevice.objects.bulk_update([
            UnknownDevice(pk=ids[gb_id], count=F("count") + s.attempts, first_seen=Least(F("first_seen"), Value(s.first)),
                          last_seen=Greatest(F("last_seen"), Value(s.last)), source=s.source[:64])
            for gb_id, s in sightings.items()], ["count", "first_seen", "last_seen", "source"])


def _outages(opened: bool, device_ids: list[int], at: dt.datetime) -> None:
    from jifang.duties import services as duties

    if not device_ids:
        return
    if opened:
        duties.outages_open(source=OUTAGE_SOURCE, device_ids=device_ids, started_at=at)
    else:
        duties.outages_close(source=OUTAGE_SOURCE, device_ids=device_ids, ended_at=at)


def _flip(endpoint_ids: list[int], *, online: bool, at: dt.datetime, reason: str, condition: Q = Q(),
          source: str = "", node: str = "") -> list[int]:
    """Flip each endpoint whose row still says the opposite (and meets `condition`): one conditional
    UPDATE per row, so that when two processes try, exactly one wins and records the transition."""
    won = [pk for pk in endpoint_ids
           if Endpoint.objects.filter(Q(pk=pk, online=not online) & condition).update(online=online, status_since=at)]
    if not won:
        return []
    rows = Endpoint.objects.filter(pk__in=won).values_list("pk", "device_id", "district_id", "unit_id")
    Transition.objects.bulk_create(
        Transition(endpoint_id=pk, district_id=district, unit_id=unit, online=online, at=at, reason=reason,
                   source=source, gateway_node=node) for pk, _, district, unit in rows)
    _outages(not online, [device for _, device, _, _ in rows], at)
    return won


def _sql(text: str) -> str:
    """Endpoint's table and columns in raw SQL: {t} the table, {name} a column by field name."""
    opts, quote = Endpoint._meta, connection.ops.quote_name
    names = {f.name: quote(f.column) for f in opts.concrete_fields}
    return text.format(t=quote(opts.db_table), pk=quote(opts.pk.column), **names)


def _among(ids: list) -> tuple[str, list]:
    """`IN` a list of ids as ONE parameter, whatever its length (SQLite caps the parameters of a
    statement, and a thousand-item IN list costs more to build than to run): a JSON array read by
    json_each on SQLite, an array with = ANY on PostgreSQL."""
    if connection.vendor == "postgresql":
        return "= ANY(%s)", [list(ids)]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


@transaction.atomic
def registrations_recorded(*, items: list[dict]) -> list[None]:
    """Persist a batch of successful REGISTERs (keys endpoint_id, at, expires, contact, transport,
    source, node) in one transaction; endpoints that were offline come online. ONE statement for the
    batch: an UPDATE joined to the batch's rows (passed as one parameter each: arrays unnested on
    PostgreSQL, a JSON array on SQLite), RETURNING whether each endpoint was online."""
    latest = {item["endpoint_id"]: item for item in items}
    at = max(item["at"] for item in items)       # one moment for the batch (a few milliseconds wide)
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(at)
    node = items[-1]["node"][:64]                # one gateway process: one node
    rows = [(pk, adapt(at + dt.timedelta(seconds=item["expires"])), item["transport"], item["contact"][:64])
            for pk, item in latest.items()]
    with connection.cursor() as cursor:
        cursor.execute(_sql("UPDATE {t} SET {registered_at} = %s, {last_seen_at} = %s, {gateway_node} = %s, "
                            "{expires_at} = j.expires, {transport} = j.transport, {contact} = j.contact FROM ")
                       + _BATCH_ROWS[connection.vendor == "postgresql"]
                       + _sql(" WHERE {t}.{pk} = j.pk RETURNING {t}.{pk}, {t}.{online}"),
                       [stamp, stamp, node, *_batch_rows(rows)])
        offline = sorted(pk for pk, online in cursor.fetchall() if not online)
    for pk in offline:
        item = latest[pk]
        _flip([pk], online=True, at=item["at"], reason=TransitionReason.REGISTERED, source=item["source"],
              node=item["node"])
    return [None] * len(items)


# the batch's (pk, expires, transport, contact) rows as a table `j` (see registrations_recorded)
_BATCH_ROWS = {
    True: "unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::text[]) AS j(pk, expires, transport, contact)",
    False: "(SELECT json_extract(value, '$[0]') AS pk, json_extract(value, '$[1]') AS expires, "
           "json_extract(value, '$[2]') AS transport, json_extract(value, '$[3]') AS contact "
           "FROM json_each(%s)) AS j",
}


def _batch_rows(rows: list[tuple]) -> list:
    if connection.vendor == "postgresql":
        return [list(column) for column in zip(*rows)]
    return [json.dumps(rows)]


def registered(*, endpoint_id: int, at: dt.datetime, expires: int, contact: str, transport: str, source: str,
               node: str) -> None:
    registrations_recorded(items=[{"endpoint_id": endpoint_id, "at": at, "expires": expires, "contact": contact,
                                   "transport": transport, "source": source, "node": node}])


@transaction.atomic
def unregistered(*, endpoint_id: int, at: dt.datetime, source: str, node: str) -> None:
    Endpoint.objects.filter(pk=endpoint_id).update(expires_at=at, last_seen_at=at)
    _flip([endpoint_id], online=False, at=at, reason=TransitionReason.UNREGISTERED, source=source, node=node)


@transaction.atomic
def keepalives_seen(*, endpoint_ids: list[int], at: dt.datetime, node: str) -> list[int]:
    """Record keepalives: ONE statement for the batch (an UPDATE of the live registrations'
    last-seen time, RETURNING which rows it touched and whether they were online); endpoints marked
    offline whose registration is still valid come back online. Returns the endpoints whose
    registration has lapsed (the device must register again)."""
    ids = sorted(set(endpoint_ids))
    if not ids:
        return []
    where, params = _among(ids)
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(_sql("UPDATE {t} SET {last_seen_at} = %s WHERE {expires_at} >= %s AND {pk} ") + where
                       + _sql(" RETURNING {pk}, {online}"), [stamp, stamp, *params])
        touched = cursor.fetchall()
    live = {pk for pk, _ in touched}
    offline = sorted(pk for pk, online in touched if not online)
    _flip(offline, online=True, at=at, reason=TransitionReason.KEEPALIVE, condition=Q(expires_at__gte=at), node=node)
    return [pk for pk in ids if pk not in live]


@transaction.atomic
def sweep(*, now: dt.datetime, silence: dt.timedelta, node: str) -> list[int]:
    """Mark offline the endpoints silent for longer than `silence` or whose registration expired."""
    cutoff = now - silence
    silent = list(Endpoint.objects.filter(online=True, last_seen_at__lt=cutoff).values_list("pk", flat=True))
    expired = list(Endpoint.objects.filter(online=True, expires_at__lt=now).exclude(pk__in=silent)
                   .values_list("pk", flat=True))
    return (_flip(silent, online=False, at=now, reason=TransitionReason.KEEPALIVE_MISSED,
                  condition=Q(last_seen_at__lt=cutoff), node=node)
            + _flip(expired, online=False, at=now, reason=TransitionReason.EXPIRED, condition=Q(expires_at__lt=now),
                    node=node))


_STATUS = {"ON": ChannelStatus.ON, "ONLINE": ChannelStatus.ON, "OFF": ChannelStatus.OFF,
           "OFFLINE": ChannelStatus.OFF}


@transaction.atomic
def catalog_received(*, endpoint_id: int, items: list[dict], at: dt.datetime) -> list[int]:
    """Sync the endpoint's catalogue: channels created or updated by GB/T 28181 ID and linked to the
    registry device with that ID. Returns the ids of channels linked to a registry device."""
    endpoint = Endpoint.objects.select_related("device").get(pk=endpoint_id)
    wanted = {}
    for item in items:
        gb_id = item.get("DeviceID", "")
        if len(gb_id) == 20 and gb_id.isdigit() and gb_id != endpoint.gb28181_id:
            wanted[gb_id] = item
    devices = {d.gb28181_id: d for d in Device.objects.filter(gb28181_id__in=list(wanted))}
    existing = {c.gb28181_id: c for c in Channel.objects.filter(gb28181_id__in=list(wanted))}
    new, changed = [], []
    for gb_id, item in wanted.items():
        channel = existing.get(gb_id) or Channel(gb28181_id=gb_id, first_seen=at)
        if channel.pk and channel.endpoint_id != endpoint_id and channel.device_id is None:
            channel.endpoint_id = endpoint_id          # moved to another recorder
        channel.endpoint_id = channel.endpoint_id or endpoint_id
        device = devices.get(gb_id)
        channel.device = device
        channel.place_from(device or endpoint.device)
        channel.name = item.get("Name", "")[:200]
        channel.manufacturer = item.get("Manufacturer", "")[:100]
        channel.model = item.get("Model", "")[:100]
        channel.status = _STATUS.get(item.get("Status", "").upper(), ChannelStatus.UNKNOWN)
        channel.last_seen = at
        (changed if channel.pk else new).append(channel)
    Channel.objects.bulk_create(new)
    Channel.objects.bulk_update(changed, ["endpoint", "device", "district", "unit", "site", "system", "name",
                                          "manufacturer", "model", "status", "last_seen"])
    Endpoint.objects.filter(pk=endpoint_id).update(catalog_at=at)
    return [c.pk for c in new + changed if c.device_id]


def status_received(*, endpoint_id: int, recording: bool | None, drift: float | None, at: dt.datetime) -> None:
    Endpoint.objects.filter(pk=endpoint_id).update(recording=recording, clock_drift_seconds=drift, status_at=at)


def _overlaps(items: list[dict], start: dt.datetime, end: dt.datetime, parse) -> bool:
    for item in items:
        begin, finish = parse(item.get("StartTime", "")), parse(item.get("EndTime", ""))
        if begin is not None and finish is not None and begin <= end and finish >= start:
            return True
    return False


@transaction.atomic
def proof_recorded(*, channel_id: int, sn: int, asked_at: dt.datetime, answered_at: dt.datetime | None,
                   window: tuple[dt.datetime, dt.datetime], required_days: int, items: list[dict] | None,
                   parse_time) -> RetentionProof:
    """Store one RecordInfo answer (None: no answer) as evidence and update its system's verdict."""
    channel = Channel.objects.select_related("device").get(pk=channel_id)
    if items is None:
        outcome = ProofOutcome.NO_ANSWER
    else:
        outcome = ProofOutcome.PRESENT if _overlaps(items, *window, parse_time) else ProofOutcome.ABSENT
    proof = RetentionProof(channel=channel, device_id=channel.device_id, asked_at=asked_at, answered_at=answered_at,
                           window_start=window[0], window_end=window[1], required_days=required_days,
                           outcome=outcome, items=(items or [])[:50], sn=sn)
    proof.place_from(channel.device)
    proof.save()
    _system_verdict(proof)
    return proof


def _system_verdict(proof: RetentionProof) -> None:
    """The system's verdict from the latest proof of each of its channels: short if any channel
    showed no recordings, proven if the rest showed them, not proven if none answered."""
    latest = {}
    for row in (RetentionProof.objects.filter(system_id=proof.system_id).order_by("channel_id", "-asked_at", "-id")
                .values("pk", "channel_id", "outcome", "asked_at")):
        latest.setdefault(row["channel_id"], row)
    rows = list(latest.values())
    by = {o: [r for r in rows if r["outcome"] == o] for o in ProofOutcome.values}
    verdict, cited = (("short", by[ProofOutcome.ABSENT]) if by[ProofOutcome.ABSENT]
                      else ("proven", by[ProofOutcome.PRESENT]) if by[ProofOutcome.PRESENT]
                      else ("not_proven", by[ProofOutcome.NO_ANSWER]))
    cite = max(cited, key=lambda r: (r["asked_at"], r["pk"]))
    SystemRetention.objects.update_or_create(
        system_id=proof.system_id,
        defaults={"district_id": proof.district_id, "unit_id": proof.unit_id, "site_id": proof.site_id,
                  "verdict": verdict, "proof_id": cite["pk"], "proven_at": cite["asked_at"],
                  "proven_on": timezone.localdate(cite["asked_at"]),
                  "required_days": proof.required_days})
    # no audit row per proof (the proof is its own evidence): ask for the site's recheck directly
    if proof.site_id:
        transaction.on_commit(partial(rechecks.request_sites, [proof.site_id]))
