"""The canonical content of each sealed record: what its hash (and so every signature) covers.

Built from the rows, never from a cached copy, so that `verification` detects a direct edit of any
covered column. Later events (a unit's answer, a review) are separate audited acts, not part of the
sealed document."""
import datetime as dt

from jifang.regulation.models import Finding

from . import signing
from .models import AmountStage, Inspection, PenaltyCase, PenaltyDecision, RectificationOrder

INSPECTION = "enforcement.inspection"
ORDER = "enforcement.rectificationorder"
NOTICE = "enforcement.penaltycase"
DECISION = "enforcement.penaltydecision"


def _utc(value):
    """A moment as it reads back from any database: UTC, microseconds. An in-memory value in
    local time would otherwise hash differently from the same moment loaded later."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds") if value else None


def _finding(f: Finding) -> dict:
    return {"id": f.pk, "clause_id": f.clause_id, "subject": f.subject_key, "explanation_zh": f.explanation_zh}


def inspection_content(insp: Inspection) -> dict:
    return {
        "type": INSPECTION, "number": insp.number, "district": insp.district_id, "unit": insp.unit_id,
        "site": insp.site_id, "kind": insp.kind, "inspected_on": insp.inspected_on,
        "inspectors": sorted(insp.inspectors.values_list("id", flat=True)),
        "observations": insp.observations, "result": insp.result, "amends": insp.amends_id,
        "items": list(insp.items.order_by("clause_id").values_list("clause_id", "result", "note")),
        "photos": list(insp.photos.order_by("id").values_list("sha256", "caption")),
        "findings": [
            [link.source, _finding(link.finding)]
            for link in insp.finding_links.select_related("finding").order_by("finding_id")
        ],
    }


def order_content(order: RectificationOrder) -> dict:
    return {
        "type": ORDER, "number": order.number, "district": order.district_id, "unit": order.unit_id,
        "inspection": order.inspection_id, "deadline": order.deadline,
        "policy_default": order.deadline_is_policy_default, "requirements": order.requirements,
        "served_at": _utc(order.served_at),
        "findings": [_finding(i.finding) for i in order.items.select_related("finding").order_by("finding_id")],
    }


def _amounts(case: PenaltyCase, stage: str) -> list:
    return [[a.target, a.person_name, a.amount] for a in case.amounts.filter(stage=stage).order_by("target")]


def notice_content(case: PenaltyCase) -> dict:
    content = {
        "type": NOTICE, "number": case.number, "district": case.district_id, "unit": case.unit_id,
        "order": case.order_id, "article": case.article, "unit_kind": case.unit_kind, "facts": case.facts,
        "findings": sorted(case.findings.values_list("id", flat=True)),
        "amounts": _amounts(case, AmountStage.NOTICE), "served_at": _utc(case.notice_served_at),
    }
    if case.inspection_id:  # only a case opened at once has it: notices served before it existed still verify
        content["inspection"] = case.inspection_id
    return content


def decision_content(decision: PenaltyDecision) -> dict:
    # the same keys as when the decision lived on the case, so decisions carried over still verify
    return {
        "type": DECISION, "number": decision.number, "notice": decision.case.number, "facts": decision.facts,
        "statement": decision.statement, "statement_waived": decision.statement_waived,
        "amounts": _amounts(decision.case, AmountStage.DECISION), "decided_at": _utc(decision.decided_at),
        "decided_by": decision.created_by_id,
    }


SEALED = {
    INSPECTION: (inspection_content, "sealed_hash"),
    ORDER: (order_content, "sealed_hash"),
    NOTICE: (notice_content, "sealed_hash"),
    DECISION: (decision_content, "sealed_hash"),
}


def seal_hash(record_type: str, obj) -> str:
    return signing.content_hash(SEALED[record_type][0](obj))


def verification(record_type: str, obj) -> signing.Verification:
    content, hash_field = SEALED[record_type]
    return signing.verify(record_type=record_type, record_id=obj.pk, content=content(obj),
                          sealed_hash=getattr(obj, hash_field))
