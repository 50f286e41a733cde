"""When a legal period ends: 民法典 第二百零三条 and China's official holiday arrangement.

民法典 第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日. A
period whose last day falls on a statutory rest day (a weekend not made a working day) or a public
holiday therefore ends on the next working day. Which days are working days is the State Council's
yearly arrangement (放假安排), including the make-up working days (调休, e.g. Sunday 2026-09-20).

The arrangement comes from the maintained `chinesecalendar` package (import name chinese_calendar),
which knows every year it was released with. A year it does not know yet (the arrangement for the
next year is published each November) is read from the local override file
(settings.JIFANG_HOLIDAY_OVERRIDE_FILE, default src/jifang/regulation/holidays.yaml; format in that
file and in docs/rule-packs.md "Periods and holidays"). A date in a year neither knows is not
guessed: the period is extended over weekends only and flagged *provisional* (`is_provisional`),
and every page, document and API answer that shows such a deadline says so.
"""
import datetime as dt
import functools
from pathlib import Path

import chinese_calendar
import yaml
from django.conf import settings
from django.utils.translation import gettext as _

LEGAL_BASIS_ZH = "民法典第二百零三条"
LEGAL_BASIS_EN = "Civil Code art. 203"
# Far enough for any period the pack sets; a longer walk means the calendar data are broken.
MAX_ROLL_DAYS = 31


def override_file() -> Path:
    default = Path(__file__).with_name("holidays.yaml")
    return Path(getattr(settings, "JIFANG_HOLIDAY_OVERRIDE_FILE", "") or default)


@functools.cache
def _overrides(path: Path) -> dict[int, tuple[frozenset, frozenset]]:
    """year -> (holidays, make-up working days) from the override file."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    years = {}
    for year, entry in (raw.get("years") or {}).items():
        entry = entry or {}
        holidays = frozenset(_days(entry.get("holidays"), year, path))
        workdays = frozenset(_days(entry.get("workdays"), year, path))
        if holidays & workdays:
            raise ValueError(f"{path}: {year}: a day is both a holiday and a working day")
        years[int(year)] = (holidays, workdays)
    return years


def _days(values, year, path) -> list[dt.date]:
    out = []
    for v in values or ():
        if not isinstance(v, dt.date) or v.year != int(year):
            raise ValueError(f"{path}: {year}: {v!r} is not a date of that year")
        out.append(v)
    return out


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def known(year: int) -> bool:
    """The year's holiday arrangement is known (the override file, else the library)."""
    return year in _overrides(override_file()) or _library_knows(year)


def is_working_day(day: dt.date) -> bool:
    """A working day under the year's arrangement; in an unknown year, Monday to Friday."""
    override = _overrides(override_file()).get(day.year)
    if override is not None:
        holidays, workdays = override
        return day in workdays or (day not in holidays and day.weekday() < 5)
    if _library_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def period_end(last_day: dt.date) -> dt.date:
    """The day a period whose last day is `last_day` really ends (民法典 第二百零三条)."""
    day = last_day
    for _i in range(MAX_ROLL_DAYS):
        if is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError(f"no working day within {MAX_ROLL_DAYS} days of {last_day}")


def is_provisional(day: dt.date | None) -> bool:
    """The deadline was computed without the holiday arrangement of its year (weekends only)."""
    return day is not None and not known(day.year)


def provisional_note(day: dt.date | None) -> str:
    """What a person reads beside a provisional deadline, or ""."""
    if not is_provisional(day):
        return ""
    return _("provisional: the %(year)s holiday arrangement is not loaded yet, only weekends were counted") % {
        "year": day.year}


# The values of a pack's `period_end_rule` parameter. A pack without it keeps calendar days.
PERIOD_END_RULES = {"next_working_day": period_end, "calendar_day": lambda day: day}


def pack_period_end(pack, as_of: dt.date, last_day: dt.date) -> dt.date:
    """`last_day` moved as the pack's `period_end_rule` in force on `as_of` says."""
    rule = pack.param("period_end_rule", as_of) if "period_end_rule" in pack.params else "calendar_day"
    if rule not in PERIOD_END_RULES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{pack.id}: unknown period_end_rule {rule!r}")
    return PERIOD_END_RULES[rule](last_day)
