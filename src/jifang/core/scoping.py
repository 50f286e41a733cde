"""Who may see and change what. Every read of scoped data goes through `visible(user, ...)`.

It fails closed: an anonymous user, a user without a role, a role without its anchor (a district
officer with no district, a unit user with no unit) or a model that declares no scope gets an empty
queryset. Models declare how they are reached with a `scope = ScopePaths(...)` class attribute.
"""
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet

from jifang.core.divisions import CITY_CODE
from jifang.core.roles import OFFICIALS, POLICE_AND_ADMIN, Role

Path = str | Callable[[object], Q] | None


@dataclass(frozen=True)
class ScopePaths:
    """How rows of a model relate to a district, a unit and a firm.

    Each path is a lookup (``"district_id"``) or a function from the anchor value to a Q, for
    relations that would multiply rows if joined. `public` models (the product catalogue, the
    divisions, the firm directory) are readable by every signed-in user.
    """

    district: Path = None
    unit: Path = None
    firm: Path = None
    public: bool = False
    # Which non-police roles may create and change rows (the police and admins always may,
    # inside their area; read-only officers never).
    writers: frozenset = field(default_factory=frozenset)


def _q(path: Path, value) -> Q:
    if path is None:
        return Q(pk__in=[])
    if callable(path):
        return path(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return Q(**{f"{path}__in": list(value)})
    return Q(**{path: value})


def _district_q(paths: ScopePaths, user) -> Q | None:
    """None means unrestricted (city level); an empty Q-set means nothing."""
    if user.division_id == CITY_CODE:
        return None
    if not user.division_id:
        return Q(pk__in=[])
    return _q(paths.district, user.division_id)


def unit_ids_of(user) -> list[int]:
    """The ids of a unit user's units (one indexed query; not cached on the user object, whose
    units may change while it lives, e.g. in a long-running client or test)."""
    return list(user.units.values_list("id", flat=True))


def anchored_q(user, paths: ScopePaths) -> Q | None:
    """The rows anchored to the user's division, units or firm (None: all)."""
    nothing = Q(pk__in=[])
    role = user.role
    if role == Role.ADMIN:
        return None
    if role in OFFICIALS:  # the administrator returned above
        if role == Role.DISTRICT_OFFICER and user.division_id == CITY_CODE:
            return nothing  # a district officer anchored to the city is a misconfiguration
        return _district_q(paths, user)
    if role == Role.UNIT_USER:
        unit_ids = unit_ids_of(user)
        return _q(paths.unit, unit_ids) if unit_ids else nothing
    if role == Role.FIRM_USER:
        return _q(paths.firm, user.firm_id) if user.firm_id else nothing
    return nothing


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def scope_q(user, model: type[Model]) -> Q | None:
    """The filter for what `user` may see of `model`; None means all of it."""
    paths: ScopePaths | None = getattr(model, "scope", None)
    if not _active(user) or paths is None or not user.role:
        return Q(pk__in=[])
    return None if paths.public else anchored_q(user, paths)


def visible(user, model_or_qs: type[Model] | QuerySet) -> QuerySet:
    """The rows `user` may see. Pass a model or a queryset to narrow further."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    q = scope_q(user, qs.model)
    return qs if q is None else qs.filter(q)


def get_visible(user, model_or_qs, **lookup):
    """One row by lookup, or Http404 when it does not exist *or* lies outside the user's scope,
    so that an outsider cannot tell the two apart."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    if not all(is_id(value) for name, value in lookup.items() if _names_an_id(name)):
        raise Http404  # "abc", "1e9" or 2**64 from a query string: no such row, not a crash
    return get_object_or_404(visible(user, model_or_qs), **lookup)


MAX_ID = 2**63 - 1
ID_TEXT = re.compile(r"-?[0-9]{1,19}")


def _names_an_id(name: str) -> bool:
    return name in ("pk", "id") or name.endswith(("_id", "__pk", "__id"))


def is_id(value) -> bool:
    """A row id as a bigint key holds it: an int, or ASCII digits, in range."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        if not ID_TEXT.fullmatch(value.strip()):
            return False
        value = int(value)
    return isinstance(value, int) and -MAX_ID - 1 <= value <= MAX_ID


def can_write(user, model: type[Model], obj: Model | None = None) -> bool:
    """May `user` create (obj None) or change `obj` of `model`? Read-only officers never may;
    the police and admins may inside their area; other roles only where the model lists them as
    writers, and then only rows anchored to their own units or firm."""
    paths: ScopePaths | None = getattr(model, "scope", None)
    if paths is None or not _active(user) or not user.role or user.role == Role.DEPARTMENT_OFFICER:
        return False
    police_or_admin = user.role in POLICE_AND_ADMIN
    if not police_or_admin and user.role not in paths.writers:
        return False
    if obj is None:
        # A district officer cannot create city-level records (the product catalogue).
        return not (user.role == Role.DISTRICT_OFFICER and paths.district is None)
    q = anchored_q(user, paths)
    return q is None or model._default_manager.filter(q, pk=obj.pk).exists()
