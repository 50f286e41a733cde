"""The filing pages, PDF and API: a unit files from its registry facts, the district office works its
queue (receive, return with a reason), the 备案基本信息表 prints with its verification code."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jifang.national import services
from jifang.national.models import FilingKind, FilingStatus, SystemFiling

from .conftest import filing_data

pytestmark = pytest.mark.django_db


def post_data(system, **changes) -> dict:
    data = filing_data(system, **changes)
    data["in_use_since"] = data["in_use_since"].isoformat()
    for flag in ("with_nvr", "with_dvr", "with_encoder"):
        if not data[flag]:
            data.pop(flag)
    return {"system": system.pk, "note": "", **data}


def test_the_form_starts_from_the_registry_and_files(client, unit_user, system):
    client.force_login(unit_user)
    form = client.get(reverse("national:systemfiling_add"), {"system": system.pk}).content.decode()
    assert 'value="3"' in form and "五华区人民中路1号" in form  # cameras and location from the registry
    done = client.post(reverse("national:systemfiling_add"), post_data(system))
    filing = SystemFiling.objects.get()
    assert done.status_code == 302 and filing.kind == FilingKind.INITIAL and filing.submitted_by == unit_user


def test_the_office_queue_receives_and_returns(client, system, file_system, wuhua_officer, panlong_officer):
    first = file_system(system)
    client.force_login(panlong_officer)
    assert client.get(first.get_absolute_url()).status_code == 404
    client.force_login(wuhua_officer)
    queue = client.get(reverse("national:systemfiling_list"), {"status": "submitted"}).content.decode()
    assert system.name in queue
    assert 'data-testid="receive"' in client.get(first.get_absolute_url()).content.decode()
    client.post(reverse("national:filing_return", args=[first.pk]), {"reason": "联系人电话有误"})
    first.refresh_from_db()
    assert first.status == FilingStatus.RETURNED and first.return_reason == "联系人电话有误"
    second = file_system(system)
    client.post(reverse("national:filing_receive", args=[second.pk]))
    second.refresh_from_db()
    assert second.status == FilingStatus.RECEIVED and second.receipt_number


def test_the_filing_form_pdf_and_its_verification(client, system, file_system, wuhua_officer, unit_user):
    filing = services.filing_receive(actor=wuhua_officer, filing=file_system(system))
    client.force_login(unit_user)
    pdf = client.get(reverse("national:filing_pdf", args=[filing.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    again = client.get(reverse("national:filing_pdf", args=[filing.pk]))
    assert again.content == pdf.content  # reproducible
    page = client.get(reverse("national:filing_verify", args=[filing.verify_code])).content.decode()
    assert 'data-testid="intact"' in page and filing.receipt_number in page
    SystemFiling.objects.filter(pk=filing.pk).update(camera_count=1)  # an edit behind the platform's back
    page = client.get(reverse("national:filing_verify", args=[filing.verify_code])).content.decode()
    assert 'data-testid="changed"' in page


def test_the_pdf_text_is_the_filing(client, system, file_system, wuhua_officer, unit_user):
    import subprocess

    filing = services.filing_receive(actor=wuhua_officer, filing=file_system(system))
    client.force_login(unit_user)
    pdf = client.get(reverse("national:filing_pdf", args=[filing.pk])).content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = "".join(text.split())
    for expected in ("公共安全视频系统备案基本信息表", filing.receipt_number, filing.unit_name, "图像采集设备数量3台",
                     "存储期限30日", filing.verify_code):
        assert expected in flat, expected


def test_the_api_files_and_the_office_receives(system, unit_user, wuhua_officer, department_officer):
    api = APIClient()
    api.force_authenticate(unit_user)
    data = filing_data(system)
    created = api.post("/api/system-filings/", {**data, "system": system.pk}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.post(f"/api/system-filings/{pk}/receive/").status_code == 403
    api.force_authenticate(department_officer)
    assert api.post(f"/api/system-filings/{pk}/receive/").status_code == 403
    api.force_authenticate(wuhua_officer)
    received = api.post(f"/api/system-filings/{pk}/receive/")
    assert received.status_code == 200 and received.json()["status"] == "received"
    assert api.patch(f"/api/system-filings/{pk}/", {"camera_count": 1}, format="json").status_code == 405
    assert api.get("/api/system-filings/").json()["results"][0]["receipt_number"]


def test_a_system_id_out_of_range_or_outside_scope_starts_an_empty_form(client, unit_user, panlong_unit):
    from tests.factories import SiteFactory, SystemFactory

    other = SystemFactory(site=SiteFactory(unit=panlong_unit), name="盘龙的系统")
    client.force_login(unit_user)
    for raw in ("9" * 30, "-1", "abc", str(other.pk)):
        page = client.get(reverse("national:systemfiling_add"), {"system": raw})
        assert page.status_code == 200 and "盘龙的系统" not in page.content.decode()
