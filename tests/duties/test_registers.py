"""The registers units keep (art_18, art_20 points 1-4, art_21 points 1, 3 and 6): each written by
its service with an audit row, corrected by a new entry, refused when the actor is not the unit,
invisible outside the unit and its district (list, detail, API, export), and never changed in the
database (triggers)."""
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from jifang.core.dataset import dataset_export
from jifang.core.models import AuditEntry
from jifang.core.scoping import visible
from jifang.duties import registers, selectors, services
from jifang.duties import models as m
from jifang.duties.models import FootageUse, FootageUseKind
from tests.duties.conftest import put_on_roster
from tests.factories import DeviceFactory, SiteFactory, SystemFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)
T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n%evidence\n"


@pytest.fixture
def system(wuhua_unit):
    return DeviceFactory(system=SystemFactory(site=SiteFactory(unit=wuhua_unit))).system


def data_for(register, system) -> dict:
    """Valid input of each register, as a unit's form would give it."""
    site = system.site
    return {
        m.MaintenanceRecord: {"system": system, "kind": "repair", "performed_on": DAY, "performed_by": "昆明安防维保公司",
                              "description": "更换硬盘", "fault": "录像机硬盘故障", "fault_noticed_on": DAY,
                              "fixed_on": DAY},
        m.TrainingRecord: {"site": site, "held_on": DAY, "audience": "operators", "topic": "监控系统操作",
                           "trainer": "王工", "trainees": "张三、李四", "hours": 2},
        m.ImageQualityCheck: {"system": system, "checked_on": DAY, "checked_by": "张三", "cameras_checked": 12,
                              "cameras_failing": 1, "findings": "大门摄像机夜间偏暗", "remedy": "已报修"},
        m.EmergencyRecord: {"site": site, "kind": "drill", "held_on": DAY, "title": "抢劫应急演练",
                            "participants": "全体保安", "summary": "按预案处置"},
        m.WatchRoster: {"site": site, "person_name": "张三", "post": "监控室", "on_from": T0,
                        "on_to": T0 + dt.timedelta(hours=12)},
        m.WatchLog: {"site": site, "person_name": "张三", "watch_from": T0, "watch_to": T0 + dt.timedelta(hours=8),
                     "observations": "运行正常", "incidents": ""},
        m.ClearedPerson: {"site": site, "person_name": "赵六", "role": "系统管理员", "cleared_on": DAY,
                          "agreement_signed_on": DAY, "drawings": "布防图一套", "phone": "13800001111"},
        m.SuspicionReport: {"site": site, "noticed_at": T0, "reported_at": T0 + dt.timedelta(minutes=10),
                            "reported_to": "五华分局华山派出所", "reported_by": "张三", "description": "有人反复窥视金库"},
    }[register.model]


CLAUSES = {m.MaintenanceRecord: "art_20__para_1__point_2", m.TrainingRecord: "art_20__para_1__point_1",
           m.ImageQualityCheck: "art_20__para_1__point_3", m.EmergencyRecord: "art_20__para_1__point_4",
           m.WatchRoster: "art_21__para_1__point_1", m.WatchLog: "art_21__para_1__point_1",
           m.ClearedPerson: "art_18__para_1", m.SuspicionReport: "art_21__para_1__point_6"}


def each_register():
    return [pytest.param(r, id=r.name, marks=pytest.mark.clause(CLAUSES[r.model])) for r in registers.REGISTERS]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("register", each_register())
def test_a_unit_keeps_each_register_and_corrects_by_a_new_entry(register, unit_user, system, wuhua_officer):
    data = data_for(register, system)
    evidence = SimpleUploadedFile("签到表.pdf", PDF, content_type="text/html")
    entry = register.service(actor=unit_user, evidence=evidence, **data)
    assert (entry.site_id, entry.unit_id, entry.district_id) == (system.site_id, system.unit_id, "530102")
    assert entry.number.startswith(register.model.number_prefix)
    assert entry.evidence_type == "application/pdf" and entry.evidence.endswith(".pdf")
    assert AuditEntry.objects.filter(action=f"duties.{register.name}.recorded", object_id=str(entry.pk)).exists()
    fix = register.service(actor=unit_user, corrects=entry, **data)
    assert list(entry.corrections.all()) == [fix]
    assert list(selectors.current(register.model.objects.all())) == [fix]
    assert visible(wuhua_officer, register.model).count() == 2


@pytest.mark.parametrize("register", each_register())
def test_the_police_read_but_do_not_keep_a_units_register(register, wuhua_officer, system):
    with pytest.raises(PermissionDenied):
        register.service(actor=wuhua_officer, **data_for(register, system))
    assert not register.model.objects.exists()


@pytest.mark.parametrize("register", each_register())
def test_another_unit_district_or_firm_sees_nothing(register, client, unit_user, system, wuhua_officer,
                                                    panlong_officer, panlong_unit, firm_user):
    entry = register.service(actor=unit_user, evidence=SimpleUploadedFile("a.pdf", PDF), **data_for(register, system))
    other_unit_user = UserFactory(role="unit_user", division_id=None, units=[panlong_unit])
    foreign = SystemFactory(site=SiteFactory(unit=panlong_unit))
    with pytest.raises(PermissionDenied):
        register.service(actor=unit_user, **data_for(register, foreign))
    list_url = reverse(f"duties:{register.name}_list")
    for user, sees in ((unit_user, True), (wuhua_officer, True), (panlong_officer, False), (other_unit_user, False),
                       (firm_user, False)):
        client.force_login(user)
        assert (entry.number in client.get(list_url).content.decode()) is sees
        assert client.get(entry.get_absolute_url()).status_code == (200 if sees else 404)
        assert client.get(reverse("duties:evidence", args=[register.name, entry.pk])).status_code == (
            200 if sees else 404)
        rows = api(user).get(f"/api/registers/{register.path}/").json()["results"]
        assert [r["number"] for r in rows] == ([entry.number] if sees else [])
        assert api(user).get(f"/api/registers/{register.path}/{entry.pk}/").status_code == (200 if sees else 404)
        out = io.BytesIO()
        dataset_export(actor=user, out=out, fmt="json")
        exported = json.loads(out.getvalue())["sheets"].get(register.sheet, [])
        assert [r["number"] for r in exported] == ([entry.number] if sees else [])


@pytest.mark.parametrize("register", each_register())
def test_entries_cannot_be_changed_or_deleted_in_the_database(register, unit_user, system):
    entry = register.service(actor=unit_user, **data_for(register, system))
    for attempt in (lambda: register.model.objects.filter(pk=entry.pk).update(number="X-1"),
                    lambda: register.model.objects.filter(pk=entry.pk).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert register.model.objects.get(pk=entry.pk).number == entry.number


@pytest.mark.parametrize("register", each_register())
def test_the_api_creates_through_the_service_and_refuses_changes(register, unit_user, wuhua_officer, system):
    data = {k: (v.pk if hasattr(v, "pk") else v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in data_for(register, system).items()}
    response = api(unit_user).post(f"/api/registers/{register.path}/", data, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["site"] == system.site_id
    assert api(unit_user).patch(f"/api/registers/{register.path}/{pk}/", {"number": "X"}).status_code == 405
    assert api(unit_user).delete(f"/api/registers/{register.path}/{pk}/").status_code == 405
    assert api(wuhua_officer).post(f"/api/registers/{register.path}/", data, format="json").status_code in (400, 403)
    assert register.model.objects.count() == 1


def test_the_pages_add_an_entry_with_its_evidence_and_offer_a_correction(client, unit_user, system, wuhua_officer):
    client.force_login(unit_user)
    url = reverse("duties:trainingrecord_add")
    form = {"site": system.site_id, "held_on": "2026-11-02", "audience": "operators", "topic": "操作培训",
            "trainer": "王工", "trainees": "张三", "hours": "2", "evidence": SimpleUploadedFile("x.pdf", PDF)}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    entry = m.TrainingRecord.objects.get()
    page = client.get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="correct"' in page and 'data-testid="evidence"' in page
    client.force_login(wuhua_officer)  # the police read, without a correction button or an add page
    page = client.get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="correct"' not in page
    assert client.get(url).status_code == 403


def test_evidence_must_be_a_document_by_its_content(unit_user, system):
    register = registers.BY_NAME["trainingrecord"]
    fake = SimpleUploadedFile("签到表.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError):
        register.service(actor=unit_user, evidence=fake, **data_for(register, system))
    assert not m.TrainingRecord.objects.exists()


@pytest.mark.clause("art_20__para_1__point_2")
def test_a_repair_names_its_fault_and_is_fixed_after_it_was_noticed(unit_user, system):
    base = data_for(registers.BY_NAME["maintenancerecord"], system)
    for bad in ({"fault": " "}, {"fixed_on": DAY - dt.timedelta(days=1)}, {"performed_on": dt.date(2999, 1, 1)}):
        with pytest.raises(ValidationError):
            services.maintenance_record(actor=unit_user, **(base | bad))
    assert not m.MaintenanceRecord.objects.exists()


@pytest.mark.clause("art_20__para_1__point_3")
def test_cameras_falling_short_need_a_remedy(unit_user, system):
    base = data_for(registers.BY_NAME["imagequalitycheck"], system)
    for bad in ({"remedy": ""}, {"cameras_failing": 13}):
        with pytest.raises(ValidationError):
            services.image_check_record(actor=unit_user, **(base | bad))
    services.image_check_record(actor=unit_user, **(base | {"cameras_failing": 0, "remedy": ""}))


@pytest.mark.clause("art_18__para_1")
def test_a_cleared_persons_phone_is_encrypted_and_shown_only_in_scope(client, unit_user, system, wuhua_officer,
                                                                        panlong_officer):
    person = services.cleared_person_record(actor=unit_user, **data_for(registers.BY_NAME["clearedperson"], system))
    with connection.cursor() as cur:
        cur.execute(f"SELECT phone_token FROM {m.ClearedPerson._meta.db_table}")
        assert "13800001111" not in cur.fetchone()[0]
    assert "13800001111" not in json.dumps([e.after for e in AuditEntry.objects.all()], ensure_ascii=False)
    for user in (unit_user, wuhua_officer):
        client.force_login(user)
        assert "13800001111" in client.get(person.get_absolute_url()).content.decode()
        assert api(user).get(f"/api/registers/cleared-staff/{person.pk}/").json()["phone"] == "13800001111"
    client.force_login(panlong_officer)
    assert client.get(person.get_absolute_url()).status_code == 404


@pytest.mark.clause("art_21__para_1__point_6")
def test_the_district_acknowledges_a_report_once(client, unit_user, system, wuhua_officer, panlong_officer):
    report = services.suspicion_report_record(actor=unit_user, **data_for(registers.BY_NAME["suspicionreport"], system))
    for outsider in (unit_user, panlong_officer):
        with pytest.raises(PermissionDenied):
            services.suspicion_report_acknowledge(actor=outsider, report=report)
    client.force_login(wuhua_officer)
    assert 'data-testid="acknowledge"' in client.get(report.get_absolute_url()).content.decode()
    client.post(reverse("duties:suspicionreport_acknowledge", args=[report.pk]), {"remark": "已派员核查"})
    report.refresh_from_db()
    assert report.acknowledged_by == wuhua_officer and report.acknowledgement == "已派员核查"
    with pytest.raises(ValidationError):
        services.suspicion_report_acknowledge(actor=wuhua_officer, report=report)
    assert api(wuhua_officer).post(f"/api/registers/suspicion-reports/{report.pk}/acknowledge/",
                                   {"remark": "再"}).status_code == 400
    with pytest.raises(DatabaseError), transaction.atomic():  # not even the database takes a second one
        m.SuspicionReport.objects.filter(pk=report.pk).update(acknowledgement="改")


@pytest.mark.clause("art_21__para_1__point_1")
@pytest.mark.clause("art_21__para_1__point_3")
def test_only_people_on_the_sites_roster_handle_its_footage(unit_user, system):
    use = {"system": system, "kind": FootageUseKind.VIEW, "recording_from": T0, "recording_to": T0,
           "used_at": T0 + dt.timedelta(hours=1), "user_name": "张三", "purpose": "回看"}
    with pytest.raises(ValidationError, match="值班监看名单"):
        services.footage_use_record(actor=unit_user, **use)
    roster = services.roster_record(actor=unit_user, **data_for(registers.BY_NAME["watchroster"], system))
    services.footage_use_record(actor=unit_user, **use)
    with pytest.raises(ValidationError):  # on the roster, but not at that time (boundary: a minute after)
        services.footage_use_record(actor=unit_user, **(use | {"used_at": roster.on_to + dt.timedelta(minutes=1)}))
    services.footage_use_record(actor=unit_user, **(use | {"used_at": roster.on_to}))
    # A correction that takes 张三 off the roster replaces the entry that named him.
    services.roster_record(actor=unit_user, corrects=roster, **(data_for(registers.BY_NAME["watchroster"], system)
                                                                | {"person_name": "李四"}))
    with pytest.raises(ValidationError):
        services.footage_use_record(actor=unit_user, **use)
    assert FootageUse.objects.count() == 2


@pytest.mark.clause("art_21__para_1__point_1")
def test_register_entries_that_predate_the_roster_are_listed(client, unit_user, wuhua_officer, system):
    put_on_roster(system.site, "张三", T0, T0 + dt.timedelta(hours=1))
    services.footage_use_record(actor=unit_user, system=system, kind="view", recording_from=T0, recording_to=T0,
                                used_at=T0, user_name="张三", purpose="回看")
    earlier = FootageUse.objects.create(system=system, site=system.site, unit=system.unit, district_id="530102",
                                        kind="view", recording_from=T0, recording_to=T0, used_at=T0,
                                        user_name="外来人员", purpose="导入的旧登记")
    assert list(selectors.off_roster()) == [earlier]
    client.force_login(wuhua_officer)
    page = client.get(reverse("duties:footageuse_list") + "?off_roster=true").content.decode()
    assert "导入的旧登记" in page and "回看" not in page


@pytest.mark.clause("art_20__para_1__point_1")
def test_training_is_recorded_and_found_by_whom_it_trained(client, unit_user, wuhua_officer, system):
    data = data_for(registers.BY_NAME["trainingrecord"], system)
    ops = services.training_record(actor=unit_user, **data)
    managers = services.training_record(actor=unit_user, **(data | {"audience": "managers", "topic": "管理制度"}))
    with pytest.raises(ValidationError):  # a training not yet held is not a record
        services.training_record(actor=unit_user, **(data | {"held_on": dt.date(2999, 1, 1)}))
    client.force_login(wuhua_officer)
    page = client.get(reverse("duties:trainingrecord_list") + "?audience=managers").content.decode()
    assert managers.number in page and ops.number not in page


@pytest.mark.clause("art_20__para_1__point_4")
def test_an_emergency_plan_and_its_drill_are_recorded(unit_user, wuhua_officer, system):
    data = data_for(registers.BY_NAME["emergencyrecord"], system)
    plan = services.emergency_record(actor=unit_user, **(data | {"kind": "plan", "title": "抢劫应急预案"}))
    drill = services.emergency_record(actor=unit_user, **data)
    assert set(visible(wuhua_officer, m.EmergencyRecord).values_list("kind", flat=True)) == {"plan", "drill"}
    with pytest.raises(ValidationError):
        services.emergency_record(actor=unit_user, **(data | {"kind": "rehearsal"}))
    assert {plan.pk, drill.pk} == set(m.EmergencyRecord.objects.values_list("pk", flat=True))
