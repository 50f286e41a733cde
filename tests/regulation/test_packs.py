"""Loading packs: the Kunming pack's content, refusal of broken packs, several packs side by side."""
import datetime as dt
import shutil

import pytest
from django.test import override_settings

from jifang.regulation import packs
from jifang.regulation.loader import PackError, load_pack
from jifang.regulation.models import Finding
from tests import factories as f

from .conftest import KUNMING, NATIONAL, TEST_PACKS

WUHUA_PACK = "test-530102-wuhua-2020"
BOTH = [packs.BUILTIN_DIR, TEST_PACKS]


@pytest.fixture
def kunming():
    return packs.get_pack(KUNMING)


def test_kunming_pack_has_all_60_clauses_each_classified(kunming):
    assert len(kunming.clauses) == 60
    assert all(c.cls for c in kunming.clauses.values())
    assert kunming.clause("art_6__para_1__point_8").label_zh == "第六条第（八）项"
    assert kunming.clause("art_14__para_2").label_zh == "第十四条第二款"
    assert kunming.clause("art_19__para_1").label_zh == "第十九条"
    assert kunming.clause("art_14__para_2")["class"] == "check"


@pytest.mark.clause("art_27__para_1")
def test_kunming_pack_dates_and_area(kunming):
    assert kunming.effective_from == dt.date(2013, 1, 1)
    assert kunming.meta["repeals"][0]["order_number"] == "昆明市人民政府令第64号"
    assert packs.active_packs(dt.date(2012, 12, 31)) == []
    assert packs.active_packs(dt.date(2013, 1, 1), "530102") == [kunming]


@pytest.mark.clause("art_19__para_1")
@pytest.mark.clause("art_16__para_1")
def test_parameters_cite_their_clauses(kunming):
    assert kunming.param("retention_days_min", dt.date(2020, 1, 1)) == 30
    assert kunming.param_entry("filing_days", dt.date(2020, 1, 1))["clause"] == "art_16__para_1"
    with pytest.raises(PackError, match="no value valid"):
        kunming.param("retention_days_min", dt.date(2012, 1, 1))


@pytest.mark.clause("art_2__para_1")
def test_the_pack_source_is_its_own_copy_and_its_checksum_is_recorded(kunming):
    import hashlib

    source = kunming.directory / "source.txt"
    assert hashlib.sha256(source.read_bytes()).hexdigest() == kunming.meta["source"]["sha256"]
    assert kunming.jurisdiction_prefix == "5301" and len(kunming.checksum) == 64


# ---- broken packs ----------------------------------------------------------------------------------

@pytest.fixture
def broken(tmp_path):
    target = tmp_path / WUHUA_PACK
    shutil.copytree(TEST_PACKS / WUHUA_PACK, target)
    return target


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_valid_copy_loads(broken):
    assert load_pack(broken).rules[0].id == "wuhua-retention-below-90"


@pytest.mark.parametrize("file, old, new, message", [
    ("rules/retention.yaml", "retention_days__lt", "retention_dayz__lt", "lookup 'retention_dayz__lt' does not exist"),
    ("rules/retention.yaml", "status: in_use,", "status: [in_use,", "invalid YAML"),
    ("rules/retention.yaml", "clauses: [art_1__para_1]", "clauses: [art_9__para_1]", "unknown clause 'art_9__para_1'"),
    ("rules/retention.yaml", "subject: system", "subject: spaceship", "unknown subject 'spaceship'"),
    ("rules/retention.yaml", "{param: retention_days_min}", "{param: nope}", "unknown parameter 'nope'"),
    ("rules/retention.yaml", "{param: retention_days_min}", "{subject_field: retention_days}",
     "use it in lookups over records"),
    ("rules/retention.yaml", "facts: [name, retention_days]", "facts: [name, colour]", "unknown field 'colour'"),
    ("clauses.yaml", "class: check", "class: wish", "class 'wish' is not one of"),
    ("sanctions.yaml", "unit_kind: any", "unit_kind: business", "a gap, no range for ['non_business']"),
    ("sanctions.yaml", "min: 1000, max: 3000", "min: 3000, max: 1000", "min <= max"),
    ("source.txt", "90日", "60日", "checksum mismatch"),
])
def test_an_invalid_pack_is_refused_with_a_clear_error(broken, file, old, new, message):
    _edit(broken / file, old, new)
    with pytest.raises(PackError) as exc:
        load_pack(broken)
    assert message in str(exc.value)


def test_overlapping_fine_ranges_are_refused(broken):
    _edit(broken / "sanctions.yaml", "    - {target: unit, unit_kind: any, min: 1000, max: 3000}",
          "    - {target: unit, unit_kind: any, min: 1000, max: 3000}\n"
          "    - {target: unit, unit_kind: business, min: 1000, max: 3000}")
    with pytest.raises(PackError, match="overlapping ranges"):
        load_pack(broken)


def test_a_pack_that_ships_code_is_refused(broken):
    (broken / "rules" / "helper.py").write_text("import os\n")
    with pytest.raises(PackError, match="never code"):
        load_pack(broken)


def test_yaml_tags_that_build_objects_are_refused(broken):
    _edit(broken / "rules" / "retention.yaml", "facts: [name, retention_days]",
          "facts: !!python/object/apply:os.system ['true']")
    with pytest.raises(PackError, match="invalid YAML"):
        load_pack(broken)


# ---- several packs side by side ---------------------------------------------------------------------

@pytest.mark.clause("art_2__para_1")
@override_settings(JIFANG_RULE_PACK_DIRS=BOTH)
def test_two_packs_each_in_its_own_dates_and_area(scan):
    wuhua = f.SystemFactory(retention_days=60, site=f.SiteFactory(unit=f.UnitFactory(district_id="530102")))
    f.SystemFactory(retention_days=60, site=f.SiteFactory(unit=f.UnitFactory(district_id="530103")))
    short = f.SystemFactory(retention_days=20, site=f.SiteFactory(unit=f.UnitFactory(district_id="530102")))

    run = scan(as_of=dt.date(2026, 1, 1))
    assert sorted(run.counts["packs"]) == [f"{KUNMING}@2026.1", f"{NATIONAL}@2026.1", f"{WUHUA_PACK}@1"]
    found = set(Finding.objects.filter(status="open", subject_type="system").values_list("pack_id", "subject_key"))
    assert found == {(WUHUA_PACK, wuhua.code), (WUHUA_PACK, short.code), (KUNMING, short.code)}
    local = Finding.objects.get(pack_id=WUHUA_PACK, subject_key=wuhua.code)
    assert local.sanction["fines"] == [{"target": "unit", "unit_kind": "any", "min": 1000, "max": 3000}]
    assert local.facts["parameters"]["retention_days_min"]["value"] == 90

    # Panlong lies outside the Wuhua pack's area: a Panlong run does not even load it.
    assert scan(as_of=dt.date(2026, 1, 2), district="530103").counts["packs"] == [f"{KUNMING}@2026.1", f"{NATIONAL}@2026.1"]
    # After 2030 the Wuhua pack is no longer in force; its findings are left as they were.
    run = scan(as_of=dt.date(2030, 1, 1))
    assert run.counts["packs"] == [f"{KUNMING}@2026.1", f"{NATIONAL}@2026.1"]
    assert Finding.objects.filter(pack_id=WUHUA_PACK, status="open").count() == 2


def test_every_rule_has_a_title_people_read_instead_of_its_id():
    from jifang.regulation.packs import all_packs

    untitled = [r.id for pack in all_packs() for r in pack.rules if not (r.title.get("zh") and r.title.get("en"))]
    assert untitled == []
