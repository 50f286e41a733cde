"""The only write path for works. Each function checks who may take the step, that the works is at
the right point of its lifecycle and that the dates make sense, then writes the change and its audit
row in one transaction; a refusal (ServiceError / NotPermitted) leaves nothing written.

Who does what:
- the builder unit (or a firm on its behalf) registers the works; parties record design reviews;
- the works' firm starts construction, names its people, reports completion and files (art_16);
- the builder schedules the acceptance (the district office is notified in the same transaction);
- officers of the works' district record attendance; the builder or an officer records the result;
- the police issue networking notices; the operator confirms the connection.
"""
import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone, translation

from jifang.core.roles import Role
from jifang.core import audit, uploads
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.services import procedure_write
from jifang.registry import services as registry_services
from jifang.registry.models import ACCEPTANCE, NETWORKING, Device, SecuritySystem, Site, SystemStatus
from jifang.registry.models import AcceptanceResult as SystemAcceptance
from jifang.regulation.periods import period_end

from . import deadlines
from .models import (
    Acceptance,
    AcceptanceItem,
    AcceptanceResult,
    Attendance,
    DesignReview,
    DocumentKind,
    Filing,
    NetworkingNotice,
    NoticeBasis,
    NoticeStatus,
    Notification,
    NotificationKind,
    ReviewExpert,
    ReviewResult,
    Worker,
    Works,
    WorksDocument,
    WorksStatus,
)

# Upload limits for schemes and drawings: the formats the offices can open, and a size that a
# scanned A1 drawing fits in. The type is read from the content (core/uploads.py): a renamed
# executable does not pass as a PDF, and a PDF is stored as .pdf whatever it was called.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/vnd.dwg")

COMPLETED_STATES = (WorksStatus.COMPLETED, WorksStatus.REWORK, WorksStatus.ACCEPTED, WorksStatus.IN_USE)


# --- who is the actor to this works -------------------------------------------------------------

def _unit_ids(actor) -> set[int]:
    if actor.role != Role.UNIT_USER:
        return set()
    return set(actor.units.values_list("id", flat=True))


def is_builder(actor, works: Works) -> bool:
    """The unit owning the site now, or the builder until the system is put into use (its last
    step); as the works' scope says (models._unit_works)."""
    units = _unit_ids(actor)
    return works.unit_id in units or (works.builder_id in units and works.status != WorksStatus.IN_USE)


def is_works_firm(actor, works: Works) -> bool:
    return actor.role == Role.FIRM_USER and actor.firm_id is not None and actor.firm_id in works.firm_ids


def is_district_officer(actor, district_id: str) -> bool:
    """An officer of exactly this district's 技防 office."""
    return actor.role == Role.DISTRICT_OFFICER and actor.division_id == district_id


def is_police_for(actor, district_id: str) -> bool:
    """The district's own officers, the city bureau, or an administrator."""
    return actor.role == Role.ADMIN or actor.role == Role.CITY_OFFICER or is_district_officer(actor, district_id)


def is_party(actor, works: Works) -> bool:
    return is_builder(actor, works) or is_works_firm(actor, works)


def _require_right(allowed: bool, zh_step: str, en_step: str) -> None:
    if not allowed:
        raise NotPermitted("您无权执行此步骤：{step_zh}", "you may not take this step: {step_en}", step_zh=zh_step, step_en=en_step)


# --- dates ---------------------------------------------------------------------------------------

def check_date(day: dt.date, *, zh_step: str, en_step: str, not_before: dt.date | None = None,
                zh_before: str = "", en_before: str = "", allow_future: bool = False) -> None:
    """A step's date may not lie in the future (it has not happened) nor before an earlier step."""
    if day is None:
        raise ServiceError("{sz}须填写日期", "{se} needs a date", sz=zh_step, se=en_step)
    if not allow_future and day > timezone.localdate():
        raise ServiceError("{sz}的日期不能晚于今天", "the date of {se} cannot be in the future", sz=zh_step,
                           se=en_step)
    if not_before is not None and day < not_before:
        raise ServiceError("{sz}的日期（{d}）不能早于{b}（{nb}）", "the date of {se} ({d}) cannot be before {eb} ({nb})",
                           sz=zh_step, se=en_step, d=day, b=zh_before, eb=en_before, nb=not_before)


def _lock(works: Works) -> Works:
    return Works.objects.select_for_update().get(pk=works.pk)


def _save(actor, obj, action: str, before: dict | None, fields: list[str] | None = None) -> None:
    obj.save(update_fields=fields) if fields else obj.save()
    audit.record(actor=actor, action=action, obj=obj, before=before, after=audit.snapshot(obj))


def _notify(*, works: Works, kind: str, acceptance: Acceptance | None = None, due_on=None) -> Notification:
    """One line in the queue of exactly the works' district office."""
    return Notification.objects.create(district_id=works.district_id, kind=kind, works=works, acceptance=acceptance,
                                       due_on=due_on)


# --- a site that moves (docs/scoping.md) -------------------------------------------------------------

def works_follow_sites(site_ids: list[int]) -> None:
    """A works file follows its site to another unit or district, as its system does: the works'
    owning unit and supervising district become the site's; an acceptance not yet held and the
    queue's open lines go to the new district's office. Held acceptances and handled lines keep
    the district that acted. Set-based: one UPDATE per table."""
    site = Site.objects.filter(pk=OuterRef("site_id"))
    Works.objects.filter(site_id__in=site_ids).update(unit_id=Subquery(site.values("unit_id")),
                                                      district_id=Subquery(site.values("district_id")))
    works = Works.objects.filter(pk=OuterRef("works_id"))
    Acceptance.objects.filter(works__site_id__in=site_ids, result=AcceptanceResult.PENDING).update(
        district_id=Subquery(works.values("district_id")))
    Notification.objects.filter(works__site_id__in=site_ids, handled_at__isnull=True).update(
        district_id=Subquery(works.values("district_id")))


# --- registration ----------------------------------------------------------------------------------

WORKS_DETAIL_FIELDS = (
    "name", "kind", "design_firm", "main_project_name", "main_design_on", "main_construction_on",
    "main_acceptance_on", "main_opened_on", "approval_number", "approval_on", "tender_number", "tender_on",
)


def _may_register(actor, system: SecuritySystem, builder, firm) -> bool:
    if actor.role == Role.ADMIN or is_police_for(actor, system.district_id):
        return True
    if actor.role == Role.UNIT_USER:
        return bool(_unit_ids(actor) & {builder.pk, system.unit_id})
    # A firm registers on the builder's behalf, only a works it does itself, on a system it services.
    return actor.role == Role.FIRM_USER and actor.firm_id == firm.pk == system.firm_id


@transaction.atomic
def works_register(*, actor, system: SecuritySystem, builder, firm, name: str, kind: str,
                   registered_on: dt.date | None = None, code: str = "", **details) -> Works:
    unknown = set(details) - set(WORKS_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown works fields: {sorted(unknown)}")
    _require_right(_may_register(actor, system, builder, firm), "登记技防工程", "register a works")
    registered_on = registered_on or timezone.localdate()
    check_date(registered_on, zh_step="登记", en_step="registration")
    works = Works(system=system, site_id=system.site_id, unit_id=system.unit_id, district_id=system.district_id,
                  builder=builder, firm=firm, name=name, kind=kind, registered_on=registered_on,
                  code=code or _provisional_code(), **details)
    works.full_clean()
    works.save()
    if not code:
        # The code is readable and stable: district, year, row id.
        works.code = f"GC{works.district_id}{registered_on:%Y}{works.pk:06d}"
        works.save(update_fields=["code"])
    audit.record(actor=actor, action="works.works.register", obj=works, after=audit.snapshot(works))
    return works


def _provisional_code() -> str:
    """A unique placeholder until the row's id gives the real number. Random, not the clock: two
    registrations in the same microsecond would otherwise collide on the unique code."""
    return f"tmp-{secrets.token_hex(12)}"


@transaction.atomic
def works_update(*, actor, works: Works, **data) -> Works:
    """Details of the works (names, art_8 dates of the main project, approval, tendering)."""
    unknown = set(data) - set(WORKS_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"unknown works fields: {sorted(unknown)}")
    works = _lock(works)
    _require_right(is_party(actor, works) or is_police_for(actor, works.district_id), "修改工程信息",
                   "change the works' details")
    before = audit.snapshot(works)
    for name, value in data.items():
        setattr(works, name, value)
    for name in ("main_design_on", "main_construction_on", "main_acceptance_on", "main_opened_on"):
        if getattr(works, name):
            check_date(getattr(works, name), zh_step=str(Works._meta.get_field(name).verbose_name),
                        en_step=name.replace("_", " "))
    works.full_clean()
    _save(actor, works, "works.works.update", before)
    return works


# --- documents (art_18: secret material) --------------------------------------------------------------

def _check_upload(upload) -> tuple[str, str]:
    """Returns (content type, sha256) or refuses a file of the wrong type or size (core.uploads.accept)."""
    return uploads.accept(upload, types=DOCUMENT_TYPES, max_bytes=MAX_DOCUMENT_BYTES)


@transaction.atomic
def document_upload(*, actor, works: Works, kind: str, title: str, file, review: DesignReview | None = None,
                    version: int | None = None) -> WorksDocument:
    _require_right(is_party(actor, works), "上传工程资料", "upload a works document")
    content_type, sha = _check_upload(file)
    if version is None:
        # A revised scheme is a new version of the same kind of document.
        last = works.documents.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0
        version = last + 1
    doc = WorksDocument(works=works, review=review, kind=kind, title=title, version=version, file=file,
                        size=file.size, content_type=content_type, sha256=sha, uploaded_by=actor)
    doc.full_clean()
    doc.save()
    # The snapshot names the stored file (a FieldFile is not JSON).
    audit.record(actor=actor, action="works.document.upload", obj=doc,
                 after={**audit.snapshot(doc), "file": doc.file.name}, district=works.district_id)
    return doc


def may_open_documents(actor, works: Works) -> bool:
    """art_18: drawings and schemes are for the works' parties and its district office only, not for
    other districts, the city-wide read-only departments or platform administrators."""
    return is_party(actor, works) or is_district_officer(actor, works.district_id)


@transaction.atomic
def document_open(*, actor, document: WorksDocument) -> WorksDocument:
    """Every opening of a secret document is written to the audit log before the file is served."""
    works = document.works
    _require_right(may_open_documents(actor, works), "查阅涉密图纸资料（第十八条）", "open secret drawings (art. 18)")
    audit.record(actor=actor, action="works.document.download", obj=document, district=works.district_id,
                 note=f"{document.title} v{document.version} sha256={document.sha256}")
    return document


# --- design review (art_14 para 1) --------------------------------------------------------------------

@transaction.atomic
def review_record(*, actor, works: Works, held_on: dt.date, result: str, experts: list[dict], opinion: str = "",
                  organiser: str = "") -> DesignReview:
    works = _lock(works)
    _require_right(is_party(actor, works) or is_police_for(actor, works.district_id), "记录方案论证",
                   "record a design review")
    if works.status != WorksStatus.REGISTERED:
        raise ServiceError("工程设计方案已论证通过，不能再次论证（当前状态：{s}）",
                           "the design was already approved; no further review (status: {s})",
                           clause="art_14__para_1", s=works.get_status_display())
    check_date(held_on, zh_step="方案论证", en_step="the design review", not_before=works.registered_on,
                zh_before="工程登记", en_before="registration")
    experts = [e for e in experts if (e.get("name") or "").strip()]
    if not experts or any(not (e.get("affiliation") or "").strip() for e in experts):
        raise ServiceError("方案论证须至少有一名专家，并填写其姓名和单位",
                           "a design review needs at least one expert, each with name and affiliation",
                           clause="art_14__para_1")
    version = (works.reviews.aggregate(v=Max("version"))["v"] or 0) + 1
    if not works.documents.filter(kind=DocumentKind.SCHEME, version=version).exists():
        raise ServiceError("请先上传第 {v} 版设计方案，再记录其论证", "upload version {v} of the design scheme before its review",
                           clause="art_14__para_1", v=version)
    review = DesignReview.objects.create(works=works, version=version, held_on=held_on, result=result,
                                         opinion=opinion, organiser=organiser)
    ReviewExpert.objects.bulk_create([
        ReviewExpert(review=review, name=e["name"].strip(), affiliation=e["affiliation"].strip(),
                     opinion=e.get("opinion", "")) for e in experts
    ])
    works.documents.filter(kind=DocumentKind.SCHEME, version=version, review__isnull=True).update(review=review)
    audit.record(actor=actor, action="works.review.record", obj=review, district=works.district_id,
                 after={**audit.snapshot(review), "experts": experts})
    if result == ReviewResult.PASSED:
        before = audit.snapshot(works)
        works.status, works.design_approved_on = WorksStatus.DESIGN_APPROVED, held_on
        _save(actor, works, "works.works.design_approved", before, ["status", "design_approved_on", "updated_at"])
    return review


# --- construction ------------------------------------------------------------------------------------

@transaction.atomic
def construction_start(*, actor, works: Works, started_on: dt.date) -> Works:
    works = _lock(works)
    _require_right(is_works_firm(actor, works) or is_builder(actor, works), "开工", "start construction")
    if works.status != WorksStatus.DESIGN_APPROVED:
        raise ServiceError("设计方案论证通过后方可施工（第十四条第一款；当前状态：{s}）",
                           "construction may start only after the design review passed (art. 14 para. 1; status: {s})",
                           clause="art_14__para_1", s=works.get_status_display())
    check_date(started_on, zh_step="开工", en_step="construction start", not_before=works.design_approved_on,
                zh_before="方案论证通过", en_before="the design approval")
    before = audit.snapshot(works)
    works.status, works.started_on = WorksStatus.UNDER_CONSTRUCTION, started_on
    _save(actor, works, "works.works.construction_start", before, ["status", "started_on", "updated_at"])
    return works


@transaction.atomic
def worker_add(*, actor, works: Works, name: str, job: str, certificate: str = "") -> Worker:
    """The firm names its own people on the job; a firm cannot put people on another firm's list."""
    _require_right(is_works_firm(actor, works), "登记施工人员", "name the people on the job")
    worker = Worker(works=works, firm_id=actor.firm_id, name=name.strip(), job=job.strip(), certificate=certificate)
    worker.full_clean()
    worker.save()
    audit.record(actor=actor, action="works.worker.add", obj=worker, after=audit.snapshot(worker),
                 district=works.district_id)
    return worker


@transaction.atomic
def works_complete(*, actor, works: Works, completed_on: dt.date) -> Works:
    """The firm reports the works (or its rework) complete. The first completion starts the art_16
    filing clock; a rework after a failed acceptance does not restart it."""
    works = _lock(works)
    _require_right(is_works_firm(actor, works), "报告竣工", "report completion")
    if works.status not in (WorksStatus.UNDER_CONSTRUCTION, WorksStatus.REWORK):
        raise ServiceError("工程尚未开工或已竣工，不能报告竣工（当前状态：{s}）",
                           "only a works under construction or in rework can be completed (status: {s})",
                           s=works.get_status_display())
    check_date(completed_on, zh_step="竣工", en_step="completion", not_before=works.started_on,
                zh_before="开工", en_before="the construction start")
    before = audit.snapshot(works)
    works.status = WorksStatus.COMPLETED
    works.completed_on = works.completed_on or completed_on
    _save(actor, works, "works.works.complete", before, ["status", "completed_on", "updated_at"])
    return works


# --- completion acceptance (art_14) ----------------------------------------------------------------------

@transaction.atomic
def acceptance_schedule(*, actor, works: Works, scheduled_for: dt.date, location: str = "") -> Acceptance:
    """The builder organises the acceptance (art_14 para 2); the district office is notified in the
    same transaction (art_14 para 1), so an acceptance can never be scheduled without the notice."""
    works = _lock(works)
    _require_right(is_builder(actor, works) or actor.role == Role.ADMIN, "安排竣工验收（由建设单位组织）",
                   "schedule the completion acceptance (the builder organises it)")
    if works.status in (WorksStatus.REGISTERED,):
        raise ServiceError("设计方案尚未论证通过，不能安排竣工验收（第十四条第一款）",
                           "the design review has not passed; acceptance cannot be scheduled (art. 14 para. 1)",
                           clause="art_14__para_1")
    if works.status != WorksStatus.COMPLETED:
        raise ServiceError("工程竣工后方可安排验收（当前状态：{s}）",
                           "acceptance can be scheduled only once the works is completed (status: {s})",
                           s=works.get_status_display())
    if works.acceptances.filter(result=AcceptanceResult.PENDING).exists():
        raise ServiceError("已有一次待进行的验收", "an acceptance is already scheduled")
    check_date(scheduled_for, zh_step="验收", en_step="the acceptance", not_before=works.completed_on,
                zh_before="竣工", en_before="completion", allow_future=True)
    rnd = (works.acceptances.aggregate(r=Max("round"))["r"] or 0) + 1
    acceptance = Acceptance.objects.create(
        code=f"{works.code}-YS{rnd}", works=works, district_id=works.district_id, round=rnd,
        scheduled_for=scheduled_for, location=location, police_notified_at=timezone.now(),
    )
    note = _notify(works=works, kind=NotificationKind.ACCEPTANCE_SCHEDULED, acceptance=acceptance,
                   due_on=scheduled_for)
    audit.record(actor=actor, action="works.acceptance.schedule", obj=acceptance, after=audit.snapshot(acceptance))
    audit.record(actor=actor, action="works.notification.create", obj=note, after=audit.snapshot(note))
    return acceptance


def _require_no_result(acceptance: Acceptance, *, zh_step: str, en_step: str) -> None:
    """Once its result is recorded an acceptance is closed (art_14 para 1: the record of who
    attended and what was found is what the office was notified to witness): nothing about it
    changes any more. A new round is a new acceptance. Call with the row locked."""
    if acceptance.result != AcceptanceResult.PENDING:
        with translation.override("zh-hans"):
            r_zh = str(acceptance.get_result_display())
        with translation.override("en"):
            r_en = str(acceptance.get_result_display())
        raise ServiceError("此次验收已记录结果（{r_zh}），不能再{step_zh}（第十四条第一款）",
                           "this acceptance's result ({r_en}) is already recorded; {step_en} is no longer possible "
                           "(art. 14 para. 1)", clause="art_14__para_1", r_zh=r_zh, r_en=r_en, step_zh=zh_step,
                           step_en=en_step)


@transaction.atomic
def attendance_record(*, actor, acceptance: Acceptance, note: str = "") -> Attendance:
    """An officer of the works' own district records that they attended, while the acceptance
    has no result yet."""
    acceptance = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
    _require_right(is_district_officer(actor, acceptance.district_id), "记录参加验收（限工程所在区技防管理机构）",
                   "record attendance (the works' district office only)")
    _require_no_result(acceptance, zh_step="记录参加验收", en_step="recording attendance")
    if acceptance.attendances.filter(officer=actor).exists():
        raise ServiceError("您已记录参加此次验收", "you have already recorded attendance at this acceptance")
    attendance = Attendance.objects.create(acceptance=acceptance, officer=actor, note=note)
    Notification.objects.filter(acceptance=acceptance, handled_at__isnull=True).update(handled_at=timezone.now())
    audit.record(actor=actor, action="works.acceptance.attend", obj=acceptance, district=acceptance.district_id,
                 after=audit.snapshot(attendance))
    return attendance


def non_conforming_products(system: SecuritySystem) -> list[dict]:
    """art_15 para 2: every device's product must be in the catalogue or meet a standard; a device
    without a recorded product cannot be shown to conform, so it is listed too. One query."""
    rows = (Device.objects.filter(system=system).exclude(status="removed").select_related("product")
            .order_by("id"))
    out = []
    for d in rows:
        p = d.product
        if p is None:
            out.append({"serial": d.serial, "product": "", "reason": "no product recorded"})
        elif not (p.in_catalogue or p.meets_standard):
            out.append({"serial": d.serial, "product": str(p), "reason": "not in the catalogue and meets no standard"})
    return out


def _result_items(items: list[dict], reserved_interface: bool, bad_products: list[dict]) -> list[AcceptanceItem]:
    """The organiser's items plus the two the law adds: the reserved interface (art_13 para 1) and
    the products (art_15 para 2)."""
    out = [AcceptanceItem(name=i["name"].strip(), passed=bool(i["passed"]), note=i.get("note", ""))
           for i in items if (i.get("name") or "").strip()]
    out.append(AcceptanceItem(name="预留与公安机关联网的接口（第十三条第一款）", passed=reserved_interface))
    out.append(AcceptanceItem(
        name="技防产品符合标准（第十五条第二款）", passed=not bad_products,
        note="; ".join(f"{b['serial']} {b['product']}".strip() for b in bad_products)[:300],
    ))
    return out


@transaction.atomic
def acceptance_result_record(*, actor, acceptance: Acceptance, held_on: dt.date, items: list[dict],
                             reserved_interface: bool, certificate: str = "", opinion: str = "") -> Acceptance:
    """Passed only when every item passes. A pass sets the system's acceptance facts through the
    registry's services; a failure sends the works back to rework and a new round."""
    acceptance = Acceptance.objects.select_for_update().select_related("works__system").get(pk=acceptance.pk)
    works = _lock(acceptance.works)
    _require_right(is_builder(actor, works) or is_district_officer(actor, works.district_id)
                   or actor.role == Role.ADMIN, "记录验收结果", "record the acceptance result")
    _require_no_result(acceptance, zh_step="记录验收结果", en_step="recording another result")
    check_date(held_on, zh_step="验收", en_step="the acceptance", not_before=works.completed_on,
                zh_before="竣工", en_before="completion")
    if not any((i.get("name") or "").strip() for i in items):
        raise ServiceError("请至少填写一项验收项目", "give at least one acceptance item")
    bad = non_conforming_products(works.system)
    rows = _result_items(items, bool(reserved_interface), bad)
    for row in rows:
        row.acceptance = acceptance
    AcceptanceItem.objects.bulk_create(rows)
    passed = all(r.passed for r in rows)
    before = audit.snapshot(acceptance)
    acceptance.held_on, acceptance.certificate, acceptance.opinion = held_on, certificate, opinion
    acceptance.reserved_interface, acceptance.non_conforming = bool(reserved_interface), bad
    acceptance.result = AcceptanceResult.PASSED if passed else AcceptanceResult.FAILED
    _save(actor, acceptance, "works.acceptance.result", before)
    _works_after_acceptance(actor, works, acceptance)
    return acceptance


def _works_after_acceptance(actor, works: Works, acceptance: Acceptance) -> None:
    before = audit.snapshot(works)
    works.first_acceptance_on = works.first_acceptance_on or acceptance.held_on
    if acceptance.result == AcceptanceResult.PASSED:
        works.status, works.accepted_on = WorksStatus.ACCEPTED, acceptance.held_on
    else:
        works.status = WorksStatus.REWORK
    _save(actor, works, "works.works.acceptance", before,
          ["status", "accepted_on", "first_acceptance_on", "updated_at"])
    _system_after_acceptance(actor, works.system, acceptance)


def _system_after_acceptance(actor, system: SecuritySystem, acceptance: Acceptance) -> None:
    """The registry holds the system's acceptance facts; they change only through its services.
    A failed round of a repair does not erase a running system's earlier pass."""
    data = {"reserved_interface": acceptance.reserved_interface}
    if acceptance.result == AcceptanceResult.PASSED:
        data |= {"acceptance_result": SystemAcceptance.PASSED, "acceptance_date": acceptance.held_on,
                 "acceptance_certificate": acceptance.certificate}
        if system.status in (SystemStatus.PLANNED, SystemStatus.UNDER_CONSTRUCTION):
            data["status"] = SystemStatus.ACCEPTED
    elif system.status != SystemStatus.IN_USE:
        data |= {"acceptance_result": SystemAcceptance.FAILED, "acceptance_date": acceptance.held_on}
    # The acceptance record is the authority, whoever recorded it (the builder may not own the
    # system): the registry's acceptance facts are the procedure's (core/writes.py).
    procedure_write(actor=actor, obj=system, procedure=ACCEPTANCE, data=data, prepare=registry_services.system_copies)


# --- going live (art_14 para 2) -----------------------------------------------------------------------------

@transaction.atomic
def works_go_live(*, actor, works: Works, live_on: dt.date) -> Works:
    works = _lock(works)
    _require_right(is_builder(actor, works) or actor.role == Role.ADMIN, "投入使用", "put the system into use")
    if works.status != WorksStatus.ACCEPTED:
        raise ServiceError("未经验收或者验收不合格的技防系统，不得投入使用（第十四条第二款）",
                           "a system that has not passed acceptance may not be put into use (art. 14 para. 2)",
                           clause="art_14__para_2")
    check_date(live_on, zh_step="投入使用", en_step="going live", not_before=works.accepted_on,
                zh_before="验收通过", en_before="the acceptance")
    before = audit.snapshot(works)
    works.status, works.live_on = WorksStatus.IN_USE, live_on
    _save(actor, works, "works.works.go_live", before, ["status", "live_on", "updated_at"])
    system = works.system
    # The works passed its acceptance (checked above): art_14 para 2 lets the system go live.
    procedure_write(actor=actor, obj=system, procedure=ACCEPTANCE, action="registry.securitysystem.go_live",
                    data={"status": SystemStatus.IN_USE, "in_use_since": system.in_use_since or live_on},
                    prepare=registry_services.system_copies)
    return works


# --- filing (art_16) ----------------------------------------------------------------------------------

@transaction.atomic
def filing_submit(*, actor, works: Works, filed_on: dt.date, contact_name: str, contact_phone: str,
                  summary: str = "") -> Filing:
    """The firm that designed or built the works files it with the district office. A late filing
    is accepted (the office must still receive it) and the art_16 rule reports the lateness."""
    works = _lock(works)
    if not is_works_firm(actor, works):
        raise ServiceError("只有承担该工程设计、施工或维修的单位可以备案（第十六条）",
                           "only the firm that designed, built or repaired this works may file it (art. 16)",
                           clause="art_16__para_1")
    if works.completed_on is None:
        raise ServiceError("工程尚未竣工，不能备案（第十六条：自项目完成之日起备案）",
                           "the works is not completed; filing comes after completion (art. 16)",
                           clause="art_16__para_1")
    if hasattr(works, "filing"):
        raise ServiceError("该工程已备案（回执号 {n}）", "this works is already filed (receipt {n})",
                           n=works.filing.receipt_number)
    check_date(filed_on, zh_step="备案", en_step="filing", not_before=works.completed_on, zh_before="竣工",
                en_before="completion")
    filing = Filing(works=works, firm_id=actor.firm_id, district_id=works.district_id, filed_on=filed_on,
                    due_on=deadlines.filing_due_on(works.completed_on, works.district_id),
                    contact_name=contact_name, contact_phone=contact_phone, summary=summary,
                    device_count=Device.objects.filter(system_id=works.system_id).count(),
                    receipt_number=_provisional_code())
    filing.full_clean()
    filing.save()
    filing.receipt_number = f"BA{works.district_id}{filed_on:%Y}{filing.pk:06d}"
    filing.save(update_fields=["receipt_number"])
    before = audit.snapshot(works)
    works.filed_on = filed_on
    _save(actor, works, "works.works.filed", before, ["filed_on", "updated_at"])
    note = _notify(works=works, kind=NotificationKind.FILING_RECEIVED)
    audit.record(actor=actor, action="works.filing.submit", obj=filing, after=audit.snapshot(filing))
    audit.record(actor=actor, action="works.notification.create", obj=note, after=audit.snapshot(note))
    return filing


@transaction.atomic
def filing_receive(*, actor, filing: Filing) -> Filing:
    """The district office acknowledges the filing (it leaves the queue)."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    _require_right(is_district_officer(actor, filing.district_id), "接收备案（限工程所在区技防管理机构）",
                   "receive a filing (the works' district office only)")
    if filing.received_at is not None:
        raise ServiceError("该备案已接收", "this filing was already received")
    before = audit.snapshot(filing)
    filing.received_by, filing.received_at = actor, timezone.now()
    _save(actor, filing, "works.filing.receive", before, ["received_by", "received_at", "updated_at"])
    Notification.objects.filter(works_id=filing.works_id, kind=NotificationKind.FILING_RECEIVED,
                                handled_at__isnull=True).update(handled_at=filing.received_at)
    return filing


# --- networking (art_10 para 1, art_13 para 2) -------------------------------------------------------------

@transaction.atomic
def notice_issue(*, actor, system: SecuritySystem, basis: str, due_on: dt.date, issued_on: dt.date | None = None,
                 works: Works | None = None) -> NetworkingNotice:
    _require_right(actor.role != Role.ADMIN and is_police_for(actor, system.district_id), "下达联网通知",
                   "issue a networking notice")
    issued_on = issued_on or timezone.localdate()
    check_date(issued_on, zh_step="下达通知", en_step="issuing the notice")
    if due_on <= issued_on:
        raise ServiceError("联网期限须晚于通知日期", "the connection due date must be after the notice date",
                           clause=basis)
    due_on = period_end(due_on)  # 民法典 第二百零三条: a period never ends on a rest day or holiday
    if basis == NoticeBasis.PUBLIC_AREA and not system.is_public_area:
        raise ServiceError("该系统不是公共区域技防系统，不能依第十条第一款通知联网",
                           "not a public-area system; art. 10 para. 1 does not apply", clause="art_10__para_1")
    if basis == NoticeBasis.REQUIRED and not system.has_audio_video:
        raise ServiceError("第十三条第二款只适用于语音图像信息系统", "art. 13 para. 2 applies to audio-video systems only",
                           clause="art_13__para_2")
    if system.police_connected:
        raise ServiceError("该系统已与公安机关联网", "the system is already connected to the police platform")
    if NetworkingNotice.objects.filter(system=system, status=NoticeStatus.ISSUED).exists():
        raise ServiceError("该系统已有未完成的联网通知", "the system already has an open networking notice")
    notice = NetworkingNotice.objects.create(
        number=_provisional_code(), system=system, works=works, district_id=system.district_id,
        unit_id=system.unit_id, basis=basis, issued_on=issued_on, due_on=due_on, issued_by=actor,
    )
    notice.number = f"LW{system.district_id}{issued_on:%Y}{notice.pk:06d}"
    notice.save(update_fields=["number"])
    audit.record(actor=actor, action="works.notice.issue", obj=notice, after=audit.snapshot(notice))
    return notice


@transaction.atomic
def notice_confirm(*, actor, notice: NetworkingNotice, connected_on: dt.date) -> NetworkingNotice:
    """The operator (or the police who checked it) confirms the connection; the system's networking
    facts change through the registry's services."""
    notice = NetworkingNotice.objects.select_for_update().select_related("system").get(pk=notice.pk)
    operator = bool(_unit_ids(actor) & {notice.unit_id, notice.system.operator_id})
    _require_right(operator or is_police_for(actor, notice.district_id), "确认联网", "confirm the connection")
    if notice.status != NoticeStatus.ISSUED:
        raise ServiceError("该通知已确认联网", "this notice is already confirmed")
    check_date(connected_on, zh_step="联网", en_step="the connection", not_before=notice.issued_on,
                zh_before="通知日期", en_before="the notice date")
    before = audit.snapshot(notice)
    notice.status, notice.connected_on = NoticeStatus.CONNECTED, connected_on
    _save(actor, notice, "works.notice.confirm", before, ["status", "connected_on", "updated_at"])
    procedure_write(actor=actor, obj=notice.system, procedure=NETWORKING,
                    data={"police_connected": True, "police_connected_since": connected_on})
    return notice

