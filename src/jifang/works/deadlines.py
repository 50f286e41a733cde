"""The art_16 filing deadline, computed from the rule pack in force, never from a constant.

`filing_days` (10), `filing_day_counting` and `period_end_rule` live in the pack's parameters.yaml.
The counting in force since 2013 is `calendar_days_after_completion_day`: 自项目完成之日起10日内 does
not count the day of completion and counts calendar days, so the period's last day is completion +
10; by `period_end_rule: next_working_day` (民法典 第二百零三条) a last day that is a rest day or a
holiday moves to the next working day (jifang.regulation.periods). A works completed on Tuesday
2026-09-22 has its 10th day on Friday 2026-10-02 (National Day) and may be filed on time until
Thursday 2026-10-08. The result is stored on the works (Works.filing_due_on) when it is completed,
and the art_16 rules in rules/works.yaml compare with that column, so the service and the scan
agree on every date.
"""
import datetime as dt

from django.core.exceptions import ImproperlyConfigured

from jifang.regulation.periods import pack_period_end

COUNTINGS = {
    "calendar_days_after_completion_day": lambda completed_on, days: completed_on + dt.timedelta(days=days),
}


def _pack(as_of: dt.date, district_id: str):
    from jifang.regulation.packs import active_packs

    for pack in active_packs(as_of, district_id):
        if "filing_days" in pack.params:
            return pack
    raise ImproperlyConfigured(f"no rule pack in force on {as_of} for {district_id} defines filing_days")


def filing_due_on(completed_on: dt.date, district_id: str) -> dt.date:
    """The last day on which a filing of a works completed on `completed_on` is on time."""
    pack = _pack(completed_on, district_id)
    days = int(pack.param("filing_days", completed_on))
    counting = pack.param("filing_day_counting", completed_on)
    if counting not in COUNTINGS:
        raise ImproperlyConfigured(f"{pack.id}: unknown filing_day_counting {counting!r}")
    return pack_period_end(pack, completed_on, COUNTINGS[counting](completed_on, days))


def filing_due_or_none(completed_on: dt.date | None, district_id: str) -> dt.date | None:
    """The copied column Works.filing_due_on: None until the works is completed, and for a works
    completed when no pack set a filing period (before 2013: art_16 did not bind it, art_27)."""
    if completed_on is None:
        return None
    try:
        return filing_due_on(completed_on, district_id)
    except ImproperlyConfigured:
        from jifang.regulation.packs import active_packs

        if any("filing_days" in p.params for p in active_packs(completed_on, district_id)):
            raise  # a broken pack, not a period that did not exist
        return None
