"""What a unique-key clash may tell the person who caused it.

A site code, a credit code or a serial that is already registered must be refused, but the refusal
must not become a way to learn about rows outside one's scope: which codes exist in another
district, whose they are, where. So a clash with a row the actor can see is named ("already
registered as id N": they can open it), and a clash with any other row only says that the key is
registered elsewhere and whom to ask, the district office, which can see both sides. The UI forms,
the services (hence the API) and the import all word it here.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model, Q

from .i18n import bilingual
from .scoping import visible

ELSEWHERE = bilingual(
    "已在其他辖区或单位登记，不能重复登记；如需核实，请联系所在区县公安机关技防部门",
    "already registered elsewhere (outside your area or units); to resolve it, contact the technical "
    "prevention office of your district's public security bureau",
)


def seen(actor, pk: int | None) -> str:
    """The message for a clash with row `pk` that the actor can see."""
    return bilingual("已登记（编号{i}）；更新已有记录请填写编号", "already registered (id {i}); to update it, give its id",
                     i=pk)


def visible_ids(actor, model: type[Model], pks) -> set[int]:
    """Which of `pks` the actor can see."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return set()
    return set(visible(actor, model).filter(pk__in=pks).values_list("pk", flat=True))


def reworded(actor, obj: Model, error: ValidationError) -> ValidationError:
    """`error` (from full_clean / validate_unique) with each unique clash worded for `actor`."""
    if not hasattr(error, "error_dict"):
        return error
    out = {}
    for name, errors in error.error_dict.items():
        out[name] = [_one(actor, obj, e) for e in errors]
    return ValidationError(out)


def _one(actor, obj: Model, error: ValidationError) -> ValidationError:
    check = (error.params or {}).get("unique_check") if error.code in ("unique", "unique_together") else None
    if not check:
        return error
    model = type(obj)
    lookup = Q(**{model._meta.get_field(f).attname: getattr(obj, model._meta.get_field(f).attname) for f in check})
    clash = model._default_manager.filter(lookup).exclude(pk=obj.pk).values_list("pk", flat=True).first()
    if clash is None:
        return error
    message = seen(actor, clash) if clash in visible_ids(actor, model, [clash]) else ELSEWHERE
    return ValidationError(message, code=error.code)


__all__ = ["ELSEWHERE", "reworded", "seen", "visible_ids"]
