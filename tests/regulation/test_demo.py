"""The demo city: a scan finds exactly what `jifang seed` planted, clause by clause, and nothing else."""
import datetime as dt
from collections import defaultdict

import pytest

from jifang.core.demo import seed_city
from jifang.regulation import services
from jifang.regulation.selectors import seen_by
from jifang.regulation.packs import get_pack

from .conftest import KUNMING, NATIONAL

TODAY = dt.date(2026, 11, 1)


@pytest.fixture
def city(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return seed_city(scale=200, seed=11, today=TODAY)


def _qualified(pack_id: str, clause_id: str) -> str:
    """The manifest's key: Kunming clauses plain, order 799 ones `cn-order-2025-799#art_...`."""
    return clause_id if pack_id == KUNMING else f"{pack_id}#{clause_id}"


def _found(run, outcome_wanted: str | None = None) -> tuple[dict, dict]:
    """Violations and undetermined findings of the run, by clause; with `outcome_wanted`, only that
    outcome (advice is its own outcome: never counted as a violation or a missing fact)."""
    found, unknown = defaultdict(set), defaultdict(set)
    rows = seen_by(run).values_list("pack_id", "clause_id", "subject_key", "outcome")
    for pack_id, clause_id, key, outcome in rows:
        clause = _qualified(pack_id, clause_id)
        if outcome_wanted is not None:
            if outcome == outcome_wanted:
                found[clause].add(key)
        elif outcome != "advice":
            (found if outcome == "violation" else unknown)[clause].add(key)
    return dict(found), dict(unknown)


@pytest.mark.clause("art_6__para_1__point_8")
@pytest.mark.clause("art_7__para_1")
@pytest.mark.clause("art_13__para_1")
@pytest.mark.clause("art_14__para_2")
@pytest.mark.clause("art_15__para_2")
@pytest.mark.clause("art_19__para_1")
def test_scan_of_the_demo_city_finds_exactly_what_was_planted(city):
    run = services.scan(actor=None, as_of=TODAY)
    found, unknown = _found(run)
    ruled = {_qualified(p, c) for p in (KUNMING, NATIONAL) for r in get_pack(p).rules for c in r.clauses}
    planted = {c: keys for c, keys in city.manifest.planted.items() if keys and c in ruled}
    planted_unknown = {c: keys for c, keys in city.manifest.planted_undetermined.items() if keys and c in ruled}
    for clause_id in sorted(set(planted) | set(found)):
        assert found.get(clause_id, set()) == planted.get(clause_id, set()), clause_id
    for clause_id in sorted(set(planted_unknown) | set(unknown)):
        assert unknown.get(clause_id, set()) == planted_unknown.get(clause_id, set()), clause_id
    # every registry rule has something planted to find, even in a small city
    for clause_id in ("art_7__para_1", "art_13__para_1", "art_14__para_2", "art_15__para_2", "art_19__para_1"):
        assert found.get(clause_id), clause_id
    assert any(c.startswith("art_6__") for c in found)
    # both laws at once: the overlaps and what only order 799 finds
    for clause_id in ("art_8__para_1__point_1", "art_10__para_1", "art_13__para_1", "art_17__para_1"):
        assert found.get(f"{NATIONAL}#{clause_id}"), clause_id
    assert found["art_7__para_1"] & found[f"{NATIONAL}#art_8__para_1__point_1"]      # a hotel room: both
    assert found[f"{NATIONAL}#art_8__para_1__point_1"] - found["art_7__para_1"]      # a 民宿 room: national only
    assert found["art_19__para_1"] - found[f"{NATIONAL}#art_17__para_1"]             # art. 9: Kunming only


def test_every_finding_of_the_demo_city_carries_its_clause_and_sanction(city):
    run = services.scan(actor=None, as_of=TODAY)
    for f in seen_by(run).iterator():
        pack = get_pack(f.pack_id)
        clause = pack.clause(f.clause_id)
        assert f.clauses[0]["label"] == clause.label_zh and f.pack_checksum == pack.checksum
        assert bool(f.sanction) == bool(clause.penalty_article)
        assert f.explanation_zh and f.explanation_en and f.stage == "detected"


@pytest.mark.clause("art_20__para_1__point_1")
@pytest.mark.clause("art_20__para_1__point_2")
@pytest.mark.clause("art_20__para_1__point_3")
@pytest.mark.clause("art_20__para_1__point_4")
def test_advice_of_the_demo_city_is_exactly_what_was_planted(city):
    """The duties seed keeps most records up to date and leaves a few sites and systems without:
    those, and only those, get advice, never with a sanction."""
    run = services.scan(actor=None, as_of=TODAY)
    advice, _ = _found(run, "advice")
    planted = {c: keys for c, keys in city.manifest.planted_advice.items() if keys}
    assert advice == planted
    assert set(planted) == {"art_20__para_1__point_1", "art_20__para_1__point_2", "art_20__para_1__point_3",
                            "art_20__para_1__point_4"}
    assert not seen_by(run).filter(outcome="advice").exclude(sanction={}).exists()
