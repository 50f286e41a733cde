"""The enforcement part of the demo city: a few cases of the demo bank (五华区) in every stage, and
one case of order 799 opened at once (art. 28: no order to correct first) on a violation it plants.

Unlike the registry's bulk load, these few records go through the services: a signed record is
only a demo of anything if its hash and Ed25519 signatures are real and verify. The cases are
replayed on the days they would have happened (the service clock is set per step), so deadlines
can lie in the past without any service accepting a back-dated act from a user.
"""
import datetime as dt
import secrets
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone, translation

from jifang.accounts.models import User

from jifang.core.roles import Role
from jifang.accounts.services import user_create
from jifang.registry.models import PublicVideoClass, SecuritySystem, Site, SystemStatus, Unit
from jifang.regulation import labels
from jifang.regulation import services as engine
from jifang.regulation.models import Finding

from . import services

DISTRICT = "530102"

# (clause, what the inspector saw, how far the case goes)
CASES = [
    ("art_21__para_1__point_2", "监控室未建立语音图像信息使用登记簿", "detected"),
    ("art_21__para_1__point_1", "监控室无人值班监看，无关人员可随意进出", "ordered"),
    ("art_22__para_1__point_4", "录像主机网线被拔出，系统中断", "rectified"),
    ("art_21__para_1__point_3", "值班员用手机翻拍录像并发至微信群", "overdue"),
    ("art_22__para_1__point_3", "系统设备布防图张贴于公共区域", "notified"),
    ("art_21__para_1__point_6", "发现可疑人员徘徊未向公安机关报告", "decided"),
]
STAGES = ["detected", "ordered", "rectified", "overdue", "notified", "decided"]
NATIONAL = "cn-order-2025-799"
AT_ONCE_CLAUSE = "art_10__para_1"  # order 799 art. 28: confiscation, deletion and a fine together


@contextmanager
def _on(day: dt.date, hour: int = 10):
    # In UTC, as timezone.now() returns it: the audit chain hashes the moment as given.
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))).astimezone(dt.UTC)
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _people(bank: Unit) -> tuple[User, User, User]:
    def make(username, role, full_name, **anchor):
        existing = User.objects.filter(username=username).first()
        return existing or user_create(actor=None, username=username, password=secrets.token_urlsafe(24),
                                       role=role, full_name=full_name, **anchor)

    lead = make("wuhua-li", Role.DISTRICT_OFFICER, "五华分局技防科 李明", division_id=DISTRICT)
    second = make("wuhua-zhou", Role.DISTRICT_OFFICER, "五华分局技防科 周强", division_id=DISTRICT)
    duty = make("bank-duty", Role.UNIT_USER, "银行安保部值班员 孙丽", units=[bank])
    return lead, second, duty


def english_label(clause: str) -> str:
    with translation.override("en"):
        return labels.clause_label(clause)


def _case(ctx, site: Site, clause: str, seen: str, stage: str, people) -> None:
    lead, second, duty = people
    start = ctx.today - dt.timedelta(days=60 if STAGES.index(stage) >= 3 else 10)
    with _on(start):
        insp = services.inspection_create(actor=lead, site=site, inspected_on=start, inspectors=[second],
                                          observations=f"对{site.name}进行监督检查。{seen}。")
        link = services.inspection_finding_raise(actor=lead, inspection=insp, clause_id=clause, explanation_zh=seen,
                                                 explanation_en=f"seen on inspection ({english_label(clause)})")
        services.inspection_update(actor=lead, inspection=insp, result="当场提出整改意见")
        services.inspection_sign(actor=lead, inspection=insp)
        services.inspection_sign(actor=second, inspection=insp)
    if stage == "detected":
        return
    with _on(start, 15):
        order = services.rectification_order_issue(actor=lead, findings=[link.finding], inspection=insp,
                                                   deadline=start + dt.timedelta(days=30),
                                                   requirements=f"按{link.finding.clauses[0]['label']}的规定改正")
    with _on(start + dt.timedelta(days=5)):
        services.rectification_order_answer(actor=duty, order=order, response="已组织整改，请复查")
    if stage == "rectified":
        with _on(start + dt.timedelta(days=8)):
            services.order_item_review(actor=lead, item=order.items.get(), rectified=True, note="复查已改正")
        return
    if stage == "ordered":
        return
    # The deadline moves past rest days and holidays (民法典 第二百零三条): count from the one served.
    after = (order.deadline - start).days
    with _on(start + dt.timedelta(days=after + 1)):
        services.overdue_sweep(actor=None, district=DISTRICT)
    if stage == "overdue":
        return
    bank = site.unit
    persons = {"person_in_charge": bank.person_in_charge_name or "王主任",
               "person_directly_responsible": bank.person_directly_responsible_name or "刘值班"}
    amounts = {"unit": 3000, "person_in_charge": 200, "person_directly_responsible": 200}
    with _on(start + dt.timedelta(days=after + 3)):
        case = services.penalty_notice_issue(actor=lead, order=order, findings=[link.finding], amounts=amounts,
                                             persons=persons, facts=f"{seen}，经责令限期改正，逾期未改正。")
    if stage == "notified":
        return
    with _on(start + dt.timedelta(days=after + 5)):
        services.penalty_statement_record(actor=duty, case=case, statement="已加强管理，请求从轻处罚")
    with _on(start + dt.timedelta(days=after + 10)):
        services.penalty_decide(actor=lead, case=case, amounts={**amounts, "unit": 2500}, persons=persons)


def _near_secret_unit(bank: Unit) -> tuple[Site, list[str]] | None:
    """A site of the bank with video systems in use that order 799 art. 10 holds (not art. 33), not
    yet marked as near a secret-holding unit; the codes of those systems."""
    live = SecuritySystem.objects.filter(unit=bank, status=SystemStatus.IN_USE, has_audio_video=True) \
        .exclude(public_video_class=PublicVideoClass.NON_PUBLIC).exclude(site__near_secret_unit=True)
    site_id = live.order_by("site_id").values_list("site_id", flat=True).first()
    if site_id is None:
        return None
    return Site.objects.get(pk=site_id), list(live.filter(site_id=site_id).order_by("id").values_list("code", flat=True))


def _case_at_once(ctx, bank: Unit, people) -> bool:
    """A national-law case opened at once (order 799 art. 28): the police mark a bank site as near a
    secret-holding unit that never consented (planted: art. 10 para. 1 on its video systems), the
    engine finds it, an inspection confirms it and is signed, and the notice is served with no order
    to correct first. The case stays at its notice, so the tour can take it on."""
    chosen = _near_secret_unit(bank)
    if chosen is None:
        return False
    site, codes = chosen
    Site.objects.filter(pk=site.pk).update(near_secret_unit=True, secret_unit_consent_on=None, secret_unit_consent_ref="")
    for code in codes:
        ctx.manifest.plant(f"{NATIONAL}#{AT_ONCE_CLAUSE}", code)
    lead, second = people[:2]
    day = ctx.today - dt.timedelta(days=3)
    with _on(day, 9):
        engine.scan(actor=None, as_of=day, site=site, pack=NATIONAL)
    found = list(Finding.objects.filter(pack_id=NATIONAL, clause_id=AT_ONCE_CLAUSE, site=site, status="open")
                 .order_by("id"))
    with _on(day):
        insp = services.inspection_create(actor=lead, site=site, inspected_on=day, inspectors=[second],
                                          observations=f"对{site.name}进行监督检查。场所邻近涉密单位，视频监控系统安装前未征得该单位同意。")
        for finding in found:
            services.inspection_finding_confirm(actor=lead, inspection=insp, finding=finding)
        services.inspection_update(actor=lead, inspection=insp, result="现场确认违法事实，依法立即立案处罚")
        services.inspection_sign(actor=lead, inspection=insp)
        services.inspection_sign(actor=second, inspection=insp)
    persons = {"person_in_charge": bank.person_in_charge_name or "王主任",
               "person_directly_responsible": bank.person_directly_responsible_name or "刘值班"}
    with _on(day, 15):
        services.penalty_notice_issue(actor=lead, inspection=insp, findings=found, persons=persons,
                                      amounts={"unit": 10000, "person_in_charge": 5000, "person_directly_responsible": 5000},
                                      facts=f"{site.name}邻近涉密单位，安装视频图像信息系统未事先征得该涉密单位同意。")
    return True


def seed(ctx) -> None:
    """Six cases of the demo bank, one per stage, a national-law case opened at once, and one
    complaint to the city bureau."""
    bank = Unit.objects.filter(pk=ctx.keys.get("bank_unit_id"), district_id=DISTRICT).first()
    if bank is None:
        return
    sites = list(Site.objects.filter(unit=bank).order_by("id")[: len(CASES)])
    if not sites:
        return
    people = _people(bank)
    # Each case cites another clause, so a small bank's sites can carry more than one case.
    for i, (clause, seen, stage) in enumerate(CASES):
        _case(ctx, sites[i % len(sites)], clause, seen, stage, people)
        ctx.counts["enforcement.Case"] += 1
    if _case_at_once(ctx, bank, people):
        ctx.counts["enforcement.Case"] += 1
    first = services.Inspection.objects.filter(unit=bank).order_by("id").first()
    if first is not None:
        with _on(ctx.today - dt.timedelta(days=2)):
            services.complaint_lodge(actor=people[2], inspection=first, text="检查持续三小时，营业厅被要求暂停营业")
