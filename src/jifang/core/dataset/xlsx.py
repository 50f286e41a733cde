"""A streaming, bounded reader of .xlsx workbooks (Office Open XML, ECMA-376 part 1 §18).

An uploaded workbook is hostile until read: a 1.6 KB file can declare a cell at XFD1048576 (a grid
of 17 billion cells for a reader that builds one), a 164 KB file can hold a million rows, a zip
member can inflate a thousandfold. So this reader never builds a grid or a tree: it checks the zip
members' sizes, the sheets' declared dimensions, and then streams each worksheet's XML through
expat, counting rows, cells and characters as it goes, and stops with one message at the first
bound passed (`Limits`, from settings). DTDs and entity declarations are refused (OOXML has none).

Cells come out as Python values (str, int, float, bool, datetime) or, for a cell that must not be
taken as a value, a `Refused` carrying the reason: a formula (its cached result could be anything
the author's spreadsheet computed), an error value (#DIV/0!), text longer than the cell bound.
"""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from .base import DatasetError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SEP = "|"  # expat's namespace separator: "uri|local"
CHUNK = 64 * 1024
MAX_MEMBERS = 1000
MAX_PART = 16 * 1024 * 1024  # workbook.xml, rels, styles: small parts, bounded on their own
ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # ST_Xstring: characters XML cannot carry (§22.9.2.19)
CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)$")


@dataclass(frozen=True)
class Refused:
    """A cell the import refuses to read as a value; the checker reports it on its own cell."""

    zh: str
    en: str


FORMULA = Refused("公式单元格不予导入，请填写数值或文本", "formula cells are not imported: enter the value itself")
ERROR_VALUE = Refused("单元格为错误值（如 #DIV/0!）", "the cell holds an error value (such as #DIV/0!)")


UNREADABLE = Refused("无法读取的单元格值", "the cell's value cannot be read")


@dataclass(frozen=True)
class Limits:
    uncompressed: int      # bytes inflated from the zip, all members read
    rows: int              # rows in the file, all sheets
    columns: int           # the widest sheet
    cells: int             # cells in the file, all sheets
    cell_chars: int        # characters in one cell

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(uncompressed=settings.JIFANG_IMPORT_MAX_UNCOMPRESSED_BYTES, rows=settings.JIFANG_IMPORT_MAX_ROWS,
                   columns=settings.JIFANG_IMPORT_MAX_COLUMNS, cells=settings.JIFANG_IMPORT_MAX_CELLS,
                   cell_chars=settings.JIFANG_IMPORT_MAX_CELL_CHARS)


def too_many(what_zh: str, what_en: str, limit: int) -> DatasetError:
    return DatasetError("文件超出上限：{w}不能超过{n}", "the file is over a limit: at most {n} {we}", w=what_zh, we=what_en,
                        n=limit)


class Workbook:
    """The sheets of an xlsx file by name; `rows(name)` streams one sheet."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        self.inflated = 0
        self.rows_read = 0
        self.cells_read = 0
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self._check_members()
            self.paths, self.epoch = self._sheets()
            self.date_styles = self._date_styles()
            self.strings = self._shared_strings()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError, OSError, expat.ExpatError) as exc:
            raise DatasetError("无法读取xlsx文件：{e}", "cannot read the xlsx file: {e}", e=exc) from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self.paths)

    def rows(self, name: str) -> Iterator[tuple[int, dict[int, object]]]:
        """(row number, {column index from 0: value}) for each row that has a cell, in file order."""
        reader = _SheetReader(self)
        try:
            self._check_dimension(self.paths[name])
            for chunk in self._stream(self.paths[name]):
                reader.feed(chunk)
                yield from reader.take()
            reader.close()
            yield from reader.take()
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError, expat.ExpatError) as exc:
            raise DatasetError("无法读取xlsx文件：{e}", "cannot read the xlsx file: {e}", e=exc) from None

    # --- the zip --------------------------------------------------------------------------

    def _check_members(self) -> None:
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise too_many("压缩包成员", "zip members", MAX_MEMBERS)
        # The declared sizes first (cheap); zipfile never inflates a member past its declared size.
        if sum(i.file_size for i in infos) > self.limits.uncompressed:
            raise too_many("解压后字节数", "bytes uncompressed", self.limits.uncompressed)

    def _stream(self, path: str) -> Iterator[bytes]:
        with self.zip.open(path) as member:
            while chunk := member.read(CHUNK):
                self.inflated += len(chunk)
                if self.inflated > self.limits.uncompressed:
                    raise too_many("解压后字节数", "bytes uncompressed", self.limits.uncompressed)
                yield chunk

    def _part(self, path: str) -> bytes | None:
        if path not in self.zip.NameToInfo:
            return None
        if self.zip.getinfo(path).file_size > MAX_PART:
            raise too_many(path, "bytes in " + path, MAX_PART)
        return b"".join(self._stream(path))

    # --- workbook, styles, shared strings -------------------------------------------------

    def _sheets(self) -> tuple[dict[str, str], dt.datetime]:
        targets = {}
        for el in _elements(self._part("xl/_rels/workbook.xml.rels") or b""):
            if el.tag == f"{PKG_REL}{SEP}Relationship":
                target = el.attrs.get("Target", "")
                targets[el.attrs.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", target))
        book = self._part("xl/workbook.xml")
        if book is None:
            raise ValueError("no xl/workbook.xml")
        paths, epoch = {}, CALENDAR_WINDOWS_1900
        for el in _elements(book):
            if el.tag == f"{MAIN}{SEP}sheet":
                paths[el.attrs.get("name", "")] = targets.get(el.attrs.get(f"{REL}{SEP}id"), "")
            elif el.tag == f"{MAIN}{SEP}workbookPr" and el.attrs.get("date1904") in ("1", "true"):
                epoch = CALENDAR_MAC_1904
        return paths, epoch

    def _date_styles(self) -> frozenset[int]:
        """Indexes of the cell formats (cellXfs) that show a number as a date or time."""
        styles = self._part("xl/styles.xml")
        if styles is None:
            return frozenset()
        formats = dict(BUILTIN_FORMATS)
        xfs, in_xfs = [], False
        for el in _elements(styles, ends=True):
            if el.tag == f"{MAIN}{SEP}numFmt" and el.start:
                formats[int(el.attrs.get("numFmtId", -1))] = el.attrs.get("formatCode", "")
            elif el.tag == f"{MAIN}{SEP}cellXfs":
                in_xfs = el.start
            elif el.tag == f"{MAIN}{SEP}xf" and el.start and in_xfs:
                xfs.append(int(el.attrs.get("numFmtId", 0)))
        return frozenset(i for i, fmt in enumerate(xfs) if fmt in formats and is_date_format(formats[fmt]))

    def _shared_strings(self) -> list:
        path = "xl/sharedStrings.xml"
        if path not in self.zip.NameToInfo:
            return []
        reader = _StringsReader(self)
        for chunk in self._stream(path):
            reader.feed(chunk)
        reader.close()
        return reader.strings

    def _check_dimension(self, path: str) -> None:
        """The sheet's declared used range (<dimension ref="A1:H100001"/>), read from its first bytes
        before any row: a sheet declaring more rows or columns than the bounds is refused at once."""
        with self.zip.open(path) as member:
            head = member.read(CHUNK)  # the dimension comes before <sheetData> (CT_Worksheet's order)
        found = re.search(rb'<(?:\w+:)?dimension\s+ref="([A-Z0-9:$]+)"', head)
        if not found:
            return
        last = found.group(1).decode().replace("$", "").split(":")[-1]
        column, row = cell_position(last)
        if column >= self.limits.columns:
            raise too_many("列数", "columns", self.limits.columns)
        if row - 1 > self.limits.rows:
            raise too_many("行数", "rows", self.limits.rows)

    # --- counting -------------------------------------------------------------------------

    def count_row(self) -> None:
        self.rows_read += 1
        if self.rows_read > self.limits.rows + 1:  # + the header row
            raise too_many("行数", "rows", self.limits.rows)

    def count_cell(self, column: int) -> None:
        self.cells_read += 1
        if self.cells_read > self.limits.cells:
            raise too_many("单元格数", "cells", self.limits.cells)
        if column >= self.limits.columns:
            raise too_many("列数", "columns", self.limits.columns)

    def text(self, value: str) -> str | Refused:
        if len(value) > self.limits.cell_chars:
            return Refused(f"单元格超过{self.limits.cell_chars}个字符", f"the cell is longer than {self.limits.cell_chars} characters")
        return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value


def cell_position(ref: str) -> tuple[int, int]:
    """"C7" -> (2, 7): the column from 0, the row from 1."""
    found = CELL_REF.match(ref)
    if not found:
        raise ValueError(f"bad cell reference {ref!r}")
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    return column - 1, int(found.group(2))


# --- expat -------------------------------------------------------------------------------


def _parser(start, end, text) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=SEP)
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text

    def refuse(*args):
        raise ValueError("DTDs and entity declarations are not allowed in xlsx")

    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


@dataclass
class _Event:
    tag: str
    attrs: dict
    start: bool = True


def _elements(data: bytes, ends: bool = False) -> list[_Event]:
    """The elements of a small part (workbook, rels, styles), in order."""
    events: list[_Event] = []
    parser = _parser(lambda tag, attrs: events.append(_Event(tag, attrs)),
                     (lambda tag: events.append(_Event(tag, {}, False))) if ends else None, None)
    parser.Parse(data, True)
    return events


def _bounded(parts: list[str], data: str, limit: int) -> list[str]:
    """Text pieces of one cell; past the bound only a marker of the excess is kept (the cell is
    then refused as too long), so a huge cell never sits in memory."""
    parts.append(data)
    if len(parts) > 1 and sum(map(len, parts)) > limit:
        return ["x" * (limit + 1)]
    return parts


class _StringsReader:
    """sharedStrings.xml: the text of each <si> (its <t>, or its rich-text runs' <t>; not the
    phonetic <rPh> guides)."""

    def __init__(self, book: Workbook):
        self.book, self.strings, self.parts, self.in_text, self.in_phonetic = book, [], [], False, False
        self.parser = _parser(self.start, self.end, self.text)

    def feed(self, chunk: bytes) -> None:
        self.parser.Parse(chunk, False)

    def close(self) -> None:
        self.parser.Parse(b"", True)

    def start(self, tag, attrs):
        local = tag.rpartition(SEP)[2]
        if local == "t" and not self.in_phonetic:
            self.in_text = True
        elif local == "rPh":
            self.in_phonetic = True
        elif local == "si":
            self.parts = []
            if len(self.strings) >= self.book.limits.cells:
                raise too_many("共享字符串", "shared strings", self.book.limits.cells)

    def end(self, tag):
        local = tag.rpartition(SEP)[2]
        if local == "t":
            self.in_text = False
        elif local == "rPh":
            self.in_phonetic = False
        elif local == "si":
            self.strings.append(self.book.text("".join(self.parts)))

    def text(self, data):
        if self.in_text:
            self.parts = _bounded(self.parts, data, self.book.limits.cell_chars)


class _SheetReader:
    """A worksheet's <sheetData>, row by row: only the current row is held."""

    def __init__(self, book: Workbook):
        self.book = book
        self.parser = _parser(self.start, self.end, self.text)
        self.done: list[tuple[int, dict]] = []
        self.row_number = 0
        self.cells: dict[int, object] = {}
        self.cell: dict | None = None
        self.column = -1
        self.in_value = False
        self.parts: list[str] = []

    def feed(self, chunk: bytes) -> None:
        self.parser.Parse(chunk, False)

    def close(self) -> None:
        self.parser.Parse(b"", True)

    def take(self) -> list[tuple[int, dict]]:
        done, self.done = self.done, []
        return done

    def start(self, tag, attrs):
        local = tag.rpartition(SEP)[2]
        if local == "c":
            ref = attrs.get("r")
            self.column = cell_position(ref)[0] if ref else self.column + 1
            self.book.count_cell(self.column)
            self.cell = {"t": attrs.get("t", "n"), "s": int(attrs.get("s", 0)), "f": False}
            self.parts = []
        elif local == "row":
            self.book.count_row()
            self.row_number = int(attrs["r"]) if "r" in attrs else self.row_number + 1
            self.cells, self.column = {}, -1
        elif self.cell is not None:
            if local == "f":
                self.cell["f"] = True
            elif local in ("v", "t"):  # <v>, or <is><t> for inline strings
                self.in_value = True

    def end(self, tag):
        local = tag.rpartition(SEP)[2]
        if local in ("v", "t"):
            self.in_value = False
        elif local == "c" and self.cell is not None:
            value = self._value("".join(self.parts))
            if value not in (None, ""):
                self.cells[self.column] = value
            self.cell = None
        elif local == "row":
            if self.cells:
                self.done.append((self.row_number, self.cells))

    def text(self, data):
        if self.in_value:
            self.parts = _bounded(self.parts, data, self.book.limits.cell_chars)

    def _value(self, raw: str):
        try:
            return self._convert(raw)
        except (ValueError, IndexError, OverflowError):
            return UNREADABLE

    def _convert(self, raw: str):
        cell = self.cell
        if cell["f"]:
            return FORMULA
        kind = cell["t"]
        if kind == "s":
            return self.book.strings[int(raw)] if raw else None
        if kind in ("inlineStr", "str"):
            return self.book.text(raw)
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "e":
            return ERROR_VALUE
        if kind == "d":
            return dt.datetime.fromisoformat(raw.strip()) if raw.strip() else None
        if not raw.strip():
            return None
        number = float(raw)
        if cell["s"] in self.book.date_styles:
            return from_excel(number, self.book.epoch)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
