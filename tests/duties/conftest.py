"""The engine fixture of the regulation tests, for the duty rules; a watch roster helper (only
people on the site's roster may be named in the footage usage register, art_21 point 1)."""
import datetime as dt

from jifang.duties.models import WatchRoster
from tests.regulation.conftest import scan  # noqa: F401

YEAR_FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
YEAR_TO = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def put_on_roster(site, person_name="张三", on_from=YEAR_FROM, on_to=YEAR_TO) -> WatchRoster:
    """A roster entry written as the service writes it (the site's copies, a number)."""
    return WatchRoster.objects.create(site=site, unit_id=site.unit_id, district_id=site.district_id,
                                      number=f"PB-T{site.pk}-{WatchRoster.objects.count() + 1}",
                                      person_name=person_name, on_from=on_from, on_to=on_to)
