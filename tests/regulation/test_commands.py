"""The CLI: jifang scan (table and JSON), jifang explain, jifang regulation coverage."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from jifang.registry import models as m
from jifang.regulation.models import Finding
from tests import factories as f


def _call(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.clause("art_24__para_1")
def test_scan_json_has_the_documented_names(db):
    site = f.SiteFactory(art6_point=4, unit=f.UnitFactory(kind=m.UnitKind.NON_BUSINESS))
    doc = json.loads(_call("scan", "--as-of", "2026-06-01", "--format", "json"))
    assert doc["run"]["as_of"] == "2026-06-01" and doc["run"]["counts"]["new"] == 1
    [finding] = doc["findings"]
    assert finding["rule"] == "art6-mandatory-site-without-system"
    assert finding["clauses"][0]["id"] == "art_6__para_1__point_4"
    assert finding["subject"] == {"type": "site", "id": site.pk, "key": site.code}
    assert finding["facts"]["art6_point"] == 4
    assert finding["sanction"]["article"] == "art_24"
    assert finding["sanction"]["fines"] == [{"target": "unit", "unit_kind": "non_business", "min": 300, "max": 1000}]
    assert finding["status"] == "open"


def test_scan_table_by_district_and_site(db):
    system = f.SystemFactory(retention_days=1)
    text = _call("scan", "--as-of", "2026-06-01", "--district", "530102")
    assert "art19-retention-below-minimum" in text and "violations 1" in text
    text = _call("scan", "--as-of", "2026-06-02", "--site", system.site.code)
    assert "still open 1" in text
    with pytest.raises(CommandError):
        call_command("scan", "--site", "NO-SUCH-SITE")


@pytest.mark.clause("art_19__para_1")
def test_explain_shows_clause_facts_parameter_source_and_penalty_path(db):
    f.SystemFactory(retention_days=29, site=f.SiteFactory(unit=f.UnitFactory(kind=m.UnitKind.UNKNOWN)))
    _call("scan", "--as-of", "2026-06-01")
    finding = Finding.objects.get(rule_id="art19-retention-below-minimum")
    text = _call("explain", str(finding.pk))
    assert "第十九条 (art_19__para_1)" in text and "留存时间不得少于30日" in text
    assert "retention_days: 29" in text
    assert "retention_days_min = 30 days  (source: 第十九条 art_19__para_1)" in text
    assert "第二十五条" in text and "责令限期改正" in text and "2000-5000 元" in text
    with pytest.raises(CommandError):
        call_command("explain", "999999")


@pytest.mark.clause("art_24__para_1")
def test_explain_flags_the_unit_kind_gap(db):
    f.SiteFactory(art6_point=1, unit=f.UnitFactory(kind=m.UnitKind.UNKNOWN))
    _call("scan", "--as-of", "2026-06-01")
    text = _call("explain", str(Finding.objects.get().pk))
    assert "5000-20000 元" in text and "300-1000 元" in text and "unit kind unknown" in text


def test_explain_of_a_clause_without_penalty(db):
    f.SystemFactory(reserved_interface=False)
    _call("scan", "--as-of", "2026-06-01")
    text = _call("explain", str(Finding.objects.get(rule_id="art13-no-reserved-interface").pk))
    assert "carries no penalty" in text


def test_explain_of_an_order_799_finding_names_its_measures_and_up_to_ranges(db):
    part = f.SitePartFactory(area_kind=m.AreaKind.GUESTHOUSE_ROOM)
    f.DeviceFactory(part=part, system=f.SystemFactory(site=part.site, public_video_class=""))
    _call("scan", "--as-of", "2026-06-01", "--pack", "cn-order-2025-799")
    finding = Finding.objects.get(rule_id="o799-art8-device-in-prohibited-room")
    text = _call("explain", str(finding.pk))
    assert "第二十七条第一款" in text and "没收相关设备设施" in text and "together with the first measures" in text
    assert "个人 individual, 任何单位 any: 5000-10000 元" in text


def test_scan_by_pack_leaves_the_other_pack_alone(db):
    f.SystemFactory(retention_days=1, public_video_class="")
    text = _call("scan", "--as-of", "2026-06-01", "--pack", "cn-order-2025-799")
    assert "o799-art17-retention-below-minimum" in text and "art19-retention-below-minimum" not in text
    assert set(Finding.objects.values_list("pack_id", flat=True)) == {"cn-order-2025-799"}
    text = _call("scan", "--as-of", "2026-06-02")
    assert set(Finding.objects.values_list("pack_id", flat=True)) == {"cn-order-2025-799", "cn-530100-order-2012-116"}
    with pytest.raises(CommandError, match="known: cn-530100-order-2012-116, cn-order-2025-799"):
        call_command("scan", "--pack", "cn-order-1999-1")


def test_coverage_reports_each_pack(db):
    both = json.loads(_call("regulation", "coverage", "--format", "json"))
    assert [r["pack"]["id"] for r in both] == ["cn-530100-order-2012-116", "cn-order-2025-799"]
    national = json.loads(_call("regulation", "coverage", "--format", "json", "--pack", "cn-order-2025-799"))
    assert len(national["clauses"]) == 63 and national["problems"] == []
    text = _call("regulation", "coverage", "--pack", "cn-order-2025-799")
    assert "Pack `cn-order-2025-799`" in text
    with pytest.raises(CommandError):
        call_command("regulation", "coverage", "--pack", "no-such-pack")


def test_coverage_json_lists_all_60_clauses_with_status(db):
    data = json.loads(_call("regulation", "coverage", "--format", "json", "--pack", "cn-530100-order-2012-116"))
    assert len(data["clauses"]) == 60
    assert {c["status"] for c in data["clauses"]} <= {"implemented", "planned", "not_applicable"}
    by_id = {c["id"]: c for c in data["clauses"]}
    assert set(by_id["art_19__para_1"]["rules"]) == {"art19-retention-below-minimum", "art19-interruption-without-cause",
                                                     "art19-interruption-ongoing", "art19-retention-proven-short"}
    assert by_id["art_19__para_1"]["tests"]
