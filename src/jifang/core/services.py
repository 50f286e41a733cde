"""Generic create/update used by the apps' own service functions.

Each call validates the whole object, checks that the actor may write it (after the change, so a
district officer cannot move a row out of their district), saves it and appends the audit row, all
in one transaction.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from . import audit, copies, uniqueness, writes
from .errors import NotPermitted, ServiceError
from .roles import POLICE_AND_ADMIN
from .scoping import can_write



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
    writes.refuse(actor, model, writes.as_created(model, data), creating=True)
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
    writes.refuse(actor, model, _values(obj, changed), creating=False)
    if not changed:
        return obj
    copies.fill(obj)
    if prepare:
        prepare(obj)
    validate(actor, obj)
    obj.save()
    after = audit.snapshot(obj)
    copies.follow(obj, _moved(before, after))  # rows copying from this one (a moved site's systems and devices)
    if not can_write(actor, model, obj):
        raise NotPermitted("不能移出您的辖区或单位", "you may not move this outside your area or units")
    audit.record(actor=actor, action=action or f"{model._meta.label_lower}.update", obj=obj, before=before,
                 after=after)
    return obj


def _moved(before: dict, after: dict) -> set[str]:
    """The columns a write changed (fill and prepare included)."""
    return {name for name, value in after.items() if before.get(name) != value}


def _values(obj: Model, names) -> dict:
    return {name: getattr(obj, obj._meta.get_field(name).attname) for name in names}


@transaction.atomic
def procedure_write(*, actor, obj: Model, procedure: writes.Procedure, data: dict, prepare=None,
                    action: str | None = None) -> Model:
    """A workflow's service records the facts its procedure establishes (an acceptance's result on
    the system). The workflow has already checked that `actor` may take its step; this checks
    that each field is the procedure's or free to the owner, and audits under the real actor."""
    model = type(obj)
    foreign = {name for name, value in data.items()
               if writes.tier_of(model, name, value, creating=False) not in (procedure, writes.OWNER)}
    if foreign:
        raise TypeError(f"{procedure.key} does not write {sorted(foreign)} of {model.__name__}")
    obj = model._default_manager.select_for_update().get(pk=obj.pk)
    before = audit.snapshot(obj)
    if not _attach(obj, data):
        return obj
    copies.fill(obj)
    if prepare:
        prepare(obj)
    validate(actor, obj)
    obj.save()
    after = audit.snapshot(obj)
    copies.follow(obj, _moved(before, after))
    audit.record(actor=actor, action=action or f"{model._meta.label_lower}.{procedure.key}", obj=obj,
                 before=before, after=after)
    return obj


MIN_REASON = 4


@transaction.atomic
def correct_object(*, actor, obj: Model, data: dict, reason: str) -> Model:
    """An explicit correction of facts only a procedure (or a police act) establishes, by the
    police inside their area or an administrator, with the reason written to the audit log."""
    model = type(obj)
    obj = model._default_manager.select_for_update().get(pk=obj.pk)
    if actor.role not in POLICE_AND_ADMIN or not can_write(actor, model, obj):
        raise NotPermitted("只有公安机关或管理员可以更正", "only the police or an administrator may correct this")
    allowed = set(writes.correctable(model))
    names = {model._meta.get_field(k).name for k in data}
    if not names or names - allowed:
        raise ServiceError("更正只适用于：{f}", "a correction applies only to: {f}",
                           f=", ".join(sorted(allowed)) or "—")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ServiceError("请说明更正的理由", "give the reason for the correction")
    before = audit.snapshot(obj)
    if not _attach(obj, data):
        raise ServiceError("没有需要更正的内容", "nothing to correct")
    copies.fill(obj)
    validate(actor, obj)
    obj.save()
    copies.follow(obj)
    audit.record(actor=actor, action=f"{model._meta.label_lower}.correct", obj=obj, before=before,
                 after=audit.snapshot(obj), note=reason[:500])
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
