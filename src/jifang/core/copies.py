"""Columns copied from a related row, and the one place that keeps them in step.

Scoped lists filter on the row's own `district_id` / `unit_id` (one index range, no join), so a
device carries its system's site, unit and district, a works its system's, an acceptance its works'
district. A model says so with a class attribute:

    copied = Copied("system", ("site", "unit", "district"))

`fill(obj)` sets the columns from the source on one object before it is saved (core.services does it
for every create and update; a service that builds rows itself calls it). `follow(obj)` runs after
`obj` changed: every model that copies from it with `follow=True` gets the new values, set-based
(one UPDATE of the rows that differ per dependent model, then their own dependents),
so that a site moved to another district carries its systems, devices and works along.

`follow=False` marks a copy fixed at creation: a record of that moment (a signed inspection names the
unit and district it was made for; changing them would break its seal). `follow=Q(...)` makes only
the rows that match follow (an acceptance not yet held goes to the new district's office; a held one
keeps the district that attended). Who may see a record that does not follow after the site moves
is the scoping declaration's business (core.scoping, docs/scoping.md), not this module's.

The copied columns are nobody's to write by hand: core.writes gives every declared field the COPIED
tier, so forms do not offer them and the API and the import refuse them.
"""
from dataclasses import dataclass
from functools import cache, reduce
from operator import and_

from django.apps import apps
from django.db.models import F, Model, OuterRef, Q, Subquery


CHUNK = 5000  # ids per statement, well inside SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class Copied:
    source: str  # the foreign key the values come from ("system")
    fields: tuple[str, ...]  # foreign keys of the same name on both models ("site", "unit", "district")
    # True: kept in step when the source changes; False: fixed when the row is made; a Q: only the
    # rows it matches follow (the others keep what they were made with)
    follow: bool | Q = True


def declaration(model) -> Copied | None:
    return getattr(model, "copied", None)


def is_copied(model, name: str) -> bool:
    """Is field `name` of `model` one of its copied columns?"""
    copied = declaration(model)
    return copied is not None and name in copied.fields


def values(model, source: Model) -> dict:
    """The copied columns of a new `model` row made from `source`: {"district_id": "530102", ...}."""
    return {f"{name}_id": getattr(source, f"{name}_id") for name in declaration(model).fields}


def fill(obj: Model) -> None:
    """Copy the declared columns from `obj`'s source (nothing if it has none yet)."""
    copied = declaration(type(obj))
    if copied is None or getattr(obj, f"{copied.source}_id") is None:
        return
    source = getattr(obj, copied.source)
    if source is not None:
        for name, value in values(type(obj), source).items():
            setattr(obj, name, value)


@cache
def dependents(model) -> tuple[tuple[type[Model], Copied], ...]:
    """The concrete models that copy columns from `model`, and how."""
    found = []
    for other in apps.get_models():
        copied = declaration(other)
        if copied is not None and other._meta.get_field(copied.source).related_model is model:
            found.append((other, copied))
    return tuple(found)


def follow(obj: Model, changed: set[str] | None = None) -> int:
    """Bring every row copying from `obj` (and their dependents in turn) in step; the rows changed.
    `changed`: the columns (attnames) the write changed, when known: the dependents copying none of
    them are in step already, and are not touched (no statement for a system's retention change)."""
    return _follow(type(obj), [obj.pk], changed)


def follow_rows(model, pks: list) -> int:
    """`follow` for many rows of `model` at once (an import's updates), in chunks."""
    return sum(_follow(model, pks[i:i + CHUNK]) for i in range(0, len(pks), CHUNK))


def _follow(model, pks, columns: set[str] | None = None) -> int:
    """`pks`: a list or a values("pk") queryset of `model` rows that may have changed."""
    changed = 0
    for dependent, copied in dependents(model):
        if copied.follow is False or (columns is not None and columns.isdisjoint(f"{n}_id" for n in copied.fields)):
            continue
        rows = dependent._default_manager.filter(**{f"{copied.source}_id__in": pks})
        if isinstance(copied.follow, Q):
            rows = rows.filter(copied.follow)
        same = reduce(and_, (Q(**{f"{name}_id": F(f"{copied.source}__{name}_id")}) for name in copied.fields))
        source = model._default_manager.filter(pk=OuterRef(f"{copied.source}_id"))
        updated = rows.exclude(same).update(
            **{f"{name}_id": Subquery(source.values(f"{name}_id")[:1]) for name in copied.fields})
        if updated:  # their own dependents may copy what just changed
            changed += updated + _follow(dependent, rows.values("pk"))
    return changed
