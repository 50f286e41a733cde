"""What enforcement needs from the rule engine, through its published API only (docs/architecture.md):
the clauses and their text, the sanction path, and raising a finding by hand."""
from jifang.registry.models import SystemStatus
from jifang.regulation.packs import get_pack

DEFAULT_PACK = "cn-530100-order-2012-116"

# Duties no registry data can show; an inspector sees them on site and raises the finding by hand.
HAND_CHECK_CLAUSES = (
    "art_21__para_1__point_1", "art_21__para_1__point_2", "art_21__para_1__point_3", "art_21__para_1__point_6",
    "art_22__para_1__point_1", "art_22__para_1__point_3", "art_22__para_1__point_4", "art_22__para_1__point_5",
)


def checklist_clauses(pack_id: str = DEFAULT_PACK, site=None) -> list:
    """The clauses an inspection of `site` checks, in the pack's order: those whose breach carries a
    penalty path (art_24 / art_25) and that can apply to this site. Of art_6 only the point of the
    site's category; art_7 and art_19 (recordings) only where a system has audio-video; the duties
    of art_14 para 2, 21 and 22 only where the site has a system. Without a site: all of them."""
    clauses = [c for c in get_pack(pack_id).clauses.values() if c.penalty_article]
    if site is None:
        return clauses
    systems = site.systems.exclude(status=SystemStatus.RETIRED)
    facts = {"point": site.art6_point, "systems": systems.exists(),
             "audio_video": systems.filter(has_audio_video=True).exists()}
    return [c for c in clauses if _applies(c.id, facts)]


def _applies(clause_id: str, facts: dict) -> bool:
    if clause_id.startswith("art_6__"):
        return facts["point"] is not None and clause_id.endswith(f"__point_{facts['point']}")
    if clause_id in ("art_7__para_1", "art_19__para_1"):
        return facts["audio_video"]
    return facts["systems"]


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
