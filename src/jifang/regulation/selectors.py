"""Reads beyond plain `visible()`: the explanation of a finding, the law page's counts, JSON shapes."""
import contextlib
import datetime as dt

from django.db.models import Count, DateField, Q
from django.utils.translation import gettext_lazy as _

from jifang.core.scoping import visible
from jifang.core.templatetags.jifang import field_at, shown
from jifang.registry.models import Unit

from . import labels, packs, subjects
from .engine import Area
from .loader import PackError
from .models import Finding, FindingStatus, Outcome, ScanRun, Stage


def finding_area_q(area: Area) -> Q:
    """The findings stored under a run's area."""
    if area.site_id is not None:
        return Q(site_id=area.site_id)
    if area.site_ids:
        return Q(site_id__in=area.site_ids)
    return Q(district_id=area.district) if area.district else Q()


def evaluated_q(evaluated: list) -> Q:
    """The findings of the (pack id, rule id) pairs a run evaluated."""
    q = Q(pk__in=[])
    for pack_id, rule_id in evaluated:
        q |= Q(pack_id=pack_id, rule_id=rule_id)
    return q


def seen_by(run: ScanRun):
    """The open findings `run` saw (new or seen again), read right after it: those of the rules it
    evaluated, in its area, not marked unseen, with last_seen annotated."""
    area = Area.of_run(run)
    return (Finding.objects.with_last_seen()
            .filter(evaluated_q(run.counts.get("evaluated", [])), finding_area_q(area), status=FindingStatus.OPEN,
                    unseen_since__isnull=True, seen_from_run_id__lte=run.pk))


def finding_json(f: Finding) -> dict:
    """The stable JSON shape of a finding (docs/findings-json.md): CLI and API both use it."""
    sanction = f.sanction or {}
    return {
        "id": f.pk,
        "pack": {"id": f.pack_id, "version": f.pack_version, "checksum": f.pack_checksum},
        "rule": f.rule_id,
        "clause": f.clause_id,
        "clauses": f.clauses,
        "subject": {"type": f.subject_type, "id": f.subject_id, "key": f.subject_key},
        "district": f.district_id,
        "unit_id": f.unit_id,
        "site_id": f.site_id,
        "firm_id": f.firm_id,
        "outcome": f.outcome,
        "facts": f.facts,
        "sanction": {
            "article": sanction.get("article"),
            "label_zh": sanction.get("label_zh"),
            "first_measure": sanction.get("first_measure"),
            "fines": sanction.get("fines", []),
        },
        "explanation": {"zh": f.explanation_zh, "en": f.explanation_en},
        "status": f.status,
        "stage": f.stage,
        "first_seen": f.first_seen.isoformat(),
        "last_seen": f.last_seen.isoformat(),
        "resolved_on": f.resolved_on.isoformat() if f.resolved_on else None,
        "unseen_since": f.unseen_since.isoformat() if f.unseen_since else None,
    }


# Facts the engine adds to every finding, beside the rule's own (which are the subject's fields).
ENGINE_FACTS = {
    "unit_kind": _("unit kind"),
    "unit_kind_gap": _("the fine range depends on a unit kind the registry does not know"),
    "unknown": _("facts missing"),
    "raised_by": _("raised by"),
    "inspection": _("inspection"),  # enforcement.services: the record a hand-raised finding came from
}


def _fact_value(field, value):
    """A fact's value as the registry's pages show it: choices by label, dates (stored as ISO text)
    as officials write them, the rest as `shown` does."""
    if field is not None and field.choices and value not in (None, ""):
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, DateField) and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = dt.date.fromisoformat(value)
    return shown(value)


def fact_rows(f: Finding) -> list[dict]:
    """The facts of a finding for people: each with its field's label (the key stays beside it)."""
    subject = subjects.get(f.subject_type)
    model = subject.model if subject else None
    rows = []
    for key, value in f.facts.items():
        if key == "parameters":
            continue
        field = field_at(model, key) if model is not None and key not in ENGINE_FACTS else None
        if key == "unit_kind":
            field = Unit._meta.get_field("kind")
        if key == "unknown" and model is not None:
            value = "、".join(str(getattr(field_at(model, k), "verbose_name", k)) for k in value)
        label = ENGINE_FACTS.get(key) or (field.verbose_name if field is not None else key)
        rows.append({"key": key, "label": label, "value": _fact_value(field, value)})
    return rows


def explain(f: Finding) -> dict:
    """What an officer needs to act on a finding: the full clause text, the facts, the parameters
    with the clause each comes from, and the penalty path (order first; fines only if overdue)."""
    try:
        pack = packs.get_pack(f.pack_id)
    except PackError:
        pack = None
    clauses = []
    for c in f.clauses:
        clause = pack.clauses.get(c["id"]) if pack else None
        clauses.append({"id": c["id"], "label": labels.clause_label(c["id"], c["label"], f.pack_id),
                        "text": clause.text_zh if clause else c["text"]})
    parameters = []
    for name, p in (f.facts.get("parameters") or {}).items():
        entry = pack.params.get(name, [{}])[0] if pack else {}
        parameters.append({"name": name, "label": labels.param_label(entry, name), "value": p["value"],
                           "unit": p.get("unit", ""), "clause": p["clause"],
                           "clause_label": labels.clause_label(p["clause"], pack_id=f.pack_id)})
    facts = {k: v for k, v in f.facts.items() if k != "parameters"}
    sanction = f.sanction or {}
    penalty_text = ""
    if pack and sanction.get("clause") in pack.clauses:
        penalty_text = pack.clause(sanction["clause"]).text_zh
    return {
        "finding": finding_json(f),
        "clauses": clauses,
        "facts": facts,
        "fact_rows": fact_rows(f),
        "parameters": parameters,
        "sanction": sanction,
        "penalty_text": penalty_text,
        "pack_changed": bool(pack and pack.checksum != f.pack_checksum),
        "unit_kind_gap": bool(f.facts.get("unit_kind_gap")),
    }


def open_counts_by_clause(user, pack_id: str) -> dict[str, int]:
    """Open violations of one pack the user may see, per clause, in one aggregate query: counted as
    the home page counts them (undetermined findings are facts missing, not violations)."""
    rows = (visible(user, Finding).filter(status=FindingStatus.OPEN, outcome=Outcome.VIOLATION, pack_id=pack_id)
            .order_by().values("clause_id").annotate(n=Count("id")))
    return {r["clause_id"]: r["n"] for r in rows}


def pack_clause_label(clause_id: str) -> str | None:
    """第十九条 / Art. 19 for a clause id of any loaded pack, None if none has it (core.actions shows a
    service's refusal with this label)."""
    if not any(clause_id in pack.clauses for pack in packs.all_packs()):
        return None
    return labels.clause_label(clause_id)


def home_figures(user) -> dict | None:
    """The home page's findings panel: open findings the user may see, by outcome and stage, the
    clauses most often violated, and the latest scan over the user's area (three aggregate queries).
    None for a user who can see no finding at all (no role)."""
    if not getattr(user, "role", None):
        return None
    qs = visible(user, Finding).filter(status=FindingStatus.OPEN)
    figures = qs.aggregate(
        violations=Count("id", filter=Q(outcome=Outcome.VIOLATION)),
        undetermined=Count("id", filter=Q(outcome=Outcome.UNDETERMINED)),
        advice=Count("id", filter=Q(outcome=Outcome.ADVICE)),
        ordered=Count("id", filter=Q(stage=Stage.ORDERED)),
        overdue=Count("id", filter=Q(stage=Stage.OVERDUE)),
    )
    top = (qs.filter(outcome=Outcome.VIOLATION).order_by().values("pack_id", "clause_id").annotate(n=Count("id"))
           .order_by("-n", "pack_id", "clause_id")[:5])
    several = len(packs.all_packs()) > 1
    figures["top_clauses"] = [{"id": r["clause_id"], "pack": r["pack_id"], "n": r["n"],
                               "label": labels.clause_label(r["clause_id"], pack_id=r["pack_id"])
                               + (f" · {labels.pack_short(r['pack_id'])}" if several else "")}
                              for r in top]
    areas = [""] + ([f"district:{user.division_id}"] if user.division_id else [])
    figures["last_run"] = ScanRun.objects.filter(area__in=areas, finished_at__isnull=False).order_by("-id").first()
    return figures


SITE_FINDINGS_LIMIT = 200


def findings_at_site(user, site_id: int) -> dict:
    """The open findings at one site the user may see, grouped by what they are about: a fact that
    breaks both laws (a camera in a hotel guest room) shows its findings side by side, the higher
    law's first and marked as prevailing, each with its own sanction path. One query."""
    rows = list(visible(user, Finding).filter(site_id=site_id, status=FindingStatus.OPEN)
                .order_by("subject_type", "subject_key", "pk")[: SITE_FINDINGS_LIMIT + 1])
    ranks = {p.id: p.rank for p in packs.all_packs()}
    groups: dict[tuple, list] = {}
    for f in rows[:SITE_FINDINGS_LIMIT]:
        groups.setdefault((f.subject_type, f.subject_key), []).append(f)
    out = []
    for findings in groups.values():
        findings.sort(key=lambda f: (ranks.get(f.pack_id, 99), f.pack_id, f.clause_id))
        top = ranks.get(findings[0].pack_id, 99)
        several = len({f.pack_id for f in findings}) > 1
        out.append({"subject": findings[0].subject_label, "both_laws": several,
                    "findings": [{"finding": f, "higher": several and ranks.get(f.pack_id, 99) == top,
                                  "pack": labels.pack_short(f.pack_id)} for f in findings]})
    out.sort(key=lambda g: (not g["both_laws"], g["subject"]))
    return {"groups": out, "more": len(rows) > SITE_FINDINGS_LIMIT}
