"""The sanction path stored on findings: art_24 by unit kind, art_25 by target, none where the law has none."""
import pytest

from jifang.registry import models as m
from jifang.regulation.models import Finding
from tests import factories as f

ART6 = "art6-mandatory-site-without-system"


def _art6_finding(scan, kind):
    f.SiteFactory(art6_point=4, unit=f.UnitFactory(kind=kind))
    scan()
    return Finding.objects.get(rule_id=ART6)


@pytest.mark.clause("art_24__para_1")
def test_business_unit_gets_the_business_range_only(scan):
    finding = _art6_finding(scan, m.UnitKind.BUSINESS)
    assert finding.sanction["first_measure"] == "责令限期改正"
    assert finding.sanction["fines"] == [{"target": "unit", "unit_kind": "business", "min": 5000, "max": 20000}]
    assert "unit_kind_gap" not in finding.facts


@pytest.mark.clause("art_24__para_1")
def test_non_business_unit_gets_the_non_business_range_only(scan):
    finding = _art6_finding(scan, m.UnitKind.NON_BUSINESS)
    assert finding.sanction["fines"] == [{"target": "unit", "unit_kind": "non_business", "min": 300, "max": 1000}]


@pytest.mark.clause("art_24__para_1")
def test_unknown_unit_kind_shows_both_ranges_and_flags_the_gap(scan):
    finding = _art6_finding(scan, m.UnitKind.UNKNOWN)
    assert {(x["unit_kind"], x["min"], x["max"]) for x in finding.sanction["fines"]} == {
        ("business", 5000, 20000), ("non_business", 300, 1000)}
    assert finding.facts["unit_kind"] == "unknown" and finding.facts["unit_kind_gap"] is True


@pytest.mark.clause("art_25__para_1")
@pytest.mark.parametrize("kind", [m.UnitKind.BUSINESS, m.UnitKind.NON_BUSINESS, m.UnitKind.UNKNOWN])
def test_art25_fines_unit_and_both_persons_whatever_the_kind(scan, kind):
    system = f.SystemFactory(retention_days=3, site=f.SiteFactory(unit=f.UnitFactory(kind=kind)))
    scan()
    finding = Finding.objects.get(rule_id="art19-retention-below-minimum", subject_id=system.pk)
    assert finding.sanction["article"] == "art_25"
    assert {(x["target"], x["min"], x["max"]) for x in finding.sanction["fines"]} == {
        ("unit", 2000, 5000), ("person_in_charge", 200, 200), ("person_directly_responsible", 200, 200)}
    assert "unit_kind_gap" not in finding.facts


@pytest.mark.clause("art_13__para_1")
def test_a_clause_without_penalty_gets_no_invented_one(scan):
    f.SystemFactory(reserved_interface=False)
    scan()
    assert Finding.objects.get(rule_id="art13-no-reserved-interface").sanction == {}
