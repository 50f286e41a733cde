"""The official documents: the text a reader sees (extracted from the PDF), and that the same
record always gives the same bytes."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from jifang.enforcement import documents, services
from jifang.enforcement.money import yuan_figures, yuan_words
from jifang.registry.models import UnitKind
from jifang.regulation.periods import provisional_note

from .conftest import make_finding
from .test_services import ART6, ART19, _overdue

pytestmark = pytest.mark.django_db


def _text(doc) -> str:
    reader = PdfReader(io.BytesIO(doc.content))
    return "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")


def _fonts(doc) -> set:
    reader = PdfReader(io.BytesIO(doc.content))
    found = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            desc = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            if any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.add(str(desc["/FontName"]))
    return found


@pytest.mark.parametrize("amount,words,figures", [
    ("5000", "人民币伍仟元整", "5,000元"), ("300", "人民币叁佰元整", "300元"), ("20000", "人民币贰万元整", "20,000元"),
    ("1001", "人民币壹仟零壹元整", "1,001元"), ("200", "人民币贰佰元整", "200元"),
    ("2050.5", "人民币贰仟零伍拾元伍角", "2,050.50元"), ("100000", "人民币壹拾万元整", "100,000元"),
    ("10203", "人民币壹万零贰佰零叁元整", "10,203元"),
])
def test_money_as_officials_write_it(amount, words, figures):
    assert yuan_words(Decimal(amount)) == words and yuan_figures(Decimal(amount)) == figures


@pytest.mark.clause("art_23__para_1")
def test_inspection_record_pdf(wuhua_officer, wuhua_site, clock):
    wuhua_officer.full_name = "王警官"
    wuhua_officer.save()
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today(),
                                      observations="监控中心无人值守")
    services.inspection_finding_raise(actor=wuhua_officer, inspection=insp, clause_id="art_21__para_1__point_1",
                                      explanation_zh="值班监看制度未建立")
    sig = services.inspection_sign(actor=wuhua_officer, inspection=insp)
    insp.refresh_from_db()
    doc = documents.inspection_pdf(insp)
    text = _text(doc)
    assert doc.content.startswith(b"%PDF") and _fonts(doc)
    for expected in ("监督检查记录", insp.number, wuhua_site.unit.name, "王警官", "值班监看制度未建立",
                     "第二十一条第（一）项", "建立值班监看、资料管理制度", sig.code, insp.verify_code,
                     insp.sealed_hash[:32]):
        assert expected in text, expected


@pytest.mark.clause("art_23__para_2")
def test_rectification_notice_pdf_shows_deadline_and_clauses(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART19)
    order = services.rectification_order_issue(actor=wuhua_officer, findings=[finding],
                                               deadline=clock.today() + dt.timedelta(days=45))
    order.refresh_from_db()
    text = _text(documents.order_pdf(order))
    d = order.deadline
    # A deadline in a year whose holiday arrangement is not loaded says so (regulation.periods).
    note = f"（{provisional_note(d)}）" if provisional_note(d) else ""
    for expected in ("责令限期改正通知书", order.number, wuhua_site.unit.name, f"{d.year}年{d.month}月{d.day}日{note}前改正",
                     "第十九条", "留存时间不得少于30日", "第二十五条", "对单位处2000元以上5000元以下的罚款",
                     "昆明市公安局五华分局", order.verify_code):
        assert expected in text, expected
    assert "非法规规定的期限" not in text  # set by the officer, not the policy default


@pytest.mark.clause("art_25__para_1")
def test_decision_pdf_names_persons_and_amounts(wuhua_officer, wuhua_site, clock):
    unit = wuhua_site.unit
    finding = make_finding(wuhua_site, ART19)
    order = _overdue(wuhua_officer, [finding], clock)
    persons = {"person_in_charge": "赵主管", "person_directly_responsible": "钱直接"}
    amounts = {"unit": 5000, "person_in_charge": 200, "person_directly_responsible": 200}
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding], amounts=amounts,
                                         persons=persons, facts="录像保存15日，逾期未改正")
    notice_text = _text(documents.notice_pdf(case))
    assert "行政处罚告知书" in notice_text and "陈述和申辩" in notice_text and "人民币伍仟元整" in notice_text
    services.penalty_statement_record(actor=wuhua_officer, case=case, statement="已开始整改")
    decision = services.penalty_decide(actor=wuhua_officer, case=case, amounts=amounts, persons=persons)
    text = _text(documents.decision_pdf(decision))
    for expected in ("行政处罚决定书", decision.number, unit.name, unit.credit_code, "赵主管", "钱直接",
                     "人民币伍仟元整", "5,000元", "人民币贰佰元整", "200元", "人民币伍仟肆佰元整", "5,400元",
                     "第二十五条", "对主管责任人和直接责任人处200元罚款", "第十九条", order.number, case.number,
                     "已开始整改", decision.verify_code):
        assert expected in text, expected


def test_decision_pdf_business_unit_art24(wuhua_officer, wuhua_site, clock):
    wuhua_site.unit.kind = UnitKind.BUSINESS
    wuhua_site.unit.save()
    finding = make_finding(wuhua_site, ART6)
    order = _overdue(wuhua_officer, [finding], clock)
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding],
                                         amounts={"unit": 20000}, facts="未建立技防系统")
    services.penalty_statement_record(actor=wuhua_officer, case=case, waived=True)
    decision = services.penalty_decide(actor=wuhua_officer, case=case, amounts={"unit": 12000})
    text = _text(documents.decision_pdf(decision))
    for expected in ("经营性单位", "人民币壹万贰仟元整", "12,000元", "第二十四条", "第六条第（五）项", "当事人放弃陈述申辩"):
        assert expected in text, expected
    assert "主管责任人" not in text


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
def test_an_order_799_decision_names_confiscation_and_deletion_beside_the_fines(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, "art_8__para_1__point_1", pack_id="cn-order-2025-799")
    order = _overdue(wuhua_officer, [finding], clock)
    persons = {"person_in_charge": "赵主管", "person_directly_responsible": "钱直接"}
    with pytest.raises(services.ServiceError, match="10000"):   # a unit's range: 10,000-20,000
        services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding], persons=persons,
                                      amounts={"unit": 9000, "person_in_charge": 5000,
                                               "person_directly_responsible": 5000}, facts="客房内安装摄像机")
    amounts = {"unit": 15000, "person_in_charge": 5000, "person_directly_responsible": 5000}
    case = services.penalty_notice_issue(actor=wuhua_officer, order=order, findings=[finding], amounts=amounts,
                                         persons=persons, facts="客房内安装摄像机")
    assert "并处：没收相关设备设施；删除所收集的视频图像信息" in _text(documents.notice_pdf(case))
    services.penalty_statement_record(actor=wuhua_officer, case=case, waived=True)
    decision = services.penalty_decide(actor=wuhua_officer, case=case, amounts=amounts, persons=persons)
    text = _text(documents.decision_pdf(decision))
    for expected in ("公共安全视频图像信息系统管理条例", "第二十七条第一款", "第八条第一款第一项", "人民币壹万伍仟元整",
                     "并处：没收相关设备设施；删除所收集的视频图像信息"):
        assert expected in text, expected
    assert "confiscate_equipment" not in text and "individual" not in text


def test_pdf_is_byte_identical_each_time(wuhua_officer, wuhua_site, clock):
    finding = make_finding(wuhua_site, ART6)
    order = services.rectification_order_issue(actor=wuhua_officer, findings=[finding])
    order.refresh_from_db()
    first = documents.order_pdf(order).content
    clock.advance(3)
    assert documents.order_pdf(order).content == first
    # The document's date is the record's (service time), not the moment of rendering.
    meta = PdfReader(io.BytesIO(first)).metadata
    assert meta.creation_date.replace(tzinfo=None) == order.served_at.astimezone(dt.UTC).replace(
        microsecond=0, tzinfo=None)


def test_pdf_rendering_fetches_nothing_from_outside():
    from jifang.core.pdf import _offline_fetcher

    fetcher = _offline_fetcher({"file:///font.ttc"})
    for url in ("https://example.com/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_pdf_embeds_the_configured_font_without_warnings(caplog):
    from jifang.core.pdf import render_pdf

    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = render_pdf("enforcement/documents/base.html", {"number": "测试第0001号"}, title="测试",
                         identifier="x", created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    assert "测试第0001号" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.clause("art_23__para_1")
def test_inspection_pdf_lists_what_was_checked_and_the_full_verification_address(wuhua_officer, wuhua_site,
                                                                                    clock, settings):
    from jifang.enforcement.models import ItemResult

    settings.JIFANG_PUBLIC_BASE_URL = "https://jifang.km.example/"
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    items = list(insp.items.order_by("id"))
    services.checklist_item_set(actor=wuhua_officer, item=items[0], result=ItemResult.COMPLIANT)
    services.inspection_sign(actor=wuhua_officer, inspection=insp)  # an unsigned record has no document
    insp.refresh_from_db()
    text = _text(documents.inspection_pdf(insp))
    assert "未检查" in text and text.count("未检查") == 1  # one line counting the rest, not a row each
    assert f"其余{len(items) - 1}项未检查" in text and items[0].label_zh in text
    assert f"https://jifang.km.example/enforcement/verify/{insp.verify_code}/" in text


def test_a_one_finding_order_fits_on_one_page(wuhua_officer, wuhua_site, clock):
    order = services.rectification_order_issue(actor=wuhua_officer, findings=[make_finding(wuhua_site, ART19)],
                                               deadline=clock.today() + dt.timedelta(days=30))
    assert len(PdfReader(io.BytesIO(documents.order_pdf(order).content)).pages) == 1
