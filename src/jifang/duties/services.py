"""The only write path for units' duty records. Every function checks the actor, validates, writes
and appends its audit rows in one transaction.

Machine writers (the alarm receiver's supervision, the video gateway's keepalive tracking) pass
`actor=None` (audited as "system") and use the set-based `outages_open` / `outages_close`, which
several processes may call for the same devices at once: the partial unique constraint keeps one
open outage per device and source, and a close only ends what is open."""
import datetime as dt
from collections.abc import Iterable
from secrets import token_hex

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from jifang.core import audit, copies, secrets, uploads
from jifang.core.dataset import SYSTEM
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.roles import POLICE_AND_ADMIN, Role
from jifang.core.scoping import can_write, visible
from jifang.core.services import require
from jifang.registry.models import Device, DeviceKind, SecuritySystem, Site

from . import selectors
from .camera import CameraBaseline, CameraRecord, CameraRecordKind
from .models import (
    EVIDENCE_DIR,
    ClearedPerson,
    EmergencyRecord,
    FootageUse,
    FootageUseKind,
    ImageQualityCheck,
    MaintenanceKind,
    MaintenanceRecord,
    Outage,
    OutageCause,
    OutageSource,
    SuspicionReport,
    TrainingRecord,
    WatchLog,
    WatchRoster,
)

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
    # art_21 point 1: "无关人员不得接触语音图像信息": only a person on the site's watch roster at the
    # time may view, copy or hand out its recordings.
    require(selectors.on_roster(site_id=system.site_id, person_name=user_name, at=used_at),
            "{name}在使用时不在该场所的值班监看名单上，不得接触语音图像信息（第二十一条第一项）",
            "{name} was not on the site's watch roster at that time and may not handle its recordings (art. 21 "
            "point 1)", clause="art_21__para_1__point_1", name=user_name.strip())
    entry = FootageUse(**_copies(system), kind=kind, recording_from=recording_from, recording_to=recording_to,
                       used_at=used_at, user_name=user_name.strip(), purpose=purpose.strip(), corrects=corrects,
                       recorded_by=actor, **details)
    entry.full_clean()
    entry.save()
    entry.cameras.set(cameras)
    after = audit.snapshot(entry) | {"cameras": sorted(c.pk for c in cameras)}
    audit.record(actor=actor, action="duties.footage_use.recorded", obj=entry, after=after)
    return entry


# --- the unit's registers (art_18, art_20, art_21) ---------------------------------------------------

# Only the unit keeps its registers (and an administrator acting for it); the police read them.
KEEPER_ROLES = frozenset({Role.UNIT_USER, Role.ADMIN})
EVIDENCE_TYPES = ("application/pdf", "image/png", "image/jpeg")
MAX_EVIDENCE_BYTES = 20 * 2**20
PHONE_PURPOSE = "duties.cleared-person.phone"
PHONE_CHARS = frozenset("0123456789-+ ")
# Times that may lie ahead: a roster is planned in advance.
PLANNED = {WatchRoster: {"on_from", "on_to"}}


def require_keeper(actor, site: Site) -> None:
    """The actor keeps this site's registers: a user of its unit (or an administrator)."""
    if getattr(actor, "role", None) not in KEEPER_ROLES:
        raise NotPermitted("登记由使用单位填写，公安机关查阅", "the unit keeps its registers; the police read them")
    if not can_write(actor, Site, site):
        raise NotPermitted()


def evidence_check(upload) -> tuple[str, str]:
    """(content type, sha256) of an evidence file, or a refusal (core.uploads.accept)."""
    return uploads.accept(upload, types=EVIDENCE_TYPES, max_bytes=MAX_EVIDENCE_BYTES)


def entry_number(model) -> str:
    """A number for an entry the unit did not number: the register's prefix, today, six random
    hex digits (unique enough; the unique constraint refuses the rare clash)."""
    return f"{model.number_prefix}{timezone.localdate():%Y%m%d}-{token_hex(3).upper()}"


def _label(entry, name: str) -> tuple[str, str]:
    field = entry._meta.get_field(name)
    with translation.override("zh-hans"):
        zh = str(field.verbose_name)
    with translation.override("en"):
        en = str(field.verbose_name)
    return zh, en


def _not_in_future(entry) -> None:
    """No date or time of a record lies ahead (a roster may: it is planned)."""
    today, soon = timezone.localdate(), timezone.now() + dt.timedelta(minutes=5)
    for field in entry._meta.concrete_fields:
        value = getattr(entry, field.attname)
        if value is None or field.name in PLANNED.get(type(entry), ()) or field.name == "created_at":
            continue
        late = value > soon if isinstance(value, dt.datetime) else isinstance(value, dt.date) and value > today
        if late:
            zh, en = _label(entry, field.name)
            raise ServiceError("{f_zh}不能晚于现在", "{f_en} cannot be in the future", f_zh=zh, f_en=en)


def _check_maintenance(e: MaintenanceRecord) -> None:
    require(e.kind != MaintenanceKind.REPAIR or bool(e.fault.strip()), "故障维修须写明故障", "a repair names the fault",
            clause="art_20__para_1__point_2")
    require(e.fixed_on is None or e.fault_noticed_on is None or e.fixed_on >= e.fault_noticed_on,
            "排除日期早于发现日期", "the fault is fixed before it was noticed")


def _check_image(e: ImageQualityCheck) -> None:
    require(e.cameras_failing is None or e.cameras_checked is None or e.cameras_failing <= e.cameras_checked,
            "不合格数多于检查数", "more cameras fall short than were checked")
    require(not e.cameras_failing or bool(e.remedy.strip()), "有不合格的摄像机时须写明处理措施",
            "say what was done about the cameras that fell short", clause="art_20__para_1__point_3")


def _check_span(start: str, end: str):
    def check(e) -> None:
        require(getattr(e, end) > getattr(e, start), "结束时间须晚于开始时间", "it ends before it starts")
    return check


def _check_report(e: SuspicionReport) -> None:
    require(e.reported_at >= e.noticed_at, "报告时间早于发现时间", "reported before it was noticed")


CHECKS = {MaintenanceRecord: _check_maintenance, ImageQualityCheck: _check_image,
          WatchRoster: _check_span("on_from", "on_to"), WatchLog: _check_span("watch_from", "watch_to"),
          SuspicionReport: _check_report}


def entry_check(actor, entry) -> None:
    """The rules every entry obeys, whether entered on a page, through the API or by import:
    the actor keeps the site's registers, a system's record takes its system's site, a corrected
    entry is of the same register and site, no date lies ahead, and the register's own rules."""
    if getattr(entry, "system_id", None):
        entry.site_id = entry.system.site_id
    site = entry.site
    if actor is not SYSTEM:
        require_keeper(actor, site)
    entry.unit_id, entry.district_id = site.unit_id, site.district_id
    require(entry.corrects is None or (type(entry.corrects) is type(entry) and entry.corrects.site_id == site.pk),
            "更正的登记不属于该场所的同一登记簿", "the corrected entry is not in this site's register")
    _not_in_future(entry)
    CHECKS.get(type(entry), lambda e: None)(entry)


@transaction.atomic
def _register(actor, model, *, evidence=None, number: str = "", **fields):
    """Write one register entry and its audit row (`corrects` names the entry it replaces)."""
    entry = model(number=(number or "").strip() or entry_number(model), recorded_by=actor, **fields)
    entry_check(actor, entry)
    if evidence:
        entry.evidence_type, entry.evidence_sha256 = evidence_check(evidence)
        now = timezone.localdate()
        entry.evidence = default_storage.save(f"{EVIDENCE_DIR}/{now:%Y/%m}/{evidence.name}", evidence)
    entry.full_clean()
    entry.save()
    audit.record(actor=actor, action=f"duties.{model._meta.model_name}.recorded", obj=entry, after=entry_snapshot(entry))
    return entry


def entry_snapshot(entry) -> dict:
    """The audit snapshot, never with a phone token."""
    snap = audit.snapshot(entry)
    if "phone_token" in snap:
        snap["phone_token"] = "●●●" if snap["phone_token"] else ""
    return snap


def _text(fields: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def maintenance_record(*, actor, system: SecuritySystem, site: Site | None = None, **fields) -> MaintenanceRecord:
    """An inspection, servicing or fault repair of a system (art_20 point 2)."""
    return _register(actor, MaintenanceRecord, system=system, site=system.site, **_text(fields))


def training_record(*, actor, site: Site, **fields) -> TrainingRecord:
    """Training of the system's operators, managers or maintainers (art_20 point 1)."""
    return _register(actor, TrainingRecord, site=site, **_text(fields))


def image_check_record(*, actor, system: SecuritySystem, site: Site | None = None, **fields) -> ImageQualityCheck:
    """An image-quality check of a system's cameras (art_20 point 3)."""
    return _register(actor, ImageQualityCheck, system=system, site=system.site, **_text(fields))


def emergency_record(*, actor, site: Site, **fields) -> EmergencyRecord:
    """An emergency plan adopted or revised, or a drill held (art_20 point 4)."""
    return _register(actor, EmergencyRecord, site=site, **_text(fields))


def roster_record(*, actor, site: Site, **fields) -> WatchRoster:
    """A person put on watch at a site from `on_from` to `on_to` (art_21 point 1); may be planned ahead."""
    return _register(actor, WatchRoster, site=site, **_text(fields))


def watch_log_record(*, actor, site: Site, **fields) -> WatchLog:
    """What one watch saw and did (art_21 point 1)."""
    return _register(actor, WatchLog, site=site, **_text(fields))


def cleared_person_record(*, actor, site: Site, phone: str = "", **fields) -> ClearedPerson:
    """A secrecy-cleared person (art_18, art_21 point 3). The phone number is stored encrypted."""
    phone = (phone or "").strip()
    require(len(phone) <= 30 and set(phone) <= PHONE_CHARS, "电话号码只能含数字、空格、+ 和 -",
            "a phone number holds digits, spaces, + and - only")
    return _register(actor, ClearedPerson, site=site, **_text(fields),
                     phone_token=secrets.encrypt(PHONE_PURPOSE, phone.encode()) if phone else "")


def cleared_person_phone(person: ClearedPerson) -> str:
    """The phone number in clear, for those who may see the row (callers read through `visible`)."""
    return secrets.decrypt(PHONE_PURPOSE, person.phone_token).decode() if person.phone_token else ""


def suspicion_report_record(*, actor, site: Site, **fields) -> SuspicionReport:
    """A suspicious situation the unit reported to the police (art_21 point 6)."""
    return _register(actor, SuspicionReport, site=site, **_text(fields))


@transaction.atomic
def suspicion_report_acknowledge(*, actor, report: SuspicionReport, remark: str = "") -> SuspicionReport:
    """The district police acknowledge a report, once (art_21 point 6)."""
    report = SuspicionReport.objects.select_for_update().get(pk=report.pk)
    if getattr(actor, "role", None) not in POLICE_AND_ADMIN or not visible(actor, SuspicionReport).filter(
            pk=report.pk).exists():
        raise NotPermitted("只有辖区公安机关可以签收报告", "only the district police acknowledge a report")
    require(report.acknowledged_at is None, "该报告已签收", "this report has been acknowledged already")
    before = entry_snapshot(report)
    report.acknowledged_by, report.acknowledged_at, report.acknowledgement = actor, timezone.now(), remark.strip()
    report.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement"])
    audit.record(actor=actor, action="duties.suspicionreport.acknowledged", obj=report, before=before,
                 after=entry_snapshot(report))
    return report


# --- camera baselines (art_21 point 4, art_22 point 2) ----------------------------------------------

def _camera(actor, device: Device) -> None:
    require(device.kind == DeviceKind.CAMERA, "只有摄像机登记位置、朝向和用途", "only a camera has a position baseline")
    if not visible(actor, Device).filter(pk=device.pk).exists():
        raise NotPermitted()


def _camera_facts(position: str, direction: str, purpose: str) -> dict:
    facts = {"position": position.strip(), "direction": direction.strip(), "purpose": purpose.strip()}
    require(all(facts.values()), "请填写位置、朝向和用途", "give the position, direction and purpose")
    return facts


def _camera_record(actor, device: Device, kind: str, at: dt.datetime, facts: dict, **more) -> CameraRecord:
    entry = CameraRecord(device=device, system_id=device.system_id, site_id=device.site_id, unit_id=device.unit_id,
                         district_id=device.district_id, kind=kind, effective_at=at, recorded_by=actor, **facts, **more)
    entry.full_clean()
    entry.save()
    audit.record(actor=actor, action=f"duties.camera.{kind}", obj=entry, after=audit.snapshot(entry))
    return entry


@transaction.atomic
def camera_change_record(*, actor, device: Device, position: str, direction: str, purpose: str,
                         approved_by_name: str, approved_at: dt.datetime, reason: str = "") -> CameraRecord:
    """The camera's approved position, direction and purpose: its first baseline, or a change the
    person responsible approved (art_21 point 4: 不得擅自改变用途和摄像设备的位置). Only the unit
    records it; the approval is part of the record."""
    require_keeper(actor, device.site)
    _camera(actor, device)
    facts = _camera_facts(position, direction, purpose)
    require(bool(approved_by_name.strip()), "请填写批准人（单位负责人）", "name the person responsible who approved it")
    _require_past(approved_at, "批准时间", "the approval")
    baseline = CameraBaseline.objects.select_for_update().filter(device=device).first()
    require(baseline is None or bool(reason.strip()), "请说明变更原因", "give the reason for the change")
    require(baseline is None or approved_at >= baseline.approved_at, "批准时间早于现行基准的批准时间",
            "the approval is older than the baseline in force")
    entry = _camera_record(actor, device, CameraRecordKind.APPROVED, approved_at, facts,
                           approved_by_name=approved_by_name.strip(), reason=reason.strip())
    if baseline is None:
        baseline = CameraBaseline(device=device, system_id=device.system_id, site_id=device.site_id,
                                  unit_id=device.unit_id, district_id=device.district_id)
    for name, value in facts.items():
        setattr(baseline, name, value)
    baseline.approved_at, baseline.approved = approved_at, entry
    baseline.save()
    return entry


@transaction.atomic
def camera_found_record(*, actor, device: Device, position: str, direction: str, purpose: str,
                        found_at: dt.datetime, reason: str = "") -> CameraRecord:
    """What someone found in place: the district police during an inspection, or the unit's own
    check. Facts found after the approval in force that differ from it are an unapproved change
    (the rules art21-camera-moved and art22-camera-purpose-changed)."""
    role = getattr(actor, "role", None)
    if role not in POLICE_AND_ADMIN and role != Role.UNIT_USER:
        raise NotPermitted()
    _camera(actor, device)
    if role in POLICE_AND_ADMIN and role != Role.ADMIN and not visible(actor, Site).filter(pk=device.site_id).exists():
        raise NotPermitted()
    facts = _camera_facts(position, direction, purpose)
    _require_past(found_at, "核查时间", "the time found")
    baseline = CameraBaseline.objects.select_for_update().filter(device=device).first()
    require(baseline is not None, "该摄像机尚无经批准的位置基准，请先由使用单位登记",
            "this camera has no approved baseline yet: the unit records it first", clause="art_21__para_1__point_4")
    entry = _camera_record(actor, device, CameraRecordKind.FOUND, found_at, facts, reason=reason.strip())
    if baseline.found_at is None or found_at >= baseline.found_at:
        baseline.found_position, baseline.found_direction, baseline.found_purpose = (
            facts["position"], facts["direction"], facts["purpose"])
        baseline.found_at, baseline.found = found_at, entry
        baseline.save()
    return entry


def camera_record_create(*, actor, device: Device, kind: str, position: str, direction: str, purpose: str,
                         effective_at: dt.datetime, approved_by_name: str = "", reason: str = "") -> CameraRecord:
    """One camera record by its kind, with the model's field names (the pages and the API)."""
    if kind == CameraRecordKind.APPROVED:
        return camera_change_record(actor=actor, device=device, position=position, direction=direction,
                                    purpose=purpose, approved_by_name=approved_by_name, approved_at=effective_at,
                                    reason=reason)
    require(kind == CameraRecordKind.FOUND, "记录类型无效", "not a kind of camera record")
    require(not approved_by_name.strip(), "核查记录不填写批准人", "a record of what was found names no approver")
    return camera_found_record(actor=actor, device=device, position=position, direction=direction, purpose=purpose,
                               found_at=effective_at, reason=reason)
