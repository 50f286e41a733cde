"""The only write path for units' duty records. Every function checks the actor, validates, writes
and appends its audit rows in one transaction.

Machine writers (the alarm receiver's supervision, the video gateway's keepalive tracking) pass
`actor=None` (audited as "system") and use the set-based `outages_open` / `outages_close`, which
several processes may call for the same devices at once: the partial unique constraint keeps one
open outage per device and source, and a close only ends what is open."""
import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from jifang.core import audit, copies
from jifang.core.errors import NotPermitted
from jifang.core.scoping import can_write
from jifang.core.services import require
from jifang.registry.models import Device, SecuritySystem

from .models import FootageUse, FootageUseKind, Outage, OutageCause, OutageSource

MACHINE_SOURCES = frozenset({OutageSource.ALARM_RECEIVER, OutageSource.VIDEO_GATEWAY})


def _copies(system: SecuritySystem) -> dict:
    return {"system_id": system.pk, **copies.values(Outage, system)}


def _require_past(moment: dt.datetime, what_zh: str, what_en: str) -> None:
    require(moment <= timezone.now() + dt.timedelta(minutes=5), "{what_zh}不能晚于现在",
            "{what_en} cannot be in the future", what_zh=what_zh, what_en=what_en)


# --- outages written by the protocol servers ---------------------------------------------------

@transaction.atomic
def outages_open(*, source: str, device_ids: Iterable[int], started_at: dt.datetime, actor=None) -> list[Outage]:
    """Open an outage for each device that has none open from `source`; returns the ones opened
    by this call (a device already out, or opened meanwhile by another process, is left alone)."""
    require(source in MACHINE_SOURCES, "中断来源无效", "not a machine outage source")
    wanted = set(device_ids)
    if not wanted:
        return []
    already = set(Outage.objects.filter(source=source, device_id__in=wanted, ended_at__isnull=True)
                  .values_list("device_id", flat=True))
    devices = Device.objects.filter(pk__in=wanted - already).values_list("pk", "system_id", "site_id", "unit_id",
                                                                          "district_id")
    rows = [Outage(device_id=pk, system_id=system, site_id=site, unit_id=unit, district_id=district, source=source,
                   started_at=started_at) for pk, system, site, unit, district in devices]
    Outage.objects.bulk_create(rows, ignore_conflicts=True)
    opened = list(Outage.objects.filter(source=source, device_id__in=[o.device_id for o in rows],
                                        started_at=started_at, ended_at__isnull=True))
    audit.record_many(actor=actor, action="duties.outage.opened", objects=opened)
    return opened


@transaction.atomic
def outages_close(*, source: str, device_ids: Iterable[int], ended_at: dt.datetime, actor=None) -> int:
    """End the open outages of these devices from `source` at `ended_at`; returns how many ended."""
    require(source in MACHINE_SOURCES, "中断来源无效", "not a machine outage source")
    open_ = list(Outage.objects.select_for_update().filter(source=source, device_id__in=list(device_ids),
                                                           ended_at__isnull=True))
    pairs = []
    for outage in open_:
        before = audit.snapshot(outage)
        outage.ended_at = max(ended_at, outage.started_at)
        pairs.append((outage, before))
    Outage.objects.bulk_update(open_, ["ended_at"])
    return audit.record_updates(actor=actor, action="duties.outage.ended", pairs=pairs)


def outage_open(*, source: str, device: Device, started_at: dt.datetime, actor=None) -> Outage:
    """One device's outage (the open one if there already is one)."""
    opened = outages_open(source=source, device_ids=[device.pk], started_at=started_at, actor=actor)
    if opened:
        return opened[0]
    return Outage.objects.get(source=source, device=device, ended_at__isnull=True)


def outage_close(*, source: str, device: Device, ended_at: dt.datetime, actor=None) -> Outage | None:
    """End the device's open outage from `source`; None when there was none."""
    if not outages_close(source=source, device_ids=[device.pk], ended_at=ended_at, actor=actor):
        return None
    return Outage.objects.filter(source=source, device=device).order_by("-ended_at").first()


# --- outages entered and explained by the unit ----------------------------------------------------

@transaction.atomic
def outage_record(*, actor, system: SecuritySystem, started_at: dt.datetime, ended_at: dt.datetime | None = None,
                  device: Device | None = None, cause: str = OutageCause.UNKNOWN, note: str = "") -> Outage:
    """An interruption the unit records by hand (art_20 point 2: faults and their handling)."""
    if not can_write(actor, Outage) or not can_write(actor, SecuritySystem, system):
        raise NotPermitted()
    require(device is None or device.system_id == system.pk, "设备不属于该系统", "the device is not part of this system")
    require(ended_at is None or ended_at >= started_at, "恢复时间早于中断时间", "the outage ends before it starts")
    _require_past(started_at, "中断时间", "the start")
    if ended_at is not None:
        _require_past(ended_at, "恢复时间", "the end")
    explained = cause != OutageCause.UNKNOWN
    outage = Outage(**_copies(system), device=device, source=OutageSource.MANUAL, started_at=started_at,
                    ended_at=ended_at, cause=cause, note=note, explained_by=actor if explained else None,
                    explained_at=timezone.now() if explained else None)
    outage.full_clean()
    try:
        with transaction.atomic():
            outage.save()
    except IntegrityError as exc:
        raise NotPermitted("该设备已有一条未结束的中断记录", "this device already has an open outage") from exc
    audit.record(actor=actor, action="duties.outage.recorded", obj=outage, after=audit.snapshot(outage))
    return outage


@transaction.atomic
def outage_explain(*, actor, outage: Outage, cause: str, note: str) -> Outage:
    """The unit states why a system was interrupted, once (art_19: only a justified interruption
    is lawful). The explanation is evidence: it is not rewritten afterwards."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    if not can_write(actor, Outage, outage):
        raise NotPermitted()
    require(outage.explained_at is None, "该中断已说明原因，不能改写", "this outage has been explained already")
    require(cause != OutageCause.UNKNOWN and cause in OutageCause.values, "请选择中断原因", "choose a cause")
    require(bool(note.strip()), "请说明中断情况", "describe the outage")
    before = audit.snapshot(outage)
    outage.cause, outage.note, outage.explained_by, outage.explained_at = cause, note.strip(), actor, timezone.now()
    outage.save(update_fields=["cause", "note", "explained_by", "explained_at"])
    audit.record(actor=actor, action="duties.outage.explained", obj=outage, before=before,
                 after=audit.snapshot(outage))
    return outage


# --- the footage usage register -------------------------------------------------------------------

@transaction.atomic
def footage_use_record(*, actor, system: SecuritySystem, kind: str, recording_from: dt.datetime,
                       recording_to: dt.datetime, used_at: dt.datetime, user_name: str, purpose: str,
                       cameras: Iterable[Device] = (), corrects: FootageUse | None = None, **details) -> FootageUse:
    """One entry of the usage register (art_21 points 2-3; order 799 art. 16). `details` are the
    optional text fields (destination, requester_unit, requester_name, content, legal_basis,
    approved_by_name) and approved_at. Entries are never changed: `corrects` names the entry this
    one corrects."""
    if not can_write(actor, FootageUse) or not can_write(actor, SecuritySystem, system):
        raise NotPermitted()
    require(kind in FootageUseKind.values, "使用方式无效", "not a kind of use")
    require(recording_to >= recording_from, "录像结束时间早于开始时间", "the recordings end before they start")
    _require_past(used_at, "使用时间", "the time of use")
    cameras = list(cameras)
    require(all(c.system_id == system.pk for c in cameras), "所选摄像机不属于该系统",
            "a chosen camera is not part of this system")
    require(corrects is None or corrects.system_id == system.pk, "更正的登记不属于该系统",
            "the corrected entry belongs to another system")
    entry = FootageUse(**_copies(system), kind=kind, recording_from=recording_from, recording_to=recording_to,
                       used_at=used_at, user_name=user_name.strip(), purpose=purpose.strip(), corrects=corrects,
                       recorded_by=actor, **details)
    entry.full_clean()
    entry.save()
    entry.cameras.set(cameras)
    after = audit.snapshot(entry) | {"cameras": sorted(c.pk for c in cameras)}
    audit.record(actor=actor, action="duties.footage_use.recorded", obj=entry, after=after)
    return entry
