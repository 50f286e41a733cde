"""The works sheets in the dataset format (core/dataset/), so a city can load its history of
works, design reviews, acceptances and filings. Registered from WorksConfig.ready, after the
registry's sheets they refer to (systems by code, units and firms by credit code).

An imported row is history, not a lifecycle step: it is not walked through the services' order
checks one step at a time, but each row obeys the services' own coherence rules (no date in the
future, the steps' dates in lifecycle order; a design review not before registration; an
acceptance, scheduled or held, and a filing not before completion, by the services' check_date;
a filing by the works' firm, of a completed works, never changed once submitted). What the law
forbids but history may hold (a late filing, an acceptance without design review, a system in use
unaccepted) is loaded as it happened, and the scan reports it: refusing it would hide the violation.
The copied columns are set as the services set them: a
works' site, unit and district from its system; an acceptance's district from its works; a
filing's district and art_16 deadline from its works, and the filing date onto the works.
"""
import datetime as dt

from django.utils import timezone

from jifang.core.dataset import Ref, Sheet, columns_for, register
from jifang.core.errors import ServiceError

from . import deadlines, services
from . import models as m

WORKS_HEADERS = {
    "code": "工程编号", "name": "工程名称", "kind": "工程类型", "status": "状态", "system": "系统编码",
    "builder": "建设单位信用代码", "firm": "施工企业信用代码", "design_firm": "设计企业信用代码",
    "main_project_name": "主体工程", "main_design_on": "主体工程设计日期", "main_construction_on": "主体工程开工日期",
    "main_acceptance_on": "主体工程验收日期", "main_opened_on": "主体工程投入使用日期",
    "approval_number": "立项文号", "approval_on": "立项日期", "tender_number": "招标编号", "tender_on": "招标日期",
    "registered_on": "登记日期", "design_approved_on": "方案论证通过日期", "started_on": "开工日期",
    "completed_on": "竣工日期", "first_acceptance_on": "首次验收日期", "accepted_on": "验收通过日期",
    "live_on": "投入使用日期",
}
REVIEW_HEADERS = {
    "works": "工程编号", "version": "方案版本", "held_on": "论证日期", "organiser": "组织单位", "result": "论证结论",
    "opinion": "论证意见",
}
ACCEPTANCE_HEADERS = {
    "code": "验收编号", "works": "工程编号", "round": "验收轮次", "scheduled_for": "计划日期", "location": "地点",
    "police_notified_at": "通知公安日期", "held_on": "验收日期", "result": "验收结论", "certificate": "验收证书编号",
    "reserved_interface": "预留联网接口", "opinion": "验收意见",
}
FILING_HEADERS = {
    "receipt_number": "备案回执号", "works": "工程编号", "firm": "备案企业信用代码", "filed_on": "备案日期",
    "contact_name": "联系人", "contact_phone": "联系电话", "summary": "工程概况", "device_count": "设备数量",
}

# The order of a works' steps: each date, when given, may not precede the one before it.
STEP_DATES = ("registered_on", "design_approved_on", "started_on", "completed_on", "first_acceptance_on",
              "accepted_on", "live_on")


def _not_future(day, label: str) -> None:
    if day and day > timezone.localdate():
        raise ServiceError("{f}不能晚于今天", "{f} cannot be in the future", f=label)


def _works_prepare(actor):
    def prepare(works: m.Works) -> None:
        previous = None  # site, unit and district: copied from the system by core.copies
        for name in STEP_DATES:
            day = getattr(works, name)
            _not_future(day, WORKS_HEADERS[name])
            if day and previous and day < previous[1]:
                raise ServiceError("{a}早于{b}", "{a} is before {b}", a=WORKS_HEADERS[name], b=WORKS_HEADERS[previous[0]])
            previous = (name, day) if day else previous
        works.filing_due_on = deadlines.filing_due_or_none(works.completed_on, works.district_id)

    return prepare


def _review_prepare(actor):
    def prepare(review: m.DesignReview) -> None:
        # review_record's date rule: not in the future, not before the works was registered.
        services.check_date(review.held_on, zh_step=REVIEW_HEADERS["held_on"], en_step="the design review",
                             not_before=review.works.registered_on, zh_before="登记", en_before="registration")

    return prepare


def _acceptance_prepare(actor):
    def prepare(acceptance: m.Acceptance) -> None:
        works = acceptance.works
        # acceptance_schedule's and acceptance_result_record's date rules: after completion; held
        # not in the future (a scheduled date may be).
        if works.completed_on is None:
            raise ServiceError("工程竣工后方可验收", "an acceptance comes after completion", clause="art_14__para_1")
        if acceptance.scheduled_for:
            services.check_date(acceptance.scheduled_for, zh_step=ACCEPTANCE_HEADERS["scheduled_for"],
                                 en_step="the acceptance", not_before=works.completed_on, zh_before="竣工",
                                 en_before="completion", allow_future=True)
        if acceptance.held_on:
            services.check_date(acceptance.held_on, zh_step=ACCEPTANCE_HEADERS["held_on"], en_step="the acceptance",
                                 not_before=works.completed_on, zh_before="竣工", en_before="completion")
        notified = acceptance.police_notified_at
        # The sheet gives the day the office was notified (parsed as a date, or a naive midnight);
        # the record keeps an aware time, 09:00 local on that day, so the day survives any zone.
        if notified is not None and not (isinstance(notified, dt.datetime) and timezone.is_aware(notified)):
            day = notified.date() if isinstance(notified, dt.datetime) else notified
            acceptance.police_notified_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))

    return prepare


def _acceptance_frozen(acceptance: m.Acceptance) -> None:
    """The service's own rule: an acceptance whose result is recorded no longer changes (art_14 para 1)."""
    services._require_no_result(acceptance, zh_step="通过导入修改", en_step="changing it by import")


def _filing_prepare(actor):
    def prepare(filing: m.Filing) -> None:
        works = filing.works
        if works.completed_on is None:
            raise ServiceError("工程尚未竣工，不能备案（第十六条）", "the works is not completed; it cannot be filed (art. 16)",
                               clause="art_16__para_1")
        if filing.firm_id not in works.firm_ids:
            raise ServiceError("备案企业不是该工程的设计或施工企业（第十六条）",
                               "the filing firm did not design or build this works (art. 16)", clause="art_16__para_1")
        # The service's own date rule (filing_submit): not in the future, not before completion.
        services.check_date(filing.filed_on, zh_step="备案", en_step="filing", not_before=works.completed_on,
                             zh_before="竣工", en_before="completion")
        filing.due_on = deadlines.filing_due_on(works.completed_on, works.district_id)
        # The works carries its filing date for the art_16 rules, as filing_submit keeps it.
        m.Works.objects.filter(pk=works.pk).update(filed_on=filing.filed_on)

    return prepare


def _filing_frozen(filing: m.Filing) -> None:
    """The services never change a filing once submitted (filing_submit; filing_receive only
    acknowledges it): neither does an import."""
    raise ServiceError("备案已提交（回执号 {n}），不能通过导入修改", "filing {n} is submitted and cannot change by import",
                       n=filing.receipt_number, clause="art_16__para_1")


def _works_ref(model) -> dict[str, Ref]:
    """The works a row belongs to, by works code (explicit: a filing's one-to-one link is not a
    many-to-one that columns_for would turn into a reference by itself)."""
    return {"works": Ref("works", "工程编号", model._meta.get_field("works"), required=True, target=m.Works,
                         lookup=("code",), export_paths=("works__code",))}


def register_sheets() -> None:
    register(Sheet("works", "技防工程", m.Works, columns_for(m.Works, WORKS_HEADERS), prepare=_works_prepare,
                   select_related=("system",)))
    register(Sheet("design_reviews", "方案论证", m.DesignReview,
                   columns_for(m.DesignReview, REVIEW_HEADERS, refs=_works_ref(m.DesignReview)),
                   prepare=_review_prepare, select_related=("works",)))
    register(Sheet("acceptances", "竣工验收", m.Acceptance,
                   columns_for(m.Acceptance, ACCEPTANCE_HEADERS, refs=_works_ref(m.Acceptance)),
                   prepare=_acceptance_prepare, select_related=("works",), frozen=_acceptance_frozen))
    register(Sheet("filings", "备案", m.Filing, columns_for(m.Filing, FILING_HEADERS, refs=_works_ref(m.Filing)),
                   prepare=_filing_prepare, select_related=("works",), frozen=_filing_frozen))
