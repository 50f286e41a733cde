"""Every step of the works lifecycle, allowed and refused; a refusal changes nothing."""
import pytest
from django.core.exceptions import ValidationError

from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.models import AuditEntry
from jifang.registry.models import AcceptanceResult as SystemAcceptance
from jifang.registry.models import SystemStatus
from jifang.works import services as s
from jifang.works.models import (
    Acceptance,
    AcceptanceResult,
    Attendance,
    DesignReview,
    DocumentKind,
    Notification,
    ReviewResult,
    Works,
    WorksStatus,
)

from .. import factories as f
from .conftest import accept, approve, complete, days_ago, pdf

pytestmark = pytest.mark.django_db


def _audit_count():
    return AuditEntry.objects.count()


def test_unit_registers_works_with_copied_scope_and_code(works, system):
    assert works.status == WorksStatus.REGISTERED
    assert (works.district_id, works.unit_id, works.site_id) == (system.district_id, system.unit_id, system.site_id)
    assert works.code == f"GC530102{works.registered_on:%Y}{works.pk:06d}"
    assert AuditEntry.objects.filter(action="works.works.register", object_id=str(works.pk)).exists()


def test_firm_registers_on_the_builders_behalf_only_for_itself(firm_user, system, wuhua_unit):
    w = s.works_register(actor=firm_user, system=system, builder=wuhua_unit, firm=firm_user.firm, name="新建",
                         kind="new")
    assert w.firm_id == firm_user.firm_id
    other = f.FirmFactory()
    with pytest.raises(NotPermitted):
        s.works_register(actor=firm_user, system=system, builder=wuhua_unit, firm=other, name="代他人", kind="new")


def test_registration_date_in_the_future_is_refused(unit_user, system, firm, wuhua_unit):
    with pytest.raises(ServiceError, match="future"):
        s.works_register(actor=unit_user, system=system, builder=wuhua_unit, firm=firm, name="x", kind="new",
                         registered_on=days_ago(-1))
    assert not Works.objects.exists()


@pytest.mark.clause("art_14__para_1")
def test_review_needs_the_scheme_version_and_experts(works, unit_user):
    with pytest.raises(ServiceError, match="version 1"):
        s.review_record(actor=unit_user, works=works, held_on=days_ago(80), result="passed",
                        experts=[{"name": "张工", "affiliation": "协会"}])
    s.document_upload(actor=unit_user, works=works, kind=DocumentKind.SCHEME, title="方案", file=pdf())
    with pytest.raises(ServiceError, match="expert"):
        s.review_record(actor=unit_user, works=works, held_on=days_ago(80), result="passed",
                        experts=[{"name": "张工", "affiliation": ""}])
    assert not DesignReview.objects.exists()


@pytest.mark.clause("art_14__para_1")
def test_revise_then_pass_makes_a_second_version(works, unit_user):
    s.document_upload(actor=unit_user, works=works, kind=DocumentKind.SCHEME, title="方案", file=pdf())
    first = s.review_record(actor=unit_user, works=works, held_on=days_ago(85), result=ReviewResult.REVISE,
                            experts=[{"name": "张工", "affiliation": "协会", "opinion": "补充周界"}])
    works.refresh_from_db()
    assert works.status == WorksStatus.REGISTERED and first.version == 1
    doc = s.document_upload(actor=unit_user, works=works, kind=DocumentKind.SCHEME, title="方案（修改）", file=pdf())
    assert doc.version == 2
    second = s.review_record(actor=unit_user, works=works, held_on=days_ago(80), result=ReviewResult.PASSED,
                             experts=[{"name": "李工", "affiliation": "昆明理工大学"}])
    works.refresh_from_db()
    assert second.version == 2 and list(second.documents.all()) == [doc]
    assert works.status == WorksStatus.DESIGN_APPROVED and works.design_approved_on == days_ago(80)
    assert [e.name for e in second.experts.all()] == ["李工"]


def test_review_before_registration_date_is_refused(works, unit_user):
    s.document_upload(actor=unit_user, works=works, kind=DocumentKind.SCHEME, title="方案", file=pdf())
    with pytest.raises(ServiceError, match="before registration"):
        s.review_record(actor=unit_user, works=works, held_on=days_ago(100), result="passed",
                        experts=[{"name": "张工", "affiliation": "协会"}])


@pytest.mark.clause("art_14__para_1")
def test_construction_before_design_approval_is_refused(works, firm_user):
    with pytest.raises(ServiceError) as exc:
        s.construction_start(actor=firm_user, works=works, started_on=days_ago(5))
    assert exc.value.clause == "art_14__para_1"
    works.refresh_from_db()
    assert works.status == WorksStatus.REGISTERED and works.started_on is None


def test_only_the_works_firm_names_its_people(works, firm_user, unit_user):
    worker = s.worker_add(actor=firm_user, works=works, name="王师傅", job="施工队长", certificate="AF-001")
    assert worker.firm_id == firm_user.firm_id
    with pytest.raises(NotPermitted):
        s.worker_add(actor=unit_user, works=works, name="外人", job="x")


def test_completion_only_while_under_construction(works, unit_user, firm_user):
    approve(works, unit_user)
    with pytest.raises(ServiceError, match="under construction"):
        s.works_complete(actor=firm_user, works=works, completed_on=days_ago(10))
    s.construction_start(actor=firm_user, works=works, started_on=days_ago(70))
    with pytest.raises(ServiceError, match="before the construction start"):
        s.works_complete(actor=firm_user, works=works, completed_on=days_ago(75))
    s.works_complete(actor=firm_user, works=works, completed_on=days_ago(30))
    works.refresh_from_db()
    assert works.status == WorksStatus.COMPLETED and works.completed_on == days_ago(30)


@pytest.mark.clause("art_14__para_1")
def test_acceptance_before_design_review_is_refused(works, unit_user):
    before = _audit_count()
    with pytest.raises(ServiceError) as exc:
        s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-3))
    assert exc.value.clause == "art_14__para_1" and "design review" in str(exc.value)
    assert not Acceptance.objects.exists() and _audit_count() == before


def test_acceptance_before_completion_is_refused(works, unit_user, firm_user):
    approve(works, unit_user)
    s.construction_start(actor=firm_user, works=works, started_on=days_ago(70))
    with pytest.raises(ServiceError, match="completed"):
        s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-3))


def test_only_the_builder_schedules_acceptance(works, unit_user, firm_user, wuhua_officer):
    complete(works, unit_user, firm_user)
    for actor in (firm_user, wuhua_officer):
        with pytest.raises(NotPermitted):
            s.acceptance_schedule(actor=actor, works=works, scheduled_for=days_ago(-3))
    acceptance = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-3), location="营业部")
    assert acceptance.round == 1 and acceptance.police_notified_at is not None
    with pytest.raises(ServiceError, match="already scheduled"):
        s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-4))


@pytest.mark.clause("art_14__para_1")
def test_attendance_only_by_officers_of_that_district(works, unit_user, firm_user, wuhua_officer, panlong_officer,
                                                     city_officer):
    complete(works, unit_user, firm_user)
    acceptance = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-2))
    for outsider in (panlong_officer, city_officer, unit_user):
        with pytest.raises(NotPermitted):
            s.attendance_record(actor=outsider, acceptance=acceptance)
    s.attendance_record(actor=wuhua_officer, acceptance=acceptance)
    assert list(acceptance.attendances.values_list("officer_id", flat=True)) == [wuhua_officer.pk]
    with pytest.raises(ServiceError):
        s.attendance_record(actor=wuhua_officer, acceptance=acceptance)


@pytest.mark.clause("art_14__para_1")
@pytest.mark.parametrize("passed", [True, False])
def test_no_attendance_once_the_result_is_recorded(works, unit_user, firm_user, wuhua_officer, passed):
    """An acceptance with a recorded result (passed or failed) is closed: an officer who did not
    record attendance before cannot add it afterwards, and nothing at all is written."""
    accept(works, unit_user, firm_user, wuhua_officer, passed=passed)
    acceptance = Acceptance.objects.get(works=works)
    assert acceptance.result == (AcceptanceResult.PASSED if passed else AcceptanceResult.FAILED)
    audits, notes = _audit_count(), Notification.objects.filter(handled_at__isnull=True).count()
    with pytest.raises(ServiceError) as exc:
        s.attendance_record(actor=wuhua_officer, acceptance=acceptance, note="补记")
    assert exc.value.clause == "art_14__para_1"
    text = str(exc.value.messages[0])
    assert text.startswith("此次验收已记录结果（") and "不能再记录参加验收（第十四条第一款）" in text
    assert "recording attendance is no longer possible (art. 14 para. 1)" in text  # Chinese first, then English
    assert not Attendance.objects.filter(acceptance=acceptance).exists()
    assert (_audit_count(), Notification.objects.filter(handled_at__isnull=True).count()) == (audits, notes)
    acceptance.refresh_from_db()
    assert acceptance.result == (AcceptanceResult.PASSED if passed else AcceptanceResult.FAILED)


@pytest.mark.clause("art_14__para_1")
def test_attendance_before_the_result_is_kept_and_the_result_still_recorded(works, unit_user, firm_user,
                                                                          wuhua_officer):
    complete(works, unit_user, firm_user)
    acceptance = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(1))
    s.attendance_record(actor=wuhua_officer, acceptance=acceptance)
    s.acceptance_result_record(actor=wuhua_officer, acceptance=acceptance, held_on=days_ago(1),
                               reserved_interface=True, items=[{"name": "a", "passed": True}])
    assert list(acceptance.attendances.values_list("officer_id", flat=True)) == [wuhua_officer.pk]


@pytest.mark.clause("art_14__para_2")
def test_pass_sets_the_systems_acceptance_facts(works, unit_user, firm_user, wuhua_officer, system):
    accept(works, unit_user, firm_user, wuhua_officer)
    system.refresh_from_db()
    assert works.status == WorksStatus.ACCEPTED and works.accepted_on == days_ago(20)
    assert system.acceptance_result == SystemAcceptance.PASSED and system.acceptance_date == days_ago(20)
    assert system.acceptance_certificate == "YS-2026-001" and system.reserved_interface is True
    assert system.status == SystemStatus.ACCEPTED


@pytest.mark.clause("art_13__para_1")
def test_no_reserved_interface_fails_the_acceptance(works, unit_user, firm_user, wuhua_officer, system):
    complete(works, unit_user, firm_user)
    acceptance = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(20))
    s.acceptance_result_record(actor=wuhua_officer, acceptance=acceptance, held_on=days_ago(20),
                               reserved_interface=False, items=[{"name": "视频图像质量", "passed": True}])
    acceptance.refresh_from_db()
    system.refresh_from_db()
    assert acceptance.result == AcceptanceResult.FAILED
    failed = acceptance.items.filter(passed=False).values_list("name", flat=True)
    assert list(failed) == ["预留与公安机关联网的接口（第十三条第一款）"]
    assert system.reserved_interface is False and system.acceptance_result == SystemAcceptance.FAILED


@pytest.mark.clause("art_15__para_2")
def test_non_conforming_products_are_listed_and_fail_the_acceptance(works, unit_user, firm_user, wuhua_officer,
                                                                   system):
    f.DeviceFactory(system=system, serial="CAM-OK")
    bad = f.ProductFactory(brand="杂牌", model="X1", in_catalogue=False, meets_standard=False)
    f.DeviceFactory(system=system, serial="CAM-BAD", product=bad)
    f.DeviceFactory(system=system, serial="CAM-NONE", product=None)
    f.DeviceFactory(system=system, serial="CAM-STD",
                    product=f.ProductFactory(in_catalogue=False, meets_standard=True))
    accept(works, unit_user, firm_user, wuhua_officer)
    acceptance = works.acceptances.get()
    assert acceptance.result == AcceptanceResult.FAILED
    assert [r["serial"] for r in acceptance.non_conforming] == ["CAM-BAD", "CAM-NONE"]
    assert works.status == WorksStatus.REWORK


def test_failed_acceptance_goes_to_rework_and_a_new_round(works, unit_user, firm_user, wuhua_officer):
    accept(works, unit_user, firm_user, wuhua_officer, passed=False)
    assert works.status == WorksStatus.REWORK and works.first_acceptance_on == days_ago(20)
    with pytest.raises(ServiceError):
        s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-1))
    s.works_complete(actor=firm_user, works=works, completed_on=days_ago(10))
    works.refresh_from_db()
    assert works.completed_on == days_ago(30), "rework does not restart the filing clock"
    second = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(5))
    s.acceptance_result_record(actor=unit_user, acceptance=second, held_on=days_ago(5), reserved_interface=True,
                               items=[{"name": "视频图像质量", "passed": True}])
    works.refresh_from_db()
    assert second.round == 2 and works.status == WorksStatus.ACCEPTED and works.accepted_on == days_ago(5)


def test_acceptance_result_twice_or_in_the_future_is_refused(works, unit_user, firm_user, wuhua_officer):
    complete(works, unit_user, firm_user)
    acceptance = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-1))
    with pytest.raises(ServiceError, match="future"):
        s.acceptance_result_record(actor=wuhua_officer, acceptance=acceptance, held_on=days_ago(-1),
                                   reserved_interface=True, items=[{"name": "a", "passed": True}])
    acceptance.refresh_from_db()
    assert acceptance.result == AcceptanceResult.PENDING and not acceptance.items.exists()
    s.acceptance_result_record(actor=wuhua_officer, acceptance=acceptance, held_on=days_ago(0),
                               reserved_interface=True, items=[{"name": "a", "passed": True}])
    with pytest.raises(ServiceError, match="already recorded") as exc:
        s.acceptance_result_record(actor=wuhua_officer, acceptance=acceptance, held_on=days_ago(0),
                                   reserved_interface=True, items=[{"name": "a", "passed": True}])
    assert exc.value.clause == "art_14__para_1"


@pytest.mark.clause("art_14__para_2")
def test_go_live_refused_before_passing(works, unit_user, firm_user, wuhua_officer, system):
    accept(works, unit_user, firm_user, wuhua_officer, passed=False)
    with pytest.raises(ServiceError) as exc:
        s.works_go_live(actor=unit_user, works=works, live_on=days_ago(1))
    assert exc.value.clause == "art_14__para_2" and "第十四条第二款" in str(exc.value)
    system.refresh_from_db()
    assert system.status != SystemStatus.IN_USE


@pytest.mark.clause("art_14__para_2")
def test_go_live_after_pass_puts_the_system_into_use(works, unit_user, firm_user, wuhua_officer, system):
    accept(works, unit_user, firm_user, wuhua_officer)
    with pytest.raises(ServiceError, match="before the acceptance"):
        s.works_go_live(actor=unit_user, works=works, live_on=days_ago(25))
    s.works_go_live(actor=unit_user, works=works, live_on=days_ago(15))
    system.refresh_from_db()
    works.refresh_from_db()
    assert works.status == WorksStatus.IN_USE and system.status == SystemStatus.IN_USE
    assert system.in_use_since == days_ago(15)


def test_validation_error_is_bilingual(works, firm_user):
    with pytest.raises(ValidationError) as exc:
        s.construction_start(actor=firm_user, works=works, started_on=days_ago(5))
    text = str(exc.value)
    assert "设计方案论证通过后方可施工" in text and "construction may start only after" in text


@pytest.mark.clause("art_14__para_1")
def test_scheduling_notifies_exactly_the_works_district(works, unit_user, firm_user, wuhua_officer, panlong_officer,
                                                       city_officer):
    from jifang.core.scoping import visible
    from jifang.works.models import Notification

    complete(works, unit_user, firm_user)
    acceptance = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(-3))
    note = Notification.objects.get()
    assert (note.district_id, note.acceptance_id, note.due_on) == ("530102", acceptance.pk, days_ago(-3))
    assert list(visible(wuhua_officer, Notification)) == [note]
    assert list(visible(city_officer, Notification)) == [note]
    for outsider in (panlong_officer, unit_user, firm_user):
        assert not visible(outsider, Notification).exists()


def test_an_investor_builder_records_the_pass_and_the_registry_write_is_the_acceptances(firm, firm_user,
                                                                                       wuhua_officer, wuhua_unit):
    """The builder may be another unit than the site's owner: it organises the acceptance, and the
    system's facts follow the acceptance record, audited as the acceptance procedure's write by the
    person who recorded it."""
    investor = f.UnitFactory(district_id="530102")
    investor_user = f.UserFactory(role="unit_user", division_id=None, units=[investor])
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), firm=firm, status=SystemStatus.PLANNED,
                             acceptance_result="", acceptance_date=None)
    works = s.works_register(actor=investor_user, system=system, builder=investor, firm=firm, name="投资方工程",
                             kind="new", registered_on=days_ago(90))
    accept(works, investor_user, firm_user, investor_user)
    system.refresh_from_db()
    assert system.acceptance_result == SystemAcceptance.PASSED
    entry = AuditEntry.objects.filter(action="registry.securitysystem.acceptance").latest("seq")
    assert entry.actor_label == investor_user.username and entry.after["acceptance_result"] == "passed"
