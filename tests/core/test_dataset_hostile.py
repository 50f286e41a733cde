"""Hostile files: nothing an uploaded file holds can crash the worker, take its memory, run as a
formula in someone's spreadsheet, or slip into the database as something it is not (issue 15 §4).

Each hostile workbook is built here, in the test, by writing the zip parts by hand: small on disk,
whatever it declares."""
import io
import json
import tracemalloc
import zipfile

import openpyxl
import pytest

from jifang.core import dataset as ds
from jifang.registry import models as m

from .. import factories as f

WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml'
            b'/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="\xe5\x8d\x95\xe4\xbd\x8d" sheetId="1" r:id="rId1"/></sheets></workbook>')  # 单位
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>'
SHEET_OPEN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _workbook(sheet_parts, head: bytes = SHEET_HEAD) -> bytes:
    """An xlsx whose one sheet (单位) is `head` + SHEET_OPEN + the byte strings of `sheet_parts`
    (any iterable, streamed into the deflated member) + the closing tag."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head + SHEET_OPEN)
            for part in sheet_parts:
                sheet.write(part)
            sheet.write(b"</worksheet>")
    return out.getvalue()


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _unit_rows(*names: str) -> list[bytes]:
    rows = [b'<row r="1">' + _cell("A1", "统一社会信用代码") + _cell("B1", "单位名称") + _cell("C1", "区县代码") + b"</row>"]
    for i, name in enumerate(names, start=2):
        rows.append(f'<row r="{i}">'.encode() + _cell(f"A{i}", f.credit_code("530102")) + _cell(f"B{i}", name)
                    + _cell(f"C{i}", "530102") + b"</row>")
    return [b"<sheetData>", *rows, b"</sheetData>"]


def _json(doc: dict) -> bytes:
    return json.dumps({"format": "jifang-dataset", "version": 1, "sheets": doc}, ensure_ascii=False).encode()


def _export_xlsx(actor) -> bytes:
    out = io.BytesIO()
    ds.dataset_export(actor=actor, out=out, fmt="xlsx")
    return out.getvalue()


# --- formulas -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["=1+2", "+SUM(1,2)", "-2+3", "@SUM(1)", "\tHYPERLINK(1)", "\r=1"])
def test_text_that_looks_like_a_formula_is_exported_as_text_and_imports_back(name, city_officer):
    unit = f.UnitFactory(district_id="530102", name=name)
    site = f.SiteFactory(unit=unit, district_id="530102")
    f.SystemFactory(site=site, name=name)
    data = _export_xlsx(city_officer)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for member in z.namelist():
            assert b"<f>" not in z.read(member) and b"<f " not in z.read(member)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cell = book["单位"]["C2"]
    assert (cell.value.strip(), cell.data_type, cell.quotePrefix) == (name.strip(), "s", True)
    result = ds.dataset_import(actor=city_officer, data=data, dry_run=True)
    assert result.ok, result.errors
    if name[0] not in "\t\r":  # (the import trims a cell's leading and trailing blanks)
        assert result.updated == {}  # the names came back exactly as stored


@pytest.mark.django_db
def test_a_formula_cell_is_refused_on_its_own_cell_not_read_as_its_value(city_officer):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "单位"
    sheet.append(["统一社会信用代码", "单位名称", "区县代码"])
    sheet.append([f.credit_code("530102"), "=CONCAT(\"银\",\"行\")", "530102"])
    sheet.append([f.credit_code("530102"), "正常单位", "=TEXT(530102,\"0\")"])
    out = io.BytesIO()
    book.save(out)
    counts = m.Unit.objects.count()
    result = ds.dataset_import(actor=city_officer, data=out.getvalue())
    assert {(e.row, e.column) for e in result.errors} == {(2, "单位名称 (name)"), (3, "区县代码 (district)")}
    assert all("公式" in e.message and "formula" in e.message for e in result.errors)
    assert m.Unit.objects.count() == counts


# --- bounds before parsing ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_cell_declared_at_xfd1048576_is_refused_at_once(city_officer):
    data = _workbook([b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576">',
                      _cell("XFD1048576", "x"), b"</row></sheetData>"])
    assert len(data) < 2000
    with pytest.raises(ds.DatasetError, match="列数.*columns"):
        ds.dataset_import(actor=city_officer, data=data, dry_run=True)
    # the same cell without a declared dimension: refused by the stream, at the cell
    data = _workbook([b"<sheetData><row r=\"1048576\">", _cell("XFD1048576", "x"), b"</row></sheetData>"])
    with pytest.raises(ds.DatasetError, match="列数.*columns"):
        ds.dataset_import(actor=city_officer, data=data, dry_run=True)


def _million_rows():
    yield b"<sheetData>"
    rows = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 10_000  # no r=: each the next row
    for _ in range(100):
        yield rows
    yield b"</sheetData>"


@pytest.mark.django_db
def test_a_million_rows_in_a_small_file_are_refused_in_bounded_memory(settings, city_officer):
    settings.JIFANG_IMPORT_MAX_ROWS = 5_000
    declared = _workbook([b'<dimension ref="A1:A1000000"/>', *_million_rows()])
    undeclared = _workbook(_million_rows())
    assert len(undeclared) < 200_000  # compresses to almost nothing
    for data in (declared, undeclared):
        tracemalloc.start()
        with pytest.raises(ds.DatasetError, match="行数.*rows"):
            ds.dataset_import(actor=city_officer, data=data, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 40 * 1024 * 1024, peak  # the stream stopped at the bound: no grid, no tree


@pytest.mark.django_db
def test_a_zip_member_that_inflates_past_the_bound_is_refused(settings, city_officer):
    settings.JIFANG_IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    data = _workbook([b"<sheetData>", b" " * (4 * 1024 * 1024), b"</sheetData>"])
    assert len(data) < 20_000
    with pytest.raises(ds.DatasetError, match="解压后字节数.*uncompressed"):
        ds.dataset_import(actor=city_officer, data=data, dry_run=True)


@pytest.mark.django_db
def test_cell_count_and_cell_length_are_bounded(settings, city_officer):
    settings.JIFANG_IMPORT_MAX_CELLS = 50
    with pytest.raises(ds.DatasetError, match="单元格数.*cells"):
        ds.dataset_import(actor=city_officer, data=_workbook(_unit_rows(*(f"单位{i}" for i in range(20)))))
    settings.JIFANG_IMPORT_MAX_CELLS = 5000
    settings.JIFANG_IMPORT_MAX_CELL_CHARS = 1000
    result = ds.dataset_import(actor=city_officer, data=_workbook(_unit_rows("长" * 5000, "短")), dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, "单位名称 (name)")]
    assert "1000" in result.errors[0].message and len(result.errors[0].message) < 200


@pytest.mark.django_db
@pytest.mark.parametrize("prolog", [
    b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE worksheet SYSTEM "file:///etc/passwd">',
])
def test_dtds_and_entities_are_refused(city_officer, prolog):
    with pytest.raises(ds.DatasetError, match="xlsx"):
        ds.dataset_import(actor=city_officer, data=_workbook(_unit_rows("x"), head=SHEET_HEAD + prolog))


# --- characters ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_nul_and_characters_xml_cannot_carry_are_refused_per_cell(city_officer):
    # in xlsx, as OOXML escapes them (_x0000_); in JSON, as \u0000
    data = _workbook(_unit_rows("银行_x0000_", "银行_x0001_", "正常"))
    result = ds.dataset_import(actor=city_officer, data=data, dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, "单位名称 (name)"), (3, "单位名称 (name)")]
    assert "U+0000" in result.errors[0].message and "U+0001" in result.errors[1].message
    doc = _json({"units": [{"credit_code": f.credit_code("530102"), "name": "银\u0000行", "district": "530102"},
                           {"credit_code": f.credit_code("530102"), "name": "银\ufffe行", "district": "530102"}]})
    result = ds.dataset_import(actor=city_officer, data=doc, dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(1, "单位名称 (name)"), (2, "单位名称 (name)")]


@pytest.mark.django_db
def test_a_stored_control_character_does_not_break_the_export(city_officer):
    unit = f.UnitFactory(district_id="530102")
    m.Unit.objects.filter(pk=unit.pk).update(name="旧数据\x01单位")  # written before the check existed
    book = openpyxl.load_workbook(io.BytesIO(_export_xlsx(city_officer)))
    assert book["单位"]["C2"].value == "旧数据_x0001_单位"


@pytest.mark.django_db
def test_deep_json_a_bom_and_a_missing_format_get_clear_answers(city_officer):
    with pytest.raises(ds.DatasetError, match="嵌套过深.*nested too deeply"):
        ds.dataset_import(actor=city_officer, data=b'{"sheets": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    unit = {"credit_code": f.credit_code("530102"), "name": "带BOM的单位", "district": "530102"}
    assert ds.dataset_import(actor=city_officer, data=b"\xef\xbb\xbf" + _json({"units": [unit]})).ok
    with pytest.raises(ds.DatasetError, match='缺少 "format": "jifang-dataset"'):
        ds.dataset_import(actor=city_officer, data=json.dumps({"sheets": {"units": [unit]}}).encode())
    with pytest.raises(ds.DatasetError, match='"version" must be 1'):
        ds.dataset_import(actor=city_officer, data=json.dumps({"format": "jifang-dataset", "sheets": {}}).encode())


@pytest.mark.django_db
def test_json_rows_are_bounded(settings, city_officer):
    settings.JIFANG_IMPORT_MAX_ROWS = 10
    with pytest.raises(ds.DatasetError, match="行数.*rows"):
        ds.dataset_import(actor=city_officer, data=_json({"units": [{"name": "x"}] * 11}))


# --- numbers and dates --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", [2**63, 10**30, -(2**63), "9" * 5000, "²", "--5", 1e300, float("nan")])
def test_huge_or_odd_numbers_are_cell_errors(city_officer, value):
    site = f.SiteFactory(district_id="530102")
    for row in ({"id": value, "name": "x"}, {"id": site.pk, "art6_point": value}):
        result = ds.dataset_import(actor=city_officer, data=json.dumps({
            "format": "jifang-dataset", "version": 1, "sheets": {"sites": [row]}}).encode())
        assert not result.ok and result.errors[0].row == 1, result.errors


@pytest.mark.django_db
def test_dates_are_read_year_first_in_the_ways_officials_write_them(city_officer):
    site = f.SiteFactory(district_id="530102", art6_point=10, designation_number="昆公技防〔2024〕1号")
    for written in ("2024/1/5", "2024-01-05", "2024.1.5", "2024年1月5日", "2024-01-05 00:00:00"):
        result = ds.dataset_import(actor=city_officer, data=_json({"sites": [{"id": site.pk, "designation_date": written}]}))
        assert result.ok, (written, result.errors)
        site.refresh_from_db()
        assert site.designation_date.isoformat() == "2024-01-05"
    for written in ("5/1/2024", "2024/13/5", "明天"):
        result = ds.dataset_import(actor=city_officer, data=_json({"sites": [{"id": site.pk, "designation_date": written}]}))
        assert [e.message for e in result.errors] == [
            f"应为日期，写作 2026-01-05 或 2026/1/5：{written} / expected a date, written 2026-01-05 or 2026/1/5: {written}"]


# --- clear messages -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_brand_without_a_model_says_the_model_is_required(city_officer):
    system = f.SystemFactory(site=f.SiteFactory(district_id="530102"))
    product = f.ProductFactory(brand="华安视讯")
    rows = [{"serial": "SN-BRAND-ONLY", "system": system.code, "kind": "camera", "product": "华安视讯"},
            {"serial": "SN-MODEL-ONLY", "system": system.code, "kind": "camera", "product_model": product.model}]
    result = ds.dataset_import(actor=city_officer, data=_json({"devices": rows}))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (1, "产品型号 (product_model)", "产品型号必填 / product_model is required"),
        (2, "产品品牌 (product)", "产品品牌必填 / product is required")]
    assert not m.Device.objects.filter(serial__startswith="SN-").exists()
