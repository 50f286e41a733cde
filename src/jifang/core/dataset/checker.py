"""Import steps 1-3 for one sheet: every cell parsed, references and ids resolved with one query
per chunk of keys, natural keys and unique columns checked against the file and the database."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from jifang.core import uniqueness
from jifang.core.i18n import bilingual
from jifang.core.scoping import visible

from .base import SYSTEM, CellError, ImportResult, RowError, chunks
from .columns import ID_COLUMN, Ref, parse_id
from .readers import RawSheet


def fetch_by_key(qs, fields: tuple[str, ...], keys: Iterable[tuple]) -> dict[tuple, models.Model]:
    """Rows of `qs` whose `fields` equal one of `keys`: one query per chunk of keys. Compound keys
    are narrowed with IN per field, then matched exactly in Python."""
    keys = list(set(keys))
    out = {}
    for chunk in chunks(keys):
        cond = {f"{f}__in": list({k[i] for k in chunk}) for i, f in enumerate(fields)}
        wanted = set(chunk)
        for obj in qs.filter(**cond):
            key = tuple(getattr(obj, f) for f in fields)
            if key in wanted:
                out[key] = obj
    return out


class SheetCheck:
    """Steps 1-3 for one sheet's raw rows: cells parsed, references resolved, the rows to update
    loaded, natural keys and unique columns checked. Bad rows are reported and left in `bad`."""

    def __init__(self, actor, raw: RawSheet, result: ImportResult, pending: dict):
        self.actor, self.raw, self.result, self.pending = actor, raw, result, pending
        self.sheet = raw.sheet
        self.model = raw.sheet.model
        self.bad: set[int] = set()
        self.values: dict[int, dict] = {}
        self.existing: dict[int, models.Model] = {}

    def error(self, number: int, column: str, message: str) -> None:
        self.bad.add(number)
        self.result.errors.append(RowError(self.raw.label, number, column, message))

    def run(self) -> SheetCheck:
        self.result.errors.extend(self.raw.header_errors)
        self._parse()
        self.existing = self._load_existing()
        self._resolve_refs(self.existing)
        self._check_unique(self.existing)
        return self

    # 1. cells
    def _parse(self) -> None:
        cells = [c for c in self.sheet.columns if not isinstance(c, Ref)]
        for number, row in self.raw.rows:
            values = {}
            for col in (ID_COLUMN, *cells):
                if col.key not in row:
                    continue
                try:
                    values[col.key] = col.parse(row[col.key]) if col is not ID_COLUMN else parse_id(row["id"])
                except CellError as exc:
                    self.error(number, col.label, exc.text)
            values["_raw"] = row
            self.values[number] = values
            if values.get("id") is None:
                self._require_on_create(number, row)

    def _require_on_create(self, number: int, row: dict) -> None:
        """A new row must state every required column (an update may leave columns out)."""
        for col in self.sheet.columns:
            if col.required and col.key not in row:
                self.error(number, col.label, bilingual("必填", "required"))

    # 2. references, one query per chunk per reference column
    def _resolve_refs(self, existing: dict) -> None:
        for ref in (c for c in self.sheet.columns if isinstance(c, Ref)):
            keys = self._ref_keys(ref, existing)
            target_qs = ref.target._default_manager.all()
            if self.actor is not SYSTEM:
                target_qs = visible(self.actor, target_qs)
            found = fetch_by_key(target_qs, ref.lookup, keys.values())
            for number, key in keys.items():
                if key in found:
                    self.values[number][ref.key] = found[key]
                elif key not in self.pending.get(ref.target, ()):
                    shown = "/".join(str(k) for k in key[len(key) - len(ref.cells()):])
                    self.error(number, ref.label, bilingual("引用的对象不存在或不可见：{k}",
                                                            "the referenced object does not exist or is not visible: {k}",
                                                            k=shown))
                else:
                    self.bad.add(number)  # refers to a bad row of an earlier sheet: reported there

    def _ref_keys(self, ref: Ref, existing: dict) -> dict[int, tuple]:
        keys = {}
        for number, values in self.values.items():
            raw = values["_raw"]
            if not any(c.key in raw for c in ref.cells()):
                continue
            try:
                cells = tuple(c.parse_text(raw.get(c.key)) if not c.is_empty(raw.get(c.key)) else None
                              for c in ref.cells())
            except CellError as exc:
                self.error(number, ref.label, exc.text)
                continue
            if all(v is None for v in cells):
                if ref.required:
                    self.error(number, ref.label, bilingual("必填", "required"))
                else:
                    values[ref.key] = None
                continue
            missing = [c for c, v in zip(ref.cells(), cells, strict=True) if v is None]
            if missing:  # a brand without its model: say which cell is missing, not "brand/None"
                for c in missing:
                    self.error(number, c.label, bilingual("{h}必填", "{k} is required", h=c.header, k=c.key))
                continue
            if ref.context is not None:
                prefix = ref.context(values, existing.get(values.get("id")))
                if prefix is None:
                    continue  # what it hangs on did not resolve: reported there
                cells = (*prefix, *cells)
            keys[number] = cells
        return keys

    # 3. ids of rows to update, and uniqueness
    def _load_existing(self) -> dict[int, models.Model]:
        ids = {v["id"]: n for n, v in self.values.items() if v.get("id") is not None}
        qs = self.model._default_manager.all()
        if self.sheet.select_related:
            qs = qs.select_related(*self.sheet.select_related)
        if self.actor is not SYSTEM:
            qs = visible(self.actor, qs)
        found = {}
        for chunk in chunks(list(ids)):
            found.update({obj.pk: obj for obj in qs.filter(pk__in=chunk)})
        for pk, number in ids.items():
            if pk not in found:
                self.error(number, ID_COLUMN.label, bilingual("没有编号为{i}的记录（或不在您的范围内）",
                                                              "no row with id {i} (or not in your scope)", i=pk))
        return found

    def _unique_sets(self) -> list[tuple[str, ...]]:
        sets = [tuple(self.sheet.natural_key)]
        sets += [(f.name,) for f in self.model._meta.concrete_fields if f.unique and not f.primary_key
                 and (f.name,) != tuple(self.sheet.natural_key)]
        return sets

    def _key_of(self, values: dict, names: tuple[str, ...], existing: dict) -> tuple | None:
        current = existing.get(values.get("id"))
        key = []
        for name in names:
            if name in values:
                value = values[name]
            elif current is not None:
                value = getattr(current, name)
            else:
                return None
            key.append(value.pk if isinstance(value, models.Model) else value)
        return None if any(v in (None, "") for v in key) else tuple(key)

    def _check_unique(self, existing: dict) -> None:
        for names in self._unique_sets():
            attnames = tuple(self.model._meta.get_field(n).attname for n in names)
            keys = {n: k for n, v in self.values.items()
                    if n not in self.bad and (k := self._key_of(v, names, existing)) is not None}
            label = " + ".join(self._label_of(n) for n in names)
            seen: dict[tuple, int] = {}
            for number, key in keys.items():
                if key in seen:
                    self.error(number, label, bilingual("与第{r}行重复：{k}", "duplicates row {r}: {k}", r=seen[key],
                                                        k="/".join(map(str, key))))
                else:
                    seen[key] = number
            taken = fetch_by_key(self.model._default_manager.only("pk", *names), attnames, seen)
            clashes = {number: owner.pk for key, number in seen.items()
                       if (owner := taken.get(key)) is not None and owner.pk != self.values[number].get("id")}
            shown = self._visible_ids(clashes.values())
            for number, pk in clashes.items():
                # a row outside the actor's scope is not named (core/uniqueness.py)
                self.error(number, label, uniqueness.seen(self.actor, pk) if pk in shown else uniqueness.ELSEWHERE)

    def _visible_ids(self, pks) -> set[int]:
        return set(pks) if self.actor is SYSTEM else uniqueness.visible_ids(self.actor, self.model, pks)

    def _label_of(self, name: str) -> str:
        col = next((c for c in self.sheet.columns if c.key == name), None)
        return col.label if col else name
