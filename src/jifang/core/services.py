"""Generic create/update used by the apps' own service functions.

Each call validates the whole object, checks that the actor may write it (after the change, so a
district officer cannot move a row out of their district), saves it and appends the audit row, all
in one transaction.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from . import audit, copies, uniqueness
from .errors import NotPermitted, ServiceError
from .roles import POLICE_AND_ADMIN
from .scoping import can_write



def police_only(model, *, creating: bool) -> tuple[str, ...]:
    """Fields only the police may set. A model may free some of them on creation
    (`police_only_on_create`): a unit registers its own new site in a district, but only the
    police move an existing site to another unit or district."""
    if creating and hasattr(model, "police_only_on_create"):
        return tuple(model.police_only_on_create)
    return tuple(getattr(model, "police_only_fields", ()))


def refuse_police_only(actor, model, changed: set[str], *, creating: bool = False) -> None:
    locked = set(police_only(model, creating=creating)) & changed
    if locked and actor.role not in POLICE_AND_ADMIN:
        raise NotPermitted(
            "只有公安机关可以修改：{f}", "only the police may change: {f}", f=", ".join(sorted(locked))
        )


def _attach(obj: Model, data: dict) -> set[str]:
    """Set the given fields; return the names whose value actually changed."""
    changed = set()
    for name, value in data.items():
        field = obj._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            new = value.pk if isinstance(value, Model) else value
            if getattr(obj, field.attname) != new:
                changed.add(field.name)  # "district_id" and "district" are the same field
            setattr(obj, name if isinstance(value, Model) else field.attname, value)
            continue
        if getattr(obj, name) != value:
            changed.add(name)
        setattr(obj, name, value)
    return changed


@transaction.atomic
def create_object(*, actor, model: type[Model], data: dict, action: str | None = None, prepare=None) -> Model:
    if not can_write(actor, model):
        raise NotPermitted()
    obj = model()
    given = {model._meta.get_field(k).name for k, v in data.items() if v not in (None, "", False)}
    refuse_police_only(actor, model, given, creating=True)
    _attach(obj, data)
    copies.fill(obj)
    if prepare:
        prepare(obj)
    validate(actor, obj)
    obj.save()
    if not can_write(actor, model, obj):
        raise NotPermitted("不能在您的辖区或单位之外登记", "you may not register outside your area or units")
    audit.record(actor=actor, action=action or f"{model._meta.label_lower}.create", obj=obj, after=audit.snapshot(obj))
    return obj


@transaction.atomic
def update_object(*, actor, obj: Model, data: dict, action: str | None = None, prepare=None) -> Model:
    model = type(obj)
    obj = model._default_manager.select_for_update().get(pk=obj.pk)
    if not can_write(actor, model, obj):
        raise NotPermitted()
    before = audit.snapshot(obj)
    changed = _attach(obj, data)
    refuse_police_only(actor, model, changed)
    if not changed:
        return obj
    copies.fill(obj)
    if prepare:
        prepare(obj)
    validate(actor, obj)
    obj.save()
    copies.follow(obj)  # rows copying from this one (a moved site's systems and devices)
    if not can_write(actor, model, obj):
        raise NotPermitted("不能移出您的辖区或单位", "you may not move this outside your area or units")
    audit.record(actor=actor, action=action or f"{model._meta.label_lower}.update", obj=obj, before=before,
                 after=audit.snapshot(obj))
    return obj


def validate(actor, obj: Model) -> None:
    """full_clean, with a unique-key clash worded for the actor (core/uniqueness.py): a key
    registered outside their scope is "registered elsewhere", never named."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise uniqueness.reworded(actor, obj, exc) from None


def require(condition: bool, zh: str, en: str, *, clause: str | None = None, **values) -> None:
    if not condition:
        raise ServiceError(zh, en, clause=clause, **values)
