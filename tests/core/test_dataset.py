"""Import/export of the registry dataset: round trips, natural keys, bad input, rights and scope."""
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from jifang.core import dataset as ds
from jifang.core.dataset import base, exporter, registration, writer
from jifang.core.audit import verify_chain
from jifang.core.models import AuditEntry
from jifang.registry import models as m

from .. import factories as f


def as_json(doc: dict) -> bytes:
    return json.dumps({"format": base.FORMAT, "version": 1, "sheets": doc}, ensure_ascii=False, default=str).encode()


def run(actor, doc: dict, **kw) -> ds.ImportResult:
    return ds.dataset_import(actor=actor, data=as_json(doc), **kw)


def export(actor, fmt="json", **kw) -> bytes:
    out = io.BytesIO()
    ds.dataset_export(actor=actor, out=out, fmt=fmt, **kw)
    return out.getvalue()


def registry_counts() -> tuple:
    return tuple(model.objects.count() for model in (m.Unit, m.Firm, m.Product, m.Site, m.SitePart,
                                                      m.SecuritySystem, m.Device))


def where(result) -> set[tuple]:
    return {(e.sheet, e.row, e.column.split(" (")[-1].rstrip(")")) for e in result.errors}


@pytest.fixture
def city(db):
    """Two districts, a firm, products, sites with parts, systems, devices (some with part and product)."""
    firm = f.FirmFactory()
    for district in ("530102", "530103"):
        unit = f.UnitFactory(district_id=district)
        site = f.SiteFactory(unit=unit, district_id=district)
        part = f.SitePartFactory(site=site)
        system = f.SystemFactory(site=site, firm=firm, investor=unit, reserved_interface=None, retention_days=None)
        f.DeviceFactory(system=system, part=part, gb28181_id=None)
        f.DeviceFactory(system=system, product=None, installed_on="2024-03-01")
    return firm


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_an_export_imports_back_unchanged(city, city_officer, fmt):
    before = (registry_counts(), AuditEntry.objects.filter(action__startswith="registry.").count())
    result = ds.dataset_import(actor=city_officer, data=export(city_officer, fmt))
    assert result.ok, result.errors
    assert result.created == {} and result.updated == {}
    assert result.unchanged["devices"] == 4 and result.unchanged["site_parts"] == 2
    assert (registry_counts(), AuditEntry.objects.filter(action__startswith="registry.").count()) == before


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_an_export_without_ids_rebuilds_the_registry(city, fmt):
    first = export(ds.SYSTEM, fmt, with_ids=False)
    reference = export(ds.SYSTEM, "json", with_ids=False)
    counts = registry_counts()
    for model in (m.Device, m.SecuritySystem, m.SitePart, m.Site, m.Unit, m.Firm, m.Product):
        model.objects.all().delete()
    result = ds.dataset_import(actor=ds.SYSTEM, data=first)
    assert result.ok, result.errors
    assert registry_counts() == counts
    assert json.loads(export(ds.SYSTEM, "json", with_ids=False)) == json.loads(reference)
    # one audit row per created object, and the chain still verifies
    assert AuditEntry.objects.filter(action="registry.device.create", note="import").count() == counts[-1]
    assert verify_chain() == (True, None)


def test_xlsx_has_chinese_headers_and_a_template(city):
    book = CalamineWorkbook.from_filelike(io.BytesIO(export(ds.SYSTEM, "xlsx", template=True)))
    # the registry's sheets come first, in import order; other apps' sheets follow; notes last
    assert book.sheet_names[:7] == ["单位", "技防企业", "技防产品", "场所", "部位", "技防系统", "设备"]
    assert book.sheet_names[-1] == "说明"
    headers = book.get_sheet_by_name("设备").to_python()[0]
    assert headers[:4] == ["编号", "序列号", "设备名称", "系统编码"]
    assert len(book.get_sheet_by_name("设备").to_python()) == 1  # a template has no rows
    notes = book.get_sheet_by_name("说明").to_python()
    assert any(row[2] == "kind" and "camera" in row[5] for row in notes)


# --- creating and updating ----------------------------------------------------------------


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_new_registry_from_xlsx_by_natural_keys(admin_user):
    """An administrator loads an older registry, acceptance results included (imported history)."""
    code = f.credit_code("530111")
    product = f.ProductFactory()
    data = _xlsx({
        "单位": [["统一社会信用代码", "单位名称", "单位性质", "区县代码"], [code.lower(), "官渡某银行", "business", 530111]],
        "场所": [["场所编码", "场所名称", "单位统一社会信用代码", "区县代码", "第六条类别"], ["GD-1", "营业部", code, "530111", 5]],
        "部位": [["场所编码", "部位名称", "区域类型"], ["GD-1", "金库", "vault"]],
        "技防系统": [["系统编码", "系统名称", "场所编码", "语音图像", "状态", "验收结果", "存储天数"],
                  ["GD-S1", "视频监控", "GD-1", "是", "in_use", "passed", 30.0]],
        "设备": [["序列号", "系统编码", "设备类型", "产品品牌", "产品型号", "安装部位"],
               [12345678, "GD-S1", "camera", product.brand, product.model, "金库"]],
    })
    result = ds.dataset_import(actor=admin_user, data=data, filename="new.xlsx")
    assert result.ok, result.errors
    assert result.created == {"units": 1, "sites": 1, "site_parts": 1, "systems": 1, "devices": 1}
    device = m.Device.objects.get(serial="12345678")  # a number typed into Excel is still a serial
    assert device.part.name == "金库" and device.product == product
    unit = m.Unit.objects.get(credit_code=code)  # upper-cased
    # the copied columns are those registry.services would set
    assert (device.site.code, device.unit_id, device.district_id) == ("GD-1", unit.pk, "530111")
    system = device.system
    assert (system.unit_id, system.district_id, system.retention_days) == (unit.pk, "530111", 30)
    assert AuditEntry.objects.filter(action="registry.site.create", actor=admin_user).count() == 1
    assert AuditEntry.objects.filter(action="core.dataset.import", note__startswith="new.xlsx").count() == 1
    history = AuditEntry.objects.get(action="registry.securitysystem.history")
    assert history.object_id == str(system.pk) and "imported history" in history.note


def test_update_by_id_moves_systems_and_devices_with_their_site(city, city_officer):
    site = m.Site.objects.filter(district_id="530102").get()
    other = m.Unit.objects.get(district_id="530103")
    result = run(city_officer, {"sites": [{"id": site.pk, "unit": other.credit_code, "district": "530103"}]})
    assert result.ok and result.updated == {"sites": 1}, result.errors
    assert set(m.Device.objects.filter(site=site).values_list("unit_id", "district_id")) == {(other.pk, "530103")}
    assert set(m.SecuritySystem.objects.filter(site=site).values_list("unit_id", "district_id")) == {(other.pk, "530103")}
    entry = AuditEntry.objects.get(action="registry.site.update", object_id=str(site.pk))
    assert (entry.before["district_id"], entry.after["district_id"]) == ("530102", "530103")
    assert verify_chain() == (True, None)


def test_a_missing_column_leaves_the_field_alone_an_empty_cell_clears_it(city, city_officer):
    unit = m.Unit.objects.first()
    address = unit.address
    assert run(city_officer, {"units": [{"id": unit.pk, "contact_name": "王五"}]}).ok
    unit.refresh_from_db()
    assert (unit.contact_name, unit.address) == ("王五", address)
    assert run(city_officer, {"units": [{"id": unit.pk, "contact_name": None}]}).ok
    unit.refresh_from_db()
    assert unit.contact_name == ""


def test_dry_run_checks_but_writes_nothing(city_officer):
    counts, audits = registry_counts(), AuditEntry.objects.count()
    result = run(city_officer, {"products": [{"brand": "大华", "model": "DH-1", "product_type": "camera"}]}, dry_run=True)
    assert result.ok and result.dry_run and result.created == {"products": 1} and not result.committed
    assert (registry_counts(), AuditEntry.objects.count()) == (counts, audits)


def test_a_dry_run_reports_what_the_commit_would_refuse(city, city_officer, monkeypatch):
    """Foreign keys are checked at commit (deferred); a dry run checks them before rolling back, so
    "the dry run passed" means the import would commit. The fault is planted behind the import's
    back (a site pointing at a unit that does not exist), as a concurrent delete could."""
    from django.db import connection

    real = writer.SheetWrite.write

    def write_then_break(self, creates, updates):
        real(self, creates, updates)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {m.Site._meta.db_table} SET unit_id = %s WHERE code = %s", [987654321, "DRY-1"])

    monkeypatch.setattr(writer.SheetWrite, "write", write_then_break)
    unit = m.Unit.objects.first()
    doc = {"sites": [{"code": "DRY-1", "name": "干跑场所", "unit": unit.credit_code, "district": unit.district_id}]}
    counts = registry_counts()
    result = run(city_officer, doc, dry_run=True)
    assert not result.ok and "the database refused the rows" in result.errors[0].message
    assert registry_counts() == counts
    monkeypatch.setattr(writer.SheetWrite, "write", real)
    assert run(city_officer, doc, dry_run=True).ok  # the same file, unbroken, passes


# --- bad input ----------------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_is_written(city, city_officer):
    existing = m.Unit.objects.first()
    counts, audits = registry_counts(), AuditEntry.objects.count()
    good = f.credit_code("530102")
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    result = run(city_officer, {
        "units": [
            {"credit_code": good, "name": "好单位", "district": "530102"},                  # 1 fine
            {"credit_code": wrong_check, "name": "坏代码", "district": "530102"},  # 2 check character
            {"credit_code": f.credit_code(), "name": "区划", "district": "530199"},          # 3 unknown division
            {"credit_code": good, "name": "重复", "district": "530102"},                     # 4 duplicate in file
            {"credit_code": existing.credit_code, "name": "已有", "district": "530102"},     # 5 already registered
            {"credit_code": f.credit_code(), "name": "性质", "district": "530102", "kind": "charity"},  # 6 enum
            {"credit_code": f.credit_code(), "district": "530102", "colour": "red"},          # 7 required + column
        ],
        "systems": [
            {"code": "X1", "name": "x", "site": "NO-SUCH-SITE"},                               # 1 missing reference
            {"code": "X2", "name": "x", "site": m.Site.objects.first().code, "retention_days": "thirty",
             "acceptance_date": "yesterday", "police_connected": "maybe"},                      # 2 wrong types
        ],
    })
    assert not result.ok
    assert {
        ("units", 2, "credit_code"), ("units", 3, "district"), ("units", 4, "credit_code"),
        ("units", 5, "credit_code"), ("units", 6, "kind"), ("units", 7, "name"), ("units", 0, "colour"),
        ("systems", 1, "site"), ("systems", 2, "retention_days"), ("systems", 2, "acceptance_date"),
        ("systems", 2, "police_connected"),
    } <= where(result)
    assert not any(e.row == 1 and e.sheet == "units" for e in result.errors)
    messages = " ".join(e.message for e in result.errors)
    assert "校验位" in messages and "check character" in messages and "530199" in messages
    assert (registry_counts(), AuditEntry.objects.count()) == (counts, audits)


def test_a_reference_to_a_bad_row_is_reported_once(city_officer):
    result = run(city_officer, {
        "units": [{"credit_code": "91530102ABCDEFGHI0", "name": "坏", "district": "530102"}],
        "sites": [{"code": "S-1", "name": "s", "unit": "91530102ABCDEFGHI0", "district": "530102"}],
    })
    assert [(e.sheet, e.row) for e in result.errors] == [("units", 1)]


def test_oversized_and_unreadable_files_are_refused(settings, city_officer):
    settings.JIFANG_IMPORT_MAX_BYTES = 100
    with pytest.raises(ds.DatasetError, match="文件过大.*too large"):
        run(city_officer, {"units": [{"name": "x" * 200}]})
    settings.JIFANG_IMPORT_MAX_BYTES = 10_000
    for junk in (b"\x00\x01garbage", b"{not json", b'{"sheets": {"cats": []}}', b"PK\x03\x04broken zip"):
        with pytest.raises(ds.DatasetError):
            ds.dataset_import(actor=city_officer, data=junk)


# --- rights and scope ---------------------------------------------------------------------


def test_district_officer_imports_only_into_the_district(city, wuhua_officer):
    panlong = m.Unit.objects.get(district_id="530103")
    counts = registry_counts()
    result = run(wuhua_officer, {"units": [{"credit_code": f.credit_code("530103"), "name": "越界", "district": "530103"},
                                           {"id": panlong.pk, "name": "改名"}]})
    assert ("units", 1, "") in {(e.sheet, e.row, e.column) for e in result.errors}
    assert ("units", 2, "id") in where(result)  # not visible: "no such row", like a 404
    assert registry_counts() == counts
    assert m.Unit.objects.get(pk=panlong.pk).name != "改名"


def test_export_holds_only_what_the_user_sees(city, wuhua_officer):
    doc = json.loads(export(wuhua_officer))["sheets"]
    assert {u["district"] for u in doc["units"]} == {"530102"}
    assert {d["system"] for d in doc["devices"]} == set(
        m.SecuritySystem.objects.filter(district_id="530102").values_list("code", flat=True))
    assert len(doc["devices"]) == 2 and len(doc["firms"]) == 1  # the firm directory is public


def test_unit_user_adds_devices_only_to_own_systems(city, unit_user, wuhua_unit):
    own = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit, district_id="530102"))
    neighbour = m.SecuritySystem.objects.get(district_id="530102", unit__in=m.Unit.objects.exclude(pk=wuhua_unit.pk))
    result = run(unit_user, {"devices": [{"serial": "U-1", "system": own.code, "kind": "camera"},
                                         {"serial": "U-2", "system": neighbour.code, "kind": "camera"}]})
    assert where(result) == {("devices", 2, "system")}
    assert not m.Device.objects.filter(serial__in=["U-1", "U-2"]).exists()
    assert run(unit_user, {"devices": [{"serial": "U-1", "system": own.code, "kind": "camera"}]}).ok
    assert m.Device.objects.get(serial="U-1").unit_id == wuhua_unit.pk


def test_unit_user_may_not_change_police_only_fields(unit_user, wuhua_unit):
    result = run(unit_user, {"units": [{"id": wuhua_unit.pk, "kind": "non_business", "contact_name": "赵六"}]})
    assert not result.ok and "只有公安机关" in result.errors[0].message
    wuhua_unit.refresh_from_db()
    assert wuhua_unit.contact_name != "赵六"


@pytest.mark.clause("art_14__para_2")
def test_import_applies_the_acceptance_rule_of_the_services(unit_user, wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit, district_id="530102"), status="accepted",
                             acceptance_result="")
    result = run(unit_user, {"systems": [{"id": system.pk, "status": "in_use"}]})
    assert not result.ok and "第十四条第二款" in result.errors[0].message
    system.refresh_from_db()
    assert system.status == "accepted"


def test_read_only_officer_imports_nothing(department_officer):
    result = run(department_officer, {"products": [{"brand": "b", "model": "m", "product_type": "camera"}]})
    assert not result.ok and not m.Product.objects.filter(brand="b").exists()


# --- commands -----------------------------------------------------------------------------


def test_commands_round_trip_and_refuse_bad_files(city, wuhua_officer, tmp_path, capsys):
    path = tmp_path / "wuhua.xlsx"
    call_command("export", str(path), "--as", wuhua_officer.username)
    call_command("import", str(path), "--as", wuhua_officer.username, "--dry-run")
    assert "unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_bytes(as_json({"units": [{"credit_code": "X", "name": "x", "district": "530102"}]}))
    with pytest.raises(CommandError, match="nothing was imported") as refused:
        call_command("import", str(bad))
    assert "1处错误" in str(refused.value) and "1 error;" in str(refused.value)  # not "1 errors"
    assert "units 第1行" in capsys.readouterr().err


# --- the documented examples --------------------------------------------------------------

EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.parametrize("name", ["registry-example.json", "registry-example.xlsx"])
def test_the_documented_examples_import(db, name):
    result = ds.dataset_import(actor=ds.SYSTEM, data=(EXAMPLES / name).read_bytes())
    assert result.ok, result.errors
    assert result.created == {"units": 1, "firms": 1, "products": 2, "sites": 1, "site_parts": 2, "systems": 1,
                              "devices": 2}
    nvr = m.Device.objects.get(serial="EX-SN-000002")
    assert (nvr.part.name, nvr.product.model, nvr.district_id) == ("金库", "EX-NVR-16", "530102")


def test_datetimes_are_local_time_in_excel_and_aware_in_the_database(settings):
    import datetime as dt

    from django.utils import timezone

    column = ds.Column("at", "时间", AuditEntry._meta.get_field("at"), registration.field_kind(AuditEntry._meta.get_field("at")))
    assert column.kind == "datetime"
    parsed = column.parse("2024-05-01 08:30")
    assert timezone.is_aware(parsed) and timezone.localtime(parsed).hour == 8
    assert column.parse(dt.datetime(2024, 5, 1, 8, 30)) == parsed  # an Excel cell, naive
    assert exporter.xlsx_value(parsed) == dt.datetime(2024, 5, 1, 8, 30)
    with pytest.raises(base.CellError):
        column.parse("next tuesday")


# --- the bulk path (core/bulk.py) ------------------------------------------------------------


def _many_devices(city, n):
    systems = list(m.SecuritySystem.objects.order_by("pk").values_list("code", "site_id"))
    parts = dict(m.SitePart.objects.values_list("site_id", "name"))
    product = m.Product.objects.first()
    return [{"serial": f"MANY{i:05d}", "name": f"摄像机{i}", "system": systems[i % 2][0], "kind": "camera",
             "product": product.brand, "product_model": product.model, "part": parts[systems[i % 2][1]],
             "installed_on": "2025-06-01" if i % 3 else None} for i in range(n)]


def test_a_bulk_import_writes_every_row_and_its_audit_row_and_the_chain_verifies(city, city_officer):
    rows = _many_devices(city, 2100)  # more rows than one insert statement takes
    result = run(city_officer, {"devices": rows})
    assert result.ok and result.created == {"devices": 2100}, result.errors[:3]
    devices = {d.serial: d for d in m.Device.objects.filter(serial__startswith="MANY").select_related("system", "part")}
    assert len(devices) == 2100
    for row in rows[:50] + rows[-50:]:
        d = devices[row["serial"]]
        assert (d.name, d.system.code, d.part.name, str(d.installed_on) if d.installed_on else None) == (
            row["name"], row["system"], row["part"], row["installed_on"])
        # the copied columns of registry.services._device_copies
        assert (d.site_id, d.unit_id, d.district_id) == (d.system.site_id, d.system.unit_id, d.system.district_id)
    audited = dict(AuditEntry.objects.filter(action="registry.device.create").values_list("object_id", "after"))
    assert set(audited) == {str(d.pk) for d in devices.values()}
    assert all(audited[str(d.pk)]["serial"] == d.serial for d in devices.values())
    assert verify_chain() == (True, None)


def test_one_bad_row_among_thousands_rolls_the_whole_import_back(city, city_officer):
    rows = _many_devices(city, 2100)
    rows[1500]["part"] = "没有这个部位"
    counts, audits = registry_counts(), AuditEntry.objects.count()
    result = run(city_officer, {"devices": rows})
    assert where(result) == {("devices", 1501, "part")}
    assert (registry_counts(), AuditEntry.objects.count()) == (counts, audits)
    assert verify_chain() == (True, None)


def test_a_district_officer_bulk_import_outside_the_district_writes_nothing(city, wuhua_officer):
    rows = _many_devices(city, 10)  # half on the Panlong system: not visible to Wuhua
    result = run(wuhua_officer, {"devices": rows})
    assert {(e.sheet, e.column.split(" (")[-1].rstrip(")")) for e in result.errors} == {("devices", "system")}
    assert len(result.errors) == 5 and not m.Device.objects.filter(serial__startswith="MANY").exists()


def test_a_blank_row_object_is_what_the_model_builds():
    from jifang.core.audit import snapshot
    from jifang.regulation.models import ScanRun

    for sheet in ds.sheets():
        assert snapshot(writer.blank_factory(sheet.model)()) == snapshot(sheet.model())
        assert writer.blank_factory(sheet.model)()._state.adding
    one, two = writer.blank_factory(ScanRun)(), writer.blank_factory(ScanRun)()  # counts=dict: a callable default, called each time
    assert one.counts == {} and one.counts is not two.counts
