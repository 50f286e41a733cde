"""Imports and exports in the background: the request only queues the work, a worker runs it with
the user's rights, the page follows its progress, the user comes back to the result; nobody else
sees another's job."""
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from jifang.core import dataset_jobs
from jifang.core.models import DatasetJob
from jifang.jobs.worker import run_pending
from jifang.registry import models as m

from .. import factories as f


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def _doc(units: list[dict]) -> bytes:
    return json.dumps({"format": "jifang-dataset", "version": 1, "sheets": {"units": units}}).encode()


def test_import_is_queued_then_run_by_a_worker(client, wuhua_officer):
    client.force_login(wuhua_officer)
    units = [{"credit_code": f.credit_code(), "name": f"后台单位{i}", "district": "530102"} for i in range(3)]
    response = client.post("/dataset/", {"file": SimpleUploadedFile("u.json", _doc(units))})
    job = DatasetJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dataset/jobs/{job.pk}/"
    assert not m.Unit.objects.filter(name__startswith="后台单位").exists()  # nothing ran in the request
    waiting = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in waiting and 'hx-trigger="every 1s"' in waiting and "job-progress" in waiting
    assert run_pending(queues=["imports"]) == 1
    assert m.Unit.objects.filter(name__startswith="后台单位").count() == 3
    job.refresh_from_db()
    assert job.status == "done" and job.result["created"] == [["units", 3]]
    # the progress the worker wrote: both passes over the 3 rows
    assert json.loads((dataset_jobs.job_dir(job.pk) / "progress.json").read_text()) == {
        "done": 6, "total": 6, "stage": "units"}
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="import-ok"' in fragment and "hx-trigger" not in fragment  # polling stops
    assert "<html" not in fragment


def test_errors_are_kept_cell_by_cell_and_nothing_written(client, wuhua_officer):
    client.force_login(wuhua_officer)
    units = [{"credit_code": "BAD", "name": "坏", "district": "530102"},
             {"credit_code": f.credit_code("530103"), "name": "越界", "district": "530103"}]
    client.post("/dataset/", {"file": SimpleUploadedFile("bad.json", _doc(units))})
    run_pending(queues=["imports"])
    job = DatasetJob.objects.get()
    assert job.result["ok"] is False and job.result["errors_total"] == 2
    assert [e[:2] for e in job.result["errors"]] == [["units", 1], ["units", 2]]
    page = client.get(f"/dataset/jobs/{job.pk}/").content.decode()
    assert 'data-testid="error-table"' in page and "<td>units</td><td>2</td>" in page and "<td>units</td><td>1</td>" in page
    assert not m.Unit.objects.filter(name__in=["坏", "越界"]).exists()


def test_an_unusable_file_fails_with_its_reason(client, wuhua_officer):
    client.force_login(wuhua_officer)
    client.post("/dataset/", {"file": SimpleUploadedFile("x.json", b"{not json")})
    run_pending(queues=["imports"])
    job = DatasetJob.objects.get()
    assert job.status == "failed" and job.failure
    assert 'data-testid="import-failure"' in client.get(f"/dataset/jobs/{job.pk}/").content.decode()


def test_export_job_is_scoped_and_only_its_user_downloads_it(client, wuhua_officer, panlong_officer, wuhua_unit,
                                                             panlong_unit):
    client.force_login(wuhua_officer)
    response = client.post("/dataset/export/xlsx/")
    job = DatasetJob.objects.get()
    assert client.get(f"/dataset/jobs/{job.pk}/file/").status_code == 404  # not ready yet
    run_pending(queues=["imports"])
    body = b"".join(client.get(f"/dataset/jobs/{job.pk}/file/").streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    assert {row[1] for row in book.get_sheet_by_name("单位").to_python()[1:]} == {wuhua_unit.credit_code}
    assert 'data-testid="export-download"' in client.get(response["Location"]).content.decode()
    listed = client.get("/dataset/jobs/").content.decode()
    assert job.filename in listed
    client.force_login(panlong_officer)
    assert client.get(f"/dataset/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/dataset/jobs/{job.pk}/file/").status_code == 404
    assert job.filename not in client.get("/dataset/jobs/").content.decode()
    assert client.post("/dataset/export/csv/").status_code == 404


def test_progress_file_is_read_safely(wuhua_officer):
    job = DatasetJob.objects.create(user=wuhua_officer, kind="import", fmt="json", filename="x.json")
    assert dataset_jobs.read_progress(job)["percent"] == 0  # no file yet
    dataset_jobs.job_dir(job.pk).mkdir(parents=True)
    (dataset_jobs.job_dir(job.pk) / "progress.json").write_text("{broken")
    assert dataset_jobs.read_progress(job)["percent"] == 0
    dataset_jobs._ProgressFile(job.pk)(5, 10, "units")
    assert dataset_jobs.read_progress(job) == {"done": 5, "total": 10, "stage": "units", "percent": 50}


def test_cli_import_and_export_show_progress(tmp_path, wuhua_officer, capsys):
    path = tmp_path / "u.json"
    path.write_bytes(_doc([{"credit_code": f.credit_code(), "name": "命令行单位", "district": "530102"}]))
    call_command("import", str(path))
    out = tmp_path / "all.json"
    call_command("export", str(out))
    err = capsys.readouterr().err
    assert m.Unit.objects.filter(name="命令行单位").exists()
    assert "100%" in err and "units" in err
