"""Enforcement services: the path from finding to decision, and every refusal on the way."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from jifang.core.models import AuditEntry
from jifang.enforcement import records, services
from jifang.enforcement.models import (
    CaseStatus, Inspection, ItemResult, OrderStatus, PenaltyAmount, PenaltyCase, PenaltyDecision,
)
from jifang.regulation.models import Finding, Stage
from jifang.registry.models import UnitKind

from .. import factories as f
from .conftest import behind_the_back, make_finding

pytestmark = pytest.mark.django_db
ART6 = "art_6__para_1__point_5"
ART19 = "art_19__para_1"


def _order(officer, findings, clock, days=15):
    return services.rectification_order_issue(actor=officer, findings=findings,
                                              deadline=clock.today() + dt.timedelta(days=days))


def _overdue(officer, findings, clock, days=15):
    order = _order(officer, findings, clock, days)
    clock.advance(days + 1)
    assert services.overdue_sweep(actor=None) == len(findings)
    return order


def _refusals(action):
    return AuditEntry.objects.filter(action=f"{action}.refused")


# ---- the full paths ------------------------------------------------------------------------------

@pytest.mark.clause("art_24__para_1")
def test_art6_case_from_finding_to_decision(wuhua_officer, unit_user, wuhua_site, clock):
    wuhua_site.unit.kind = UnitKind.NON_BUSINESS
    wuhua_site.unit.save()
    finding = make_finding(wuhua_site, ART6)
    order = _order(wuhua_officer, [finding], clock)
    finding.refresh_from_db()
    assert finding.stage == Stage.ORDERED and order.served_at and order.sealed_hash
    services.rectification_order_answer(actor=unit_user, order=order, response="已采购设备，安装中")
    clock.advance(16)
    assert services.overdue_sweep(actor=None) == 1
    finding.refresh_from_db()
    assert finding.stage == Stage.OVERDUE
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                         amounts={"unit": "800"}, facts="逾期未建立技防系统")
    services.penalty_statement_record(actor=unit_user, case=case, statement="资金困难，请求从轻")
    decision = services.penalty_decide(actor=wuhua_officer, case=case, amounts={"unit": "600"})
    case = decision.case
    finding.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and decision.number.startswith("昆公五技防罚字")
    assert finding.stage == Stage.DECIDED
    assert case.amounts.get(stage="decision").amount == Decimal("600")
    assert records.verification(records.DECISION, decision).ok


@pytest.mark.clause("art_25__para_1")
def test_art25_case_names_both_persons(wuhua_officer, wuhua_site, clock):
    unit = wuhua_site.unit
    finding = make_finding(wuhua_site, ART19)
    order = _overdue(wuhua_officer, [finding], clock)
    persons = {"person_in_charge": unit.person_in_charge_name,
               "person_directly_responsible": unit.person_directly_responsible_name}
    amounts = {"unit": 3000, "person_in_charge": 200, "person_directly_responsible": 200}
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding], amounts=amounts,
                                         persons=persons, facts="录像保存不足30日，逾期未改正")
    services.penalty_statement_record(actor=wuhua_officer, case=case, waived=True)
    case = services.penalty_decide(actor=wuhua_officer, case=case, amounts=amounts, persons=persons).case
    decided = {a.target: (a.person_name, a.amount) for a in case.amounts.filter(stage="decision")}
    assert decided["person_in_charge"] == (unit.person_in_charge_name, Decimal("200"))
    assert decided["person_directly_responsible"][0] == unit.person_directly_responsible_name
    assert case.article == "art_25"


# ---- amounts at every boundary ----------------------------------------------------------------

BOUNDARIES = [
    (UnitKind.NON_BUSINESS, ART6, "unit", 299, False), (UnitKind.NON_BUSINESS, ART6, "unit", 300, True),
    (UnitKind.NON_BUSINESS, ART6, "unit", 1000, True), (UnitKind.NON_BUSINESS, ART6, "unit", 1001, False),
    (UnitKind.BUSINESS, ART6, "unit", 4999, False), (UnitKind.BUSINESS, ART6, "unit", 5000, True),
    (UnitKind.BUSINESS, ART6, "unit", 20000, True), (UnitKind.BUSINESS, ART6, "unit", 20001, False),
    (UnitKind.BUSINESS, ART19, "unit", 1999, False), (UnitKind.BUSINESS, ART19, "unit", 2000, True),
    (UnitKind.NON_BUSINESS, ART19, "unit", 5000, True), (UnitKind.BUSINESS, ART19, "unit", 5001, False),
    (UnitKind.BUSINESS, ART19, "person_in_charge", 199, False),
    (UnitKind.BUSINESS, ART19, "person_in_charge", 200, True),
    (UnitKind.BUSINESS, ART19, "person_directly_responsible", 201, False),
    (UnitKind.BUSINESS, ART19, "person_directly_responsible", 200, True),
]


@pytest.mark.clause("art_24__para_1")
@pytest.mark.clause("art_25__para_1")
@pytest.mark.parametrize("kind,clause,target,amount,lawful", BOUNDARIES)
def test_amount_boundaries(wuhua_officer, wuhua_site, clock, kind, clause, target, amount, lawful):
    wuhua_site.unit.kind = kind
    wuhua_site.unit.save()
    finding = make_finding(wuhua_site, clause)
    order = _overdue(wuhua_officer, [finding], clock)
    amounts = {"unit": 2000, "person_in_charge": 200, "person_directly_responsible": 200} if clause == ART19 \
        else {"unit": 300 if kind == UnitKind.NON_BUSINESS else 5000}
    amounts[target] = amount
    persons = {"person_in_charge": "张三", "person_directly_responsible": "李四"}
    call = lambda: services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],  # noqa: E731
                                                 amounts=amounts, persons=persons, facts="逾期未改正")
    if lawful:
        case = call()
        assert case.amounts.get(target=target).amount == Decimal(amount)
    else:
        with pytest.raises(ValidationError, match="超出法定幅度"):
            call()
        assert not PenaltyCase.objects.exists()
        assert _refusals("enforcement.penalty.notice").count() == 1


def test_unknown_unit_kind_refused_until_established(wuhua_officer, wuhua_site, clock):
    wuhua_site.unit.kind = UnitKind.UNKNOWN
    wuhua_site.unit.save()
    finding = make_finding(wuhua_site, ART6)
    order = _overdue(wuhua_officer, [finding], clock)
    with pytest.raises(ValidationError, match="单位性质"):
        services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding], amounts={"unit": 500},
                                      facts="x")


def test_decision_may_not_exceed_the_notice(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    order = _overdue(wuhua_officer, [finding], clock)
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                         amounts={"unit": 6000}, facts="逾期")
    services.penalty_statement_record(actor=wuhua_officer, case=case, statement="申辩")
    with pytest.raises(ValidationError, match="不得高于告知金额"):
        services.penalty_decide(actor=wuhua_officer, case=case, amounts={"unit": 7000})


def test_no_decision_without_statement_step(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    order = _overdue(wuhua_officer, [finding], clock)
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                         amounts={"unit": 6000}, facts="逾期")
    with pytest.raises(ValidationError, match="陈述申辩"):
        services.penalty_decide(actor=wuhua_officer, case=case, amounts={"unit": 6000})


# ---- no fine before the deadline, after rectification, or without a penalty -----------------

@pytest.mark.clause("art_24__para_1")
def test_no_fine_before_the_deadline(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    order = _order(wuhua_officer, [finding], clock)
    clock.advance(15)  # the deadline day itself: still in time
    assert services.overdue_sweep(actor=None) == 0
    with pytest.raises(ValidationError, match="尚未届满"):
        services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                      amounts={"unit": 6000}, facts="x")
    assert _refusals("enforcement.penalty.notice").get().actor == wuhua_officer


@pytest.mark.clause("art_25__para_1")
def test_no_fine_after_rectification(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART19)
    order = _order(wuhua_officer, [finding], clock)
    services.order_item_review(actor=wuhua_officer, item=order.items.get(), rectified=True, note="复查已改正")
    clock.advance(30)
    assert services.overdue_sweep(actor=None) == 0
    finding.refresh_from_db()
    order.refresh_from_db()
    assert finding.stage == Stage.RECTIFIED and order.status == OrderStatus.CLOSED
    with pytest.raises(ValidationError, match="只有逾期不改正的才能处罚"):
        services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                      amounts={"unit": 2000, "person_in_charge": 200,
                                               "person_directly_responsible": 200},
                                      persons={"person_in_charge": "a", "person_directly_responsible": "b"}, facts="x")


def test_clause_without_penalty_cannot_be_fined(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, "art_16__para_1")
    order = _overdue(wuhua_officer, [finding], clock)
    with pytest.raises(ValidationError, match="没有设定罚款"):
        services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                      amounts={"unit": 300}, facts="x")


def test_overdue_command_moves_only_passed_deadlines(wuhua_officer, wuhua_site, clock):
    early, late = make_finding(wuhua_site, ART6), make_finding(wuhua_site, ART19)
    _order(wuhua_officer, [early], clock, days=5)
    _order(wuhua_officer, [late], clock, days=40)
    as_of = clock.today() + dt.timedelta(days=10)
    call_command("enforcement", "overdue", "--as-of", as_of.isoformat())
    assert dict(Finding.objects.values_list("pk", "stage")) == {early.pk: Stage.OVERDUE, late.pk: Stage.ORDERED}
    assert AuditEntry.objects.filter(action="regulation.finding.overdue", object_id=str(early.pk)).count() == 1


def test_overdue_sweep_is_set_based(wuhua_officer, wuhua_site, clock, django_assert_max_num_queries):
    findings = [make_finding(wuhua_site, c) for c in (ART6, ART19, "art_7__para_1", "art_14__para_2")]
    _order(wuhua_officer, findings, clock, days=3)
    clock.advance(4)
    with django_assert_max_num_queries(12):
        assert services.overdue_sweep(actor=None) == 4


def test_order_deadline_must_follow_service(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    with pytest.raises(ValidationError, match="改正期限"):
        services.rectification_order_issue(actor=wuhua_officer, findings=[finding], deadline=clock.today())
    finding.refresh_from_db()
    assert finding.stage == Stage.DETECTED


def test_order_deadline_within_the_configured_horizon(wuhua_officer, wuhua_site, clock, settings):
    settings.JIFANG_ORDER_DEADLINE_MAX_DAYS = 90
    finding = make_finding(wuhua_site, ART6)
    for deadline in (clock.today() + dt.timedelta(days=91), dt.date(9999, 12, 31)):
        with pytest.raises(ValidationError, match="不能超过送达之日起90天"):
            services.rectification_order_issue(actor=wuhua_officer, findings=[finding], deadline=deadline)
    finding.refresh_from_db()
    assert finding.stage == Stage.DETECTED
    order = services.rectification_order_issue(actor=wuhua_officer, findings=[finding],
                                               deadline=clock.today() + dt.timedelta(days=90))
    assert order.deadline == clock.today() + dt.timedelta(days=90)


def test_policy_default_deadline_is_flagged(wuhua_officer, wuhua_site, clock, settings):
    settings.JIFANG_RECTIFICATION_DEFAULT_DAYS = 20
    order = services.rectification_order_issue(actor=wuhua_officer, findings=[make_finding(wuhua_site, ART6)])
    assert order.deadline == clock.today() + dt.timedelta(days=20) and order.deadline_is_policy_default


# ---- who may act ---------------------------------------------------------------------------------

def test_officer_of_another_district_refused_and_recorded(panlong_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    with pytest.raises(PermissionDenied):
        _order(panlong_officer, [finding], clock)
    finding.refresh_from_db()
    assert finding.stage == Stage.DETECTED
    refusal = _refusals("enforcement.order.issue").get()
    assert refusal.actor == panlong_officer and "辖区" in refusal.note


def test_city_officer_may_act_in_any_district(city_officer, wuhua_site, clock):
    order = _order(city_officer, [make_finding(wuhua_site, ART6)], clock)
    assert order.number.startswith("昆公五技防改字")


def test_unit_cannot_answer_another_units_order(wuhua_officer, wuhua_site, clock):
    other = f.UnitFactory(district_id="530102")
    intruder = f.UserFactory(username="other-unit", role="unit_user", division_id=None, units=[other])
    order = _order(wuhua_officer, [make_finding(wuhua_site, ART6)], clock)
    with pytest.raises(PermissionDenied):
        services.rectification_order_answer(actor=intruder, order=order, response="我来答复")
    order.refresh_from_db()
    assert order.response == "" and order.status == OrderStatus.SERVED
    assert _refusals("enforcement.order.answer").get().actor == intruder


def test_department_officer_cannot_inspect(department_officer, wuhua_site):
    with pytest.raises(PermissionDenied):
        services.inspection_create(actor=department_officer, site=wuhua_site, inspected_on=dt.date(2026, 1, 5))
    assert not Inspection.objects.exists()


# ---- inspections, signatures, complaints --------------------------------------------------------

@pytest.mark.clause("art_23__para_1")
def test_inspection_checklist_cites_clauses_and_signing_freezes_it(wuhua_officer, wuhua_site, clock):
    colleague = f.UserFactory(username="wuhua2", role="district_officer", division_id="530102")
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today(),
                                      inspectors=[colleague], observations="值班室无人值守")
    items = {i.clause_id: i for i in insp.items.all()}
    assert {ART6, ART19, "art_21__para_1__point_1", "art_14__para_2"} <= set(items)
    assert "art_16__para_1" not in items  # no penalty path: not an inspection item
    assert items[ART19].label_zh == "第十九条" and "30日" in items[ART19].text_zh
    services.checklist_item_set(actor=wuhua_officer, item=items[ART19], result=ItemResult.COMPLIANT)
    services.inspection_sign(actor=wuhua_officer, inspection=insp)
    services.inspection_sign(actor=colleague, inspection=insp)
    insp.refresh_from_db()
    assert records.verification(records.INSPECTION, insp).ok
    with pytest.raises(ValidationError, match="已签名"):
        services.inspection_update(actor=wuhua_officer, inspection=insp, observations="改过了")
    with pytest.raises(ValidationError, match="已签名"):
        services.checklist_item_set(actor=wuhua_officer, item=items[ART6], result=ItemResult.VIOLATION)
    insp.refresh_from_db()
    assert insp.observations == "值班室无人值守"
    assert _refusals("enforcement.inspection.update").count() == 1


@pytest.mark.clause("art_23__para_1")
def test_record_altered_in_database_fails_verification(wuhua_officer, wuhua_site, clock):
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today(),
                                      observations="监控室录像保存15日")
    services.inspection_sign(actor=wuhua_officer, inspection=insp)
    insp.refresh_from_db()
    assert records.verification(records.INSPECTION, insp).ok
    with behind_the_back():
        Inspection.objects.filter(pk=insp.pk).update(observations="监控室录像保存30日")
    check = records.verification(records.INSPECTION, Inspection.objects.get(pk=insp.pk))
    assert not check.ok and not check.hash_ok and not check.signatures[0].ok


def test_checklist_row_altered_in_database_fails_verification(wuhua_officer, wuhua_site, clock):
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    services.inspection_sign(actor=wuhua_officer, inspection=insp)
    with behind_the_back():
        insp.items.filter(clause_id=ART6).update(result=ItemResult.VIOLATION)
    assert not records.verification(records.INSPECTION, insp).ok


def test_forged_signature_fails(wuhua_officer, wuhua_site, clock):
    from jifang.enforcement.models import Signature

    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    sig = services.inspection_sign(actor=wuhua_officer, inspection=insp)
    with behind_the_back():
        Signature.objects.filter(pk=sig.pk).update(signature="00" * 64)
    assert not records.verification(records.INSPECTION, insp).ok


def test_private_key_is_encrypted_at_rest(wuhua_officer, wuhua_site, clock):
    from jifang.enforcement.models import OfficerKey

    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    services.inspection_sign(actor=wuhua_officer, inspection=insp)
    key = OfficerKey.objects.get(officer=wuhua_officer)
    assert key.public_key not in key.private_key_encrypted and key.private_key_encrypted.startswith("gAAAA")


@pytest.mark.clause("art_23__para_1")
def test_amendment_is_a_new_signed_record(wuhua_officer, wuhua_site, clock):
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today(),
                                      observations="原记录")
    services.inspection_sign(actor=wuhua_officer, inspection=insp)
    amendment = services.inspection_amend(actor=wuhua_officer, original=insp, observations="更正：摄像机12台")
    services.inspection_sign(actor=wuhua_officer, inspection=amendment)
    insp.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.amends == insp and amendment.number != insp.number
    assert records.verification(records.INSPECTION, insp).ok and records.verification(records.INSPECTION, amendment).ok


def test_only_an_inspector_signs(wuhua_officer, wuhua_site, clock):
    other = f.UserFactory(username="wuhua3", role="district_officer", division_id="530102")
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    with pytest.raises(PermissionDenied):
        services.inspection_sign(actor=other, inspection=insp)


@pytest.mark.clause("art_21__para_1__point_2")
def test_hand_raised_finding_only_for_clauses_no_data_can_check(wuhua_officer, wuhua_site, clock):
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    with pytest.raises(ValidationError, match="数据自动检查"):
        services.inspection_finding_raise(actor=wuhua_officer, inspection=insp, clause_id=ART19,
                                          explanation_zh="录像不足")
    link = services.inspection_finding_raise(actor=wuhua_officer, inspection=insp,
                                             clause_id="art_21__para_1__point_2", explanation_zh="无使用登记簿")
    assert link.finding.clause_id == "art_21__para_1__point_2" and link.finding.sanction["article"] == "art_25"
    assert insp.items.get(clause_id="art_21__para_1__point_2").result == ItemResult.VIOLATION


def test_confirmed_engine_finding_marks_the_item(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART19)
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    services.inspection_finding_confirm(actor=wuhua_officer, inspection=insp, finding=finding)
    assert insp.items.get(clause_id=ART19).result == ItemResult.VIOLATION


@pytest.mark.clause("art_23__para_3")
def test_complaint_goes_to_the_city(wuhua_officer, city_officer, unit_user, wuhua_site, clock):
    from jifang.core.scoping import visible
    from jifang.enforcement.models import InspectionComplaint

    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    c = services.complaint_lodge(actor=unit_user, inspection=insp, text="检查期间要求停业两小时")
    assert list(visible(city_officer, InspectionComplaint)) == [c]
    assert not visible(wuhua_officer, InspectionComplaint).exists()
    with pytest.raises(PermissionDenied):
        services.complaint_answer(actor=wuhua_officer, complaint=c, answer="x")
    services.complaint_answer(actor=city_officer, complaint=c, answer="已核查，批评教育")


def test_photo_upload_type_checked_by_content(wuhua_officer, wuhua_site, clock, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    fake = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="文件类型"):
        services.inspection_photo_add(actor=wuhua_officer, inspection=insp, file=fake)
    png = SimpleUploadedFile("p.html", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="text/html")
    photo = services.inspection_photo_add(actor=wuhua_officer, inspection=insp, file=png, caption="监控室")
    assert photo.content_type == "image/png" and len(photo.sha256) == 64
    assert photo.file.name.endswith(".png") and "p.html" not in photo.file.name  # stored by its content


def test_amount_rows_unchanged_by_refused_decision(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    order = _overdue(wuhua_officer, [finding], clock)
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                         amounts={"unit": 6000}, facts="逾期")
    services.penalty_statement_record(actor=wuhua_officer, case=case, statement="申辩")
    with pytest.raises(ValidationError):
        services.penalty_decide(actor=wuhua_officer, case=case, amounts={"unit": 20001})
    assert PenaltyAmount.objects.filter(case=case, stage="decision").count() == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.STATEMENT and not PenaltyDecision.objects.filter(case=case).exists()


def test_kind_changed_since_the_finding_refused_with_reason(wuhua_officer, wuhua_site, clock):
    from jifang.regulation.packs import get_pack

    finding = make_finding(wuhua_site, ART6)
    # As the engine stores it for a business unit: only the business range.
    Finding.objects.filter(pk=finding.pk).update(
        sanction=get_pack("cn-530100-order-2012-116").sanction_for(ART6, "business"))
    order = _overdue(wuhua_officer, [finding], clock)
    wuhua_site.unit.kind = UnitKind.NON_BUSINESS
    wuhua_site.unit.save()
    with pytest.raises(ValidationError, match="不适用于单位现在的性质"):
        services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding], amounts={"unit": 500},
                                      facts="x")


@pytest.mark.clause("art_25__para_1")
def test_decided_amount_altered_in_database_fails_verification(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART19)
    order = _overdue(wuhua_officer, [finding], clock)
    amounts = {"unit": 2000, "person_in_charge": 200, "person_directly_responsible": 200}
    persons = {"person_in_charge": "甲", "person_directly_responsible": "乙"}
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding], amounts=amounts,
                                         persons=persons, facts="逾期")
    services.penalty_statement_record(actor=wuhua_officer, case=case, waived=True)
    decision = services.penalty_decide(actor=wuhua_officer, case=case, amounts=amounts, persons=persons)
    assert records.verification(records.DECISION, decision).ok
    with behind_the_back():
        PenaltyAmount.objects.filter(case=case, stage="decision", target="unit").update(amount=Decimal("200"))
    assert not records.verification(records.DECISION, decision).ok
    assert records.verification(records.NOTICE, case).ok  # the notice's own amounts are untouched


def test_order_altered_in_database_fails_verification(wuhua_officer, wuhua_site, clock):
    from jifang.enforcement.models import RectificationOrder

    order = _order(wuhua_officer, [make_finding(wuhua_site, ART6)], clock)
    with behind_the_back():
        RectificationOrder.objects.filter(pk=order.pk).update(deadline=order.deadline + dt.timedelta(days=60))
    assert not records.verification(records.ORDER, RectificationOrder.objects.get(pk=order.pk)).ok
