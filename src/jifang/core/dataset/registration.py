"""The sheet registry: each app registers one `Sheet` per model from its AppConfig.ready(), in
import order (a sheet may refer only to sheets registered before it)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from .columns import Column, Ref

@dataclass
class Sheet:
    """A model's sheet. `name` is the JSON key, `title` the xlsx sheet name.
    `prepare(actor)` returns a per-object hook run before validation (may raise ServiceError);
    `after_write(actor, objects, changed_fields)` runs once after a sheet's rows are saved.
    `frozen(obj)` raises ServiceError when a stored row may no longer change at all (an acceptance
    whose result is recorded); it sees the row as stored, and an unchanged row still passes."""

    name: str
    title: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    prepare: Callable | None = None
    after_write: Callable | None = None
    select_related: tuple[str, ...] = ()
    frozen: Callable | None = None

    @property
    def natural_key(self) -> tuple[str, ...]:
        return tuple(self.model.natural_key_fields)

    def all_cells(self) -> list[Column]:
        out = []
        for col in self.columns:
            out.extend(col.cells() if isinstance(col, Ref) else (col,))
        return out


_SHEETS: dict[str, Sheet] = {}


def register(sheet: Sheet) -> Sheet:
    """Add a sheet. Import order is registration order: register referenced models first."""
    _SHEETS[sheet.name] = sheet
    return sheet


def sheets() -> list[Sheet]:
    return list(_SHEETS.values())


def sheet_names() -> set[str]:
    return set(_SHEETS)


def field_kind(f: models.Field) -> str:
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if f.choices:
        return "choice" if not isinstance(f, models.IntegerField) else "int"
    if isinstance(f, models.IntegerField):
        return "int"
    return "text"


def columns_for(model, headers: dict[str, str], refs: dict[str, Ref] | None = None) -> tuple[Column, ...]:
    """Columns for the fields named in `headers` (in order), typed from the model. Foreign keys to
    Division become district codes; other foreign keys refer by the target's one-field natural key,
    unless `refs` gives an explicit Ref (compound keys)."""
    refs = refs or {}
    out = []
    for name, header in headers.items():
        if name in refs:
            out.append(refs[name])
            continue
        f = model._meta.get_field(name)
        required = not f.blank and not f.has_default() and not f.null
        if f.many_to_one and f.related_model._meta.label == "accounts.Division":
            out.append(Column(name, header, f, "district", required, export_paths=(f.attname,)))
        elif f.many_to_one:
            out.append(ref_to(model, name, header))
        else:
            upper = name == "credit_code"
            out.append(Column(name, header, f, field_kind(f), required, upper, export_paths=(name,)))
    return tuple(out)


def ref_to(model, name: str, header: str) -> Ref:
    """A reference through the foreign key `name` by the target's one-field natural key."""
    f = model._meta.get_field(name)
    key = f.related_model.natural_key_fields[0]
    return Ref(name, header, f, required=not f.null, upper=key == "credit_code", target=f.related_model,
               lookup=(key,), export_paths=(f"{name}__{key}",))

