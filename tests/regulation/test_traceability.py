"""CI's guard on traceability: docs/traceability.md is current and the pack, its rules and the tests
that prove them are complete (see regulation/coverage.py for what is checked)."""
from pathlib import Path

from jifang.regulation import coverage
from jifang.regulation.packs import get_pack

DOC = Path(__file__).resolve().parents[2] / "docs" / "traceability.md"


def test_every_clause_is_classified_and_every_rule_has_its_three_tests():
    data = coverage.report()
    assert len(data["clauses"]) == 60
    assert data["problems"] == []


def test_the_order_799_pack_is_classified_and_every_rule_has_its_three_tests():
    data = coverage.report("cn-order-2025-799")
    assert len(data["clauses"]) == 63
    assert data["problems"] == []
    by_id = {c["id"]: c for c in data["clauses"]}
    # a bare mark proves the Kunming art_7, never the national art_7 of the same number
    assert by_id["art_8__para_1__point_1"]["status"] == "implemented"
    assert all("#" not in t for t in coverage.report()["clauses"][0]["tests"])


def test_traceability_doc_is_current():
    expected = coverage.render_all(coverage.report_all())
    assert DOC.read_text(encoding="utf-8") == expected, "docs/traceability.md is stale: run `make traceability`"


def test_coverage_marks_works_clauses_planned_until_their_rules_exist():
    data = {c["id"]: c for c in coverage.report()["clauses"]}
    pack = get_pack(coverage.KUNMING)
    for clause_id in ("art_8__para_1", "art_10__para_1", "art_13__para_2", "art_14__para_1", "art_16__para_1"):
        ruled = any(clause_id in r.clauses for r in pack.rules)
        assert data[clause_id]["status"] == ("implemented" if ruled else "planned")
    assert data["art_1__para_1"]["status"] == "not_applicable" and data["art_1__para_1"]["reason"]
    assert data["art_19__para_1"]["status"] == "implemented"


def test_problems_name_a_rule_without_tests_and_a_rule_on_a_declarative_clause(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_x.py").write_text(
        "import pytest\n"
        "@pytest.mark.rule('art19-retention-below-minimum', 'violating')\n"
        "@pytest.mark.parametrize('x', [pytest.param(1, marks=pytest.mark.clause('art_7__para_1'))])\n"
        "def test_a(x):\n    pass\n"
    )
    marks = coverage.collect_marks(tests)
    assert marks.clauses == {"art_7__para_1": ["tests/test_x.py::test_a"]}
    pack = get_pack(coverage.KUNMING)
    problems = coverage.problems(pack, marks)
    assert "rule art19-retention-below-minimum: no compliant, boundary test" in problems
    assert "rule art7-audio-video-in-private-area: no violating, compliant, boundary test" in problems


def test_service_refusals_are_listed_beside_the_rules_of_their_clause(tmp_path):
    report = coverage.report()
    by_id = {c["id"]: c for c in report["clauses"]}
    assert "jifang.registry.services::_refuse_use_without_acceptance" in by_id["art_14__para_2"]["refusals"]
    assert "jifang.enforcement.services::rectification_order_issue" in by_id["art_23__para_2"]["refusals"]
    # found by reading the source: a module of its own with a refusal in a method and one in a function
    app = tmp_path / "jifang" / "alarms"
    app.mkdir(parents=True)
    (app / "services.py").write_text(
        "class Receiver:\n"
        "    def accept(self):\n"
        "        raise ServiceError('甲', 'a', clause='art_12__para_1')\n"
        "def close(*, actor):\n"
        "    require(False, '乙', 'b', clause='art_99__para_9')\n"
        "    raise ServiceError('丙', 'c', clause=actor.clause)  # computed: not listed\n",
        encoding="utf-8")
    found = coverage.collect_refusals(tmp_path / "jifang")
    assert found == {"art_12__para_1": ["jifang.alarms.services::accept"],
                     "art_99__para_9": ["jifang.alarms.services::close"]}
    problems = coverage.problems(get_pack(coverage.KUNMING), coverage.collect_marks(), found)
    assert problems == ["refusal in jifang.alarms.services::close cites clause art_99__para_9, in no loaded pack"]
