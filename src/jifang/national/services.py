"""The only write path of the national workflows. Each function checks the actor, validates, writes
and appends its audit rows in one transaction; a refusal raises before anything is written.

Reports from the public have no actor (`actor=None`, audited as "system" with the report's code):
the public page (views.public_report) is the only caller, after its challenge and rate limit."""
import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jifang.core import audit, copies, secrets, uploads
from jifang.core.divisions import DISTRICTS
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.roles import OFFICERS, Role
from jifang.core.scoping import can_write
from jifang.core.services import require
from jifang.duties import services as duties_services
from jifang.duties.models import FootageUseKind
from jifang.enforcement import services as enforcement_services
from jifang.registry.models import DeviceKind, DeviceStatus, SecuritySystem, Site, SystemStatus

from .models import (
    FILED_STATUSES, FilingCounter, FilingKind, FilingStatus, PublicReport, ReportKind, ReportPhoto, ReportStatus,
    SystemCopies, SystemFiling, ViewingRequest, ViewingStatus,
)

CONTACT_PURPOSE = "national.report.contact"
PHOTO_TYPES = {"image/jpeg", "image/png"}
FILED_FACTS = ("camera_count", "with_nvr", "with_dvr", "with_encoder", "retention_days", "location")


def _copies(system: SecuritySystem) -> dict:
    """The system and the columns its records copy from it (core.copies: one declaration, SystemCopies)."""
    return {"system": system, **copies.values(SystemCopies, system)}


def _require_officer(actor, district_id: str) -> None:
    """Police officers of the record's district or of the city bureau handle it (art. 14, 24)."""
    if not (actor and actor.is_authenticated and actor.role in OFFICERS
            and (actor.role == Role.CITY_OFFICER or actor.division_id == district_id)):
        raise NotPermitted("只有该辖区公安机关或市公安局的民警可以办理此事项",
                           "only police officers of this district or of the city bureau may do this")


PRIVATE = ("contact_token", "source_hash")


def _snap(report: PublicReport) -> dict:
    """A report's audit snapshot without the reporter's sealed contact and address hash."""
    return {k: v for k, v in audit.snapshot(report).items() if k not in PRIVATE}


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


# ---- system filing (art. 14) -------------------------------------------------------------------

def registry_facts(system: SecuritySystem) -> dict:
    """What the registry knows of the facts a filing declares: the form's starting values."""
    kinds = set(system.devices.exclude(status=DeviceStatus.REMOVED).values_list("kind", flat=True).distinct())
    cameras = system.devices.filter(kind=DeviceKind.CAMERA).exclude(status=DeviceStatus.REMOVED).count()
    unit = system.unit
    return {"unit_name": unit.name, "credit_code": unit.credit_code, "unit_address": unit.address,
            "person_in_charge": unit.person_in_charge_name, "contact_name": unit.contact_name,
            "contact_phone": unit.contact_phone, "location": system.site.address or system.site.name,
            "in_use_since": system.in_use_since, "camera_count": cameras, "with_nvr": DeviceKind.NVR in kinds,
            "with_dvr": DeviceKind.DVR in kinds, "with_encoder": DeviceKind.ENCODER in kinds,
            "retention_days": system.retention_days}


def current_filing(system: SecuritySystem) -> SystemFiling | None:
    """The filing in force for the system: the latest one submitted or received."""
    return SystemFiling.objects.filter(system=system, status__in=FILED_STATUSES).order_by("-id").first()


@transaction.atomic
def filing_submit(*, actor, system: SecuritySystem, unit_name: str, credit_code: str, unit_address: str,
                  person_in_charge: str, contact_name: str, contact_phone: str, location: str,
                  in_use_since: dt.date, camera_count: int, retention_days: int, with_nvr: bool = False,
                  with_dvr: bool = False, with_encoder: bool = False, note: str = "") -> SystemFiling:
    """The manager files its system (art. 14 para. 1): a first filing, or a change filing when a
    filing is already in force. One filing at a time awaits the police."""
    if not can_write(actor, SystemFiling) or not can_write(actor, SecuritySystem, system):
        raise NotPermitted()
    system = _lock(SecuritySystem, system)
    require(system.status == SystemStatus.IN_USE, "只有已投入使用的系统需要备案", "only a system in use is filed",
            clause="art_14__para_1")
    require(in_use_since <= timezone.localdate(), "投入使用日期不能晚于今天", "the date of going live cannot be in the future")
    pending = SystemFiling.objects.filter(system=system, status=FilingStatus.SUBMITTED).exists()
    require(not pending, "该系统已有一份备案等待公安机关办理，请待办结后再报", "a filing of this system awaits the police already")
    previous = current_filing(system)
    filing = SystemFiling(
        **_copies(system), kind=FilingKind.CHANGE if previous else FilingKind.INITIAL, changes=previous,
        unit_name=unit_name.strip(), credit_code=credit_code.strip(), unit_address=unit_address.strip(),
        person_in_charge=person_in_charge.strip(), contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(), location=location.strip(), in_use_since=in_use_since,
        camera_count=camera_count, with_nvr=with_nvr, with_dvr=with_dvr, with_encoder=with_encoder,
        retention_days=retention_days, note=note.strip(), submitted_on=timezone.localdate(), submitted_by=actor)
    if previous is not None:
        same = all(getattr(filing, name) == getattr(previous, name) for name in FILED_FACTS)
        require(not same, "备案事项没有变化，无需办理变更", "nothing filed has changed: no change filing is needed",
                clause="art_14__para_1")
    filing.full_clean()
    filing.save()
    audit.record(actor=actor, action="national.filing.submit", obj=filing, after=audit.snapshot(filing),
                 note=filing.get_kind_display())
    return filing


SEALED_FIELDS = ("system_id", "kind", "changes_id", "unit_name", "credit_code", "unit_address", "person_in_charge",
                 "contact_name", "contact_phone", *FILED_FACTS, "in_use_since", "note", "submitted_on", "receipt_number")


def filed_hash(filing: SystemFiling) -> str:
    """SHA-256 over what was filed and the receipt number, in the audit log's canonical form."""
    snap = audit.snapshot(filing)
    return hashlib.sha256(audit.canonical({name: snap[name] for name in SEALED_FIELDS})).hexdigest()


def _receipt_number(filing: SystemFiling, year: int) -> str:
    FilingCounter.objects.get_or_create(district_id=filing.district_id, year=year)
    counter = FilingCounter.objects.select_for_update().get(district_id=filing.district_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    short = filing.district.name[0]
    return f"昆公{short}视备字〔{year}〕第{counter.last:04d}号"


def _handle(actor, filing: SystemFiling) -> tuple[SystemFiling, dict]:
    filing = _lock(SystemFiling, filing)
    _require_officer(actor, filing.district_id)
    require(filing.status == FilingStatus.SUBMITTED, "该备案已办理", "this filing has been handled already")
    before = audit.snapshot(filing)
    filing.handled_by, filing.handled_at = actor, timezone.now()
    return filing, before


@transaction.atomic
def filing_receive(*, actor, filing: SystemFiling) -> SystemFiling:
    """The district office receives the filing and gives it its receipt number."""
    filing, before = _handle(actor, filing)
    filing.status = FilingStatus.RECEIVED
    filing.receipt_number = _receipt_number(filing, timezone.localdate().year)
    filing.sealed_hash = filed_hash(filing)
    filing.save(update_fields=["status", "receipt_number", "sealed_hash", "handled_by", "handled_at"])
    audit.record(actor=actor, action="national.filing.received", obj=filing, before=before,
                 after=audit.snapshot(filing))
    return filing


@transaction.atomic
def filing_return(*, actor, filing: SystemFiling, reason: str) -> SystemFiling:
    """The office returns an incomplete or wrong filing with its reason; the manager files again."""
    require(bool(reason.strip()), "请说明退回理由", "give the reason for returning the filing")
    filing, before = _handle(actor, filing)
    filing.status, filing.return_reason = FilingStatus.RETURNED, reason.strip()
    filing.save(update_fields=["status", "return_reason", "handled_by", "handled_at"])
    audit.record(actor=actor, action="national.filing.returned", obj=filing, before=before,
                 after=audit.snapshot(filing), note=reason.strip())
    return filing


# ---- reports from the public (art. 24 para. 2) -------------------------------------------------

def source_hash(address: str) -> str:
    """The sender's address as a keyed hash: enough to count its reports, not to name it."""
    key = (settings.JIFANG_SIGNING_SECRET or settings.SECRET_KEY).encode()
    return hmac.new(key, b"national.report.source:" + address.encode(), hashlib.sha256).hexdigest()


def recent_reports(source: str, now: dt.datetime | None = None) -> int:
    since = (now or timezone.now()) - dt.timedelta(seconds=settings.JIFANG_PUBLIC_REPORT_WINDOW_SECONDS)
    return PublicReport.objects.filter(source_hash=source, received_at__gte=since).count()


def _checked_photo(upload) -> tuple[str, int, str]:
    limit = settings.JIFANG_PUBLIC_REPORT_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ServiceError("照片“{name}”过大：每张不超过 {mb} MB", "photo \"{name}\" is too large: at most {mb} MB each",
                           name=upload.name[:60], mb=limit // (1024 * 1024) or 1)
    kind = uploads.sniff(upload)
    if kind is None or kind.content_type not in PHOTO_TYPES:
        raise ServiceError("“{name}”不是 JPEG 或 PNG 照片", "\"{name}\" is not a JPEG or PNG photo", name=upload.name[:60])
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    uploads.store_as(upload, kind)
    return kind.content_type, upload.size, digest.hexdigest()


@transaction.atomic
def report_submit(*, district: str, kind: str, place: str, description: str, contact: str = "", photos=(),
                  source: str) -> PublicReport:
    """A report from anyone (no account). `source` is the sender's address hash (source_hash): more
    than JIFANG_PUBLIC_REPORT_LIMIT reports per window from one address are refused."""
    require(district in DISTRICTS, "请选择所在区县", "choose the district")
    require(kind in ReportKind.values, "请选择举报事项", "choose what you report")
    require(bool(place.strip()) and bool(description.strip()), "请填写地点和情况说明", "give the place and a description")
    photos = list(photos)
    limit = settings.JIFANG_PUBLIC_REPORT_MAX_PHOTOS
    require(len(photos) <= limit, "最多上传 {n} 张照片", "at most {n} photos", n=limit)
    if recent_reports(source) >= settings.JIFANG_PUBLIC_REPORT_LIMIT:
        raise ServiceError("同一网络地址提交过于频繁，请稍后再试", "too many reports from this address: try again later",
                           code="throttled")
    checked = [(_checked_photo(p), p) for p in photos]
    contact = contact.strip()
    report = PublicReport(district_id=district, kind=kind, place=place.strip(), description=description.strip(),
                          source_hash=source,
                          contact_token=secrets.encrypt(CONTACT_PURPOSE, contact.encode()) if contact else "")
    report.full_clean()
    report.save()
    for (content_type, size, sha), upload in checked:
        ReportPhoto.objects.create(report=report, file=upload, content_type=content_type, size=size, sha256=sha)
    audit.record(actor=None, action="national.report.received", obj=report, after=_snap(report),
                 district=district)
    return report


def report_contact(*, actor, report: PublicReport) -> str:
    """The reporter's contact details, for the police only; each reading is audited."""
    if not (actor and actor.is_authenticated and actor.role in OFFICERS):
        raise NotPermitted("举报人联系方式仅公安机关民警可以查看", "only police officers see a reporter's contact details")
    if not report.contact_token:
        return ""
    audit.record(actor=actor, action="national.report.contact_read", obj=report)
    return secrets.decrypt(CONTACT_PURPOSE, report.contact_token).decode()


def _open_report(actor, report: PublicReport) -> tuple[PublicReport, dict]:
    report = _lock(PublicReport, report)
    _require_officer(actor, report.district_id)
    require(report.status == ReportStatus.RECEIVED, "该举报已办理", "this report has been handled already")
    return report, _snap(report)


@transaction.atomic
def report_to_inspection(*, actor, report: PublicReport, site: Site, inspected_on: dt.date):
    """The officer turns the report into an ad hoc inspection of the site it concerns."""
    report, before = _open_report(actor, report)
    require(site.district_id == report.district_id, "所选场所不在举报所涉辖区", "the site is not in the report's district")
    observations = f"根据群众举报（回执码 {report.code}）检查：{report.place}。{report.description}"
    inspection = enforcement_services.inspection_create(actor=actor, site=site, inspected_on=inspected_on,
                                                        kind="ad_hoc", observations=observations[:4000])
    report.status, report.inspection = ReportStatus.INSPECTING, inspection
    report.handled_by, report.handled_at = actor, timezone.now()
    report.save(update_fields=["status", "inspection", "handled_by", "handled_at"])
    audit.record(actor=actor, action="national.report.inspection", obj=report, before=before,
                 after=_snap(report))
    return report


@transaction.atomic
def report_close(*, actor, report: PublicReport, reason: str) -> PublicReport:
    """The officer closes the report with the reason (not a prohibited place, already handled...)."""
    require(bool(reason.strip()), "请说明办结理由", "give the reason for closing")
    report, before = _open_report(actor, report)
    report.status, report.close_reason = ReportStatus.CLOSED, reason.strip()
    report.handled_by, report.handled_at = actor, timezone.now()
    report.save(update_fields=["status", "close_reason", "handled_by", "handled_at"])
    audit.record(actor=actor, action="national.report.closed", obj=report, before=before,
                 after=_snap(report), note=reason.strip())
    return report


# ---- viewing requests (art. 21) ----------------------------------------------------------------

@transaction.atomic
def viewing_request_record(*, actor, system: SecuritySystem, requester_name: str, relation: str, reason: str,
                           recording_from: dt.datetime, recording_to: dt.datetime, requested_at: dt.datetime,
                           requester_id_number: str = "", person_name: str = "") -> ViewingRequest:
    """The manager records a request to view footage as it is made (art. 21)."""
    if not can_write(actor, ViewingRequest) or not can_write(actor, SecuritySystem, system):
        raise NotPermitted()
    require(recording_to >= recording_from, "录像结束时间早于开始时间", "the recordings end before they start")
    require(requested_at <= timezone.now() + dt.timedelta(minutes=5), "申请时间不能晚于现在",
            "the request cannot be in the future")
    request = ViewingRequest(**_copies(system), requester_name=requester_name.strip(), relation=relation,
                             reason=reason.strip(), recording_from=recording_from, recording_to=recording_to,
                             requested_at=requested_at, requester_id_number=requester_id_number.strip(),
                             person_name=person_name.strip(), recorded_by=actor)
    request.full_clean()
    request.save()
    audit.record(actor=actor, action="national.viewing.requested", obj=request, after=audit.snapshot(request))
    return request


def _answer(actor, request: ViewingRequest) -> tuple[ViewingRequest, dict]:
    request = _lock(ViewingRequest, request)
    if not can_write(actor, ViewingRequest, request):
        raise NotPermitted()
    require(request.status == ViewingStatus.PENDING, "该申请已答复", "this request has been answered already")
    return request, audit.snapshot(request)


@transaction.atomic
def viewing_consent(*, actor, request: ViewingRequest, viewed_at: dt.datetime, approved_by_name: str,
                    shown_by_name: str):
    """The manager consents; the viewing is written to the usage register (duties.FootageUse,
    order 799 art. 16 and 21) in the same transaction. The register's user is the member of staff
    on watch who plays the recordings for the requester (Kunming art_21 point 1: only people on the
    site's watch roster handle them); the requester is named as the one who asked."""
    request, before = _answer(actor, request)
    require(bool(approved_by_name.strip()), "请填写同意查阅的负责人", "name the person responsible who consented")
    require(bool(shown_by_name.strip()), "请填写陪同查阅的值班人员", "name the member of staff on watch who shows the recordings")
    entry = duties_services.footage_use_record(
        actor=actor, system=request.system, kind=FootageUseKind.VIEW, recording_from=request.recording_from,
        recording_to=request.recording_to, used_at=viewed_at, user_name=shown_by_name.strip(),
        purpose=f"{request.get_relation_display()}查阅：{request.reason}"[:300],
        requester_name=request.requester_name, legal_basis="《公共安全视频图像信息系统管理条例》第二十一条",
        approved_by_name=approved_by_name.strip(), approved_at=timezone.now())
    request.status, request.footage_use = ViewingStatus.CONSENTED, entry
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "footage_use", "decided_by", "decided_at"])
    audit.record(actor=actor, action="national.viewing.consented", obj=request, before=before,
                 after=audit.snapshot(request))
    return request


@transaction.atomic
def viewing_refuse(*, actor, request: ViewingRequest, reason: str) -> ViewingRequest:
    """The manager refuses, with the reason."""
    require(bool(reason.strip()), "请说明不同意的理由", "give the reason for refusing")
    request, before = _answer(actor, request)
    request.status, request.refusal_reason = ViewingStatus.REFUSED, reason.strip()
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at"])
    audit.record(actor=actor, action="national.viewing.refused", obj=request, before=before,
                 after=audit.snapshot(request), note=reason.strip())
    return request
