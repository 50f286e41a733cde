"""Columns: one cell of a row, typed from the model field (text, int, yes/no, date, choice,
district code) or a reference to another row by its natural key (`Ref`)."""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from jifang.core.validators import validate_plain_text

from .base import ID_HEADER, CellError
from .xlsx import Refused

MAX_ID = 2**63 - 1  # a bigint primary key

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
            raise CellError("必填", "required")
        if f.has_default():
            return f.get_default()
        if f.null:
            return None
        return ""

    def parse(self, raw):
        refuse_unreadable(raw)
        if self.is_empty(raw):
            return self.empty_value()
        value = getattr(self, f"parse_{self.kind}")(raw)
        self._validate(value)
        return value

    def _validate(self, value):
        if self.field is None or self.field.is_relation:
            return
        if self.field.choices and value not in self._choices:
            allowed = ", ".join(str(c) for c, _ in self.field.flatchoices if c != "")
            raise CellError("未知取值：{v}（可选：{a}）", "unknown value {v} (allowed: {a})", v=value, a=allowed)
        try:
            self.field.run_validators(value)
        except ValidationError as exc:
            raise CellError("; ".join(exc.messages)) from None

    @functools.cached_property
    def _choices(self) -> frozenset:
        return frozenset(c for c, _ in self.field.flatchoices)

    def parse_text(self, raw) -> str:
        refuse_unreadable(raw)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # a code typed into Excel as a number
        if isinstance(raw, (bool, dt.date)) or not isinstance(raw, (str, int)):
            raise CellError("应为文本", "expected text, got {v}", v=_shown(raw))
        value = str(raw).strip()
        value = value.upper() if self.upper else value
        limit = getattr(self.field, "max_length", None) or settings.JIFANG_IMPORT_MAX_CELL_CHARS
        if len(value) > limit:
            raise CellError("超过{n}个字符", "longer than {n} characters", n=limit)
        try:
            validate_plain_text(value)
        except ValidationError as exc:
            raise CellError("; ".join(exc.messages)) from None
        return value

    parse_choice = parse_text

    def parse_int(self, raw) -> int:
        if isinstance(raw, bool):
            raise CellError("应为整数", "expected a whole number, got {v}", v=_shown(raw))
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and WHOLE_NUMBER.match(raw.strip()):
            return int(raw.strip())
        raise CellError("应为整数：{v}", "expected a whole number: {v}", v=_shown(raw))

    def parse_bool(self, raw) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise CellError("应为是或否：{v}", "expected yes or no: {v}", v=_shown(raw))

    def parse_date(self, raw) -> dt.date:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        found = DAY.match(str(raw).strip()) if isinstance(raw, str) else None
        try:
            return dt.date(*map(int, found.groups()))
        except (AttributeError, ValueError):
            raise CellError("应为日期，写作 2026-01-05 或 2026/1/5：{v}", "expected a date, written 2026-01-05 or 2026/1/5: {v}",
                            v=_shown(raw)) from None

    def parse_datetime(self, raw) -> dt.datetime:
        """Excel has no time zones: a naive time is Kunming's local time (settings.TIME_ZONE)."""
        if isinstance(raw, dt.datetime):
            value = raw
        elif isinstance(raw, dt.date):
            value = dt.datetime.combine(raw, dt.time())
        else:
            try:
                value = dt.datetime.fromisoformat(str(raw).strip())
            except ValueError:
                raise CellError("应为日期时间（YYYY-MM-DD HH:MM）：{v}", "expected a date and time (YYYY-MM-DD HH:MM): {v}",
                                 v=_shown(raw)) from None
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    def parse_district(self, raw) -> str:
        from jifang.core.divisions import DISTRICTS

        code = self.parse_text(raw)
        if code not in DISTRICTS:
            raise CellError("未知的昆明市区县行政区划代码：{v}", "unknown Kunming district division code: {v}", v=code)
        return code


# Officials write a day year first, with dashes, slashes, dots or 年月日 (2026-01-05, 2026/1/5,
# 2026.1.5, 2026年1月5日); a time after the day is ignored (an Excel export of a date and time).
DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,19}$")


def _shown(raw) -> str:
    """A bad value as the report quotes it: a long cell is cut, not copied whole."""
    text = str(raw)
    return text if len(text) <= 50 else text[:50] + "…"


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



ID_COLUMN = Column("id", ID_HEADER, None, "int")


def refuse_unreadable(raw) -> None:
    """A cell the reader would not take as a value (a formula, an error value, too long)."""
    if isinstance(raw, Refused):
        raise CellError(raw.zh, raw.en)


def parse_id(raw) -> int | None:
    refuse_unreadable(raw)
    if ID_COLUMN.is_empty(raw):
        return None
    value = ID_COLUMN.parse_int(raw)
    if not 0 < value <= MAX_ID:
        raise CellError("编号应为正整数", "an id is a positive whole number")
    return value

