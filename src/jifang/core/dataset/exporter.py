"""Export: the registered sheets as the actor sees them, in the format the import reads back."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jifang.core import audit
from jifang.core.scoping import visible

from .base import FORMAT, ID_HEADER, NOTES_SHEET, PROGRESS_EVERY, SYSTEM, VERSION, Progress, audit_actor, no_progress
from .columns import ID_COLUMN
from .registration import Sheet, sheets

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

def export_rows(actor, sheet: Sheet, with_ids: bool = True) -> Iterator[list]:
    """The sheet's rows for `actor`, as lists of cell values in column order (one query, streamed)."""
    cells = sheet.all_cells()
    paths = [p for c in cells for p in c.export_paths]
    for row in _rows_of(actor, sheet).order_by("pk").values_list("pk", *paths).iterator(chunk_size=2000):
        yield [row[0]] + list(row[1:]) if with_ids else list(row[1:])


def _headers(sheet: Sheet, with_ids: bool, keys: bool = False) -> list[str]:
    cells = sheet.all_cells()
    names = [c.key if keys else c.header for c in cells]
    return (["id" if keys else ID_HEADER] + names) if with_ids else names


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def xlsx_value(value):
    # Excel cannot hold a time zone: aware times are written in local time (read back as such)
    # and to the second (the import reads a time within the second as the same time)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        # XML cannot carry it; OOXML's own escape does (read back, the import refuses the cell)
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value


def xlsx_cell(ws, value):
    """A cell for the write-only sheet. Text that a spreadsheet would take for a formula (=, +, -,
    @, a tab or carriage return first: "CSV injection") is stored as text with Excel's quote
    prefix, so it shows as typed and never computes; openpyxl would make `=1+2` a live formula."""
    value = xlsx_value(value)
    if not (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)):
        return value
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


class _Counter:
    """Counts the exported rows for a progress report (the total: one COUNT per sheet, only when
    someone watches)."""

    def __init__(self, actor, progress: Progress, template: bool):
        self.progress, self.done = progress, 0
        watched = progress is not no_progress and not template
        self.total = sum(_rows_of(actor, s).count() for s in sheets()) if watched else 0
        progress(0, self.total, "")

    def rows(self, actor, sheet: Sheet, with_ids: bool) -> Iterator[list]:
        for row in export_rows(actor, sheet, with_ids):
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                self.progress(self.done, self.total, sheet.title)
            yield row
        self.progress(self.done, self.total, sheet.title)


def _rows_of(actor, sheet: Sheet):
    return sheet.model._default_manager.all() if actor is SYSTEM else visible(actor, sheet.model)


def dataset_export(*, actor, out, fmt: str = "xlsx", with_ids: bool = True, template: bool = False,
                   progress: Progress = no_progress) -> dict[str, int]:
    """Write every sheet the actor can see to the binary stream `out`; returns rows per sheet.
    `template` writes the headers only, with a notes sheet describing every column."""
    counts = {}
    counter = _Counter(actor, progress, template)
    if fmt == "json":
        doc = {"format": FORMAT, "version": VERSION, "sheets": {}}
        for sheet in sheets():
            keys = _headers(sheet, with_ids, keys=True)
            rows = [] if template else [dict(zip(keys, map(_json_value, r), strict=True))
                                        for r in counter.rows(actor, sheet, with_ids)]
            doc["sheets"][sheet.name] = rows
            counts[sheet.name] = len(rows)
        out.write(json.dumps(doc, ensure_ascii=False, indent=1).encode())
    else:
        counts = _write_xlsx(actor, out, with_ids, template, counter)
    if not template:
        audit.record(actor=audit_actor(actor), action="core.dataset.export", district="", note=f"{fmt} {counts}")
    return counts


def _write_xlsx(actor, out, with_ids: bool, template: bool, counter: _Counter) -> dict[str, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    counts = {}
    for sheet in sheets():
        ws = book.create_sheet(sheet.title)
        ws.freeze_panes = "A2"
        ws.append(_headers(sheet, with_ids))
        n = 0
        for row in ([] if template else counter.rows(actor, sheet, with_ids)):
            ws.append([xlsx_cell(ws, v) for v in row])
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


