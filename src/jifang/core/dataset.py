"""The dataset engine: import and export of registered sheets, in JSON and in Excel (.xlsx).

An app registers one `Sheet` per model it owns (see registry/dataset.py), in the order they must
be imported (a sheet may refer only to sheets registered before it). A sheet's columns are built
from the model's fields: text, integer, yes/no, date, choice, division code, or a reference to
another row by its natural key (credit code, site code, brand + model, ...).

Import is all-or-nothing and set-based, so that 100,000 rows fit in seconds:
  1. every cell is parsed and checked in Python (type, choices, length, the field's validators);
  2. references, ids and uniqueness are checked with one query per chunk of keys per sheet;
  3. the rows of a sheet are written with `bulk.insert_objects` (one compiled multi-row INSERT per
     batch) / bulk_update and audited with `audit.record_many` / `audit.record_updates` (before and
     after), in one transaction for the whole file.
Any bad row (or a dry run) rolls the whole transaction back; the report lists every bad cell with
sheet, row, column and a bilingual reason. Rights are those of the services: the actor must be
allowed to write the model, only rows inside their area are written, police-only fields are
refused to others, and the sheet's `prepare` hook runs the app's own per-object rules (the copied
district/unit/site columns, art_14 para 2...).

Export writes the same format from `visible(actor, ...)`, so an export imports back unchanged.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from . import audit, bulk, writes
from .i18n import bilingual
from .scoping import _anchored_q, can_write, visible
from .services import POLICE_AND_ADMIN

FORMAT = "jifang-dataset"
VERSION = 1
CHUNK = 900  # keys per IN list: below SQLite's historical 999-parameter limit
ID_HEADER = "编号"
NOTES_SHEET = "说明"

# The console's actor (`jifang import` without --as): the operator with shell access is trusted
# like `jifang seed`; the audit log records "system".
SYSTEM = SimpleNamespace(pk=None, username="system", role="admin", division_id=None, is_authenticated=True,
                         is_active=True)


class DatasetError(Exception):
    """The file as a whole is unusable (not JSON/xlsx, too big, no known sheet)."""

    def __init__(self, zh: str, en: str, **values):
        self.text = bilingual(zh, en, **values)
        super().__init__(self.text)


class _CellError(Exception):
    def __init__(self, zh: str, en: str | None = None, **values):
        # en None: `zh` is already bilingual (a model validator's message)
        self.text = zh if en is None else bilingual(zh, en, **values)


# --- columns ------------------------------------------------------------------------------


@dataclass
class Column:
    """One cell of a row. `key` is the JSON key, `header` the Chinese xlsx header."""

    key: str
    header: str
    field: models.Field | None = None
    kind: str = "text"           # text | int | bool | date | choice | district | ref
    required: bool = False
    upper: bool = False          # credit codes are compared upper-case
    export_paths: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.header} ({self.key})"

    def is_empty(self, raw) -> bool:
        return raw is None or (isinstance(raw, str) and not raw.strip())

    def empty_value(self):
        f = self.field
        if self.required:
            raise _CellError("必填", "required")
        if f.has_default():
            return f.get_default()
        if f.null:
            return None
        return ""

    def parse(self, raw):
        if self.is_empty(raw):
            return self.empty_value()
        value = getattr(self, f"_parse_{self.kind}")(raw)
        self._validate(value)
        return value

    def _validate(self, value):
        if self.field is None or self.field.is_relation:
            return
        if self.field.choices and value not in self._choices:
            allowed = ", ".join(str(c) for c, _ in self.field.flatchoices if c != "")
            raise _CellError("未知取值：{v}（可选：{a}）", "unknown value {v} (allowed: {a})", v=value, a=allowed)
        try:
            self.field.run_validators(value)
        except ValidationError as exc:
            raise _CellError("; ".join(exc.messages)) from None

    @functools.cached_property
    def _choices(self) -> frozenset:
        return frozenset(c for c, _ in self.field.flatchoices)

    def _parse_text(self, raw) -> str:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # a code typed into Excel as a number
        if isinstance(raw, (bool, dt.date)) or not isinstance(raw, (str, int)):
            raise _CellError("应为文本", "expected text, got {v!r}", v=raw)
        value = str(raw).strip()
        value = value.upper() if self.upper else value
        limit = getattr(self.field, "max_length", None)
        if limit and len(value) > limit:
            raise _CellError("超过{n}个字符", "longer than {n} characters", n=limit)
        return value

    _parse_choice = _parse_text

    def _parse_int(self, raw) -> int:
        if isinstance(raw, bool):
            raise _CellError("应为整数", "expected a whole number, got {v!r}", v=raw)
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            return int(raw.strip())
        raise _CellError("应为整数：{v}", "expected a whole number: {v}", v=raw)

    def _parse_bool(self, raw) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise _CellError("应为是或否：{v}", "expected yes or no: {v}", v=raw)

    def _parse_date(self, raw) -> dt.date:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        try:
            return dt.date.fromisoformat(str(raw).strip()[:10])
        except ValueError:
            raise _CellError("应为日期（YYYY-MM-DD）：{v}", "expected a date (YYYY-MM-DD): {v}", v=raw) from None

    def _parse_datetime(self, raw) -> dt.datetime:
        """Excel has no time zones: a naive time is Kunming's local time (settings.TIME_ZONE)."""
        if isinstance(raw, dt.datetime):
            value = raw
        elif isinstance(raw, dt.date):
            value = dt.datetime.combine(raw, dt.time())
        else:
            try:
                value = dt.datetime.fromisoformat(str(raw).strip())
            except ValueError:
                raise _CellError("应为日期时间（YYYY-MM-DD HH:MM）：{v}", "expected a date and time (YYYY-MM-DD HH:MM): {v}",
                                 v=raw) from None
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    def _parse_district(self, raw) -> str:
        from jifang.accounts.divisions import DISTRICTS

        code = self._parse_text(raw)
        if code not in DISTRICTS:
            raise _CellError("未知的昆明市区县行政区划代码：{v}", "unknown Kunming district division code: {v}", v=code)
        return code


TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "√"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "×"}


@dataclass
class Ref(Column):
    """A reference to a row of another model by its natural key. `lookup` are the target's fields;
    the cells (this column, plus `extra_cells`) give their values in order, after any values that
    `context(values, current)` takes from references resolved earlier in the row, or from the
    row being updated (a device's part is named within its system's site); None: unresolvable."""

    kind: str = "ref"
    target: type[models.Model] | None = None
    lookup: tuple[str, ...] = ()
    extra_cells: tuple[Column, ...] = ()
    context: Callable[[dict], tuple] | None = None

    def cells(self) -> tuple[Column, ...]:
        return (self, *self.extra_cells)


# --- sheets -------------------------------------------------------------------------------


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


def _kind_of(f: models.Field) -> str:
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
            out.append(Column(name, header, f, _kind_of(f), required, upper, export_paths=(name,)))
    return tuple(out)


def ref_to(model, name: str, header: str) -> Ref:
    """A reference through the foreign key `name` by the target's one-field natural key."""
    f = model._meta.get_field(name)
    key = f.related_model.natural_key_fields[0]
    return Ref(name, header, f, required=not f.null, upper=key == "credit_code", target=f.related_model,
               lookup=(key,), export_paths=(f"{name}__{key}",))


# --- reading files ------------------------------------------------------------------------


@dataclass
class RawSheet:
    sheet: Sheet
    label: str                          # the name shown in error reports
    rows: list[tuple[int, dict]]        # (row number, {key: raw value}) with only present keys
    header_errors: list = field(default_factory=list)


def check_size(size: int) -> None:
    limit = settings.JIFANG_IMPORT_MAX_BYTES
    if size > limit:
        raise DatasetError("文件过大：{s}字节，上限{m}字节", "file too large: {s} bytes, the limit is {m}", s=size, m=limit)


def read_dataset(data: bytes) -> list[RawSheet]:
    """Parse a JSON or xlsx dataset into raw rows per known sheet, in import order."""
    check_size(len(data))
    if data[:2] == b"PK":
        return _read_xlsx(data)
    if data.lstrip()[:1] == b"{":
        return _read_json(data)
    raise DatasetError("无法识别的文件：应为JSON或xlsx", "unrecognised file: expected JSON or xlsx")


def _header_map(sheet: Sheet) -> dict[str, Column]:
    cells = {}
    for col in sheet.all_cells():
        cells[col.header] = cells[col.key] = col
    cells[ID_HEADER] = cells["id"] = ID_COLUMN
    return cells


def _read_json(data: bytes) -> list[RawSheet]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetError("JSON格式错误：{e}", "malformed JSON: {e}", e=exc) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("sheets"), dict):
        raise DatasetError("JSON缺少 sheets 对象", 'the JSON has no "sheets" object')
    unknown = set(doc["sheets"]) - set(_SHEETS)
    if unknown:
        raise DatasetError("未知的表：{s}", "unknown sheets: {s}", s=", ".join(sorted(unknown)))
    out = []
    for sheet in sheets():
        rows = doc["sheets"].get(sheet.name)
        if rows is None:
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DatasetError("表{s}应为对象数组", "sheet {s} must be a list of objects", s=sheet.name)
        out.append(_keyed(sheet, sheet.name, [(i, r) for i, r in enumerate(rows, start=1)]))
    return out


def _keyed(sheet: Sheet, label: str, rows: list[tuple[int, dict]]) -> RawSheet:
    """Map header names to keys; unknown headers are reported once, on the header row."""
    known = _header_map(sheet)
    raw = RawSheet(sheet, label, [])
    unknown = {h for _, r in rows for h in r if h not in known}
    for h in sorted(unknown, key=str):
        raw.header_errors.append(RowError(label, 1 if label == sheet.title else 0, str(h),
                                          bilingual("未知的列", "unknown column")))
    for number, row in rows:
        raw.rows.append((number, {known[h].key: v for h, v in row.items() if h in known}))
    return raw


def _read_xlsx(data: bytes) -> list[RawSheet]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise DatasetError("无法读取xlsx文件：{e}", "cannot read the xlsx file: {e}", e=exc) from None
    by_title = {s.title: s for s in sheets()}
    unknown = set(book.sheet_names) - set(by_title) - {NOTES_SHEET}
    if unknown:
        raise DatasetError("未知的工作表：{s}", "unknown worksheets: {s}", s=", ".join(sorted(unknown)))
    out = []
    for sheet in sheets():
        if sheet.title in book.sheet_names:
            grid = book.get_sheet_by_name(sheet.title).to_python(skip_empty_area=False)
            out.append(_keyed(sheet, sheet.title, list(_grid_rows(grid))))
    return out


def _grid_rows(grid: list[list]) -> Iterator[tuple[int, dict]]:
    if not grid:
        return
    headers = [str(h).strip() for h in grid[0]]
    for number, cells in enumerate(grid[1:], start=2):
        if all(c == "" or c is None for c in cells):
            continue
        yield number, {h: c for h, c in zip(headers, cells, strict=False) if h}


ID_COLUMN = Column("id", ID_HEADER, None, "int")


# --- importing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        where = f"{self.sheet} 第{self.row}行" if self.row else self.sheet
        return f"{where} [{self.column}]: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run


class _Rollback(Exception):
    pass


def dataset_import(*, actor, data: bytes, dry_run: bool = False, filename: str = "") -> ImportResult:
    """Import a whole file, or nothing. Raises DatasetError for an unusable file; bad rows are
    returned in `ImportResult.errors` (and then nothing is written)."""
    raw_sheets = read_dataset(data)
    if not raw_sheets:
        raise DatasetError("文件中没有可导入的表", "the file has no sheet to import")
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            pending: dict[type, set] = {}
            for raw in raw_sheets:
                _SheetImport(actor, raw, result, pending).run()
            _audit_summary(actor, result, filename)
            if dry_run and not result.errors:
                _check_deferred(result, raw_sheets)
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result


def _check_deferred(result: ImportResult, raw_sheets: list[RawSheet]) -> None:
    """A dry run reports what the commit would refuse: foreign keys are checked at commit
    (deferred), so check them now, before rolling back (PostgreSQL: the pending checks; SQLite:
    the written tables)."""
    tables = [raw.sheet.model._meta.db_table for raw in raw_sheets]
    try:
        with transaction.atomic():
            connection.check_constraints(table_names=tables)
    except IntegrityError as exc:
        result.errors.append(RowError("", 0, "", bilingual("数据库拒绝写入：{e}", "the database refused the rows: {e}",
                                                           e=exc)))


def _audit_summary(actor, result: ImportResult, filename: str) -> None:
    audit.record(actor=_audit_actor(actor), action="core.dataset.import", district="",
                 note=f"{filename} created={result.created} updated={result.updated}"[:2000])


def _audit_actor(actor):
    return None if actor is SYSTEM else actor


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _fetch_by_key(qs, fields: tuple[str, ...], keys: Iterable[tuple]) -> dict[tuple, models.Model]:
    """Rows of `qs` whose `fields` equal one of `keys`: one query per chunk of keys. Compound keys
    are narrowed with IN per field, then matched exactly in Python."""
    keys = list(set(keys))
    out = {}
    for chunk in _chunks(keys):
        cond = {f"{f}__in": list({k[i] for k in chunk}) for i, f in enumerate(fields)}
        wanted = set(chunk)
        for obj in qs.filter(**cond):
            key = tuple(getattr(obj, f) for f in fields)
            if key in wanted:
                out[key] = obj
    return out


def _write_scope(actor, model) -> Q | None:
    """The set-based form of `scoping.can_write(actor, model, obj)`: a filter for the rows `actor`
    may change (None: all of them). Same rules: the police and admins, or a role the model lists
    as a writer; the row anchored to the actor's district, units or firm (read-only officers are
    in neither set)."""
    if actor is SYSTEM:
        return None
    if actor.role not in POLICE_AND_ADMIN and actor.role not in model.scope.writers:
        return Q(pk__in=[])
    return _anchored_q(actor, model.scope)


class _SheetImport:
    """Import one sheet's raw rows inside the file's transaction."""

    def __init__(self, actor, raw: RawSheet, result: ImportResult, pending: dict):
        self.actor, self.raw, self.result, self.pending = actor, raw, result, pending
        self.sheet = raw.sheet
        self.model = raw.sheet.model
        self.bad: set[int] = set()
        self.values: dict[int, dict] = {}

    def error(self, number: int, column: str, message: str) -> None:
        self.bad.add(number)
        self.result.errors.append(RowError(self.raw.label, number, column, message))

    def run(self) -> None:
        self.result.errors.extend(self.raw.header_errors)
        self._parse()
        existing = self._load_existing()
        self._resolve_refs(existing)
        self._check_unique(existing)
        creates, updates = self._build(existing)
        self._note_pending()
        self._write(creates, updates)

    # 1. cells
    def _parse(self) -> None:
        cells = [c for c in self.sheet.columns if not isinstance(c, Ref)]
        for number, row in self.raw.rows:
            values = {}
            for col in (ID_COLUMN, *cells):
                if col.key not in row:
                    continue
                try:
                    values[col.key] = col.parse(row[col.key]) if col is not ID_COLUMN else _parse_id(row["id"])
                except _CellError as exc:
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
            found = _fetch_by_key(target_qs, ref.lookup, keys.values())
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
                cells = tuple(c._parse_text(raw.get(c.key)) if not c.is_empty(raw.get(c.key)) else None
                              for c in ref.cells())
            except _CellError as exc:
                self.error(number, ref.label, exc.text)
                continue
            if all(v is None for v in cells):
                if ref.required:
                    self.error(number, ref.label, bilingual("必填", "required"))
                else:
                    values[ref.key] = None
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
        for chunk in _chunks(list(ids)):
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
            taken = _fetch_by_key(self.model._default_manager.only("pk", *names), attnames, seen)
            for key, number in seen.items():
                owner = taken.get(key)
                if owner is not None and owner.pk != self.values[number].get("id"):
                    self.error(number, label, bilingual("已登记：{k}（更新已有记录请填写编号）",
                                                        "already registered: {k} (to update it, give its id)",
                                                        k="/".join(map(str, key))))

    def _label_of(self, name: str) -> str:
        col = next((c for c in self.sheet.columns if c.key == name), None)
        return col.label if col else name

    # 4. objects
    def _build(self, existing: dict) -> tuple[list, list]:
        prepare = self.sheet.prepare(self.actor) if self.sheet.prepare else None
        may_create = self.actor is SYSTEM or can_write(self.actor, self.model)
        creates, updates = [], []
        for number, values in self.values.items():
            if number in self.bad:
                continue
            data = {k: v for k, v in values.items() if k not in ("id", "_raw")}
            current = existing.get(values.get("id"))
            if current is None and not may_create:
                self.error(number, "", bilingual("无权新建{m}", "you may not create {m}", m=self.model._meta.model_name))
                continue
            built = self._one(number, current, data, prepare)
            if built is not None:
                (creates if current is None else updates).append(built)
        return creates, updates

    def _one(self, number, current, data, prepare):
        obj = current if current is not None else _blank(self.model)()
        before = audit.snapshot(current) if current is not None else None
        refusal = self._frozen(current)  # judged on the row as stored, before the file's values
        for name, value in data.items():
            _assign(obj, name, value)
        try:
            changed = self._changed(before, obj, data)
            if current is not None and not changed:
                self.result.unchanged[self.sheet.name] = self.result.unchanged.get(self.sheet.name, 0) + 1
                return None
            if refusal is not None:
                raise refusal
            # core/writes.py: who may write each field; administrators and the console may load
            # procedure facts as an older registry's history (audited as such in _write)
            writes.refuse(self.actor, self.model, _field_values(obj, changed), creating=current is None,
                          history=True)
            if prepare:
                prepare(obj)
            obj.clean()
        except PermissionDenied as exc:
            self.error(number, "", getattr(exc, "text", str(exc)))
            return None
        except ValidationError as exc:
            self.error(number, "", "; ".join(exc.messages))
            return None
        # what to save includes the columns `prepare` copied (a system's unit after a site move)
        dirty = changed if before is None else self._changed(before, obj, data)
        return number, obj, before, dirty

    def _frozen(self, current) -> ValidationError | None:
        if current is None or self.sheet.frozen is None:
            return None
        try:
            self.sheet.frozen(current)
        except ValidationError as exc:
            return exc
        return None

    def _changed(self, before, obj, data) -> set[str]:
        if before is None:
            return {k for k, v in data.items() if v not in (None, "", False)}
        after = audit.snapshot(obj)
        return {f.name for f in self.model._meta.concrete_fields if before[f.attname] != after[f.attname]}

    def _note_pending(self) -> None:
        """Natural keys of this sheet's bad rows: later sheets that refer to them stay quiet."""
        names = self.sheet.natural_key
        keys = self.pending.setdefault(self.model, set())
        for number in self.bad:
            values = self.values.get(number, {})
            raw = values.get("_raw", {})
            key = tuple(self._pending_part(values, raw, n) for n in names)
            keys.add(key)

    def _pending_part(self, values, raw, name):
        value = values.get(name, raw.get(name))
        return value.pk if isinstance(value, models.Model) else value

    # 5. writes, rights after the change, audit
    def _write(self, creates, updates) -> None:
        # The good rows are written even when the file has bad ones (the transaction is rolled
        # back at the end): later sheets then resolve references to them, and report only their
        # own faults.
        self._check_in_scope(updates)  # the rows as they are now: may the actor change them?
        try:
            with transaction.atomic():
                created, fields = self._save(creates, updates)
        except IntegrityError as exc:
            self.error(0, "", bilingual("数据库拒绝写入：{e}", "the database refused the rows: {e}", e=exc))
            return
        if self.sheet.after_write and updates:
            self.sheet.after_write(self.actor, [o for _, o, _, _ in updates], set(fields))
        self._check_in_scope(creates + updates)  # and as they are now written
        label = self.model._meta.label_lower
        audit.record_many(actor=_audit_actor(self.actor), action=f"{label}.create", objects=created, note="import")
        audit.record_updates(actor=_audit_actor(self.actor), action=f"{label}.update",
                             pairs=[(o, before) for _, o, before, _ in updates], note="import")
        history = [o for _, o, before, dirty in creates + updates
                   if writes.history_fields(self.model, _field_values(o, dirty), creating=before is None)]
        audit.record_many(actor=_audit_actor(self.actor), action=f"{label}.history", objects=history,
                          note=HISTORY_NOTE)
        self._count(created, updates)

    def _save(self, creates, updates) -> tuple[list, list[str]]:
        # one compiled multi-row INSERT per batch (bulk_create compiles every value: core/bulk.py)
        created = bulk.insert_objects(self.model, [o for _, o, _, _ in creates])
        fields = sorted({f for *_, changed in updates for f in changed} - {"id", "created_at", "updated_at"})
        if fields:
            now = timezone.now()
            for _, obj, _, _ in updates:
                obj.updated_at = now  # bulk_update does not run auto_now
            self.model._default_manager.bulk_update([o for _, o, _, _ in updates], [*fields, "updated_at"],
                                                    batch_size=1000)
        return created, fields

    def _count(self, created, updates) -> None:
        if created:
            self.result.created[self.sheet.name] = len(created)
        if updates:
            self.result.updated[self.sheet.name] = len(updates)

    def _check_in_scope(self, written) -> None:
        q = _write_scope(self.actor, self.model)
        if q is None or not written:
            return
        by_pk = {obj.pk: number for number, obj, _, _ in written}
        inside = set()
        for chunk in _chunks(list(by_pk)):
            inside.update(self.model._default_manager.filter(q, pk__in=chunk).values_list("pk", flat=True))
        for pk, number in by_pk.items():
            if pk not in inside:
                self.error(number, "", bilingual("不能在您的辖区或单位之外登记或修改",
                                                 "you may not register or change rows outside your area or units"))


HISTORY_NOTE = bilingual("导入的历史记录（非本平台程序产生）", "imported history (not produced by this platform's procedures)")


def _field_values(obj, names) -> dict:
    return {n: getattr(obj, obj._meta.get_field(n).attname) for n in names}


@functools.cache
def _blank(model) -> Callable[[], models.Model]:
    """`model()` for 100,000 rows: the defaults are computed once and passed positionally (Django
    then skips its per-field default lookup); callable defaults are still called per object."""
    fields = model._meta.concrete_fields
    fixed = tuple(f.get_default() for f in fields)
    calls = [(i, f.get_default) for i, f in enumerate(fields) if f.has_default() and callable(f.default)]
    if not calls:
        return lambda: model(*fixed)

    def new():
        args = list(fixed)
        for i, default in calls:
            args[i] = default()
        return model(*args)

    return new


def _assign(obj, name: str, value) -> None:
    """Set a field; a foreign key given by its value (a division code) goes to its attname."""
    setattr(obj, name if isinstance(value, models.Model) else _attnames(type(obj))[name], value)


@functools.cache
def _attnames(model) -> dict[str, str]:
    return {f.name: f.attname for f in model._meta.concrete_fields}


def _parse_id(raw) -> int | None:
    if ID_COLUMN.is_empty(raw):
        return None
    value = ID_COLUMN._parse_int(raw)
    if value <= 0:
        raise _CellError("编号应为正整数", "an id is a positive whole number")
    return value


# --- exporting ----------------------------------------------------------------------------


def export_rows(actor, sheet: Sheet, with_ids: bool = True) -> Iterator[list]:
    """The sheet's rows for `actor`, as lists of cell values in column order (one query, streamed)."""
    cells = sheet.all_cells()
    paths = [p for c in cells for p in c.export_paths]
    qs = sheet.model._default_manager.all() if actor is SYSTEM else visible(actor, sheet.model)
    for row in qs.order_by("pk").values_list("pk", *paths).iterator(chunk_size=2000):
        yield [row[0]] + list(row[1:]) if with_ids else list(row[1:])


def _headers(sheet: Sheet, with_ids: bool, keys: bool = False) -> list[str]:
    cells = sheet.all_cells()
    names = [c.key if keys else c.header for c in cells]
    return (["id" if keys else ID_HEADER] + names) if with_ids else names


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _xlsx_value(value):
    # Excel cannot hold a time zone: aware times are written in local time (read back as such)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def dataset_export(*, actor, out, fmt: str = "xlsx", with_ids: bool = True, template: bool = False) -> dict[str, int]:
    """Write every sheet the actor can see to the binary stream `out`; returns rows per sheet.
    `template` writes the headers only, with a notes sheet describing every column."""
    counts = {}
    if fmt == "json":
        doc = {"format": FORMAT, "version": VERSION, "sheets": {}}
        for sheet in sheets():
            keys = _headers(sheet, with_ids, keys=True)
            rows = [] if template else [dict(zip(keys, map(_json_value, r), strict=True))
                                        for r in export_rows(actor, sheet, with_ids)]
            doc["sheets"][sheet.name] = rows
            counts[sheet.name] = len(rows)
        out.write(json.dumps(doc, ensure_ascii=False, indent=1).encode())
    else:
        counts = _write_xlsx(actor, out, with_ids, template)
    if not template:
        audit.record(actor=_audit_actor(actor), action="core.dataset.export", district="", note=f"{fmt} {counts}")
    return counts


def _write_xlsx(actor, out, with_ids: bool, template: bool) -> dict[str, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    counts = {}
    for sheet in sheets():
        ws = book.create_sheet(sheet.title)
        ws.freeze_panes = "A2"
        ws.append(_headers(sheet, with_ids))
        n = 0
        for row in ([] if template else export_rows(actor, sheet, with_ids)):
            ws.append([_xlsx_value(v) for v in row])
            n += 1
        counts[sheet.name] = n
    if template:
        _notes_sheet(book.create_sheet(NOTES_SHEET))
    book.save(out)
    return counts


def _notes_sheet(ws) -> None:
    ws.append(["工作表 sheet", "列 column", "键 key", "类型 type", "必填 required", "取值 values"])
    for sheet in sheets():
        for col in (ID_COLUMN, *sheet.all_cells()):
            values = ""
            if col.field is not None and col.field.choices and not col.field.is_relation:
                values = ", ".join(str(c) for c, _ in col.field.flatchoices if c != "")
            ws.append([sheet.title, col.header, col.key, col.kind, "是" if col.required else "", values])


def describe() -> dict[str, list[dict]]:
    """The column table of every sheet (docs and the import page render it)."""
    return {s.name: [{"title": s.title, "header": c.header, "key": c.key, "kind": c.kind, "required": c.required}
                     for c in (ID_COLUMN, *s.all_cells())] for s in sheets()}


__all__ = ["SYSTEM", "Column", "DatasetError", "ImportResult", "Ref", "RowError", "Sheet", "check_size", "columns_for",
           "dataset_export", "dataset_import", "describe", "ref_to", "register", "sheets"]
