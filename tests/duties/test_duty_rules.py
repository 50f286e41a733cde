"""The rules over the units' duty records (rules/duties.yaml): camera baselines (art_21 point 4,
art_22 point 2), copies of recordings (art_21 point 3), and the soft checks of art_20 that give
advice. Violating, compliant and boundary cases; thresholds read from the pack, never written in."""
import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from jifang.duties import services
from jifang.duties.camera import CameraRecord
from jifang.duties.models import (
    EmergencyKind, EmergencyRecord, FootageUse, FootageUseKind, ImageQualityCheck, MaintenanceKind,
    MaintenanceRecord, TrainingAudience, TrainingRecord, WatchRoster,
)
from jifang.regulation.engine import start_of
from jifang.jobs import worker
from jifang.regulation.models import Finding, FindingStatus, RecheckRequest
from jifang.regulation.packs import get_pack
from tests import factories as f
from tests.duties.conftest import put_on_roster
from tests.regulation.conftest import AS_OF, KUNMING, open_findings

pytestmark = pytest.mark.django_db
MOVED = "art21-camera-moved"
PURPOSE = "art22-camera-purpose-changed"
COPY = "art21-footage-copy-without-approval"
MAINTENANCE = "art20-no-maintenance-for-a-year"
IMAGE = "art20-no-image-check-for-a-year"
TRAINING = "art20-no-training-for-a-year"
DRILL = "art20-no-drill-for-a-year"
ROSTER = "art21-footage-user-not-on-roster"
APPROVED_AT = start_of(AS_OF) - dt.timedelta(days=30)
MINUTE = dt.timedelta(minutes=1)


def param(name: str) -> int:
    return get_pack(KUNMING).param(name, AS_OF)


@pytest.fixture
def camera(wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit))
    return f.DeviceFactory(system=system, name="营业厅1号摄像机")


@pytest.fixture
def baseline(camera, unit_user):
    return services.camera_change_record(actor=unit_user, device=camera, position="营业厅东侧墙面",
                                         direction="朝向柜台", purpose="柜台交易监控", approved_by_name="王行长",
                                         approved_at=APPROVED_AT)


def found(camera, actor, at, **facts):
    facts = {"position": "营业厅东侧墙面", "direction": "朝向柜台", "purpose": "柜台交易监控"} | facts
    return services.camera_found_record(actor=actor, device=camera, found_at=at, **facts)


# ---- camera baselines -------------------------------------------------------------------------

@pytest.mark.clause("art_21__para_1__point_4")
@pytest.mark.rule(MOVED, "violating")
def test_a_camera_found_elsewhere_than_approved_was_moved_without_approval(scan, camera, baseline, wuhua_officer):
    found(camera, wuhua_officer, APPROVED_AT + dt.timedelta(days=2), position="营业厅西侧立柱")
    scan()
    assert open_findings(MOVED) == {camera.serial: "violation"}
    assert open_findings(PURPOSE) == {}
    finding = Finding.objects.get(rule_id=MOVED)
    assert finding.sanction["article"] == "art_25" and finding.site_id == camera.site_id
    assert "营业厅西侧立柱" in finding.explanation_zh and "营业厅东侧墙面" in finding.explanation_zh


@pytest.mark.clause("art_21__para_1__point_4")
@pytest.mark.rule(MOVED, "compliant")
@pytest.mark.rule(PURPOSE, "compliant")
def test_a_camera_found_as_approved_or_moved_through_an_approved_change_is_compliant(scan, camera, baseline,
                                                                                     unit_user, wuhua_officer):
    found(camera, wuhua_officer, APPROVED_AT + dt.timedelta(days=1))
    scan()
    assert open_findings(MOVED) == {} and open_findings(PURPOSE) == {}
    # the unit moves it through an approved change; what is found afterwards matches the new baseline
    services.camera_change_record(actor=unit_user, device=camera, position="营业厅西侧立柱", direction="朝向柜台",
                                  purpose="柜台交易监控", approved_by_name="王行长",
                                  approved_at=APPROVED_AT + dt.timedelta(days=3), reason="装修后调整位置")
    found(camera, unit_user, APPROVED_AT + dt.timedelta(days=4), position="营业厅西侧立柱")
    scan()
    assert open_findings(MOVED) == {} and open_findings(PURPOSE) == {}


@pytest.mark.clause("art_21__para_1__point_4")
@pytest.mark.rule(MOVED, "boundary")
@pytest.mark.rule(PURPOSE, "boundary")
def test_only_facts_found_at_or_after_the_approval_are_judged_against_it(scan, camera, unit_user, wuhua_officer):
    """A visit one minute before the approval in force says nothing about it; at the very minute of
    the approval it does. Then a later approval of the state found regularises it (resolved)."""
    services.camera_change_record(actor=unit_user, device=camera, position="大门", direction="朝外", purpose="出入口",
                                  approved_by_name="王行长", approved_at=APPROVED_AT - MINUTE)
    services.camera_change_record(actor=unit_user, device=camera, position="营业厅东侧墙面", direction="朝向柜台",
                                  purpose="柜台交易监控", approved_by_name="王行长", approved_at=APPROVED_AT,
                                  reason="迁至营业厅")
    found(camera, wuhua_officer, APPROVED_AT - MINUTE, position="大门", direction="朝外", purpose="出入口")
    scan()
    assert open_findings(MOVED) == {} and open_findings(PURPOSE) == {}
    found(camera, wuhua_officer, APPROVED_AT, position="大门", purpose="出入口")
    scan()
    assert open_findings(MOVED) == {camera.serial: "violation"}
    assert open_findings(PURPOSE) == {camera.serial: "violation"}
    services.camera_change_record(actor=unit_user, device=camera, position="大门", direction="朝向柜台",
                                  purpose="出入口", approved_by_name="王行长", approved_at=APPROVED_AT + MINUTE,
                                  reason="恢复原位置，补办批准")
    scan(as_of=AS_OF + dt.timedelta(days=1))
    assert open_findings(MOVED) == {} and open_findings(PURPOSE) == {}


@pytest.mark.clause("art_22__para_1__point_2")
@pytest.mark.rule(PURPOSE, "violating")
@pytest.mark.parametrize("changed", [{"purpose": "员工考勤"}, {"direction": "朝向员工休息区"}])
def test_a_camera_turned_or_put_to_another_use_without_approval(scan, camera, baseline, wuhua_officer, changed):
    found(camera, wuhua_officer, APPROVED_AT + dt.timedelta(days=2), **changed)
    scan()
    assert open_findings(PURPOSE) == {camera.serial: "violation"}
    assert open_findings(MOVED) == {}
    finding = Finding.objects.get(rule_id=PURPOSE)
    assert [c["id"] for c in finding.clauses] == ["art_22__para_1__point_2", "art_21__para_1__point_4"]
    assert list(changed.values())[0] in finding.explanation_zh


@pytest.mark.clause("art_21__para_1__point_4")
def test_camera_records_rights_and_refusals(camera, baseline, unit_user, wuhua_officer, panlong_officer, firm_user):
    # only the unit records an approved change, with the approver and a reason
    with pytest.raises(Exception, match="公安机关查阅"):
        services.camera_change_record(actor=wuhua_officer, device=camera, position="x", direction="y", purpose="z",
                                      approved_by_name="王", approved_at=APPROVED_AT + MINUTE, reason="r")
    with pytest.raises(Exception, match="变更原因"):
        services.camera_change_record(actor=unit_user, device=camera, position="x", direction="y", purpose="z",
                                      approved_by_name="王", approved_at=APPROVED_AT + MINUTE)
    with pytest.raises(Exception, match="批准人"):
        services.camera_change_record(actor=unit_user, device=camera, position="x", direction="y", purpose="z",
                                      approved_by_name=" ", approved_at=APPROVED_AT + MINUTE, reason="r")
    # the police of another district and firms record nothing about this camera
    for outsider in (panlong_officer, firm_user):
        with pytest.raises(Exception):
            found(camera, outsider, APPROVED_AT + MINUTE)
    # a camera of another unit is not the unit's to approve
    other = f.DeviceFactory()
    with pytest.raises(Exception):
        services.camera_change_record(actor=unit_user, device=other, position="x", direction="y", purpose="z",
                                      approved_by_name="王", approved_at=APPROVED_AT)
    # facts found need a baseline to compare with
    fresh = f.DeviceFactory(system=camera.system)
    with pytest.raises(Exception, match="基准"):
        found(fresh, wuhua_officer, APPROVED_AT)
    assert CameraRecord.objects.count() == 1


def test_camera_records_are_evidence_never_changed(camera, baseline):
    with pytest.raises(DatabaseError), transaction.atomic():
        CameraRecord.objects.filter(pk=baseline.pk).update(position="篡改")
    with pytest.raises(DatabaseError), transaction.atomic():
        CameraRecord.objects.filter(pk=baseline.pk).delete()


# ---- copies of recordings (art_21 point 3) ----------------------------------------------------

USED_AT = start_of(AS_OF) - dt.timedelta(days=5)


def use(system, actor, kind=FootageUseKind.COPY, **details):
    put_on_roster(system.site, "张三")
    return services.footage_use_record(
        actor=actor, system=system, kind=kind, recording_from=USED_AT - dt.timedelta(hours=2),
        recording_to=USED_AT - dt.timedelta(hours=1), used_at=USED_AT, user_name="张三", purpose="协助公安机关调查",
        destination="五华分局刑侦大队", **details)


@pytest.mark.clause("art_21__para_1__point_3")
@pytest.mark.rule(COPY, "violating")
@pytest.mark.parametrize("details", [
    {"legal_basis": "", "approved_by_name": "王行长", "approved_at": USED_AT},
    {"legal_basis": "《刑事诉讼法》第五十四条", "approved_by_name": "", "approved_at": USED_AT},
    {"legal_basis": "《刑事诉讼法》第五十四条", "approved_by_name": "王行长", "approved_at": None},
])
def test_a_copy_without_legal_basis_or_approval(scan, camera, unit_user, details):
    entry = use(camera.system, unit_user, **details)
    scan()
    assert open_findings(COPY) == {camera.system.code: "violation"}
    finding = Finding.objects.get(rule_id=COPY)
    assert finding.subject_id == entry.pk and finding.sanction["article"] == "art_25"


@pytest.mark.clause("art_21__para_1__point_3")
@pytest.mark.rule(COPY, "compliant")
def test_a_copy_with_basis_and_prior_approval_and_a_viewing_are_compliant(scan, camera, unit_user):
    use(camera.system, unit_user, legal_basis="《刑事诉讼法》第五十四条", approved_by_name="王行长",
        approved_at=USED_AT - dt.timedelta(hours=1))
    use(camera.system, unit_user, kind=FootageUseKind.VIEW)  # a viewing on watch is the system's use
    scan()
    assert open_findings(COPY) == {}


@pytest.mark.clause("art_21__para_1__point_3")
@pytest.mark.rule(COPY, "boundary")
def test_approval_at_the_minute_of_the_copy_counts_one_minute_later_does_not(scan, camera, unit_user):
    on_time = use(camera.system, unit_user, legal_basis="调取证据通知书", approved_by_name="王行长", approved_at=USED_AT)
    late = use(camera.system, unit_user, kind=FootageUseKind.PROVIDE, legal_basis="调取证据通知书",
               approved_by_name="王行长", approved_at=USED_AT + MINUTE)
    scan()
    assert set(Finding.objects.filter(rule_id=COPY, status=FindingStatus.OPEN).values_list("subject_id", flat=True)) \
        == {late.pk}
    # a correction entry that records the approval given in time replaces the late entry
    use(camera.system, unit_user, kind=FootageUseKind.PROVIDE, legal_basis="调取证据通知书", approved_by_name="王行长",
        approved_at=USED_AT, corrects=late)
    scan(as_of=AS_OF + dt.timedelta(days=1))
    assert not Finding.objects.filter(rule_id=COPY, status=FindingStatus.OPEN).exists()
    assert FootageUse.objects.filter(pk=on_time.pk).exists()


# ---- viewers not on the roster (art_21 point 1) -------------------------------------------------

ROSTER_FROM, ROSTER_TO = USED_AT - dt.timedelta(hours=4), USED_AT + dt.timedelta(hours=4)


def roster(actor, site, person="张三", on_from=ROSTER_FROM, on_to=ROSTER_TO, corrects=None):
    return services.roster_record(actor=actor, site=site, person_name=person, post="监控室", on_from=on_from,
                                  on_to=on_to, corrects=corrects)


def viewing(system, actor, user="张三", used_at=USED_AT, **more):
    return services.footage_use_record(actor=actor, system=system, kind=FootageUseKind.VIEW,
                                       recording_from=used_at - dt.timedelta(hours=2),
                                       recording_to=used_at - dt.timedelta(hours=1), used_at=used_at,
                                       user_name=user, purpose="回看营业厅录像", **more)


def written_before_the_roster_check(system, user):
    """An entry of the register as it stood before the service checked the roster (the register
    came first): written by the row's own columns, as the check now refuses it."""
    return FootageUse.objects.create(**_copies(system), system=system, kind=FootageUseKind.VIEW,
                                     recording_from=USED_AT - dt.timedelta(hours=2), recording_to=USED_AT,
                                     used_at=USED_AT, user_name=user, purpose="查看历史录像")


def off_roster() -> set[int]:
    return set(Finding.objects.filter(rule_id=ROSTER, status=FindingStatus.OPEN).values_list("subject_id", flat=True))


@pytest.mark.clause("art_21__para_1__point_1")
@pytest.mark.rule(ROSTER, "violating")
def test_a_viewer_the_roster_no_longer_covers_is_found_and_named_in_words(scan, camera, unit_user):
    system, site = camera.system, camera.site
    on_watch = roster(unit_user, site)
    entry = viewing(system, unit_user)
    stranger = written_before_the_roster_check(system, "外来人员")
    elsewhere = f.SystemFactory(site=f.SiteFactory(unit=system.unit))
    roster(unit_user, elsewhere.site, "王五")  # on watch at another site of the unit: not this one
    at_the_wrong_site = written_before_the_roster_check(system, "王五")
    # the unit corrects its roster: 李四, not 张三, was on watch; 张三's viewing is no longer covered
    roster(unit_user, site, "李四", corrects=on_watch)
    scan()
    assert off_roster() == {entry.pk, stranger.pk, at_the_wrong_site.pk}
    finding = Finding.objects.get(rule_id=ROSTER, subject_id=entry.pk)
    assert finding.outcome == "violation" and finding.sanction["article"] == "art_25"
    assert finding.site_id == site.pk and finding.unit_id == system.unit_id
    zh, en = finding.explanation_zh, finding.explanation_en
    assert f"场所“{site.name}”技防系统“{system.name}”的录像于 2026年5月27日 00:00 由 张三 查看" in zh
    assert "不在该场所的值班监看排班内" in zh and "张三 handled recordings" in en and "(viewing;" in en
    assert system.code not in zh + en and "view," not in en and "art_" not in zh + en


@pytest.mark.clause("art_21__para_1__point_1")
@pytest.mark.rule(ROSTER, "compliant")
def test_viewers_on_the_roster_are_compliant_and_a_finding_resolves_when_the_register_or_roster_is_set_right(
        scan, camera, unit_user):
    system, site = camera.system, camera.site
    roster(unit_user, site, "张三")
    viewing(system, unit_user, "张三")
    use(system, unit_user, legal_basis="调取证据通知书", approved_by_name="王行长", approved_at=USED_AT)
    scan()
    assert off_roster() == set()
    # Two entries predating the roster check: one set right by a correction entry naming the person
    # who was on watch, the other by the roster, which the unit completes.
    wrong_name = written_before_the_roster_check(system, "张3")
    unrostered = written_before_the_roster_check(system, "李四")
    scan(as_of=AS_OF + dt.timedelta(days=1))
    assert off_roster() == {wrong_name.pk, unrostered.pk}
    correction = viewing(system, unit_user, "张三", corrects=wrong_name)
    roster(unit_user, site, "李四", on_from=USED_AT, on_to=USED_AT + dt.timedelta(hours=1))
    scan(as_of=AS_OF + dt.timedelta(days=2))
    assert off_roster() == set()
    assert Finding.objects.filter(rule_id=ROSTER, status=FindingStatus.RESOLVED).count() == 2
    assert not Finding.objects.filter(rule_id=ROSTER, subject_id=correction.pk).exists()


@pytest.mark.clause("art_21__para_1__point_1")
@pytest.mark.rule(ROSTER, "boundary")
def test_a_viewing_at_the_first_or_last_minute_of_the_watch_is_covered_a_minute_outside_is_not(
        scan, camera, unit_user):
    system, site = camera.system, camera.site
    watch = roster(unit_user, site)
    at_start = viewing(system, unit_user, used_at=ROSTER_FROM)
    at_end = viewing(system, unit_user, used_at=ROSTER_TO)
    scan()
    assert off_roster() == set()
    # the roster is corrected to a watch one minute shorter at each end: both viewings fall outside
    roster(unit_user, site, on_from=ROSTER_FROM + MINUTE, on_to=ROSTER_TO - MINUTE, corrects=watch)
    scan(as_of=AS_OF + dt.timedelta(days=1))
    assert off_roster() == {at_start.pk, at_end.pk}


@pytest.mark.clause("art_21__para_1__point_1")
def test_a_roster_or_register_entry_asks_for_a_recheck_of_its_site(scan, camera, unit_user,
                                                                   django_capture_on_commit_callbacks):
    system, site = camera.system, camera.site
    unrostered = written_before_the_roster_check(system, "李四")
    scan()
    assert off_roster() == {unrostered.pk}
    with django_capture_on_commit_callbacks(execute=True):
        roster(unit_user, site, "李四")
    assert list(RecheckRequest.objects.values_list("site_id", flat=True)) == [site.pk]
    worker.run_pending()
    assert off_roster() == set() and not RecheckRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        viewing(system, unit_user, "李四")
    assert list(RecheckRequest.objects.values_list("site_id", flat=True)) == [site.pk]


# ---- soft checks: advice (art_20) -------------------------------------------------------------

def _system(unit, years=2, **kw):
    return f.SystemFactory(site=f.SiteFactory(unit=unit), in_use_since=AS_OF - dt.timedelta(days=365 * years), **kw)


def _copies(system) -> dict:
    return {"site_id": system.site_id, "unit_id": system.unit_id, "district_id": system.district_id}


def maintained(system, on):
    return MaintenanceRecord.objects.create(**_copies(system), system=system, number=f"WB-{system.pk}-{on}",
                                            kind=MaintenanceKind.SERVICING, performed_on=on, performed_by="维保",
                                            description="保养")


def image_checked(system, on):
    return ImageQualityCheck.objects.create(**_copies(system), system=system, number=f"TX-{system.pk}-{on}",
                                            checked_on=on, checked_by="主管", cameras_checked=4)


def trained(system, on):
    return TrainingRecord.objects.create(**_copies(system), number=f"PX-{system.pk}-{on}", held_on=on,
                                         audience=TrainingAudience.ALL, topic="操作", trainer="安保部", trainees="全体",
                                         hours=2)


def drilled(system, on):
    return EmergencyRecord.objects.create(**_copies(system), number=f"YJ-{system.pk}-{on}", kind=EmergencyKind.DRILL,
                                          held_on=on, title="演练", summary="断电演练")


ADVICE = [  # rule, clause, parameter, subject key, record writer
    (MAINTENANCE, "art_20__para_1__point_2", "maintenance_interval_days", "code", maintained),
    (IMAGE, "art_20__para_1__point_3", "image_check_interval_days", "code", image_checked),
    (TRAINING, "art_20__para_1__point_1", "training_interval_days", "site", trained),
    (DRILL, "art_20__para_1__point_4", "drill_interval_days", "site", drilled),
]


def _key(system, kind):
    return system.code if kind == "code" else system.site.code


CASES = [pytest.param(*case, id=case[0]) for case in ADVICE]
# Each advice test below carries the marks of all four rules, written out: the coverage report reads
# them from the source, and each parameter is one rule.


@pytest.mark.parametrize("rule,clause,name,key,write", CASES)
@pytest.mark.rule(MAINTENANCE, "violating")
@pytest.mark.rule(IMAGE, "violating")
@pytest.mark.rule(TRAINING, "violating")
@pytest.mark.rule(DRILL, "violating")
@pytest.mark.clause("art_20__para_1__point_1")
@pytest.mark.clause("art_20__para_1__point_2")
@pytest.mark.clause("art_20__para_1__point_3")
@pytest.mark.clause("art_20__para_1__point_4")
def test_a_year_without_the_record_gives_advice_never_a_sanction(scan, wuhua_unit, rule, clause, name, key, write):
    system = _system(wuhua_unit)
    write(system, AS_OF - dt.timedelta(days=param(name) + 30))  # an old record does not count
    run = scan()
    assert open_findings(rule) == {_key(system, key): "advice"}
    finding = Finding.objects.get(rule_id=rule)
    assert finding.sanction == {} and finding.clause_id == clause
    assert finding.explanation_zh.startswith("建议：") and finding.explanation_en.startswith("Advice: ")
    assert run.counts["advice"] >= 1


@pytest.mark.parametrize("rule,clause,name,key,write", CASES)
@pytest.mark.rule(MAINTENANCE, "compliant")
@pytest.mark.rule(IMAGE, "compliant")
@pytest.mark.rule(TRAINING, "compliant")
@pytest.mark.rule(DRILL, "compliant")
@pytest.mark.clause("art_20__para_1__point_1")
@pytest.mark.clause("art_20__para_1__point_2")
@pytest.mark.clause("art_20__para_1__point_3")
@pytest.mark.clause("art_20__para_1__point_4")
def test_a_recent_record_or_a_young_system_gives_no_advice(scan, wuhua_unit, rule, clause, name, key, write):
    kept = _system(wuhua_unit)
    write(kept, AS_OF - dt.timedelta(days=10))
    young = _system(wuhua_unit, years=0)  # in use since the as-of date: no year yet
    unknown_start = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), in_use_since=None)
    planned = _system(wuhua_unit, status="planned")
    scan()
    assert open_findings(rule) == {}
    assert young.in_use_since == AS_OF and unknown_start.in_use_since is None and planned.status == "planned"


@pytest.mark.parametrize("rule,clause,name,key,write", CASES)
@pytest.mark.rule(MAINTENANCE, "boundary")
@pytest.mark.rule(IMAGE, "boundary")
@pytest.mark.rule(TRAINING, "boundary")
@pytest.mark.rule(DRILL, "boundary")
@pytest.mark.clause("art_20__para_1__point_1")
@pytest.mark.clause("art_20__para_1__point_2")
@pytest.mark.clause("art_20__para_1__point_3")
@pytest.mark.clause("art_20__para_1__point_4")
def test_the_interval_counts_to_the_day(scan, wuhua_unit, rule, clause, name, key, write):
    """A record exactly `interval` days before the as-of date is a year old (advice); one day later
    it still counts. A system in use for exactly the interval is judged, one day less is not."""
    days = param(name)
    old, recent = _system(wuhua_unit), _system(wuhua_unit)
    write(old, AS_OF - dt.timedelta(days=days))
    write(recent, AS_OF - dt.timedelta(days=days - 1))
    just_a_year = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), in_use_since=AS_OF - dt.timedelta(days=days))
    not_yet = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit),
                              in_use_since=AS_OF - dt.timedelta(days=days - 1))
    scan()
    assert open_findings(rule) == {_key(old, key): "advice", _key(just_a_year, key): "advice"}
    assert _key(not_yet, key) not in open_findings(rule)


@pytest.mark.clause("art_20__para_1__point_2")
def test_a_corrected_record_counts_by_its_correction(scan, wuhua_unit):
    system = _system(wuhua_unit)
    wrong = maintained(system, AS_OF - dt.timedelta(days=10))
    MaintenanceRecord.objects.create(**_copies(system), system=system, number="WB-FIX", kind=MaintenanceKind.SERVICING,
                                     performed_on=AS_OF - dt.timedelta(days=400), performed_by="维保",
                                     description="日期更正", corrects=wrong)
    scan()
    assert open_findings(MAINTENANCE) == {system.code: "advice"}


# ---- art_21 point 5: the retention rules cite it beside art_19 --------------------------------

@pytest.mark.clause("art_21__para_1__point_5")
def test_short_retention_cites_the_users_duty_to_keep_recordings_for_inspection(scan, wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), retention_days=7)
    scan()
    finding = Finding.objects.get(rule_id="art19-retention-below-minimum", subject_id=system.pk)
    assert [c["id"] for c in finding.clauses] == ["art_19__para_1", "art_21__para_1__point_5"]
    assert finding.clause_id == "art_19__para_1"  # one violation, one finding: never fined twice
    assert Finding.objects.filter(subject_id=system.pk, subject_type="system").count() == 1


@pytest.mark.clause("art_20__para_1__point_2")
def test_advice_is_counted_and_listed_apart_from_violations(scan, client, wuhua_unit, unit_user):
    from django.urls import reverse

    from jifang.regulation.selectors import home_figures

    system = _system(wuhua_unit)
    trained(system, AS_OF - dt.timedelta(days=5))
    drilled(system, AS_OF - dt.timedelta(days=5))
    image_checked(system, AS_OF - dt.timedelta(days=5))
    scan()
    figures = home_figures(unit_user)
    assert (figures["advice"], figures["violations"], figures["undetermined"]) == (1, 0, 0)
    client.force_login(unit_user)
    listed = client.get(reverse("regulation:finding_list") + "?outcome=advice&status=open").content.decode()
    assert system.code in listed
    assert system.code not in client.get(reverse("regulation:finding_list") + "?outcome=violation").content.decode()
    site_page = client.get(system.site.get_absolute_url()).content.decode()
    assert f"?site={system.site_id}&amp;outcome=advice&amp;status=open" in site_page
    finding = Finding.objects.get(rule_id=MAINTENANCE)
    detail = client.get(finding.get_absolute_url()).content.decode()
    assert 'data-testid="advice"' in detail and "不附带处罚" in detail


@pytest.mark.clause("art_21__para_1__point_1")
def test_the_registers_off_roster_filter_lists_exactly_what_the_roster_rule_finds(scan, camera, unit_user, client):
    """One condition (the rule's): the register's "user not on the watch roster" filter, page and
    selector, holds the same entries as the rule's open findings, over every way an entry can be
    covered or not (another site, a corrected roster, a corrected entry, the watch's edges, each use)."""
    from django.urls import reverse

    from jifang.duties import selectors

    system, site = camera.system, camera.site
    roster(unit_user, site)
    viewing(system, unit_user)                                              # covered
    viewing(system, unit_user, used_at=ROSTER_FROM)                         # covered at the first minute
    roster(unit_user, site, "赵六", on_from=ROSTER_FROM, on_to=ROSTER_TO)
    corrected_roster = viewing(system, unit_user, "赵六")                     # covered, then not:
    roster(unit_user, site, "钱七", on_from=ROSTER_FROM, on_to=ROSTER_TO,
           corrects=WatchRoster.objects.get(person_name="赵六"))
    elsewhere = f.SystemFactory(site=f.SiteFactory(unit=system.unit))
    roster(unit_user, elsewhere.site, "王五")
    at_the_wrong_site = written_before_the_roster_check(system, "王五")
    stranger = written_before_the_roster_check(system, "外来人员")
    set_right = written_before_the_roster_check(system, "张3")
    viewing(system, unit_user, "张三", corrects=set_right)                    # corrected: judged by its correction
    still_wrong = written_before_the_roster_check(system, "李4")
    still_wrong_correction = FootageUse.objects.create(**_copies(system), system=system, kind=FootageUseKind.VIEW,
                                                       recording_from=USED_AT, recording_to=USED_AT, used_at=USED_AT,
                                                       user_name="李四", purpose="更正", corrects=still_wrong)
    kinds = [FootageUse.objects.create(**_copies(system), system=system, kind=kind, recording_from=USED_AT,
                                       recording_to=USED_AT, used_at=USED_AT + MINUTE * 60 * 24, user_name="张三",
                                       purpose="值班结束后", destination="外单位")
             for kind in FootageUseKind.values]
    scan()
    found = off_roster()
    assert found == {corrected_roster.pk, at_the_wrong_site.pk, stranger.pk, still_wrong_correction.pk,
                     *(k.pk for k in kinds)}
    assert set(selectors.off_roster().values_list("pk", flat=True)) == found
    client.force_login(unit_user)
    url = reverse("duties:footageuse_list")
    for value, expected in (("true", found), ("false", set(FootageUse.objects.values_list("pk", flat=True)) - found)):
        page = client.get(url, {"off_roster": value, "page_size": 100}).content.decode()
        listed = {pk for pk in FootageUse.objects.values_list("pk", flat=True)
                  if f'href="{reverse("duties:footageuse_detail", args=[pk])}"' in page}
        assert listed == expected, value
