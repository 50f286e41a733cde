"""The only write path of enforcement (art_23-25): inspections, signatures, rectification orders,
the overdue sweep and penalty decisions, and the finding stages they move.

Each public function is keyword-only with `actor` first and runs in one transaction. A refusal
(ServiceError / NotPermitted) rolls the change back, and `_service` then writes a `*.refused` audit
row *outside* that rolled-back block, so the attempt stays on record.
"""
import datetime as dt
import functools
import hashlib
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from jifang.core.divisions import CITY_CODE
from jifang.core import audit, copies, uploads
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.models import CheckpointReason
from jifang.core.roles import OFFICERS, Role
from jifang.regulation.models import Finding, FindingStatus, Outcome, Stage
from jifang.registry.models import UnitKind

from . import law, records, signing
from .models import (
    AmountStage, CaseStatus, ChecklistItem, ComplaintStatus, DocumentKind, FindingSource, Inspection,
    InspectionComplaint, InspectionFinding, InspectionPhoto, ItemOutcome, OrderEvidence, OrderItem, OrderStatus,
    PenaltyAmount, PenaltyCase, PenaltyDecision, RectificationOrder, Signature,
)
from .numbering import next_number

PHOTO_TYPES = {"image/jpeg", "image/png"}


# ---- refusals on record -----------------------------------------------------------------------

def _refusal_target(kwargs: dict):
    for value in kwargs.values():
        if isinstance(value, Model):
            return value
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], Model):
            return value[0]
    return None


def _service(action: str):
    """Run the function atomically; on refusal, record `<action>.refused` with the reason."""

    def decorate(fn):
        atomic = transaction.atomic(fn)

        @functools.wraps(fn)
        def run(*, actor, **kwargs):
            try:
                return atomic(actor=actor, **kwargs)
            except (ServiceError, NotPermitted) as exc:
                reason = exc.text if isinstance(exc, NotPermitted) else " ".join(exc.messages)
                audit.record(actor=actor, action=f"{action}.refused", obj=_refusal_target(kwargs), note=reason)
                raise

        return run

    return decorate


# ---- who may act ------------------------------------------------------------------------------

def _require_officer(actor, district_id: str) -> None:
    """Only police of the record's district, or of the city bureau, act on it (art_5 para 2)."""
    if not (actor and actor.is_authenticated and actor.role in OFFICERS
            and actor.division_id in (district_id, CITY_CODE)):
        raise NotPermitted("只有该辖区公安机关或市公安局的民警可以办理此事项",
                           "only police officers of this district or of the city bureau may do this")


def _require_unit_user(actor, unit_id: int) -> None:
    if not (actor and actor.is_authenticated and actor.role == Role.UNIT_USER
            and actor.units.filter(pk=unit_id).exists()):
        raise NotPermitted("只有被检查单位本身可以办理此事项", "only the unit concerned may do this")


def _refuse_sealed(record) -> None:
    if record.sealed_hash:
        raise ServiceError("该记录已签名，不得更改；如需更正，请制作更正记录",
                           "this record is signed and may not change; make a signed amendment instead",
                           clause="art_23__para_1")


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def _set_stage(actor, findings, stage: str, note: str = "") -> None:
    for f in findings:
        before = {"stage": f.stage}
        f.stage = stage
        f.save(update_fields=["stage"])
        audit.record(actor=actor, action="regulation.finding.stage", obj=f, before=before, after={"stage": stage},
                     note=note)


# ---- uploads ----------------------------------------------------------------------------------

def _checked_upload(upload, allowed: set[str]) -> tuple[str, int, str]:
    """Content type by magic bytes (the browser's claim is not trusted), size, SHA-256; the upload
    is renamed to a random name with the extension of its sniffed type (core/uploads.py)."""
    size = upload.size
    if size > settings.JIFANG_EVIDENCE_MAX_BYTES:
        raise ServiceError("文件过大（上限 {limit} 字节）", "file too large (limit {limit} bytes)",
                           limit=settings.JIFANG_EVIDENCE_MAX_BYTES)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = uploads.sniff(upload)
    if kind is None or kind.content_type not in allowed:
        raise ServiceError("不支持的文件类型（允许：{types}）", "file type not accepted (allowed: {types})",
                           types=", ".join(sorted(allowed)))
    uploads.store_as(upload, kind)
    return kind.content_type, size, hashlib.sha256(data).hexdigest()


# ---- inspections (art_23 para 1) ----------------------------------------------------------------

def _checklist(inspection: Inspection, pack_id: str) -> None:
    ChecklistItem.objects.bulk_create(
        ChecklistItem(inspection=inspection, clause_id=c.id, label_zh=c.label_zh, text_zh=c.text_zh)
        for c in law.checklist_clauses(pack_id, inspection.site)
    )


@_service("enforcement.inspection.create")
def inspection_create(*, actor, site, inspected_on: dt.date, kind: str = "planned", inspectors=(),
                      observations: str = "", pack_id: str = law.DEFAULT_PACK, amends: Inspection | None = None):
    _require_officer(actor, site.district_id)
    team = {actor, *inspectors}
    for officer in team:
        _require_officer(officer, site.district_id)
    if inspected_on > timezone.localdate():
        raise ServiceError("检查日期不能晚于今天", "the inspection date cannot be in the future")
    insp = Inspection.objects.create(
        number=next_number(district=site.district, kind=DocumentKind.INSPECTION, year=inspected_on.year),
        **copies.values(Inspection, site), site=site, kind=kind, inspected_on=inspected_on,
        observations=observations, created_by=actor, amends=amends,
    )
    insp.inspectors.set(team)
    _checklist(insp, pack_id)
    audit.record(actor=actor, action="enforcement.inspection.create", obj=insp, after=audit.snapshot(insp))
    return insp


@_service("enforcement.inspection.update")
def inspection_update(*, actor, inspection: Inspection, observations: str | None = None, result: str | None = None):
    inspection = _lock(Inspection, inspection)
    _require_officer(actor, inspection.district_id)
    _refuse_sealed(inspection)
    before = audit.snapshot(inspection)
    if observations is not None:
        inspection.observations = observations
    if result is not None:
        inspection.result = result
    inspection.save(update_fields=["observations", "result"])
    audit.record(actor=actor, action="enforcement.inspection.update", obj=inspection, before=before,
                 after=audit.snapshot(inspection))
    return inspection


@_service("enforcement.checklist.set")
def checklist_item_set(*, actor, item: ChecklistItem, result: str, note: str = ""):
    inspection = _lock(Inspection, item.inspection)
    _require_officer(actor, inspection.district_id)
    _refuse_sealed(inspection)
    before = audit.snapshot(item)
    item.result, item.note = result, note
    item.full_clean()
    item.save(update_fields=["result", "note"])
    audit.record(actor=actor, action="enforcement.checklist.set", obj=inspection, before=before,
                 after=audit.snapshot(item))
    return item


@_service("enforcement.inspection.photo")
def inspection_photo_add(*, actor, inspection: Inspection, file, caption: str = ""):
    inspection = _lock(Inspection, inspection)
    _require_officer(actor, inspection.district_id)
    _refuse_sealed(inspection)
    content_type, size, digest = _checked_upload(file, PHOTO_TYPES)
    photo = InspectionPhoto.objects.create(inspection=inspection, file=file, caption=caption,
                                           content_type=content_type, size=size, sha256=digest)
    audit.record(actor=actor, action="enforcement.inspection.photo", obj=inspection,
                 after={"photo": photo.pk, "name": photo.file.name, "sha256": digest, "size": size})
    return photo


def _mark_violation(inspection: Inspection, clause_id: str) -> None:
    inspection.items.filter(clause_id=clause_id).update(result="violation")


@_service("enforcement.inspection.confirm")
def inspection_finding_confirm(*, actor, inspection: Inspection, finding: Finding):
    """An inspector confirms on site a violation the engine found at this site."""
    inspection = _lock(Inspection, inspection)
    _require_officer(actor, inspection.district_id)
    _refuse_sealed(inspection)
    if finding.unit_id != inspection.unit_id or finding.status != FindingStatus.OPEN \
            or finding.outcome != Outcome.VIOLATION:
        raise ServiceError("只能确认本单位未解决的违规发现", "only an open violation of this unit can be confirmed")
    link, _ = InspectionFinding.objects.get_or_create(inspection=inspection, finding=finding,
                                                      defaults={"source": FindingSource.CONFIRMED})
    _mark_violation(inspection, finding.clause_id)
    audit.record(actor=actor, action="enforcement.inspection.confirm", obj=inspection,
                 after={"finding": finding.pk, "clause": finding.clause_id})
    return link


@_service("enforcement.inspection.raise")
def inspection_finding_raise(*, actor, inspection: Inspection, clause_id: str, explanation_zh: str,
                             explanation_en: str = "", pack_id: str = law.DEFAULT_PACK):
    """A violation only an inspector can see (art_21 points 1,2,3,6; art_22 points 3,4,5)."""
    inspection = _lock(Inspection, inspection)
    _require_officer(actor, inspection.district_id)
    _refuse_sealed(inspection)
    if clause_id not in law.HAND_CHECK_CLAUSES:
        raise ServiceError("该条款由数据自动检查，请确认引擎发现，而不是手工录入",
                           "this clause is checked from data: confirm the engine's finding instead", clause=clause_id)
    if not explanation_zh.strip():
        raise ServiceError("请写明违法事实", "describe what was seen")
    finding = law.raise_finding(actor=actor, pack_id=pack_id, clause_id=clause_id, site=inspection.site,
                                facts={"inspection": inspection.number},
                                explanation_zh=explanation_zh, explanation_en=explanation_en or explanation_zh)
    link = InspectionFinding.objects.create(inspection=inspection, finding=finding, source=FindingSource.RAISED)
    _mark_violation(inspection, clause_id)
    audit.record(actor=actor, action="enforcement.inspection.raise", obj=inspection,
                 after={"finding": finding.pk, "clause": clause_id})
    return link


@_service("enforcement.inspection.sign")
def inspection_sign(*, actor, inspection: Inspection) -> Signature:
    """Each inspector signs the same hash. The first signature fixes it; a later signer whose
    recomputed hash differs is refused (the record changed underneath)."""
    inspection = _lock(Inspection, inspection)
    _require_officer(actor, inspection.district_id)
    if not inspection.inspectors.filter(pk=actor.pk).exists():
        raise NotPermitted("只有参加检查的民警可以签名", "only an inspector of this inspection may sign")
    if Signature.objects.filter(record_type=records.INSPECTION, record_id=inspection.pk, signer=actor).exists():
        raise ServiceError("您已签名", "you have already signed")
    digest = records.seal_hash(records.INSPECTION, inspection)
    if inspection.sealed_hash and digest != inspection.sealed_hash:
        raise ServiceError("记录内容与首次签名时不一致，不能签名", "the record differs from what was first signed")
    if not inspection.sealed_hash:
        inspection.sealed_hash = digest
        inspection.save(update_fields=["sealed_hash"])
    sig = signing.sign(officer=actor, record_type=records.INSPECTION, record_id=inspection.pk, record_hash=digest)
    audit.record(actor=actor, action="enforcement.inspection.sign", obj=inspection,
                 after={"hash": digest, "key": sig.key_fingerprint})
    _anchor()
    return sig


@_service("enforcement.inspection.amend")
def inspection_amend(*, actor, original: Inspection, observations: str, result: str = "") -> Inspection:
    """A correction to a signed record: a new record of its own, linked to the original, signed anew."""
    original = Inspection.objects.get(pk=original.pk)
    if not original.sealed_hash:
        raise ServiceError("未签名的记录可直接修改", "an unsigned record can simply be edited")
    amendment = inspection_create(actor=actor, site=original.site, inspected_on=original.inspected_on,
                                  kind=original.kind, inspectors=list(original.inspectors.all()),
                                  observations=observations, amends=original)
    return inspection_update(actor=actor, inspection=amendment, result=result) if result else amendment


@_service("enforcement.complaint.lodge")
def complaint_lodge(*, actor, inspection: Inspection, text: str) -> InspectionComplaint:
    """art_23 para 3: a unit complains of an inspection that disrupted it or solicited anything."""
    _require_unit_user(actor, inspection.unit_id)
    if not text.strip():
        raise ServiceError("请写明投诉内容", "write what the complaint is about")
    c = InspectionComplaint.objects.create(inspection=inspection, **copies.values(InspectionComplaint, inspection), text=text,
                                           lodged_by=actor, lodged_at=timezone.now())
    audit.record(actor=actor, action="enforcement.complaint.lodge", obj=c, after=audit.snapshot(c),
                 district=inspection.district_id)
    return c


@_service("enforcement.complaint.answer")
def complaint_answer(*, actor, complaint: InspectionComplaint, answer: str) -> InspectionComplaint:
    if not (actor.role == Role.CITY_OFFICER and actor.division_id == CITY_CODE):
        raise NotPermitted("投诉由市公安局处理", "complaints are handled by the city bureau")
    complaint = _lock(InspectionComplaint, complaint)
    if complaint.status == ComplaintStatus.ANSWERED:
        raise ServiceError("该投诉已答复", "this complaint has been answered")
    before = audit.snapshot(complaint)
    complaint.answer, complaint.answered_by, complaint.answered_at = answer, actor, timezone.now()
    complaint.status = ComplaintStatus.ANSWERED
    complaint.save()
    audit.record(actor=actor, action="enforcement.complaint.answer", obj=complaint, before=before,
                 after=audit.snapshot(complaint))
    return complaint


# ---- rectification orders (art_23 para 2, art_24, art_25) ---------------------------------------

def default_deadline(today: dt.date | None = None) -> dt.date:
    """Local policy (settings.JIFANG_RECTIFICATION_DEFAULT_DAYS), not a period the regulation sets;
    it ends like every period, on a working day (民法典 第二百零三条)."""
    today = today or timezone.localdate()
    return law.period_end(today, today + dt.timedelta(days=settings.JIFANG_RECTIFICATION_DEFAULT_DAYS))


def corrected_in_time(finding: Finding, deadline: dt.date) -> bool:
    """The engine's evidence: its runs stopped seeing the violation on or before the order's last day
    (unseen_since) and have not seen it since (docs/rule-packs.md, "Last seen")."""
    return finding.unseen_since is not None and finding.unseen_since <= deadline


def _orderable(findings: list[Finding]) -> None:
    if not findings:
        raise ServiceError("请选择至少一项违规发现", "choose at least one finding")
    if len({f.unit_id for f in findings}) != 1 or findings[0].unit_id is None:
        raise ServiceError("一份整改通知只能针对一个单位", "one order concerns one unit")
    for f in findings:
        if f.stage != Stage.DETECTED or f.status != FindingStatus.OPEN or f.outcome != Outcome.VIOLATION:
            raise ServiceError("发现 {id}（{c}）不是待处理的违规，不能责令改正",
                               "finding {id} ({c}) is not an open, unordered violation", id=f.pk, c=f.clause_id)
    if PenaltyCase.objects.filter(findings__in=findings).exists():
        # a case opened at once (order 799 art. 27 para. 1, art. 28) holds it: no order comes after
        raise ServiceError("这些发现已有处罚案件，不能再责令改正", "a penalty case already holds these findings: no order")


@_service("enforcement.order.issue")
def rectification_order_issue(*, actor, findings, deadline: dt.date | None = None, requirements: str = "",
                              inspection: Inspection | None = None) -> RectificationOrder:
    findings = list(Finding.objects.select_for_update().filter(pk__in=[f.pk for f in findings]).order_by("pk"))
    _orderable(findings)
    district = findings[0].district
    _require_officer(actor, district.code)
    if any(f.district_id != district.code for f in findings):
        raise ServiceError("发现不属于同一辖区", "the findings are in different districts")
    today = timezone.localdate()
    policy = deadline is None
    written = deadline or default_deadline(today)
    if written <= today:
        raise ServiceError("改正期限必须晚于送达之日", "the deadline must fall after the day of service",
                           clause="art_23__para_2")
    horizon = settings.JIFANG_ORDER_DEADLINE_MAX_DAYS
    if written > today + dt.timedelta(days=horizon):
        raise ServiceError("改正期限不能超过送达之日起{n}天", "the deadline cannot be more than {n} days after service",
                           n=horizon, clause="art_23__para_2")
    deadline = law.period_end(today, written)  # a rest day or holiday moves to the next working day
    order = RectificationOrder.objects.create(
        number=next_number(district=district, kind=DocumentKind.ORDER, year=today.year),
        district=district, unit_id=findings[0].unit_id, inspection=inspection, deadline=deadline,
        deadline_is_policy_default=policy, requirements=requirements, served_at=timezone.now(), created_by=actor,
    )
    OrderItem.objects.bulk_create(OrderItem(order=order, finding=f) for f in findings)
    _set_stage(actor, findings, Stage.ORDERED, note=order.number)
    # The engine reads the time limit to tell a recurrence from a violation never corrected.
    Finding.objects.filter(pk__in=[f.pk for f in findings]).update(correct_by=deadline)
    _seal_and_sign(actor, records.ORDER, order)
    moved = "" if deadline == written else f"期限 {written} 为休息日或法定节假日，依民法典第二百零三条顺延至 {deadline}"
    audit.record(actor=actor, action="enforcement.order.issue", obj=order, after=audit.snapshot(order), note=moved)
    _anchor()
    return order


def _seal_and_sign(actor, record_type: str, obj) -> str:
    digest = records.seal_hash(record_type, obj)
    obj.sealed_hash = digest
    obj.save(update_fields=["sealed_hash"])
    signing.sign(officer=actor, record_type=record_type, record_id=obj.pk, record_hash=digest)
    return digest


def _anchor() -> None:
    """A signed checkpoint of the audit chain at every signed document, after its audit row: the
    signing is then vouched for by the platform key too (core.checkpoints)."""
    audit.checkpoint(CheckpointReason.DOCUMENT)


@_service("enforcement.order.answer")
def rectification_order_answer(*, actor, order: RectificationOrder, response: str, files=()) -> RectificationOrder:
    """The unit says what it did, with evidence; the officer then reviews each finding."""
    order = _lock(RectificationOrder, order)
    _require_unit_user(actor, order.unit_id)
    if order.status == OrderStatus.CLOSED:
        raise ServiceError("该整改通知已办结", "this order is closed")
    if not response.strip():
        raise ServiceError("请写明整改情况", "describe what was done")
    before = audit.snapshot(order)
    for upload in files:
        content_type, size, digest = _checked_upload(upload, PHOTO_TYPES | {"application/pdf"})
        OrderEvidence.objects.create(order=order, file=upload, content_type=content_type, size=size, sha256=digest)
    order.response, order.responded_by, order.responded_at = response, actor, timezone.now()
    order.status = OrderStatus.ANSWERED
    order.save(update_fields=["response", "responded_by", "responded_at", "status"])
    audit.record(actor=actor, action="enforcement.order.answer", obj=order, before=before,
                 after=audit.snapshot(order))
    return order


@transaction.atomic
def order_evidence_open(*, actor, evidence: OrderEvidence) -> OrderEvidence:
    """Who opened which file of a unit's answer, written to the audit log before it is served (the
    caller has found the order through `visible`). The answer is the unit's evidence in a procedure
    that may end in a fine: who saw it is part of the file."""
    order = evidence.order
    audit.record(actor=actor, action="enforcement.orderevidence.download", obj=order, district=order.district_id,
                 note=f"{order.number}: {evidence.filename} sha256={evidence.sha256}")
    return evidence


@_service("enforcement.order.review")
def order_item_review(*, actor, item: OrderItem, rectified: bool, note: str = "") -> OrderItem:
    """The officer's decision per finding. A scan that no longer sees the violation is shown to
    the officer as evidence; only this act moves the finding to `rectified`."""
    item = OrderItem.objects.select_for_update().select_related("order").get(pk=item.pk)
    order = item.order
    _require_officer(actor, order.district_id)
    finding = Finding.objects.select_for_update().get(pk=item.finding_id)
    if finding.stage not in (Stage.ORDERED, Stage.OVERDUE):
        raise ServiceError("该发现已处理完毕（{stage}）", "this finding is already settled ({stage})",
                           stage=finding.get_stage_display())
    if not rectified and corrected_in_time(finding, order.deadline) and not note.strip():
        raise ServiceError("数据显示该违法行为已于 {d} 前不再出现（期限 {deadline}）；认定未整改须写明核查所见",
                           "the data stopped showing this violation by {d} (deadline {deadline}); to find it not "
                           "rectified, write what the check found", d=finding.unseen_since, deadline=order.deadline,
                           clause=finding.sanction.get("clause") or "art_23__para_2")
    before = audit.snapshot(item)
    item.outcome = ItemOutcome.RECTIFIED if rectified else ItemOutcome.NOT_RECTIFIED
    item.reviewed_by, item.reviewed_at, item.review_note = actor, timezone.now(), note
    item.save()
    if rectified:
        _set_stage(actor, [finding], Stage.RECTIFIED, note=order.number)
    elif order.deadline < timezone.localdate():
        _set_stage(actor, [finding], Stage.OVERDUE, note=order.number)
    if not order.items.exclude(outcome=ItemOutcome.RECTIFIED).exists():
        RectificationOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CLOSED)
    audit.record(actor=actor, action="enforcement.order.review", obj=order, before=before,
                 after=audit.snapshot(item))
    return item


def _not_future(as_of: dt.date) -> dt.date:
    today = timezone.localdate()
    if as_of > today:
        raise ServiceError("基准日 {d} 晚于今天（{t}）：期限是否届满只能按已经过去的日子判断",
                           "the as-of date {d} is after today ({t}): whether a deadline passed can only be "
                           "judged on days that have passed", d=as_of, t=today, clause="art_23__para_2")
    return as_of


@transaction.atomic
def overdue_sweep(*, actor, as_of: dt.date | None = None, district: str | None = None) -> int:
    """Findings still under an order whose deadline passed before `as_of` become overdue: one
    UPDATE for the whole city, one audit row per finding moved (appended in one lock).

    Not those the engine stopped seeing on or before the deadline (corrected_in_time): art_24 and
    art_25 punish only 逾期不改正, so they wait at stage ordered for the officer's review (the order
    page shows them as corrected per the data)."""
    as_of = _not_future(as_of or timezone.localdate())
    due = (OrderItem.objects.filter(order__deadline__lt=as_of).exclude(outcome=ItemOutcome.RECTIFIED)
           .exclude(finding__unseen_since__lte=F("order__deadline")))
    if district:
        due = due.filter(order__district_id=district)
    qs = Finding.objects.filter(stage=Stage.ORDERED, pk__in=due.values("finding_id"))
    ids = list(qs.select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    Finding.objects.filter(pk__in=ids).update(stage=Stage.OVERDUE)
    audit.record_many(actor=actor, action="regulation.finding.overdue",
                      objects=Finding.objects.filter(pk__in=ids).order_by("pk"), note=f"as of {as_of}")
    return len(ids)


# ---- penalty decisions (art_24, art_25; order 799 art. 26-30) ----------------------------------

def _to_yuan(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError("金额无效：{v}", "not an amount: {v}", v=value) from None
    if amount != amount.quantize(Decimal("0.01")) or amount <= 0:
        raise ServiceError("金额无效：{v}", "not an amount: {v}", v=value)
    return amount


def _ranges(sanction: dict, unit_kind: str) -> dict:
    """target -> (min, max) for this unit kind, from the sanction stored on the finding."""
    # The party of a case is a registered unit: an order 799 range for an individual (a person who
    # installed a camera on their own) is not its range.
    fines = [f for f in sanction.get("fines") or [] if f["target"] != "individual"]
    ranges = {}
    for f in fines:
        if f["unit_kind"] in (unit_kind, "any"):
            ranges[f["target"]] = (Decimal(str(f["min"])), Decimal(str(f["max"])))
    if "unit" in ranges or not any(f["target"] == "unit" for f in fines):
        return ranges
    if unit_kind == UnitKind.UNKNOWN:
        raise ServiceError("单位性质（经营性/非经营性）尚未确定，罚款幅度无法确定；请先核定单位性质",
                           "the unit's kind (business / non-business) is not established, so the fine range is "
                           "unknown; establish the kind first", clause=sanction.get("clause"))
    # The finding stored the range for the kind known when it was found; the kind changed since.
    raise ServiceError("该违规发现记录的罚款幅度不适用于单位现在的性质；请核实单位性质后重新认定",
                       "the range stored on the finding is for another unit kind than the unit's current one; "
                       "check the kind and raise the finding again", clause=sanction.get("clause"))


def _checked_amounts(sanction: dict, unit_kind: str, amounts: dict, persons: dict) -> list[tuple]:
    """[(target, person_name, amount)] inside the ranges, or a refusal naming the range."""
    ranges = _ranges(sanction, unit_kind)
    if set(amounts) != set(ranges):
        raise ServiceError("罚款对象应为：{targets}", "the fine targets must be: {targets}",
                           targets=", ".join(sorted(ranges)), clause=sanction.get("clause"))
    rows = []
    for target, (low, high) in ranges.items():
        amount = _to_yuan(amounts[target])
        if not low <= amount <= high:
            raise ServiceError("{target} 罚款 {amount} 元超出法定幅度 {low}–{high} 元（{label}）",
                               "fine of {amount} yuan for {target} is outside the range {low}-{high} yuan ({label})",
                               target=target, amount=amount, low=low, high=high, label=sanction.get("label_zh"),
                               clause=sanction.get("clause"))
        name = (persons.get(target) or "").strip()
        if target != "unit" and not name:
            raise ServiceError("请写明 {target} 的姓名", "name the {target}", target=target)
        rows.append((target, name, amount))
    return rows


def _finable(findings: list[Finding], order: RectificationOrder) -> dict:
    """The common sanction of the findings, or a refusal with the reason."""
    today = timezone.localdate()
    if order.deadline >= today:
        raise ServiceError("改正期限（{deadline}）尚未届满，不能处罚", "the correction deadline ({deadline}) has not passed",
                           deadline=order.deadline, clause="art_24__para_1")
    linked = set(order.items.values_list("finding_id", flat=True))
    # An officer's review that found it not rectified, with what the check found, outweighs the data.
    reviewed_not_rectified = set(order.items.filter(outcome=ItemOutcome.NOT_RECTIFIED)
                                 .values_list("finding_id", flat=True))
    for f in findings:
        if f.pk not in linked:
            raise ServiceError("发现 {id} 不在该整改通知中", "finding {id} is not under this order", id=f.pk)
        if not f.sanction or not f.sanction.get("fines"):
            raise ServiceError("{c} 没有设定罚款，不能处罚", "{c} carries no fine", c=f.clause_id,
                               clause=f.clause_id)
        if f.stage != Stage.OVERDUE:
            raise ServiceError("发现 {id} 处于“{stage}”阶段；只有逾期不改正的才能处罚",
                               "finding {id} is {stage}; only an overdue finding can be fined",
                               id=f.pk, stage=f.get_stage_display(), clause=f.sanction.get("clause"))
        if corrected_in_time(f, order.deadline) and f.pk not in reviewed_not_rectified:
            raise ServiceError("数据显示发现 {id} 的违法行为已于 {d} 前改正（期限 {deadline}），不属于逾期不改正，不能处罚；"
                               "如核查认定未整改，请先复核并写明核查所见",
                               "the data show finding {id} corrected by {d}, within the deadline {deadline}: not "
                               "逾期不改正, so no fine; if a check found it not rectified, review it first and "
                               "write what was found", id=f.pk, d=f.unseen_since, deadline=order.deadline,
                               clause=f.sanction.get("clause"))
    articles = {f.sanction["article"] for f in findings}
    if len(articles) != 1:
        raise ServiceError("一份处罚案件只适用一个罚则条款", "one case applies one penalty article")
    return findings[0].sanction


def fined_at_once(finding: Finding) -> bool:
    """The law fines together with the first measures, no order to correct first (order 799 art. 27
    para. 1, art. 28: 没收…删除…并处罚款; the sanction's `order_first: false`). `FINED_AT_ONCE` is the
    same condition in SQL."""
    sanction = finding.sanction or {}
    return bool(sanction.get("fines")) and sanction.get("order_first", True) is False


# `fined_at_once` as a filter on Finding (the queue of findings awaiting a fine at once): a sanction
# with at least one fine range and `order_first` false (absent means true, as above).
FINED_AT_ONCE = Q(sanction__order_first=False, sanction__fines__0__isnull=False)


def _one_path(findings: list[Finding]) -> bool:
    """Whether the findings are fined at once; a refusal when they mix both paths."""
    paths = {fined_at_once(f) for f in findings}
    if len(paths) > 1:
        raise ServiceError("一份处罚案件不能同时包含应当立即处罚的违法行为和须先责令改正、逾期不改才处罚的违法行为；请分别立案",
                           "one case cannot mix violations fined at once with violations fined only when an order to "
                           "correct was not complied with: open a case for each")
    return paths == {True}


def _finable_at_once(findings: list[Finding], inspection: Inspection) -> dict:
    """The common sanction of findings fined at once, or a refusal: each confirmed (or raised) at
    this inspection, which is signed (the evidence), still at stage detected (no order, no decision)."""
    if not _one_path(findings):
        f = next(f for f in findings if not fined_at_once(f))
        raise ServiceError("{c}：须先责令限期改正，逾期不改正的才能处罚；请先下达整改通知",
                           "{c}: a fine comes only when an order to correct was not complied with by its deadline; "
                           "issue a rectification order first", c=f.clause_label,
                           clause=(f.sanction or {}).get("clause") or "art_24__para_1")
    if not inspection.sealed_hash:
        raise ServiceError("检查记录 {n} 尚未签名：立即处罚须以经签名的检查记录确认的违法事实为据",
                           "inspection {n} is not signed: a fine at once rests on a violation confirmed at a signed "
                           "inspection", n=inspection.number, clause=findings[0].sanction.get("clause"))
    confirmed = set(inspection.finding_links.values_list("finding_id", flat=True))
    for f in findings:
        if f.pk not in confirmed:
            raise ServiceError("{c}（发现 {id}）未经检查记录 {n} 确认，不能处罚",
                               "{c} (finding {id}) was not confirmed at inspection {n}: no fine",
                               c=f.clause_label, id=f.pk, n=inspection.number, clause=f.sanction.get("clause"))
        if f.outcome != Outcome.VIOLATION or f.stage != Stage.DETECTED:
            raise ServiceError("发现 {id} 处于“{stage}”阶段，不能立即处罚", "finding {id} is {stage}: it cannot be fined at once",
                               id=f.pk, stage=f.get_stage_display(), clause=f.sanction.get("clause"))
    if len({f.sanction["article"] for f in findings}) != 1:
        raise ServiceError("一份处罚案件只适用一个罚则条款", "one case applies one penalty article")
    return findings[0].sanction


def _case_findings(findings) -> list[Finding]:
    findings = list(Finding.objects.select_for_update().filter(pk__in=[f.pk for f in findings]).order_by("pk"))
    if not findings:
        raise ServiceError("请选择至少一项违规发现", "choose at least one finding")
    if PenaltyCase.objects.filter(findings__in=findings).exists():
        raise ServiceError("这些发现已有处罚案件", "a penalty case already exists for these findings")
    return findings


@_service("enforcement.penalty.notice")
def penalty_notice_issue(*, actor, findings, amounts: dict, facts: str, persons: dict | None = None,
                         order: RectificationOrder | None = None, inspection: Inspection | None = None) -> PenaltyCase:
    """行政处罚告知: the intended penalty, before the unit's statement and defence. Under an `order`
    whose deadline passed (逾期不改正), or, where the law fines at once, on the findings a signed
    `inspection` confirmed (no order first)."""
    if (order is None) == (inspection is None):
        raise ServiceError("处罚案件须依据整改通知或检查记录之一立案", "a case rests on either an order or an inspection")
    source = _lock(RectificationOrder, order) if order else _lock(Inspection, inspection)
    _require_officer(actor, source.district_id)
    findings = _case_findings(findings)
    if order:
        _one_path(findings)
        sanction = _finable(findings, source)
    else:
        sanction = _finable_at_once(findings, source)
    unit = source.unit
    rows = _checked_amounts(sanction, unit.kind, amounts, persons or {})
    if not facts.strip():
        raise ServiceError("请写明违法事实", "state the facts")
    case = PenaltyCase.objects.create(
        number=next_number(district=source.district, kind=DocumentKind.NOTICE, year=timezone.localdate().year),
        **copies.values(PenaltyCase, source), order=source if order else None,
        inspection=None if order else source,
        article=sanction["article"], unit_kind=unit.kind, facts=facts, notice_served_at=timezone.now(),
        created_by=actor,
    )
    case.findings.set(findings)
    PenaltyAmount.objects.bulk_create(PenaltyAmount(case=case, stage=AmountStage.NOTICE, target=t, person_name=n,
                                                    amount=a) for t, n, a in rows)
    _seal_and_sign(actor, records.NOTICE, case)
    audit.record(actor=actor, action="enforcement.penalty.notice", obj=case, after=records.notice_content(case))
    _anchor()
    return case


@_service("enforcement.penalty.statement")
def penalty_statement_record(*, actor, case: PenaltyCase, statement: str = "", waived: bool = False) -> PenaltyCase:
    """陈述申辩: written by the unit itself, or recorded by the officer who heard it."""
    case = _lock(PenaltyCase, case)
    if actor.role == Role.UNIT_USER:
        _require_unit_user(actor, case.unit_id)
    else:
        _require_officer(actor, case.district_id)
    if case.status != CaseStatus.NOTIFIED:
        raise ServiceError("陈述申辩已记录", "the statement and defence are already recorded")
    if not waived and not statement.strip():
        raise ServiceError("请填写陈述申辩内容，或注明放弃", "write the statement, or record that it is waived")
    before = audit.snapshot(case)
    case.statement, case.statement_waived = statement, waived
    case.statement_by, case.statement_at, case.status = actor, timezone.now(), CaseStatus.STATEMENT
    case.save()
    audit.record(actor=actor, action="enforcement.penalty.statement", obj=case, before=before,
                 after=audit.snapshot(case))
    return case


@_service("enforcement.penalty.decide")
def penalty_decide(*, actor, case: PenaltyCase, amounts: dict, persons: dict | None = None,
                   facts: str | None = None) -> PenaltyDecision:
    """行政处罚决定: a new sealed record; the notice it follows keeps its own facts and seal. The
    findings must still be overdue (not rectified since), the amounts inside the range stored on the
    finding, and no heavier than the notice: a defence may not make it worse."""
    case = _lock(PenaltyCase, case)
    _require_officer(actor, case.district_id)
    if case.status != CaseStatus.STATEMENT:
        raise ServiceError("须先告知并听取当事人陈述申辩，方可作出决定",
                           "the unit's statement and defence must be recorded before the decision")
    findings = list(case.findings.select_for_update().order_by("pk"))
    sanction = _finable(findings, case.order) if case.order_id else _finable_at_once(findings, case.inspection)
    rows = _checked_amounts(sanction, case.unit.kind, amounts, persons or {})
    noticed = dict(case.amounts.filter(stage=AmountStage.NOTICE).values_list("target", "amount"))
    for target, _name, amount in rows:
        if amount > noticed.get(target, Decimal(0)):
            raise ServiceError("决定金额不得高于告知金额（{target}）",
                               "the decided amount may not exceed the notified one ({target})", target=target)
    before = audit.snapshot(case)
    now = timezone.now()
    decision = PenaltyDecision.objects.create(
        case=case, number=next_number(district=case.district, kind=DocumentKind.DECISION,
                                      year=timezone.localdate().year),
        district_id=case.district_id, unit_id=case.unit_id, created_by=actor, facts=(facts or "").strip() or case.facts,
        statement=case.statement, statement_waived=case.statement_waived, decided_at=now, served_at=now,
    )
    case.status = CaseStatus.DECIDED
    case.save(update_fields=["status"])
    PenaltyAmount.objects.bulk_create(PenaltyAmount(case=case, stage=AmountStage.DECISION, target=t, person_name=n,
                                                    amount=a) for t, n, a in rows)
    _set_stage(actor, findings, Stage.DECIDED, note=decision.number)
    _seal_and_sign(actor, records.DECISION, decision)
    audit.record(actor=actor, action="enforcement.penalty.status", obj=case, before=before,
                 after=audit.snapshot(case))
    audit.record(actor=actor, action="enforcement.penalty.decide", obj=decision, after=records.decision_content(decision),
                 district=case.district_id)
    _anchor()
    return decision
