"""The import page in a real browser: a district officer downloads the empty template, fills it in,
uploads a file with one bad row (each error named by sheet, row and column; nothing written), then
a good file (the created counts), and finds the new rows in the registry, scoped to the district."""
import io

import openpyxl
import pytest

from jifang.jobs.worker import run_pending
from jifang.registry.models import Site, Unit

from .. import factories as f
from ..conftest import PASSWORD
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEETS = ["单位", "技防企业", "技防产品", "场所", "部位", "技防系统", "设备", "技防工程", "方案论证", "竣工验收", "备案",
          "维护保养与故障", "岗位培训", "图像质量检查", "应急预案与演练", "值班排班", "值班监看记录", "知密人员", "可疑情况报告",
          "说明"]  # the units' registers (art. 18, 20, 21) follow the works sheets


def fill(template: bytes, units: list[dict], sites: list[dict]) -> bytes:
    """The downloaded template with rows under its own headers (units and sites; other sheets empty)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    for name, rows in (("单位", units), ("场所", sites)):
        sheet = book[name]
        headers = [cell.value for cell in sheet[1]]
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(page, name: str, body: bytes) -> None:
    """Upload on the page; the import is queued, a worker runs it, the job's page shows the result
    by itself (htmx polling, no reload)."""
    if not page.url.endswith("/dataset/"):
        page.goto("/dataset/")
    page.set_input_files("[data-testid=import-form] input[type=file]", files=[
        {"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": body}
    ])
    page.click("[data-testid=import-form] button[type=submit]")
    page.wait_for_selector("[data-testid=job-status][data-status=queued]")
    run_pending(queues=["imports"])
    page.wait_for_selector("[data-testid=job-status][data-status=done]")


def test_district_officer_imports_a_file_after_fixing_a_bad_row(page, wuhua_officer, panlong_officer, panlong_unit):
    f.SiteFactory(unit=panlong_unit, code="PL-EXISTING-1", name="盘龙已有场所")
    units_before, sites_before = Unit.objects.count(), Site.objects.count()

    login(page, "wuhua", PASSWORD)
    page.goto("/")
    page.click("text=登记")
    page.click("text=导入导出")
    assert page.locator("h1").inner_text() == "导入导出"

    # the empty template: an xlsx workbook, one sheet per object type and the notes sheet
    with page.expect_download() as download:
        page.click("[data-testid=template]")
    assert download.value.suggested_filename == "jifang-template.xlsx"
    template = open(download.value.path(), "rb").read()
    assert template[:2] == b"PK"  # a zip container, as every xlsx is
    book = openpyxl.load_workbook(io.BytesIO(template))
    assert book.sheetnames == SHEETS
    assert book["单位"].max_row == 1 and book["场所"].max_row == 1  # headers only

    good_code, bad_code = f.credit_code("530102"), f.credit_code("530102")
    bad_code = bad_code[:-1] + ("0" if bad_code[-1] != "0" else "1")  # a wrong check character
    units = [
        {"统一社会信用代码": good_code, "单位名称": "五华导入银行", "单位性质": "business", "区县代码": "530102"},
        {"统一社会信用代码": bad_code, "单位名称": "校验位错误的单位", "单位性质": "business", "区县代码": "530102"},
    ]
    sites = [
        {"场所编码": "WH-IMP-0001", "场所名称": "五华导入营业部", "单位统一社会信用代码": good_code, "区县代码": "530102",
         "第六条类别": 5},
        {"场所编码": "WH-IMP-0002", "场所名称": "五华导入金库", "单位统一社会信用代码": good_code, "区县代码": "530102",
         "第六条类别": 5},
    ]

    # one bad row: the error names its sheet, row and column, and nothing at all is written
    upload(page, "bad.xlsx", fill(template, units, sites))
    assert page.locator("[data-testid=import-errors]").inner_text() == "bad.xlsx中有1处错误，未导入任何数据。"
    rows = page.locator("[data-testid=error-table] tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[:3] == ["单位", "3", "统一社会信用代码 (credit_code)"]  # header on row 1, the bad unit on row 3
    assert cells[3].startswith("统一社会信用代码校验位错误") and "wrong check character" in cells[3]  # bilingual
    assert page.locator("[data-testid=import-ok]").count() == 0
    assert (Unit.objects.count(), Site.objects.count()) == (units_before, sites_before)
    assert not Unit.objects.filter(credit_code=good_code).exists()

    # the row fixed: everything is created, and the page says how many of each
    units[1]["统一社会信用代码"] = f.credit_code("530102")
    upload(page, "good.xlsx", fill(template, units, sites))
    ok = page.locator("[data-testid=import-ok]").inner_text()
    assert ok.startswith("已导入。") and "已创建: 单位 2, 场所 2" in ok, ok  # counts per sheet, by its title
    assert page.locator("[data-testid=error-table]").count() == 0
    assert (Unit.objects.count(), Site.objects.count()) == (units_before + 2, sites_before + 2)
    assert set(Site.objects.filter(code__startswith="WH-IMP-").values_list("district_id", flat=True)) == {"530102"}

    # the new sites are in the officer's registry list, next to nothing from another district
    page.goto("/registry/sites/")
    table = page.locator("[data-testid=object-table]").inner_text()
    assert "五华导入营业部" in table and "五华导入金库" in table
    assert "盘龙已有场所" not in table
    page.goto("/registry/units/")
    table = page.locator("[data-testid=object-table]").inner_text()
    assert "五华导入银行" in table and panlong_unit.name not in table

    # and the officer of the neighbouring district does not see them
    page.context.clear_cookies()
    login(page, "panlong", PASSWORD)
    page.goto("/registry/sites/")
    table = page.locator("[data-testid=object-table]").inner_text()
    assert "盘龙已有场所" in table and "五华导入营业部" not in table
