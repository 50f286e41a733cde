"""Who may write which field, and through which procedure: one declaration per model.

A model that is written through the generic paths (the API's create and change, the edit forms,
the import) declares `writes = FieldWrites({...})` next to its `scope`. A field it does not name
belongs to the model's writers (`scope.writers`, and the police and administrators inside their
area: `scoping.can_write`). A named field belongs to one tier:

- POLICE: the police and administrators (a unit's kind, the unit owning a site);
- OFFICERS: police officers only, not platform administrators (a police designation under
  art_6 point 10 is an act of the police);
- FIXED: set when the row is created, never changed by an edit (a works' system and builder);
- COPIED: copied from another record by the services (a works' filing date, from its filing); every
  column a model declares in `copied = Copied(...)` (core.copies: a device's site, unit and district)
  is COPIED without being named here;
- a `Procedure`: only the workflow that establishes the fact writes it (the completion acceptance,
  art_14; the networking notice, art_10 and art_13). No plain edit writes it, whoever asks. The
  workflow's service writes it through `core.services.procedure_write`; the police and
  administrators correct it explicitly (`core.services.correct_object`, with a reason, audited
  as a correction); administrators and the console load it from an older registry through the
  import, audited as imported history. Units and firms never write it.

`ByValue(tier, {value: tier})` gives some values of a field their own tier (a system's status
"accepted" comes only from the acceptance). `on_create` holds the tiers that apply while the row
is being created (a unit registers its new site in a district; only the police move it later).
`record=Procedure` says the whole row comes from a procedure (an acceptance round, a filing).

The services (`create_object` / `update_object`), the edit forms (`core.forms`), the API (through
the services) and the import (`core.dataset`) all ask this module; tests/core/test_writes_generated.py
walks every field of every such model for every role through the three paths and compares.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation

from . import copies
from .errors import NotPermitted
from .roles import OFFICERS as OFFICER_ROLES
from .roles import POLICE_AND_ADMIN as POLICE_ROLES
from .roles import Role

# Who loads an older registry's history of procedure facts through the import (and the console).
HISTORY_ROLES = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Tier:
    key: str
    roles: frozenset | None  # None: the model's writers, the police and administrators
    zh: str = ""
    en: str = ""

    @property
    def is_procedure(self) -> bool:
        return False


@dataclass(frozen=True)
class Procedure(Tier):
    """A workflow that alone establishes some facts. `zh`/`en` name it as people do."""

    roles: frozenset | None = frozenset()
    clause: str = ""

    @property
    def is_procedure(self) -> bool:
        return True


OWNER = Tier("owner", None)
POLICE = Tier("police", POLICE_ROLES, "公安机关", "the police")
OFFICERS = Tier("officers", OFFICER_ROLES, "公安机关民警", "police officers")
FIXED = Tier("fixed", frozenset(), "登记时确定", "set at registration")
COPIED = Tier("copied", frozenset(), "从其他记录复制", "copied from another record")


@dataclass(frozen=True)
class ByValue:
    """A field whose values belong to different tiers: `default` unless the value is in `values`."""

    default: Tier
    values: dict = field(default_factory=dict)

    def tier(self, value) -> Tier:
        return self.values.get(value, self.default)

    def tiers(self) -> set[Tier]:
        return {self.default, *self.values.values()}


Rule = Tier | ByValue


@dataclass(frozen=True)
class FieldWrites:
    fields: dict = field(default_factory=dict)
    on_create: dict = field(default_factory=dict)
    record: Procedure | None = None

    def rule(self, name: str, *, creating: bool) -> Rule:
        if self.record is not None:
            return self.record
        if creating and name in self.on_create:
            return self.on_create[name]
        return self.fields.get(name, OWNER)


NONE_DECLARED = FieldWrites()


def declaration(model) -> FieldWrites:
    return getattr(model, "writes", NONE_DECLARED)


def rule_of(model, name: str, *, creating: bool) -> Rule:
    """The field's rule: a column core.copies keeps in step is nobody's to write by hand."""
    if copies.is_copied(model, name):
        return COPIED
    return declaration(model).rule(name, creating=creating)


def _tiers(rule: Rule) -> set[Tier]:
    return rule.tiers() if isinstance(rule, ByValue) else {rule}


def tier_of(model, name: str, value, *, creating: bool) -> Tier:
    rule = rule_of(model, name, creating=creating)
    return rule.tier(value) if isinstance(rule, ByValue) else rule


def role_may(role, tier: Tier, *, history: bool = False) -> bool:
    """May `role` write a field of `tier` by a plain edit (or, `history`, load it by import)?
    The scope (which rows) is scoping.can_write's business, not this."""
    if history and role in HISTORY_ROLES and (tier.is_procedure or tier is OFFICERS):
        return True  # an older registry's facts, recorded as imported history
    return tier.roles is None or role in tier.roles


def _role(actor):
    return getattr(actor, "role", None)


def refused(actor, model, values: dict, *, creating: bool, history: bool = False) -> list[tuple[str, Tier]]:
    """The fields of `values` (name -> new value) that `actor` may not write by a plain edit."""
    role = _role(actor)
    return [(name, tier) for name, value in values.items()
            if not role_may(role, tier := tier_of(model, name, value, creating=creating), history=history)]


def _labels(model, names) -> tuple[str, str]:
    def label(lang: str, sep: str) -> str:
        with translation.override(lang):
            return sep.join(str(model._meta.get_field(n).verbose_name) for n in names)
    return label("zh-hans", "、"), label("en", ", ")


def refuse(actor, model, values: dict, *, creating: bool, history: bool = False) -> None:
    """Raise NotPermitted naming the first refused tier's fields and the way they are written."""
    bad = refused(actor, model, values, creating=creating, history=history)
    if not bad:
        return
    order = {f.name: i for i, f in enumerate(model._meta.fields)}
    bad.sort(key=lambda pair: order.get(pair[0], 0))
    tier = bad[0][1]
    f_zh, f_en = _labels(model, [n for n, t in bad if t == tier])
    if tier.is_procedure:
        raise NotPermitted(
            "{f_zh}只能由{p_zh}程序产生；如确需更正，由公安机关或管理员通过“更正”并说明理由",
            "{f_en} can only come from {p_en}; the police or an administrator may correct it, giving a reason",
            f_zh=f_zh, f_en=f_en, p_zh=tier.zh, p_en=tier.en,
        )
    if tier in (FIXED, COPIED):
        raise NotPermitted("{f_zh}（{w_zh}）不能直接修改", "{f_en} ({w_en}) cannot be changed directly",
                           f_zh=f_zh, f_en=f_en, w_zh=tier.zh, w_en=tier.en)
    raise NotPermitted("只有{w_zh}可以修改：{f_zh}", "only {w_en} may change: {f_en}", w_zh=tier.zh, w_en=tier.en,
                       f_zh=f_zh, f_en=f_en)


def may_offer(user, model, name: str, *, creating: bool) -> bool:
    """Should an edit form offer the field to `user` at all? Yes when some value of it is theirs."""
    role = _role(user)
    return any(role_may(role, t) for t in _tiers(rule_of(model, name, creating=creating)))


def withheld_values(user, model, name: str, *, creating: bool) -> set:
    """The values of a ByValue field the user may not choose (the form drops them from the choices)."""
    rule = rule_of(model, name, creating=creating)
    if not isinstance(rule, ByValue):
        return set()
    role = _role(user)
    return {v for v, t in rule.values.items() if not role_may(role, t)}


def correctable(model) -> tuple[str, ...]:
    """The fields a correction may change: those a procedure or the police's own act establishes."""
    decl = declaration(model)
    if decl.record is not None:
        return ()
    return tuple(name for name, rule in decl.fields.items()
                 if any(t.is_procedure or t is OFFICERS for t in _tiers(rule)))


def fact_groups(model) -> dict[Tier, tuple[str, ...]]:
    """The correctable fields grouped by the procedure (or police act) that establishes them."""
    groups: dict[Tier, list[str]] = {}
    for name, rule in declaration(model).fields.items():
        for tier in _tiers(rule):
            if tier.is_procedure or tier is OFFICERS:
                groups.setdefault(tier, []).append(name)
    return {tier: tuple(names) for tier, names in groups.items()}


def history_fields(model, obj_values: dict, *, creating: bool) -> list[str]:
    """The fields of a row written by import that only a procedure (or an officer) could write:
    what makes the row imported history."""
    return [name for name, value in obj_values.items()
            if (t := tier_of(model, name, value, creating=creating)).is_procedure or t is OFFICERS]


def as_created(model, data: dict) -> dict:
    """The values a new row sets: those that differ from the field's default and are not empty."""
    out = {}
    for key, value in data.items():
        f = model._meta.get_field(key)
        if value in (None, "", False) or (f.has_default() and not callable(f.default) and value == f.default):
            continue
        out[f.name] = value
    return out

