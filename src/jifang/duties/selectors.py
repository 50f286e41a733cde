"""Reads of the duty records beyond a plain `visible()` (set-based, one query each)."""
import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet

from .models import FootageUse, WatchRoster


def current(qs: QuerySet) -> QuerySet:
    """Register entries that no later entry corrects (a correction replaces the entry it names)."""
    return qs.filter(~Exists(qs.model.objects.filter(corrects=OuterRef("pk"))))


def on_roster(*, site_id: int, person_name: str, at: dt.datetime) -> bool:
    """Was `person_name` on the site's watch roster at `at` (art_21 point 1)?"""
    return current(WatchRoster.objects.all()).filter(site_id=site_id, person_name=person_name.strip(),
                                                     on_from__lte=at, on_to__gte=at).exists()


def off_roster(qs: QuerySet | None = None) -> QuerySet:
    """Usage register entries whose user was not on the site's roster when they used the footage
    (entries written before the roster check, or imported): one anti-join."""
    qs = FootageUse.objects.all() if qs is None else qs
    rostered = current(WatchRoster.objects.all()).filter(site_id=OuterRef("site_id"), person_name=OuterRef("user_name"),
                                                         on_from__lte=OuterRef("used_at"), on_to__gte=OuterRef("used_at"))
    return qs.filter(~Exists(rostered))
