"""Fines at once where the national law says so (order 799 art. 27 para. 1, art. 28: 没收…删除…并处罚款,
the sanction's `order_first: false`): a case opened on a violation a signed inspection confirmed, with
no rectification order before it. Everything else keeps the order path (Kunming art_24/25)."""
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jifang.core.models import AuditEntry
from jifang.enforcement import documents, selectors, services
from jifang.enforcement.models import PenaltyCase
from jifang.regulation import services as engine
from jifang.regulation.models import Finding, Stage
from tests import factories as f

from .conftest import make_finding
from .test_services import _overdue

pytestmark = pytest.mark.django_db

NATIONAL = "cn-order-2025-799"
KUNMING = "cn-530100-order-2012-116"
AMOUNTS = {"unit": 15000, "person_in_charge": 6000, "person_directly_responsible": 5000}
PERSONS = {"person_in_charge": "赵主管", "person_directly_responsible": "钱直接"}


def _text(doc) -> str:
    reader = PdfReader(io.BytesIO(doc.content))
    return "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")


@pytest.fixture
def hotel_room_camera(wuhua_site):
    """A camera in a hotel guest room of an unclassified system: the engine finds Kunming art_7 and
    order 799 art. 8 para. 1 item 1 (one finding per pack)."""
    system = f.SystemFactory(site=wuhua_site, has_audio_video=True, public_video_class="")
    part = f.SitePartFactory(site=wuhua_site, area_kind="hotel_room")
    device = f.DeviceFactory(system=system, part=part)
    engine.scan(actor=None, as_of=timezone.localdate(), site=wuhua_site)
    found = {x.pack_id: x for x in Finding.objects.filter(subject_key=device.serial, status="open")}
    assert set(found) == {NATIONAL, KUNMING}
    return found


def _signed_inspection(officer, site, findings):
    insp = services.inspection_create(actor=officer, site=site, inspected_on=timezone.localdate())
    for finding in findings:
        services.inspection_finding_confirm(actor=officer, inspection=insp, finding=finding)
    services.inspection_sign(actor=officer, inspection=insp)
    insp.refresh_from_db()
    return insp


def _notice(officer, insp, findings, amounts=AMOUNTS):
    return services.penalty_notice_issue(actor=officer, inspection=insp, findings=findings, amounts=amounts,
                                         persons=PERSONS, facts="客房内安装摄像机，可拍摄住宿人员隐私")


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1")
def test_a_hotel_room_camera_is_fined_at_once_without_an_order(wuhua_officer, wuhua_site, hotel_room_camera):
    national = hotel_room_camera[NATIONAL]
    insp = _signed_inspection(wuhua_officer, wuhua_site, [national])
    assert selectors.at_once_findings(insp) == [national]
    case = _notice(wuhua_officer, insp, [national])
    assert case.order_id is None and case.inspection_id == insp.pk and case.article == "art_27__para_1"
    assert case.district_id == insp.district_id and case.unit_id == insp.unit_id
    notice = _text(documents.notice_pdf(case))
    assert f"对你单位进行监督检查（{insp.number}）" in notice and "逾期未改正" not in notice
    assert "并处：没收相关设备设施；删除所收集的视频图像信息" in notice
    services.penalty_statement_record(actor=wuhua_officer, case=case, waived=True)
    decision = services.penalty_decide(actor=wuhua_officer, case=case, amounts=AMOUNTS, persons=PERSONS)
    text = _text(documents.decision_pdf(decision))
    for expected in ("公共安全视频图像信息系统管理条例", "第二十七条第一款", "第八条第一款第一项", f"{insp.number}监督检查记录",
                     "人民币壹万伍仟元整", "赵主管", "人民币陆仟元整",
                     "并处：没收相关设备设施；删除所收集的视频图像信息"):
        assert expected in text, expected
    assert "责令限期改正通知书" not in text and "逾期未改正" not in text
    national.refresh_from_db()
    assert national.stage == Stage.DECIDED
    assert selectors.at_once_findings(insp) == []


@pytest.mark.clause("cn-order-2025-799#art_28__para_1")
@pytest.mark.clause("cn-order-2025-799#art_10__para_1")
def test_video_near_a_secret_unit_without_consent_is_fined_at_once(wuhua_officer, wuhua_site):
    finding = make_finding(wuhua_site, "art_10__para_1", pack_id=NATIONAL)
    insp = _signed_inspection(wuhua_officer, wuhua_site, [finding])
    case = _notice(wuhua_officer, insp, [finding], amounts={"unit": 10000, "person_in_charge": 10000,
                                                            "person_directly_responsible": 5000})
    assert case.article == "art_28__para_1" and case.order_id is None


@pytest.mark.clause("art_24__para_1")
def test_a_kunming_finding_without_an_overdue_order_is_refused(wuhua_officer, wuhua_site, hotel_room_camera):
    kunming = hotel_room_camera[KUNMING]
    insp = _signed_inspection(wuhua_officer, wuhua_site, [kunming])
    assert selectors.at_once_findings(insp) == []
    with pytest.raises(services.ServiceError, match="须先责令限期改正"):
        _notice(wuhua_officer, insp, [kunming], amounts={"unit": 5000})
    assert not PenaltyCase.objects.exists()
    assert AuditEntry.objects.filter(action="enforcement.penalty.notice.refused").count() == 1


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
def test_mixing_both_paths_in_one_case_is_refused(wuhua_officer, wuhua_site, hotel_room_camera):
    insp = _signed_inspection(wuhua_officer, wuhua_site, list(hotel_room_camera.values()))
    with pytest.raises(services.ServiceError) as refused:
        _notice(wuhua_officer, insp, list(hotel_room_camera.values()))
    assert "不能同时包含" in str(refused.value) and "cannot mix" in str(refused.value)
    assert not PenaltyCase.objects.exists()


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
def test_mixing_both_paths_under_an_order_is_refused_too(wuhua_officer, wuhua_site, hotel_room_camera, clock):
    order = _overdue(wuhua_officer, list(hotel_room_camera.values()), clock)
    with pytest.raises(services.ServiceError, match="不能同时包含"):
        services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=list(hotel_room_camera.values()),
                                      amounts=AMOUNTS, persons=PERSONS, facts="x")


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
def test_a_finding_not_confirmed_at_a_signed_inspection_is_refused(wuhua_officer, wuhua_site, hotel_room_camera):
    national = hotel_room_camera[NATIONAL]
    other = _signed_inspection(wuhua_officer, wuhua_site, [])          # signed, but confirmed nothing
    with pytest.raises(services.ServiceError, match="未经检查记录"):
        _notice(wuhua_officer, other, [national])
    unsigned = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=timezone.localdate())
    services.inspection_finding_confirm(actor=wuhua_officer, inspection=unsigned, finding=national)
    assert selectors.at_once_findings(unsigned) == []
    with pytest.raises(services.ServiceError, match="尚未签名"):
        _notice(wuhua_officer, unsigned, [national])
    assert not PenaltyCase.objects.exists()


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
@pytest.mark.parametrize("amounts", [
    {"unit": 9999, "person_in_charge": 5000, "person_directly_responsible": 5000},     # below the unit's 10,000
    {"unit": 20000.01, "person_in_charge": 5000, "person_directly_responsible": 5000},  # above its 20,000
    {"unit": 15000, "person_in_charge": 10001, "person_directly_responsible": 5000},    # a person above 10,000
    {"unit": 15000},                                                                   # a target left out
], ids=["unit-low", "unit-high", "person-high", "missing-target"])
def test_amounts_outside_the_range_are_refused(wuhua_officer, wuhua_site, hotel_room_camera, amounts):
    national = hotel_room_camera[NATIONAL]
    insp = _signed_inspection(wuhua_officer, wuhua_site, [national])
    with pytest.raises(services.ServiceError):
        _notice(wuhua_officer, insp, [national], amounts=amounts)
    assert not PenaltyCase.objects.exists()


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
def test_the_decision_stays_inside_the_range_and_below_the_notice(wuhua_officer, wuhua_site, hotel_room_camera):
    national = hotel_room_camera[NATIONAL]
    case = _notice(wuhua_officer, _signed_inspection(wuhua_officer, wuhua_site, [national]), [national])
    services.penalty_statement_record(actor=wuhua_officer, case=case, statement="已拆除摄像机")
    with pytest.raises(services.ServiceError, match="超出法定幅度"):
        services.penalty_decide(actor=wuhua_officer, case=case, persons=PERSONS,
                                amounts={**AMOUNTS, "unit": 9000})
    with pytest.raises(services.ServiceError, match="不得高于告知金额"):
        services.penalty_decide(actor=wuhua_officer, case=case, persons=PERSONS,
                                amounts={**AMOUNTS, "unit": 16000})


def test_a_second_case_and_an_officer_of_another_district_are_refused(wuhua_officer, panlong_officer, wuhua_site,
                                                                     hotel_room_camera):
    national = hotel_room_camera[NATIONAL]
    insp = _signed_inspection(wuhua_officer, wuhua_site, [national])
    with pytest.raises(services.NotPermitted):
        _notice(panlong_officer, insp, [national])
    _notice(wuhua_officer, insp, [national])
    with pytest.raises(services.ServiceError, match="已有处罚案件"):
        _notice(wuhua_officer, insp, [national])


def test_the_inspection_page_offers_the_case_only_where_it_applies(client, wuhua_officer, wuhua_site,
                                                                   hotel_room_camera):
    national, kunming = hotel_room_camera[NATIONAL], hotel_room_camera[KUNMING]
    client.force_login(wuhua_officer)
    only_kunming = _signed_inspection(wuhua_officer, wuhua_site, [kunming])
    page = client.get(only_kunming.get_absolute_url()).content.decode()
    assert 'data-testid="penalty-at-once"' not in page
    insp = _signed_inspection(wuhua_officer, wuhua_site, [national])
    page = client.get(insp.get_absolute_url()).content.decode()
    assert 'data-testid="penalty-at-once"' in page and "立即处罚" in page
    url = reverse("enforcement:case_add_at_once", args=[insp.pk])
    form = client.get(url)
    assert form.status_code == 200 and "不经责令改正" in form.content.decode()
    assert "amount_individual" not in form.content.decode()   # the party is a unit
    data = {"facts": "客房内安装摄像机", "amount_unit": "12000", "amount_person_in_charge": "5000",
            "name_person_in_charge": "赵主管", "amount_person_directly_responsible": "5000",
            "name_person_directly_responsible": "钱直接"}
    answer = client.post(url, data)
    case = PenaltyCase.objects.get()
    assert answer.status_code == 302 and answer["Location"] == case.get_absolute_url()
    detail = client.get(case.get_absolute_url()).content.decode()
    assert insp.number in detail and 'data-testid="case-inspection"' in detail
    assert client.get(reverse("enforcement:document", args=["notice", case.pk])).status_code == 200
    # a Kunming-only inspection's page answers with a message, not a form
    assert client.get(reverse("enforcement:case_add_at_once", args=[only_kunming.pk])).status_code == 302


def test_a_unit_and_another_district_cannot_open_the_page(client, unit_user, panlong_officer, wuhua_officer,
                                                          wuhua_site, hotel_room_camera):
    insp = _signed_inspection(wuhua_officer, wuhua_site, [hotel_room_camera[NATIONAL]])
    url = reverse("enforcement:case_add_at_once", args=[insp.pk])
    client.force_login(unit_user)
    assert client.get(url).status_code == 403
    client.force_login(panlong_officer)
    assert client.get(url).status_code == 404


def test_the_api_opens_a_case_at_once_and_refuses_a_kunming_finding(wuhua_officer, wuhua_site, hotel_room_camera):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(wuhua_officer)
    insp = _signed_inspection(wuhua_officer, wuhua_site, list(hotel_room_camera.values()))
    url = f"/api/enforcement/inspections/{insp.pk}/penalty/"
    body = {"amounts": AMOUNTS, "persons": PERSONS, "facts": "客房内安装摄像机"}
    refused = api.post(url, {**body, "findings": [hotel_room_camera[KUNMING].pk]}, format="json")
    assert refused.status_code == 400 and "须先责令限期改正" in refused.content.decode()
    made = api.post(url, {**body, "findings": [hotel_room_camera[NATIONAL].pk]}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["inspection"] == insp.pk and made.json()["order"] is None


def test_a_finding_in_a_case_at_once_gets_no_order_afterwards(wuhua_officer, wuhua_site, hotel_room_camera):
    national = hotel_room_camera[NATIONAL]
    _notice(wuhua_officer, _signed_inspection(wuhua_officer, wuhua_site, [national]), [national])
    with pytest.raises(services.ServiceError, match="已有处罚案件"):
        services.rectification_order_issue(actor=wuhua_officer, findings=[national])
