"""The four official documents, built from the sealed records on demand (never stored), so the
bytes follow the record: same record, same PDF. Clause texts come from the finding (copied from the
pack when it was found) and, for the penalty article, from the pack the finding names.

A record that fails verification (unsigned, changed since it was signed, a signature not by the
key the platform enrolled) gives no document: `NotVerified` is raised instead, since a PDF built
from altered rows would read as the official document it no longer is."""
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from jifang.core.divisions import CITY_CODE
from jifang.core.pdf import render_pdf
from jifang.regulation.labels import measure_label
from jifang.regulation.periods import provisional_note

from . import law, records
from .models import AmountStage, FineTarget, Inspection, ItemResult, PenaltyCase, PenaltyDecision, RectificationOrder
from .money import yuan_figures, yuan_words

TARGET_ZH = {FineTarget.UNIT: "单位", FineTarget.PERSON_IN_CHARGE: "主管责任人",
             FineTarget.PERSON_DIRECTLY_RESPONSIBLE: "直接责任人"}
RESULT_ZH = {"not_checked": "未检查", "compliant": "符合", "violation": "违反", "not_applicable": "不适用"}
KIND_ZH = {"planned": "计划检查", "ad_hoc": "临时检查"}
UNIT_KIND_ZH = {"business": "经营性单位", "non_business": "非经营性单位", "unknown": "未核定"}


@dataclass
class Document:
    filename: str
    content: bytes


class NotVerified(Exception):
    """The record fails verification: no document is made from it."""

    def __init__(self, number: str, problems: list[tuple[str, str]]):
        self.number, self.problems = number, problems
        reasons = problems or [("尚未签名", "not signed yet")]
        self.zh = f"{number} 未通过校验，不出具文书：" + "；".join(zh for zh, _en in reasons)
        self.en = f"{number} fails verification, no document is produced: " + "; ".join(en for _zh, en in reasons)
        super().__init__(self.en)


def bureau_name(division) -> str:
    """The issuing bureau as printed: 昆明市公安局 / 昆明市公安局五华分局 / 安宁市公安局."""
    if division.code == CITY_CODE:
        return "昆明市公安局"
    if division.name.endswith("区"):
        return f"昆明市公安局{division.name[:-1]}分局"
    return f"{division.name}公安局"


def _day(value) -> str:
    value = timezone.localtime(value) if hasattr(value, "tzinfo") else value
    return f"{value.year}年{value.month}月{value.day}日"


def _minute(value) -> str:
    value = timezone.localtime(value)
    return f"{_day(value)}{value.hour:02d}时{value.minute:02d}分"


def _clause_text(pack_id: str, stored: dict) -> dict:
    """The full text from the finding's pack (a finding may store only an excerpt); the stored
    copy when the pack no longer has the clause."""
    try:
        c = law.clause(pack_id, stored.get("id", ""))
    except Exception:  # PackError or an unloaded pack: print what the finding recorded
        return {"label": stored.get("label") or stored.get("id"), "text": stored.get("text", "")}
    return {"label": c.label_zh, "text": c.text_zh}


def _measures(finding) -> list[str]:
    """The non-monetary measures of the case's penalty clause (order 799: confiscation of the
    equipment, deletion of the footage, a warning, referral to the licensing authority), in Chinese.
    A penalty decision comes after the order was refused, or (order 799 art. 27 para. 1, art. 28) at
    once with the first measures, which are then all the clause has: every measure of it applies."""
    with translation.override("zh-hans"):
        return [measure_label(m["measure"]) for m in (finding.sanction or {}).get("measures", ())]


def _finding(f) -> dict:
    clauses = [_clause_text(f.pack_id, c) for c in f.clauses] or [_clause_text(f.pack_id, {"id": f.clause_id})]
    sanction = f.sanction or {}
    if sanction and not sanction.get("order_first", True):   # order 799 art. 27 para. 1, art. 28: no order first
        penalty = f"依照{sanction['label_zh']}，{sanction['first_measure']}"
    else:
        penalty = f"{sanction['first_measure']}；逾期不改正的，依照{sanction['label_zh']}处罚" if sanction else ""
    return {"explanation": f.explanation_zh, "clauses": clauses, "penalty": penalty}


def _penalty_clause(finding) -> dict:
    clause_id = finding.sanction.get("clause") or f"{finding.sanction['article']}__para_1"
    c = law.clause(finding.pack_id, clause_id)
    return {"label": c.label_zh, "text": c.text_zh}


def _law_title(pack_id: str) -> str:
    from jifang.regulation.packs import get_pack

    return get_pack(pack_id).meta["title_zh"]


def _verified(record_type: str, obj):
    check = records.verification(record_type, obj)
    if not check.ok:
        raise NotVerified(obj.number, check.problems)
    return check


def _common(check, obj) -> dict:
    return {"number": obj.number, "bureau": bureau_name(obj.district), "verify_code": obj.verify_code,
            "record_hash": check.record_hash, "verify_path": verify_url(obj.verify_code)}


def verify_url(code: str) -> str:
    """The verification address in full, as a reader types it: JIFANG_PUBLIC_BASE_URL + the path."""
    return settings.JIFANG_PUBLIC_BASE_URL.rstrip("/") + reverse("enforcement:verify", args=[code])


def _pdf(template: str, context: dict, *, title: str, number: str, created) -> Document:
    content = render_pdf(f"enforcement/documents/{template}", context, title=f"{title} {number}",
                         identifier=f"{context['record_hash']}:{number}", created=created)
    return Document(filename=f"{title}-{number}.pdf", content=content)


def inspection_pdf(insp: Inspection) -> Document:
    check = _verified(records.INSPECTION, insp)
    links = list(insp.finding_links.select_related("finding").order_by("finding_id"))
    sigs = check.signatures
    items = list(insp.items.all())
    ctx = {
        **_common(check, insp),
        "unit": insp.unit, "site": insp.site, "inspected_on": _day(insp.inspected_on), "kind": KIND_ZH[insp.kind],
        "inspectors": [{"name": o.full_name or o.username, "badge": o.badge_number}
                       for o in insp.inspectors.order_by("id")],
        "amends": insp.amends.number if insp.amends_id else "", "observations": insp.observations,
        "result": insp.result, "law_title": _law_title(law.DEFAULT_PACK),
        # What was checked, not a page of 未检查: unchecked items are counted in one line.
        "items": [{"label_zh": i.label_zh, "result": RESULT_ZH[i.result], "note": i.note} for i in items
                  if i.result != ItemResult.NOT_CHECKED],
        "unchecked": sum(i.result == ItemResult.NOT_CHECKED for i in items),
        "findings": [{**_finding(link.finding), "source": link.get_source_display()} for link in links],
        "signatures": [{"name": s.signature.signer.full_name or s.signature.signer.username,
                        "at": _minute(s.signature.signed_at), "fingerprint": s.signature.key_fingerprint,
                        "code": s.signature.code} for s in sigs],
    }
    return _pdf("inspection.html", ctx, title="监督检查记录", number=insp.number, created=insp.created_at)


def _order_findings(order: RectificationOrder) -> list:
    return [i.finding for i in order.items.select_related("finding").order_by("finding_id")]


def order_pdf(order: RectificationOrder) -> Document:
    check = _verified(records.ORDER, order)
    findings = _order_findings(order)
    penalties = {f.sanction["article"]: _penalty_clause(f) for f in findings if f.sanction}
    ctx = {
        **_common(check, order),
        "unit": order.unit, "inspection": order.inspection.number if order.inspection_id else "",
        "findings": [_finding(f) for f in findings], "requirements": order.requirements,
        "deadline": _day(order.deadline), "deadline_note": provisional_note(order.deadline),
        "policy_default": order.deadline_is_policy_default,
        "penalties": [penalties[k] for k in sorted(penalties)], "issued_on": _day(order.served_at),
        "served_at": _minute(order.served_at), "law_title": _law_title(findings[0].pack_id),
    }
    return _pdf("order.html", ctx, title="责令限期改正通知书", number=order.number, created=order.served_at)


def _amount_rows(case: PenaltyCase, stage: str) -> list:
    rows = []
    for a in case.amounts.filter(stage=stage).order_by("id"):
        name = case.unit.name if a.target == FineTarget.UNIT else a.person_name
        rows.append({"target": TARGET_ZH[a.target], "name": name, "amount": a.amount,
                     "words": yuan_words(a.amount), "figures": yuan_figures(a.amount)})
    return rows


def _case_ground(case: PenaltyCase) -> dict:
    """What the case rests on: the order the unit did not comply with, or (fined at once) the signed
    inspection that confirmed the violation."""
    if case.order_id:
        order = case.order
        return {"order_number": order.number, "order_served_on": _day(order.served_at), "deadline": _day(order.deadline),
                "inspection": order.inspection.number if order.inspection_id else ""}
    insp = case.inspection
    return {"at_once": True, "inspection": insp.number, "inspected_on": _day(insp.inspected_on)}


def _case_common(case: PenaltyCase) -> dict:
    findings = list(case.findings.order_by("id"))
    return {
        "unit": case.unit, "findings": [_finding(f) for f in findings], "facts": case.facts,
        "penalty": _penalty_clause(findings[0]), "measures": _measures(findings[0]), **_case_ground(case),
        "law_title": _law_title(findings[0].pack_id),
    }


def notice_pdf(case: PenaltyCase) -> Document:
    ctx = {**_common(_verified(records.NOTICE, case), case), **_case_common(case),
           "amounts": _amount_rows(case, AmountStage.NOTICE), "issued_on": _day(case.notice_served_at)}
    return _pdf("notice.html", ctx, title="行政处罚告知书", number=case.number, created=case.notice_served_at)


def decision_pdf(decision: PenaltyDecision) -> Document:
    check = _verified(records.DECISION, decision)
    case = decision.case
    amounts = _amount_rows(case, AmountStage.DECISION)
    total = sum((a["amount"] for a in amounts), Decimal(0))
    ctx = {
        **_common(check, decision), **_case_common(case), "facts": decision.facts,
        "amounts": amounts, "persons": [a for a in amounts if a["target"] != "单位"],
        "unit_kind": UNIT_KIND_ZH.get(case.unit_kind, case.unit_kind),
        "notice_number": case.number,
        "notice_served_on": _day(case.notice_served_at), "statement": decision.statement,
        "statement_waived": decision.statement_waived, "total_words": yuan_words(total),
        "total_figures": yuan_figures(total), "decided_on": _day(decision.decided_at),
        "served_at": _minute(decision.served_at),
    }
    return _pdf("decision.html", ctx, title="行政处罚决定书", number=decision.number, created=decision.decided_at)
