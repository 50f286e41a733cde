"""Enforcement pages and API: who sees what, refusals shown as they are, and query counts."""
import pytest
from django.urls import reverse

from jifang.enforcement import services
from jifang.enforcement.models import Inspection, RectificationOrder

from .. import factories as f
from .conftest import behind_the_back, make_finding
from .test_services import ART6, ART19, _order, _overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def wuhua_order(wuhua_officer, wuhua_site, clock):
    return _order(wuhua_officer, [make_finding(wuhua_site, ART6)], clock)


def _client(client, user):
    client.force_login(user)
    return client


# ---- scoping ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["order_detail", "document"])
def test_officer_of_another_district_gets_404(client, panlong_officer, wuhua_order, name):
    args = ["order", wuhua_order.pk] if name == "document" else [wuhua_order.pk]
    assert _client(client, panlong_officer).get(reverse(f"enforcement:{name}", args=args)).status_code == 404


def test_unit_sees_its_own_order_only(client, unit_user, wuhua_order, panlong_officer, clock):
    other = _order(panlong_officer, [make_finding(f.SiteFactory(unit=f.UnitFactory(district_id="530103")), ART6)],
                   clock)
    c = _client(client, unit_user)
    assert c.get(reverse("enforcement:order_detail", args=[wuhua_order.pk])).status_code == 200
    assert c.get(reverse("enforcement:order_detail", args=[other.pk])).status_code == 404
    listing = c.get(reverse("enforcement:rectificationorder_list")).content.decode()
    assert wuhua_order.number in listing and other.number not in listing


def test_firm_sees_nothing_of_enforcement(client, firm_user, wuhua_order, wuhua_officer, wuhua_site, clock):
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    c = _client(client, firm_user)
    assert c.get(reverse("enforcement:order_detail", args=[wuhua_order.pk])).status_code == 404
    assert c.get(reverse("enforcement:inspection_detail", args=[insp.pk])).status_code == 404
    assert wuhua_order.number not in c.get(reverse("enforcement:rectificationorder_list")).content.decode()
    assert c.get(reverse("enforcement-order-list")).json()["results"] == []
    assert "Enforcement" not in c.get(reverse("home")).content.decode()


def test_queues_are_scoped_to_the_district(client, wuhua_officer, panlong_officer, wuhua_site, clock):
    _overdue(wuhua_officer, [make_finding(wuhua_site, ART6)], clock)
    label = "第六条第（五）项"
    assert label in _client(client, wuhua_officer).get(reverse("enforcement:queues")).content.decode()
    client.logout()
    assert label not in _client(client, panlong_officer).get(reverse("enforcement:queues")).content.decode()


def test_figures_count_per_district(client, city_officer, wuhua_officer, panlong_officer, wuhua_site, clock):
    _order(wuhua_officer, [make_finding(wuhua_site, ART6)], clock)
    _order(wuhua_officer, [make_finding(wuhua_site, ART19)], clock)
    _order(panlong_officer, [make_finding(f.SiteFactory(unit=f.UnitFactory(district_id="530103")), ART6)], clock)
    city = {r["district_id"]: r["open"] for r in _client(client, city_officer)
            .get(reverse("enforcement-figures")).json()["by_district"]}
    assert city == {"530102": 2, "530103": 1}
    client.logout()
    wuhua = _client(client, wuhua_officer).get(reverse("enforcement-figures")).json()["by_district"]
    assert [(r["district_id"], r["open"]) for r in wuhua] == [("530102", 2)]


# ---- pages ---------------------------------------------------------------------------------------

def test_inspection_page_shows_checklist_and_verification(client, wuhua_officer, wuhua_site, clock):
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    services.inspection_sign(actor=wuhua_officer, inspection=insp)
    html = _client(client, wuhua_officer).get(reverse("enforcement:inspection_detail", args=[insp.pk])).content.decode()
    assert "第十九条" in html and 'data-testid="verify-ok"' in html
    with behind_the_back():
        Inspection.objects.filter(pk=insp.pk).update(observations="事后改动")
    html = client.get(reverse("enforcement:verify", args=[insp.verify_code])).content.decode()
    assert 'data-testid="verify-bad"' in html and "the record differs from what was signed" in html


def test_verification_code_out_of_scope_is_not_found(client, panlong_officer, wuhua_order):
    html = _client(client, panlong_officer).get(reverse("enforcement:verify", args=[wuhua_order.verify_code]))
    assert 'data-testid="not-found"' in html.content.decode()


def test_refusal_is_shown_bilingually(client, wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    url = reverse("enforcement:order_add") + f"?unit={wuhua_site.unit_id}"
    response = _client(client, wuhua_officer).post(
        url, {"findings": [finding.pk], "deadline": clock.today().isoformat()}, follow=True)
    text = response.content.decode()
    assert "改正期限必须晚于送达之日" in text and "the deadline must fall after the day of service" in text
    assert not RectificationOrder.objects.exists()


def test_order_form_offers_the_policy_default_as_policy(client, wuhua_officer, wuhua_site, settings):
    settings.JIFANG_RECTIFICATION_DEFAULT_DAYS = 21
    make_finding(wuhua_site, ART6)
    html = _client(client, wuhua_officer).get(reverse("enforcement:order_add") + f"?unit={wuhua_site.unit_id}")
    assert 'data-testid="policy-note"' in html.content.decode() and "21" in html.content.decode()


def test_decision_pdf_download(client, wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    order = _overdue(wuhua_officer, [finding], clock)
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                         amounts={"unit": 5000}, facts="x")
    c = _client(client, wuhua_officer)
    assert "decision-pdf" not in c.get(case.get_absolute_url()).content.decode()  # not decided: no document
    services.penalty_statement_record(actor=wuhua_officer, case=case, waived=True)
    decision = services.penalty_decide(actor=wuhua_officer, case=case, amounts={"unit": 5000})
    assert "decision-pdf" in c.get(case.get_absolute_url()).content.decode()
    response = c.get(reverse("enforcement:document", args=["decision", decision.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_casefile_query_count_does_not_grow(client, wuhua_officer, wuhua_site, clock, django_assert_max_num_queries):
    c = _client(client, wuhua_officer)
    url = reverse("enforcement:casefile_unit", args=[wuhua_site.unit_id])
    for clause in (ART6, ART19):
        order = _order(wuhua_officer, [make_finding(wuhua_site, clause)], clock)
        services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
        assert order.number in c.get(url).content.decode()
    with django_assert_max_num_queries(14):
        c.get(url)
    for clause in ("art_7__para_1", "art_14__para_2", "art_21__para_1__point_4"):
        _order(wuhua_officer, [make_finding(wuhua_site, clause)], clock)
        services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    with django_assert_max_num_queries(14):
        c.get(url)


def test_order_list_query_count(client, wuhua_officer, wuhua_site, clock, django_assert_max_num_queries):
    for clause in (ART6, ART19, "art_7__para_1", "art_14__para_2"):
        _order(wuhua_officer, [make_finding(wuhua_site, clause)], clock)
    c = _client(client, wuhua_officer)
    with django_assert_max_num_queries(8):
        assert c.get(reverse("enforcement:rectificationorder_list")).status_code == 200


# ---- API -----------------------------------------------------------------------------------------

def test_api_full_path(client, wuhua_officer, unit_user, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    officer = _client(client, wuhua_officer)
    deadline = clock.today().toordinal() + 10
    import datetime as dt

    r = officer.post(reverse("enforcement-order-list"),
                     {"findings": [finding.pk], "deadline": dt.date.fromordinal(deadline).isoformat()},
                     content_type="application/json")
    assert r.status_code == 201, r.content
    order_id = r.json()["id"]
    assert officer.get(reverse("enforcement-order-verification", args=[order_id])).json()["ok"] is True
    client.logout()
    unit = _client(client, unit_user)
    assert unit.post(reverse("enforcement-order-answer", args=[order_id]), {"response": "已整改"},
                     content_type="application/json").status_code == 200
    client.logout()
    clock.past(RectificationOrder.objects.get(pk=order_id))
    services.overdue_sweep(actor=None)
    officer = _client(client, wuhua_officer)
    r = officer.post(reverse("enforcement-order-penalty", args=[order_id]),
                     {"findings": [finding.pk], "amounts": {"unit": "20001"}, "facts": "逾期"},
                     content_type="application/json")
    assert r.status_code == 400 and "超出法定幅度" in str(r.json())
    r = officer.post(reverse("enforcement-order-penalty", args=[order_id]),
                     {"findings": [finding.pk], "amounts": {"unit": "8000"}, "facts": "逾期"},
                     content_type="application/json")
    assert r.status_code == 201
    case_id = r.json()["id"]
    officer.post(reverse("enforcement-case-statement", args=[case_id]), {"waived": True},
                 content_type="application/json")
    r = officer.post(reverse("enforcement-case-decide", args=[case_id]), {"amounts": {"unit": "8000"}},
                     content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "decided"


def test_api_unit_cannot_issue_orders(client, unit_user, wuhua_site):
    finding = make_finding(wuhua_site, ART6)
    r = _client(client, unit_user).post(reverse("enforcement-order-list"), {"findings": [finding.pk]},
                                        content_type="application/json")
    assert r.status_code == 403


@pytest.mark.parametrize("role", ["city_officer", "wuhua_officer", "department_officer", "unit_user", "firm_user"])
@pytest.mark.parametrize("name", ["inspection_list", "rectificationorder_list", "penaltycase_list", "queues",
                                  "figures", "verify_form"])
def test_every_page_renders_for_every_role(client, request, role, name, wuhua_officer, wuhua_site, clock):
    _overdue(wuhua_officer, [make_finding(wuhua_site, ART6)], clock)
    user = request.getfixturevalue(role)
    # Queues are work for the officers who act; figures are the police office's; units and firms
    # get the 403 page for both (they were never in their menu).
    closed = {"queues": {"department_officer", "unit_user", "firm_user"}, "figures": {"unit_user", "firm_user"}}
    expected = 403 if role in closed.get(name, ()) else 200
    assert _client(client, user).get(reverse(f"enforcement:{name}")).status_code == expected


def test_unit_cannot_open_officer_forms(client, unit_user, wuhua_site, wuhua_order):
    c = _client(client, unit_user)
    assert c.get(reverse("enforcement:inspection_add")).status_code == 403
    assert c.get(reverse("enforcement:order_add") + f"?unit={wuhua_site.unit_id}").status_code == 403
    assert c.get(reverse("enforcement:case_add", args=[wuhua_order.pk])).status_code == 403


def test_overdue_command_rejects_a_bad_date():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--as-of"):
        call_command("enforcement", "overdue", "--as-of", "2026-13-01")


def test_queues_query_count_does_not_grow(client, wuhua_officer, wuhua_site, clock, django_assert_max_num_queries):
    _overdue(wuhua_officer, [make_finding(wuhua_site, ART6)], clock)
    c = _client(client, wuhua_officer)
    with django_assert_max_num_queries(12):
        c.get(reverse("enforcement:queues"))
    for clause in (ART19, "art_7__para_1", "art_14__para_2"):
        _overdue(wuhua_officer, [make_finding(wuhua_site, clause)], clock)
    c = _client(client, wuhua_officer)  # the clock moved past the session's age
    with django_assert_max_num_queries(12):
        html = c.get(reverse("enforcement:queues")).content.decode()
    assert all(label in html for label in ("第六条第（五）项", "第十九条", "第七条", "第十四条第二款"))


def _label(html: str, field_id: str) -> str:
    import re

    match = re.search(rf'<label class="form-label" for="{field_id}">(.*?)</label>', html, re.S)
    assert match, field_id
    return match.group(1).strip()


@pytest.mark.clause("art_25__para_1")
def test_penalty_forms_label_the_persons_names_as_names_of_people(client, wuhua_officer, wuhua_site, clock):
    """The art_25 fines name two persons: their name boxes read 姓名 (a person's name), not 名称 (the
    name of a thing, the msgstr an earlier app gives the bare msgid "name"), on the notice form and
    on the decision form alike; "name" in English."""
    finding = make_finding(wuhua_site, ART19)
    order = _overdue(wuhua_officer, [finding], clock)
    c = _client(client, wuhua_officer)
    html = c.get(reverse("enforcement:case_add", args=[order.pk])).content.decode()
    for target in ("person_in_charge", "person_directly_responsible"):
        assert _label(html, f"id_name_{target}") == "姓名"
    english = c.get(reverse("enforcement:case_add", args=[order.pk]), headers={"accept-language": "en"})
    assert _label(english.content.decode(), "id_name_person_in_charge") == "name"
    amounts = {"unit": 3000, "person_in_charge": 200, "person_directly_responsible": 200}
    persons = {"person_in_charge": "赵主管", "person_directly_responsible": "钱直接"}
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding], amounts=amounts,
                                         persons=persons, facts="录像保存不足30日，逾期未改正")
    services.penalty_statement_record(actor=wuhua_officer, case=case, waived=True)
    html = c.get(reverse("enforcement:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="decide"' in html
    assert _label(html, "id_name_person_in_charge") == "姓名" and "赵主管" in html


def test_home_page_enforcement_panel_for_the_officer_and_the_unit_served(client, wuhua_site, wuhua_officer,
                                                                          unit_user, panlong_officer):
    import datetime as dt

    from django.utils import timezone

    finding = make_finding(wuhua_site, "art_21__para_1__point_2")
    deadline = timezone.localdate() + dt.timedelta(days=3)
    services.rectification_order_issue(actor=wuhua_officer, findings=[finding], deadline=deadline)
    for user in (wuhua_officer, unit_user):
        client.force_login(user)
        home = client.get("/").content.decode()
        panel = home[home.index('data-testid="enforcement-panel"'):]
        for figure, n in (("open", 1), ("due_soon", 1), ("past_deadline", 0)):
            row = panel[panel.index(f'data-figure="{figure}"'):]
            assert f">{n}<" in row[:row.index("</li>")], (user, figure)
        assert ('data-figure="overdue_findings"' in panel) is (user == wuhua_officer)
        client.logout()
    client.force_login(panlong_officer)
    assert 'data-testid="enforcement-panel"' not in client.get("/").content.decode()


@pytest.mark.clause("art_23__para_2")
def test_officer_opens_the_evidence_and_sees_every_answer(client, media, unit_user, wuhua_officer, wuhua_order, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    services.rectification_order_answer(actor=unit_user, order=wuhua_order, response="已采购设备，安装中",
                                        files=[SimpleUploadedFile("first.png", png, content_type="image/png")])
    clock.advance(2)
    services.rectification_order_answer(actor=unit_user, order=wuhua_order, response="已安装完毕，见验收单",
                                        files=[SimpleUploadedFile("done.pdf", b"%PDF-1.4 x", content_type="application/pdf")])
    page = _client(client, wuhua_officer).get(reverse("enforcement:order_detail", args=[wuhua_order.pk]))
    html = page.content.decode()
    # the latest answer first, the earlier one kept below it, each with its own files
    # files are stored under names derived from their sniffed content (core.uploads), shown as stored
    first, done = wuhua_order.evidence.order_by("id")
    assert first.filename.endswith(".png") and done.filename.endswith(".pdf")
    assert html.index("已安装完毕") < html.index("已采购设备") and first.filename in html and done.filename in html
    assert html.index(done.filename) < html.index("已采购设备") < html.index(first.filename)
    url = reverse("enforcement:order_evidence", args=[wuhua_order.pk, first.pk])
    opened = client.get(url)
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == png
    assert opened["Content-Type"] == "image/png" and "attachment" not in opened["Content-Disposition"]
    assert "attachment" in client.get(url + "?download=1")["Content-Disposition"]
    # each opening is on record before the file is served: who opened which file of which order
    from jifang.core.models import AuditEntry

    opened = AuditEntry.objects.filter(action="enforcement.orderevidence.download").order_by("id")
    assert [(e.actor_id, e.object_id) for e in opened] == [(wuhua_officer.pk, str(wuhua_order.pk))] * 2
    assert first.filename in opened[0].note and first.sha256 in opened[0].note


def test_evidence_is_as_visible_as_its_order(client, media, unit_user, panlong_officer, wuhua_order, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.rectification_order_answer(actor=unit_user, order=wuhua_order, response="已整改", files=[
        SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10, content_type="image/png")])
    evidence = wuhua_order.evidence.get()
    url = reverse("enforcement:order_evidence", args=[wuhua_order.pk, evidence.pk])
    assert _client(client, panlong_officer).get(url).status_code == 404
    from jifang.core.models import AuditEntry

    assert not AuditEntry.objects.filter(action="enforcement.orderevidence.download").exists()  # nothing served


def test_a_refused_form_names_its_fields_by_label_in_chinese(client, unit_user, wuhua_order):
    from django.contrib.messages import get_messages

    response = _client(client, unit_user).post(reverse("enforcement:order_answer", args=[wuhua_order.pk]),
                                               {"response": ""})
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert text == "整改情况：该字段是必填项。"  # the field's label, not "* response"
