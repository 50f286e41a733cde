"""Pages: scoping (firm, unit, district), the board per role, secret documents, step pages."""
import pytest
from django.urls import reverse

from jifang.core.models import AuditEntry
from jifang.works import services as s
from jifang.works.models import DocumentKind, Works

from .. import factories as f
from .conftest import complete, days_ago, pdf

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def panlong_works(panlong_unit):
    firm = f.FirmFactory()
    system = f.SystemFactory(site=f.SiteFactory(unit=panlong_unit), firm=firm, status="planned",
                             acceptance_result="", acceptance_date=None)
    actor = f.UserFactory(role="firm_user", division_id=None, firm=firm)
    return s.works_register(actor=actor, system=system, builder=panlong_unit, firm=firm, name="盘龙酒店", kind="new")


@pytest.mark.parametrize("who, sees_wuhua, sees_panlong", [
    ("unit_user", True, False), ("firm_user", True, False), ("wuhua_officer", True, False),
    ("panlong_officer", False, True), ("city_officer", True, True),
])
def test_list_and_detail_are_scoped(client, request, works, panlong_works, who, sees_wuhua, sees_panlong):
    c = _client(client, request.getfixturevalue(who))
    text = c.get(reverse("works:works_list")).content.decode()
    assert (works.code in text) is sees_wuhua and (panlong_works.code in text) is sees_panlong
    for w, sees in ((works, sees_wuhua), (panlong_works, sees_panlong)):
        assert c.get(w.get_absolute_url()).status_code == (200 if sees else 404)


def test_another_firm_sees_nothing(client, works):
    other = f.UserFactory(role="firm_user", division_id=None, firm=f.FirmFactory())
    c = _client(client, other)
    assert c.get(works.get_absolute_url()).status_code == 404
    assert works.code not in c.get(reverse("works:works_list")).content.decode()


@pytest.mark.clause("art_14__para_1")
def test_notification_reaches_exactly_that_districts_board(client, works, unit_user, firm_user, wuhua_officer,
                                                          panlong_officer):
    complete(works, unit_user, firm_user)
    s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-3))
    wuhua = _client(client, wuhua_officer).get(reverse("works:board")).content.decode()
    assert f"{works.code}-YS1" in wuhua
    client.logout()
    panlong = _client(client, panlong_officer).get(reverse("works:board")).content.decode()
    assert works.code not in panlong


@pytest.mark.clause("art_14__para_1")
def test_an_acceptance_with_a_result_leaves_the_attend_queue_and_offers_no_attendance(client, works, unit_user,
                                                                                      firm_user, wuhua_officer):
    """The builder records the result without the office having attended: the acceptance is no
    longer offered for attendance, neither on the board nor as a step on the works page."""
    complete(works, unit_user, firm_user)
    acceptance = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(0))
    c = _client(client, wuhua_officer)
    board = c.get(reverse("works:board")).content.decode()
    assert acceptance.code in board
    assert reverse("works:step_attend", args=[acceptance.pk]) in c.get(works.get_absolute_url()).content.decode()
    s.acceptance_result_record(actor=unit_user, acceptance=acceptance, held_on=days_ago(0), reserved_interface=True,
                               items=[{"name": "视频图像质量", "passed": True}])
    board = c.get(reverse("works:board")).content.decode()
    section = board[board.index('data-testid="board-attend"'):]
    assert acceptance.code not in section[:section.index("</section>")]
    assert reverse("works:step_attend", args=[acceptance.pk]) not in c.get(works.get_absolute_url()).content.decode()


def test_board_per_role(client, works, unit_user, firm_user):
    complete(works, unit_user, firm_user)
    builder = _client(client, unit_user).get(reverse("works:board"))
    assert works.name in builder.content.decode() and b'data-testid="board-schedule"' in builder.content
    client.logout()
    firm = _client(client, firm_user).get(reverse("works:board")).content.decode()
    assert 'data-testid="board-file"' in firm and works.name in firm


def test_board_query_count_does_not_grow_with_rows(client, django_assert_num_queries, wuhua_officer, unit_user,
                                                  firm_user, firm, wuhua_unit):
    for i in range(6):
        system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), firm=firm, status="planned",
                                 acceptance_result="", acceptance_date=None)
        w = s.works_register(actor=unit_user, system=system, builder=wuhua_unit, firm=firm, name=f"工程{i}", kind="new",
                             registered_on=days_ago(90))
        complete(w, unit_user, firm_user, completed_on=days_ago(40))
        s.acceptance_schedule(actor=unit_user, works=w, scheduled_for=days_ago(-2))
    c = _client(client, wuhua_officer)
    # session, user, the five sections, the header's division: none per row
    with django_assert_num_queries(8):
        response = c.get(reverse("works:board"))
    assert response.content.decode().count("-YS1") == 6


@pytest.mark.clause("art_18__para_1")
def test_secret_documents_only_for_parties_and_district_and_every_download_audited(
        client, works, unit_user, firm_user, wuhua_officer, city_officer, department_officer):
    doc = s.document_upload(actor=unit_user, works=works, kind=DocumentKind.DRAWING, title="布防图", file=pdf("d.pdf"))
    url = reverse("works:document_download", args=[doc.pk])
    for user in (unit_user, firm_user, wuhua_officer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    for user in (city_officer, department_officer):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert "布防图" not in client.get(works.get_absolute_url()).content.decode()
    downloads = AuditEntry.objects.filter(action="works.document.download", object_id=str(doc.pk))
    assert sorted(downloads.values_list("actor_id", flat=True)) == sorted([unit_user.pk, firm_user.pk,
                                                                           wuhua_officer.pk])


def test_upload_types_come_from_the_content_not_the_name(client, works, unit_user):
    c = _client(client, unit_user)
    url = reverse("works:step_document", args=[works.pk])
    fake = pdf("scheme.pdf", body=b"MZ\x90\x00not a pdf")
    assert "file type not allowed" in c.post(url, {"kind": "scheme", "title": "x", "file": fake}).content.decode()
    html = pdf("scheme.pdf", body=b"<html><script>alert(1)</script></html>")
    assert "file type not allowed" in c.post(url, {"kind": "scheme", "title": "x", "file": html}).content.decode()
    assert not works.documents.exists()
    # a real PDF sent as "scheme.html" is stored as .pdf under a name of its own, and served as a download
    c.post(url, {"kind": "scheme", "title": "方案", "file": pdf("../../scheme.html")})
    doc = works.documents.get()
    assert doc.file.name.endswith(".pdf") and "scheme" not in doc.file.name and ".." not in doc.file.name
    assert doc.content_type == "application/pdf"
    response = c.get(reverse("works:document_download", args=[doc.pk]))
    assert response["Content-Disposition"].startswith("attachment") and ".pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.clause("art_14__para_2")
def test_go_live_page_shows_the_clause_and_changes_nothing(client, works, unit_user):
    works.status = "completed"
    works.save()
    c = _client(client, unit_user)
    response = c.post(reverse("works:step_go_live", args=[works.pk]), {"day": days_ago(1).isoformat()})
    assert "第十四条第二款" in response.content.decode()
    assert Works.objects.get(pk=works.pk).live_on is None


def test_register_through_the_page(client, unit_user, system, firm, wuhua_unit):
    c = _client(client, unit_user)
    response = c.post(reverse("works:works_add"), {"system": system.pk, "builder": wuhua_unit.pk, "firm": firm.pk,
                                                   "name": "新建工程", "kind": "new", "main_project_name": "营业楼"})
    works = Works.objects.get()
    assert response.status_code == 302 and works.main_project_name == "营业楼"


@pytest.mark.clause("art_14__para_1")
def test_home_page_works_panel_counts_each_section_of_the_users_board(client, works, unit_user, firm_user,
                                                                       wuhua_officer, panlong_officer):
    complete(works, unit_user, firm_user)
    s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-3))
    home = _client(client, wuhua_officer).get("/").content.decode()
    panel = home[home.index('data-testid="works-panel"'):]
    attend = panel[panel.index('data-section="attend"'):]
    assert ">1</span>" in attend[:attend.index("</li>")]
    client.logout()
    firm_home = _client(client, firm_user).get("/").content.decode()
    assert 'data-section="file"' in firm_home  # the firm's filing is due (art. 16)
    client.logout()
    assert 'data-testid="works-panel"' not in _client(client, panlong_officer).get("/").content.decode()
