"""The import/export page: upload (all or nothing, dry run), downloads scoped to the user, size limit."""
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from jifang.jobs.worker import run_pending
from jifang.registry import models as m

from .. import factories as f


def upload(client, doc: dict, name="data.json", headers=None, **extra):
    """Upload on the page, let a worker run the queued import, and read the job's page."""
    body = json.dumps({"format": "jifang-dataset", "version": 1, "sheets": doc}, ensure_ascii=False).encode()
    response = client.post("/dataset/", {"file": SimpleUploadedFile(name, body), **extra}, headers=headers)
    if response.status_code != 302:
        return response
    run_pending(queues=["imports"])
    return client.get(response["Location"], headers=headers)


@pytest.fixture
def officer_client(client, wuhua_officer):
    client.force_login(wuhua_officer)
    return client


def test_page_needs_a_sign_in(client):
    assert client.get("/dataset/").status_code == 302


def test_good_file_is_imported_and_a_dry_run_is_not(officer_client):
    doc = {"products": [], "units": [{"credit_code": f.credit_code(), "name": "页面单位", "district": "530102"}]}
    page = upload(officer_client, doc, dry_run="1").content.decode()
    assert 'data-testid="import-ok"' in page and not m.Unit.objects.filter(name="页面单位").exists()
    page = upload(officer_client, doc).content.decode()
    assert 'data-testid="import-ok"' in page and m.Unit.objects.filter(name="页面单位").exists()


def ok_text(page: str) -> str:
    start = page.index('data-testid="import-ok"')
    return " ".join(page[start:page.index("</div>", start)].split())


def test_counts_name_each_sheet_as_the_user_reads_it(officer_client, wuhua_unit):
    """The counts per sheet use the sheet's title (单位, 场所) in Chinese and its English name in
    English, never the JSON keys (units, sites)."""
    doc = {"units": [{"credit_code": f.credit_code(), "name": "计数单位甲", "district": "530102"},
                     {"credit_code": f.credit_code(), "name": "计数单位乙", "district": "530102"}],
           "sites": [{"code": "WH-COUNT-1", "name": "计数场所", "unit": wuhua_unit.credit_code, "district": "530102",
                      "art6_point": 5}]}
    text = ok_text(upload(officer_client, doc, dry_run="1").content.decode())
    assert "已创建: 单位 2, 场所 1" in text, text
    assert "units" not in text and "sites" not in text
    text = ok_text(upload(officer_client, doc, dry_run="1", headers={"accept-language": "en"}).content.decode())
    assert "Created: units 2, sites 1" in text, text
    assert "单位" not in text


def test_bad_rows_are_listed_and_nothing_is_written(officer_client):
    response = upload(officer_client, {"units": [
        {"credit_code": f.credit_code(), "name": "好", "district": "530102"},
        {"credit_code": "BAD", "name": "坏", "district": "530102"},
        {"credit_code": f.credit_code("530103"), "name": "越界", "district": "530103"},
    ]})
    page = response.content.decode()
    assert 'data-testid="error-table"' in page and "unified social credit code" in page
    assert "<td>units</td><td>2</td>" in page and "<td>units</td><td>3</td>" in page
    assert not m.Unit.objects.filter(name__in=["好", "坏", "越界"]).exists()


def test_oversized_upload_is_refused_before_reading(officer_client, settings):
    settings.JIFANG_IMPORT_MAX_BYTES = 50
    response = upload(officer_client, {"units": [{"credit_code": f.credit_code(), "name": "大", "district": "530102"}]})
    assert response.status_code == 400
    assert "文件过大" in response.content.decode() and not m.Unit.objects.filter(name="大").exists()


def test_export_download_is_scoped(officer_client, wuhua_unit, panlong_unit):
    response = officer_client.get("/dataset/export.xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    codes = {row[1] for row in book.get_sheet_by_name("单位").to_python()[1:]}
    assert codes == {wuhua_unit.credit_code}
    doc = json.loads(b"".join(officer_client.get("/dataset/export.json").streaming_content))
    assert [u["id"] for u in doc["sheets"]["units"]] == [wuhua_unit.pk]


def test_template_download_and_unknown_format(officer_client):
    body = b"".join(officer_client.get("/dataset/template.xlsx").streaming_content)
    assert "说明" in CalamineWorkbook.from_filelike(io.BytesIO(body)).sheet_names
    assert officer_client.get("/dataset/export.csv").status_code == 404
