"""When a period ends (民法典 第二百零三条): on the next working day when its last day is a rest day
or a holiday, by China's official arrangement with its make-up working days (chinesecalendar), or
the local override file for a year the package does not know; provisional in a year neither knows."""
import datetime as dt

import pytest

from jifang.regulation import periods
from jifang.regulation.packs import get_pack

D = dt.date
PACK = "cn-530100-order-2012-116"


@pytest.fixture(autouse=True)
def fresh_overrides():
    periods._overrides.cache_clear()
    yield
    periods._overrides.cache_clear()


@pytest.mark.parametrize(("last_day", "ends"), [
    (D(2026, 12, 4), D(2026, 12, 4)),    # Friday: a working day
    (D(2026, 12, 5), D(2026, 12, 7)),    # Saturday -> Monday
    (D(2026, 12, 6), D(2026, 12, 7)),    # Sunday -> Monday
    *[(D(2026, 10, d), D(2026, 10, 8)) for d in range(1, 8)],  # National Day 10-01..07 -> Thursday 10-08
    (D(2026, 10, 8), D(2026, 10, 8)),    # the first working day after the holiday
    (D(2026, 9, 20), D(2026, 9, 20)),    # 调休: Sunday 2026-09-20 is a working day
    (D(2026, 10, 10), D(2026, 10, 10)),  # 调休: Saturday 2026-10-10 is a working day
    (D(2026, 10, 11), D(2026, 10, 12)),  # the Sunday after it is not
    (D(2026, 2, 15), D(2026, 2, 24)),    # Spring Festival 2026-02-15..23
])
def test_a_period_ends_on_the_next_working_day(last_day, ends):
    assert periods.period_end(last_day) == ends
    assert not periods.is_provisional(ends)


def test_the_library_knows_2026():
    assert periods.known(2026) and periods._library_knows(2026)


def test_the_override_file_supplies_a_year_the_library_does_not_know(tmp_path, settings):
    override = tmp_path / "holidays.yaml"
    override.write_text("years:\n  2031:\n    holidays: [2031-01-01, 2031-01-02]\n    workdays: [2031-01-05]\n")
    settings.JIFANG_HOLIDAY_OVERRIDE_FILE = str(override)
    assert not periods._library_knows(2031) and periods.known(2031)
    assert periods.period_end(D(2031, 1, 1)) == D(2031, 1, 3)   # Wed, Thu off -> Friday
    assert periods.period_end(D(2031, 1, 4)) == D(2031, 1, 5)   # Saturday -> the make-up working Sunday
    assert periods.provisional_note(D(2031, 1, 3)) == ""


def test_an_override_day_of_another_year_is_refused(tmp_path, settings):
    override = tmp_path / "holidays.yaml"
    override.write_text("years:\n  2031:\n    holidays: [2030-12-31]\n")
    settings.JIFANG_HOLIDAY_OVERRIDE_FILE = str(override)
    with pytest.raises(ValueError, match="not a date of that year"):
        periods.known(2031)


def test_a_year_nobody_knows_is_counted_over_weekends_and_flagged(tmp_path, settings):
    settings.JIFANG_HOLIDAY_OVERRIDE_FILE = str(tmp_path / "none.yaml")
    day = D(2035, 10, 6)  # a Saturday in a year neither the package nor the file knows
    assert periods.period_end(day) == D(2035, 10, 8)
    assert periods.is_provisional(D(2035, 10, 8))
    assert "2035" in periods.provisional_note(D(2035, 10, 8))


def test_the_shipped_override_file_loads():
    assert periods.override_file().exists()
    periods.known(2027)  # parses without error


@pytest.mark.clause("art_16__para_1")
def test_the_pack_records_the_counting_rule_and_its_legal_basis():
    pack = get_pack(PACK)
    entry = pack.param_entry("period_end_rule", D(2026, 1, 1))
    assert entry["value"] == "next_working_day" and entry["clause"] == "art_16__para_1"
    assert "民法典第二百零三条" in entry["legal_basis_zh"]
    assert set(entry["applies_to"]) >= {"art_16__para_1", "art_13__para_2", "art_24__para_1", "art_25__para_1"}
    assert periods.pack_period_end(pack, D(2026, 1, 1), D(2026, 10, 3)) == D(2026, 10, 8)
