"""Reading a dataset file (JSON or xlsx) into raw rows per registered sheet, keyed by column key."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

from jifang.core.i18n import bilingual

from .base import FORMAT, ID_HEADER, NOTES_SHEET, VERSION, DatasetError, RowError
from .columns import ID_COLUMN, Column
from .registration import Sheet, sheet_names, sheets
from .xlsx import Limits, Workbook, too_many

BOM = b"\xef\xbb\xbf"


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
    data = data.removeprefix(BOM)  # Windows editors save UTF-8 with one
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
    except RecursionError:
        raise DatasetError("JSON嵌套过深", "the JSON is nested too deeply") from None
    _check_header(doc)
    unknown = set(doc["sheets"]) - set(sheet_names())
    if unknown:
        raise DatasetError("未知的表：{s}", "unknown sheets: {s}", s=", ".join(sorted(unknown)))
    out, counted = [], 0
    for sheet in sheets():
        rows = doc["sheets"].get(sheet.name)
        if rows is None:
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise DatasetError("表{s}应为对象数组", "sheet {s} must be a list of objects", s=sheet.name)
        counted += len(rows)
        if counted > settings.JIFANG_IMPORT_MAX_ROWS:
            raise too_many("行数", "rows", settings.JIFANG_IMPORT_MAX_ROWS)
        out.append(_keyed(sheet, sheet.name, [(i, r) for i, r in enumerate(rows, start=1)]))
    return out


def _check_header(doc) -> None:
    """The envelope: {"format": "jifang-dataset", "version": 1, "sheets": {...}}."""
    if not isinstance(doc, dict):
        raise DatasetError("JSON应为一个对象，含 format、version 和 sheets", 'the JSON must be one object with "format", '
                           '"version" and "sheets"')
    if doc.get("format") != FORMAT:
        raise DatasetError("JSON缺少 \"format\": \"{f}\"（不是Jifang数据集文件？）",
                           'the JSON lacks "format": "{f}" (not a Jifang dataset file?)', f=FORMAT)
    if doc.get("version") != VERSION:
        raise DatasetError("\"version\" 应为 {v}（文件中为：{g}）", '"version" must be {v} (the file has: {g})',
                           g=json.dumps(doc.get("version")), v=VERSION)
    if not isinstance(doc.get("sheets"), dict):
        raise DatasetError("JSON缺少 sheets 对象", 'the JSON has no "sheets" object')


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
    book = Workbook(data, Limits.from_settings())
    by_title = {s.title: s for s in sheets()}
    unknown = set(book.sheet_names) - set(by_title) - {NOTES_SHEET}
    if unknown:
        raise DatasetError("未知的工作表：{s}", "unknown worksheets: {s}", s=", ".join(sorted(unknown)))
    return [_keyed(sheet, sheet.title, list(_sheet_rows(book, sheet.title)))
            for sheet in sheets() if sheet.title in book.sheet_names]


def _sheet_rows(book: Workbook, title: str) -> Iterator[tuple[int, dict]]:
    """Row 1 holds the headers; each later row maps header -> cell (rows without a cell are not
    in the stream: empty rows are skipped)."""
    headers: dict[int, str] = {}
    for number, cells in book.rows(title):
        if number == 1:
            headers = {i: str(h).strip() for i, h in cells.items() if isinstance(h, (str, int, float))}
            continue
        yield number, {headers[i]: c for i, c in cells.items() if headers.get(i)}
