"""Reports from the public (order 799 art. 24 para. 2): made without an account through the public
page (a signed sum, a limit per address, bounded photos), followed by a receipt code that shows the
status only, handled by the district's police (an inspection or a closing reason); the reporter's
contact is sealed and read by police officers only."""
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signing import dumps
from django.urls import reverse

from jifang.core.errors import NotPermitted
from jifang.core.models import AuditEntry
from jifang.enforcement.models import Inspection
from jifang.national import challenge, services
from jifang.national.models import PublicReport, ReportStatus
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db
ART24 = "cn-order-2025-799#art_24__para_2"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def answer(page: bytes) -> dict:
    """Solve the page's sum as a person would and return the form's hidden token with it."""
    text = page.decode()
    a, b = map(int, re.search(r"What is (\d+) plus (\d+)\?", text).groups())
    token = re.search(r'name="challenge" value="([^"]+)"', text).group(1)
    return {"challenge": token, "answer": str(a + b)}


def form(**extra) -> dict:
    return {"district": "530102", "kind": "prohibited_place", "place": "某酒店 1203 客房",
            "description": "烟雾报警器里有摄像头", "contact": "", **extra}


def report_now(client, **extra):
    page = client.get(reverse("national:public_report"))
    return client.post(reverse("national:public_report"), {**form(**extra), **answer(page.content)})


@pytest.mark.clause(ART24)
def test_anyone_reports_without_an_account_and_follows_the_status_by_code(client):
    page = client.get(reverse("national:public_report"))
    assert page.status_code == 200 and "等于几" in page.content.decode()
    done = client.post(reverse("national:public_report"), {
        **form(contact="13800001111"), **answer(page.content),
        "photos": [SimpleUploadedFile("a.png", PNG, "image/png")]})
    assert done.status_code == 201
    report = PublicReport.objects.get()
    assert report.code in done.content.decode() and report.district_id == "530102"
    assert report.photos.count() == 1 and report.photos.get().file.name.endswith(".png")
    assert "13800001111" not in report.contact_token and report.contact_token  # sealed
    status = client.get(reverse("national:public_report_status"), {"code": report.code})
    text = status.content.decode()
    assert "等待处理" in text or "received" in text
    assert "烟雾报警器" not in text and "1203" not in text  # status only


def test_a_wrong_or_forged_answer_is_refused_and_nothing_is_stored(client):
    page = client.get(reverse("national:public_report"))
    solved = answer(page.content)
    wrong = client.post(reverse("national:public_report"), {**form(), **solved, "answer": "99"})
    forged = client.post(reverse("national:public_report"), {
        **form(), "challenge": dumps({"s": 2, "n": "x"}, salt="another"), "answer": "2"})
    assert wrong.status_code == forged.status_code == 400
    assert not PublicReport.objects.exists()
    assert "某酒店 1203 客房" in wrong.content.decode()  # what was typed is kept


def test_the_challenge_rejects_expired_and_odd_answers(monkeypatch):
    question, token = challenge.issue()
    a, b = map(int, re.search(r"What is (\d+) plus (\d+)", question).groups())
    assert challenge.passed(token, f" {a + b} ") and not challenge.passed(token, "١٢")
    assert not challenge.passed(token, str(a + b + 1)) and not challenge.passed("garbage", "3")
    monkeypatch.setattr(challenge, "MAX_AGE_SECONDS", -1)
    assert not challenge.passed(token, str(a + b))


def test_a_flood_from_one_address_is_throttled(client, settings):
    settings.JIFANG_PUBLIC_REPORT_LIMIT = 3
    codes = [report_now(client).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert PublicReport.objects.count() == 3
    other = client.get(reverse("national:public_report"))
    ok = client.post(reverse("national:public_report"), {**form(), **answer(other.content)}, REMOTE_ADDR="10.0.0.9")
    assert ok.status_code == 201  # another address is not held back


def test_oversized_and_disguised_photos_are_refused_with_a_clear_message(client, settings):
    settings.JIFANG_PUBLIC_REPORT_PHOTO_MAX_BYTES = 1024
    big = report_now(client, photos=[SimpleUploadedFile("big.png", PNG + b"\0" * 1024, "image/png")])
    assert big.status_code == 400 and "过大" in big.content.decode()
    fake = report_now(client, photos=[SimpleUploadedFile("x.jpg", b"<html>hi</html>", "image/jpeg")])
    assert fake.status_code == 400 and "不是 JPEG 或 PNG" in fake.content.decode()
    many = report_now(client, photos=[SimpleUploadedFile(f"{i}.png", PNG, "image/png") for i in range(4)])
    assert many.status_code == 400 and "最多上传" in many.content.decode()
    huge = client.post(reverse("national:public_report"), data=b"x" * 10, content_type="multipart/form-data",
                       CONTENT_LENGTH=str(10 * 1024 * 1024))
    assert huge.status_code == 413 and "过大" in huge.content.decode()
    assert not PublicReport.objects.exists()


def _report(**kw):
    return services.report_submit(district=kw.get("district", "530102"), kind="prohibited_place", place="某宾馆",
                                  description="客房内有摄像头", contact=kw.get("contact", "微信 abc"),
                                  source=services.source_hash("10.1.1.1"))


@pytest.mark.clause(ART24)
def test_the_district_officer_turns_a_report_into_an_inspection(wuhua_officer, wuhua_unit):
    report = _report()
    site = SiteFactory(unit=wuhua_unit)
    handled = services.report_to_inspection(actor=wuhua_officer, report=report, site=site,
                                            inspected_on=dt.date.today())
    inspection = Inspection.objects.get()
    assert handled.status == ReportStatus.INSPECTING and handled.inspection == inspection
    assert inspection.kind == "ad_hoc" and report.code in inspection.observations
    with pytest.raises(Exception, match="已办理"):
        services.report_close(actor=wuhua_officer, report=handled, reason="重复")


def test_only_the_reports_district_handles_it(panlong_officer, wuhua_officer, unit_user):
    report = _report()
    for actor in (panlong_officer, unit_user):
        with pytest.raises(NotPermitted):
            services.report_close(actor=actor, report=report, reason="不属实")
    panlong_site = SiteFactory(unit__district_id="530103")
    with pytest.raises(Exception, match="不在举报所涉辖区"):
        services.report_to_inspection(actor=wuhua_officer, report=report, site=panlong_site,
                                      inspected_on=dt.date.today())
    closed = services.report_close(actor=wuhua_officer, report=report, reason="现场核实为烟雾报警器，无摄像功能")
    assert closed.status == ReportStatus.CLOSED and closed.close_reason.startswith("现场核实")


def test_contact_details_are_for_the_police_only(client, wuhua_officer, department_officer, unit_user):
    report = _report(contact="13912345678")
    assert services.report_contact(actor=wuhua_officer, report=report) == "13912345678"
    assert AuditEntry.objects.filter(action="national.report.contact_read").count() == 1
    with pytest.raises(NotPermitted):
        services.report_contact(actor=department_officer, report=report)
    # no audit row carries the sealed contact or the sender's address hash
    for entry in AuditEntry.objects.filter(object_type="national.publicreport"):
        assert "contact_token" not in (entry.after or {}) and "source_hash" not in (entry.after or {})
    # units never see reports (not in their scope: 404), nor the list (403)
    client.force_login(unit_user)
    assert client.get(reverse("national:publicreport_detail", args=[report.pk])).status_code in (403, 404)
    assert client.get(reverse("national:publicreport_list")).status_code == 403
    client.force_login(wuhua_officer)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "13912345678" not in page and "show-contact" in page
    shown = client.post(reverse("national:report_contact", args=[report.pk]), follow=True).content.decode()
    assert "13912345678" in shown


def test_the_police_queue_is_scoped_by_district(client, wuhua_officer, panlong_officer):
    mine, theirs = _report(), _report(district="530103")
    client.force_login(wuhua_officer)
    text = client.get(reverse("national:publicreport_list")).content.decode()
    assert mine.code in text and theirs.code not in text
    assert client.get(reverse("national:publicreport_detail", args=[theirs.pk])).status_code == 404


def test_the_api_is_the_police_queue_without_contacts(wuhua_officer, unit_user, wuhua_unit):
    from rest_framework.test import APIClient

    report = _report(contact="13912345678")
    site = SiteFactory(unit=wuhua_unit)
    api = APIClient()
    api.force_authenticate(unit_user)
    assert api.get("/api/public-reports/").json()["results"] == []
    api.force_authenticate(wuhua_officer)
    listed = api.get("/api/public-reports/").content.decode()
    assert report.code in listed and "13912345678" not in listed and "contact" not in listed
    assert api.post("/api/public-reports/", {"place": "x"}, format="json").status_code == 403
    done = api.post(f"/api/public-reports/{report.pk}/inspection/",
                    {"site": site.code, "inspected_on": dt.date.today().isoformat()}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "inspecting" and done.json()["inspection"]
