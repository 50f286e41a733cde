"""What enforcement needs from the rule engine, through its published API only (docs/architecture.md):
the clauses and their text, the sanction path, and raising a finding by hand."""
from jifang.regulation.packs import get_pack

DEFAULT_PACK = "cn-530100-order-2012-116"

# Duties no registry data can show; an inspector sees them on site and raises the finding by hand.
HAND_CHECK_CLAUSES = (
    "art_21__para_1__point_1", "art_21__para_1__point_2", "art_21__para_1__point_3", "art_21__para_1__point_6",
    "art_22__para_1__point_3", "art_22__para_1__point_4", "art_22__para_1__point_5",
)


def checklist_clauses(pack_id: str = DEFAULT_PACK) -> list:
    """Every clause whose breach carries a penalty path (art_24 / art_25), in the pack's order:
    these are what an inspection of a site checks."""
    return [c for c in get_pack(pack_id).clauses.values() if c.penalty_article]


def clause(pack_id: str, clause_id: str):
    return get_pack(pack_id).clause(clause_id)


def raise_finding(*, actor, pack_id: str, clause_id: str, site, facts: dict, explanation_zh: str, explanation_en: str):
    from jifang.regulation.services import finding_raise

    return finding_raise(actor=actor, pack_id=pack_id, clause_id=clause_id, subject=site, facts=facts,
                         explanation_zh=explanation_zh, explanation_en=explanation_en)


def period_end(as_of, last_day, pack_id: str = DEFAULT_PACK):
    """The real last day of a time limit whose written last day is `last_day`: moved past rest days
    and holidays by the pack's period_end_rule (民法典 第二百零三条)."""
    from jifang.regulation.periods import pack_period_end

    return pack_period_end(get_pack(pack_id), as_of, last_day)
