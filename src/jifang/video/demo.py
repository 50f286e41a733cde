"""Demo city: a few recorders as the gateway would have seen them, so that a newcomer sees every
state: online and recording with retention proven, online but never answering RecordInfo (not
proven), offline since this morning, a new channel waiting to be accepted and an unknown ID refused. Outage records are left to the live gateway (the continuity
rule would judge demo outages the seed does not plan)."""
import datetime as dt
from zoneinfo import ZoneInfo

from jifang.registry.models import Device, DeviceKind, SecuritySystem

from .models import (
    Channel, ChannelStatus, Endpoint, ProofOutcome, RetentionProof, SystemRetention, Transition, TransitionReason,
    UnknownDevice,
)

LOCAL = ZoneInfo("Asia/Shanghai")
# No proven shortfall: tests/core/test_seed.py restates the registry's art_19 rule alone, so a planted
# proof would break its manifest; tests/video cover the shortfall end to end instead.
STATES = ("proven", "not_proven", "offline", "proven", "proven", "not_proven")


def _recorders(ctx) -> list[Device]:
    """Recorders with a GB/T 28181 ID in systems the registry seed left compliant on art_19."""
    planted = ctx.manifest.planted.get("art_19__para_1", set()) | ctx.manifest.planted_undetermined.get(
        "art_19__para_1", set())
    systems = set(SecuritySystem.objects.filter(status="in_use", has_audio_video=True, retention_days__gte=30)
                  .exclude(code__in=planted).values_list("pk", flat=True))
    nvrs = [d for d in Device.objects.filter(kind=DeviceKind.NVR, gb28181_id__isnull=False).order_by("pk")[:400]
            if d.system_id in systems]
    seen, out = set(), []
    for device in ctx.rng.sample(nvrs, min(len(nvrs), 40)):
        if device.system_id not in seen:
            seen.add(device.system_id)
            out.append(device)
    return out[: len(STATES)]


def seed(ctx) -> None:
    recorders = _recorders(ctx)
    if not recorders:
        return
    now = dt.datetime.combine(ctx.today, dt.time(9, 30), tzinfo=LOCAL)
    for device, state in zip(recorders, STATES):
        _seed_recorder(ctx, device, state, now)
    first = recorders[0]
    UnknownDevice.objects.bulk_create([UnknownDevice(
        gb28181_id=f"{first.district_id}00001329999901", district_id=first.district_id,
        first_seen=now - dt.timedelta(days=2), last_seen=now - dt.timedelta(minutes=5), count=57,
        source="10.21.7.45:5060")])
    ctx.counts["video.UnknownDevice"] += 1


def _placed(model, where: Device, **values):
    """A row with the registry copies of the device `where` (as services.place_from sets them)."""
    return model(district_id=where.district_id, unit_id=where.unit_id, site_id=where.site_id,
                 system_id=where.system_id, **values)


def _seed_recorder(ctx, nvr: Device, state: str, now: dt.datetime) -> None:
    online = state != "offline"
    since = now - dt.timedelta(hours=3 if online else 1, minutes=ctx.rng.randint(0, 50))
    endpoint = _placed(Endpoint, nvr, device=nvr, gb28181_id=nvr.gb28181_id, online=online, status_since=since,
                       registered_at=since, expires_at=since + dt.timedelta(hours=1 if online else 0),
                       last_seen_at=now - dt.timedelta(seconds=40) if online else since, contact="10.21.7.10:5060",
                       transport="UDP", catalog_at=since, recording=online, clock_drift_seconds=1.5)
    Endpoint.objects.bulk_create([endpoint])
    ctx.created([endpoint])
    rows = [Transition(endpoint=endpoint, district_id=nvr.district_id, unit_id=nvr.unit_id, online=True,
                       at=since - dt.timedelta(days=1), reason=TransitionReason.REGISTERED, source="10.21.7.10:5060")]
    if not online:
        rows.append(Transition(endpoint=endpoint, district_id=nvr.district_id, unit_id=nvr.unit_id, online=False,
                               at=since, reason=TransitionReason.KEEPALIVE_MISSED))
    Transition.objects.bulk_create(rows)
    cameras = list(Device.objects.filter(system_id=nvr.system_id, kind=DeviceKind.CAMERA,
                                         gb28181_id__isnull=False).order_by("pk")[:8])
    channels = [_placed(Channel, c, endpoint=endpoint, gb28181_id=c.gb28181_id, device=c, name=c.name,
                        status=ChannelStatus.ON if online else ChannelStatus.OFF, first_seen=since, last_seen=since)
                for c in cameras]
    if state == "proven" and not Channel.objects.filter(device__isnull=True).exists():
        channels.append(_placed(Channel, nvr, endpoint=endpoint, gb28181_id=f"{nvr.gb28181_id[:10]}1329999999",
                                name="新增通道（待确认）", status=ChannelStatus.ON, first_seen=since, last_seen=since))
    Channel.objects.bulk_create(channels)
    linked = [c for c in channels if c.device_id]
    if linked and state != "offline":
        _seed_proof(ctx, nvr, linked[0], state, now)


def _seed_proof(ctx, nvr, channel, state, now) -> None:
    days = 30
    centre = now - dt.timedelta(days=days, hours=1)
    window = (centre - dt.timedelta(minutes=30), centre + dt.timedelta(minutes=30))
    outcome = {"proven": ProofOutcome.PRESENT, "short": ProofOutcome.ABSENT}.get(state, ProofOutcome.NO_ANSWER)
    items = [{"StartTime": (window[0] - dt.timedelta(days=12)).strftime("%Y-%m-%dT%H:%M:%S"),
              "EndTime": window[1].strftime("%Y-%m-%dT%H:%M:%S"), "Type": "time"}] if outcome == "present" else []
    proof = _placed(RetentionProof, channel.device, channel=channel, device_id=channel.device_id,
                    asked_at=now - dt.timedelta(hours=1), answered_at=None if outcome == "no_answer" else now,
                    window_start=window[0], window_end=window[1], required_days=days, outcome=outcome, items=items,
                    sn=ctx.rng.randint(1, 9999))
    RetentionProof.objects.bulk_create([proof])
    verdict = {"present": "proven", "absent": "short"}.get(outcome, "not_proven")
    SystemRetention.objects.bulk_create([SystemRetention(
        system_id=nvr.system_id, district_id=nvr.district_id, unit_id=nvr.unit_id, site_id=nvr.site_id,
        verdict=verdict, proof=proof, proven_at=proof.asked_at, proven_on=proof.asked_at.date(), required_days=days)])
    if verdict == "short":
        ctx.manifest.plant("art_19__para_1", SecuritySystem.objects.get(pk=nvr.system_id).code)
