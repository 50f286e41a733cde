"""The order 799 pack (公共安全视频图像信息系统管理条例): its clauses, dates, parameters and sanctions,
and the loader's schema for what only this law has (up-to ranges, non-monetary measures)."""
import datetime as dt
import hashlib
import shutil

import pytest

from jifang.regulation import packs
from jifang.regulation.loader import CLASSES, NEEDS_REASON, PackError, load_pack

from .conftest import KUNMING, NATIONAL



@pytest.fixture
def national():
    return packs.get_pack(NATIONAL)


def test_every_leaf_clause_of_the_34_articles_is_classified(national):
    articles = {int(cid.split("__")[0][4:]) for cid in national.clauses}
    assert articles == set(range(1, 35))
    assert len(national.clauses) == 63
    for c in national.clauses.values():
        assert c.cls in CLASSES
        if c.cls in NEEDS_REASON:
            assert c.reason["zh"] and c.reason["en"], c.id
    # Labels as officials write them: 第八条第一款第一项; one-paragraph articles omit 第一款.
    assert national.clause("art_8__para_1__point_1").label_zh == "第八条第一款第一项"
    assert national.clause("art_23__para_1__point_2").label_zh == "第二十三条第二项"
    assert national.clause("art_17__para_1").label_zh == "第十七条"
    assert national.clause("art_16__para_2__point_3").text_zh.endswith("调用人员的单位、姓名等信息；")


@pytest.mark.clause("cn-order-2025-799#art_34__para_1")
def test_in_force_from_2025_04_01_everywhere(national):
    assert national.effective_from == dt.date(2025, 4, 1)
    assert national.meta["promulgated"] == dt.date(2025, 1, 13)
    assert national.jurisdiction_prefix == "" and national.covers("530102") and national.covers("530181")
    assert [p.id for p in packs.active_packs(dt.date(2025, 3, 31), "530102")] == [KUNMING]
    assert [p.id for p in packs.active_packs(dt.date(2025, 4, 1), "530102")] == [KUNMING, NATIONAL]


def test_source_text_is_checksummed(national):
    source = national.directory / "source.txt"
    assert hashlib.sha256(source.read_bytes()).hexdigest() == national.meta["source"]["sha256"]
    assert "国务院令第799号" in source.read_text(encoding="utf-8")


@pytest.mark.clause("cn-order-2025-799#art_17__para_1")
@pytest.mark.clause("cn-order-2025-799#art_14__para_1")
def test_parameters_cite_their_clauses(national):
    on = dt.date(2025, 4, 1)
    assert national.param("retention_days_min", on) == 30
    assert national.param_entry("delete_after_purpose_days", on)["clause"] == "art_17__para_1"
    assert national.param("filing_days", on) == 30
    assert national.param("filing_transition_days", on) == 90
    assert national.param("filing_transition_start", on) == dt.date(2025, 4, 1)
    with pytest.raises(PackError, match="no value valid"):
        national.param("retention_days_min", dt.date(2025, 3, 31))


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
def test_a_prohibited_area_means_confiscation_deletion_and_a_fine_at_once(national):
    s = national.sanction_for("art_8__para_1__point_1")
    assert s["article"] == "art_27__para_1" and s["label_zh"] == "第二十七条第一款"
    assert s["order_first"] is False
    assert {m["measure"] for m in s["measures"]} == {"confiscate_equipment", "delete_footage"}
    fines = {f["target"]: (f["min"], f["max"]) for f in s["fines"]}
    assert fines == {"individual": (5000, 10000), "unit": (10000, 20000),
                     "person_in_charge": (5000, 10000), "person_directly_responsible": (5000, 10000)}


@pytest.mark.clause("cn-order-2025-799#art_26__para_1")
@pytest.mark.clause("cn-order-2025-799#art_29__para_1")
@pytest.mark.clause("cn-order-2025-799#art_30__para_1")
def test_up_to_ranges_and_order_first(national):
    s26 = national.sanction_for("art_9__para_1")
    assert s26["order_first"] is True
    assert [(m["measure"], m["when"]) for m in s26["measures"]] == [("delete_footage", "first"),
                                                                    ("confiscate_equipment", "refused")]
    unit = next(f for f in s26["fines"] if f["target"] == "unit")
    assert unit == {"target": "unit", "min": 0, "max": 20000, "up_to": True, "unit_kind": "any"}
    assert national.sanction_for("art_14__para_1")["fines"] == [
        {"target": "unit", "min": 0, "max": 10000, "up_to": True, "unit_kind": "any"}]
    s30 = national.sanction_for("art_23__para_1__point_2")
    assert s30["measures"] == [{"measure": "warning", "when": "first"}]
    assert next(f for f in s30["fines"] if f["target"] == "unit") == {
        "target": "unit", "min": 5000, "max": 10000, "unit_kind": "any"}


@pytest.mark.clause("cn-order-2025-799#art_27__para_2")
def test_failing_the_daily_check_refers_to_the_licensing_authority(national):
    s = national.sanction_for("art_8__para_2")
    assert s["first_measure"] == "责令改正" and s["order_first"] is True
    assert s["measures"] == [{"measure": "refer_to_licensing_authority", "when": "refused"}]


def test_clauses_without_a_penalty_get_none(national):
    assert national.sanction_for("art_13__para_1") == {}
    assert national.sanction_for("art_17__para_1") == {}


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / NATIONAL
    shutil.copytree(packs.get_pack(NATIONAL).directory, target)
    return target


@pytest.mark.parametrize("old, new, message", [
    ("{measure: warning, when: first}", "{measure: flogging, when: first}", "a measure must be one of"),
    ("{measure: warning, when: first}", "{measure: warning, when: later}", "when must be one of"),
    ("order_first: false", "order_first: maybe", "order_first must be true or false"),
    ("{target: unit, max: 10000}", "{target: unit, max: -1}", "min <= max"),
    ("{target: individual, max: 5000}", "{target: passer_by, max: 5000}", "fine target must be one of"),
])
def test_bad_sanctions_are_refused(copy, old, new, message):
    path = copy / "sanctions.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PackError, match=message):
        load_pack(copy)
