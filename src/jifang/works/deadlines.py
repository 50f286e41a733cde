"""The art_16 filing deadline, computed from the rule pack in force, never from a constant.

`filing_days` (10) and `filing_day_counting` live in the pack's parameters.yaml. The counting in force
since 2013 is `calendar_days_after_completion_day`: 自项目完成之日起10日内 does not count the day of
completion, counts calendar days, and ends at the end of day 10 (completion + 10). A works completed on
1 March is on time when filed on 11 March and late on 12 March. The same arithmetic is what the
art_16 rules in rules/works.yaml express (`filed_on__gt: {field: completed_on, plus_days: {param:
filing_days}}`), so the service and the scan agree on every date.
"""
import datetime as dt

from django.core.exceptions import ImproperlyConfigured

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
    return COUNTINGS[counting](completed_on, days)


def overdue_cutoff(today: dt.date, district_id: str) -> dt.date:
    """A works completed before this date and still not filed is overdue today. Computed by the same
    counting as the deadline (the last on-time completion date is today minus the period)."""
    period = filing_due_on(today, district_id) - today
    return today - period
