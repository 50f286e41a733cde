"""The works periods end on a working day (民法典 第二百零三条), whichever path writes them, and an
import obeys the same date rules as the services (a filing before completion is refused)."""
import datetime as dt

import pytest

from jifang.core.dataset import SYSTEM, dataset_import
from jifang.works import services as s
from jifang.works.models import DesignReview, Filing, NetworkingNotice, NoticeBasis, Works

from .. import factories as f
from .conftest import approve
from .test_dataset import _doc

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def hist_system(wuhua_unit, firm):
    return f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), firm=firm)


def complete(unit_user, firm_user, system, firm, unit, completed_on):
    """Through the services, on fixed dates (the holidays are those of 2026)."""
    works = s.works_register(actor=unit_user, system=system, builder=unit, firm=firm, name="营业部技防改造",
                             kind="rebuild", registered_on=D(2026, 8, 1))
    approve(works, unit_user, held_on=D(2026, 8, 10))
    s.construction_start(actor=firm_user, works=works, started_on=D(2026, 8, 20))
    s.works_complete(actor=firm_user, works=works, completed_on=completed_on)
    works.refresh_from_db()
    return works


@pytest.mark.clause("art_16__para_1")
def test_completion_stores_the_filing_deadline_moved_past_national_day(system, unit_user, firm_user, firm,
                                                                         wuhua_unit):
    works = complete(unit_user, firm_user, system, firm, wuhua_unit, D(2026, 9, 22))
    assert works.filing_due_on == D(2026, 10, 8)  # day 10 is 10-02, National Day 10-01..07


@pytest.mark.clause("art_16__para_1")
def test_a_filing_on_the_moved_last_day_is_on_time(system, unit_user, firm_user, firm, wuhua_unit):
    works = complete(unit_user, firm_user, system, firm, wuhua_unit, D(2026, 9, 22))
    filing = s.filing_submit(actor=firm_user, works=works, filed_on=D(2026, 10, 8), contact_name="王",
                             contact_phone="1")
    assert filing.due_on == D(2026, 10, 8) and filing.on_time


@pytest.mark.clause("art_13__para_2")
def test_a_networking_notice_due_on_a_saturday_is_due_on_monday(wuhua_officer, wuhua_unit):
    system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), has_audio_video=True, police_connected=False)
    notice = s.notice_issue(actor=wuhua_officer, system=system, basis=NoticeBasis.REQUIRED,
                            issued_on=D(2026, 11, 2), due_on=D(2026, 11, 28))
    assert notice.due_on == D(2026, 11, 30)
    assert NetworkingNotice.objects.get().due_on == D(2026, 11, 30)


@pytest.mark.clause("art_16__para_1")
def test_import_refuses_a_filing_dated_before_completion(hist_system, firm):
    result = dataset_import(actor=SYSTEM, data=_doc(hist_system, firm, filing={"filed_on": "2024-04-30"}))
    assert not result.ok
    assert any("不能早于竣工" in str(e) for e in result.errors), [str(e) for e in result.errors]
    assert not Works.objects.exists() and not Filing.objects.exists()


@pytest.mark.clause("art_14__para_1")
def test_import_refuses_an_acceptance_held_before_completion(hist_system, firm):
    result = dataset_import(actor=SYSTEM, data=_doc(hist_system, firm, acceptance={"held_on": "2024-04-20",
                                                                                   "scheduled_for": "2024-04-20"}))
    assert not result.ok and any("不能早于竣工" in str(e) for e in result.errors)
    assert not Works.objects.exists()


def test_import_refuses_a_review_before_registration(hist_system, firm):
    doc = _doc(hist_system, firm).replace(b'"held_on": "2024-02-01"', b'"held_on": "2023-12-01"')
    result = dataset_import(actor=SYSTEM, data=doc)
    assert not result.ok and any("不能早于登记" in str(e) for e in result.errors)
    assert not DesignReview.objects.exists()


@pytest.mark.clause("art_16__para_1")
def test_import_stores_the_filing_deadline_as_the_service_does(hist_system, firm):
    doc = _doc(hist_system, firm, works={"completed_on": "2025-09-24", "first_acceptance_on": "2025-10-20",
                                         "accepted_on": "2025-10-20", "live_on": "2025-11-01"},
               acceptance={"scheduled_for": "2025-10-20", "held_on": "2025-10-20", "police_notified_at": "2025-10-13"},
               filing={"filed_on": "2025-10-09"})
    result = dataset_import(actor=SYSTEM, data=doc)
    assert result.ok, [str(e) for e in result.errors]
    # Day 10 is 2025-10-04, inside National Day and Mid-Autumn 2025 (10-01..08): due Thursday 10-09.
    assert Works.objects.get().filing_due_on == D(2025, 10, 9)
    assert Filing.objects.get().on_time


@pytest.mark.clause("art_16__para_1")
def test_import_cannot_change_a_submitted_filing(hist_system, firm):
    """filing_submit writes a filing once and nothing changes it afterwards; neither may an import
    (the same row read back unchanged still passes)."""
    import json

    assert dataset_import(actor=SYSTEM, data=_doc(hist_system, firm)).ok
    filing = Filing.objects.get()
    unchanged = {"id": filing.pk, "receipt_number": filing.receipt_number, "works": "GC-HIST-1",
                 "firm": firm.credit_code, "filed_on": "2024-05-09", "contact_name": "王", "contact_phone": "1"}
    for row, ok in ((unchanged, True), (unchanged | {"filed_on": "2024-05-08"}, False)):
        doc = json.dumps({"format": "jifang-dataset", "version": 1, "sheets": {"filings": [row]}}).encode()
        result = dataset_import(actor=SYSTEM, data=doc)
        assert result.ok is ok, [str(e) for e in result.errors]
    assert "不能通过导入修改" in str(result.errors[0])
    assert Filing.objects.get().filed_on == D(2024, 5, 9)
