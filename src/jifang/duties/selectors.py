"""Reads of the duty records beyond a plain `visible()` (set-based, one query each)."""
import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from jifang.regulation import engine
from jifang.regulation.packs import get_pack

from .models import FootageUse, WatchRoster

# The rule that finds viewers not on the roster (Kunming art_21 point 1, rules/duties.yaml): its
# condition is the one definition of "off the roster", for the findings and the register's filter.
ROSTER_RULE = ("cn-530100-order-2012-116", "art21-footage-user-not-on-roster")


def current(qs: QuerySet) -> QuerySet:
    """Register entries that no later entry corrects (a correction replaces the entry it names)."""
    return qs.filter(~Exists(qs.model.objects.filter(corrects=OuterRef("pk"))))


def on_roster(*, site_id: int, person_name: str, at: dt.datetime) -> bool:
    """Was `person_name` on the site's watch roster at `at` (art_21 point 1)?"""
    return current(WatchRoster.objects.all()).filter(site_id=site_id, person_name=person_name.strip(),
                                                     on_from__lte=at, on_to__gte=at).exists()


def off_roster(qs: QuerySet | None = None) -> QuerySet:
    """Usage register entries whose user was not on the site's roster when they used the footage
    (entries written before the roster check, imported, or uncovered by a later roster correction),
    an entry replaced by a correction judged by its correction: exactly the entries the roster rule
    finds, by that rule's own condition (one NOT EXISTS per relation)."""
    qs = FootageUse.objects.all() if qs is None else qs
    pack_id, rule_id = ROSTER_RULE
    pack = get_pack(pack_id)
    return qs.filter(*engine.violating_filters(pack, pack.rule(rule_id), timezone.localdate()))
