"""Loading a city's history of works, reviews, acceptances and filings (core/dataset.py sheets)."""
import json

import pytest
from django.utils import timezone

from jifang.core.dataset import SYSTEM, dataset_import
from jifang.regulation import services as engine
from jifang.regulation.models import Finding
from jifang.works import deadlines
from jifang.works.models import Acceptance, DesignReview, Filing, Works

from .. import factories as f
from .conftest import days_ago

pytestmark = pytest.mark.django_db


def _doc(system, firm, **overrides):
    works = {"code": "GC-HIST-1", "name": "历史工程", "kind": "new", "status": "in_use", "system": system.code,
             "builder": system.unit.credit_code, "firm": firm.credit_code, "registered_on": "2024-01-10",
             "design_approved_on": "2024-02-01", "started_on": "2024-02-10", "completed_on": "2024-05-01",
             "first_acceptance_on": "2024-05-20", "accepted_on": "2024-05-20", "live_on": "2024-06-01"}
    sheets = {
        "works": [works | overrides.get("works", {})],
        "design_reviews": [{"works": "GC-HIST-1", "version": 1, "held_on": "2024-02-01", "result": "passed"}],
        "acceptances": [{"code": "GC-HIST-1-YS1", "works": "GC-HIST-1", "round": 1, "scheduled_for": "2024-05-20",
                         "police_notified_at": "2024-05-13", "held_on": "2024-05-20", "result": "passed"}
                        | overrides.get("acceptance", {})],
        "filings": [{"receipt_number": "BA-HIST-1", "works": "GC-HIST-1", "firm": firm.credit_code,
                     "filed_on": "2024-05-09", "contact_name": "王", "contact_phone": "1"}
                    | overrides.get("filing", {})],
    }
    return json.dumps({"format": "jifang-dataset", "version": 1, "sheets": sheets}).encode()


@pytest.fixture
def hist_system(wuhua_unit, firm):
    return f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), firm=firm)


def test_history_loads_with_copied_columns_and_deadline(hist_system, firm, admin_user):
    result = dataset_import(actor=admin_user, data=_doc(hist_system, firm))
    assert result.ok, [str(e) for e in result.errors]
    works = Works.objects.get(code="GC-HIST-1")
    assert (works.district_id, works.site_id) == ("530102", hist_system.site_id)
    assert DesignReview.objects.get().works == works
    notified = timezone.localtime(Acceptance.objects.get().police_notified_at)
    assert notified.date().isoformat() == "2024-05-13"
    filing = Filing.objects.get()
    assert filing.due_on == deadlines.filing_due_on(works.completed_on, "530102")
    works.refresh_from_db()
    assert works.filed_on == filing.filed_on


@pytest.mark.clause("art_16__para_1")
def test_a_late_filing_in_the_history_is_found_by_the_scan(hist_system, firm):
    dataset_import(actor=SYSTEM, data=_doc(hist_system, firm, filing={"filed_on": "2024-05-12"}))
    engine.scan(actor=None, as_of=days_ago(0))
    assert set(Finding.objects.filter(rule_id="art16-filing-late").values_list("subject_key", flat=True)) == {
        "GC-HIST-1"}


def test_incoherent_rows_are_refused_and_nothing_is_written(hist_system, firm):
    future = days_ago(-5).isoformat()
    result = dataset_import(actor=SYSTEM, data=_doc(hist_system, firm, works={"live_on": future}))
    assert not result.ok and "future" in str(result.errors[0])
    result = dataset_import(actor=SYSTEM, data=_doc(hist_system, firm, works={"started_on": "2024-01-01"}))
    assert not result.ok and "before" in str(result.errors[0])
    stranger = f.FirmFactory()
    result = dataset_import(actor=SYSTEM, data=_doc(hist_system, firm, filing={"firm": stranger.credit_code}))
    assert not result.ok and "did not design or build" in " ".join(str(e) for e in result.errors)
    assert not Works.objects.exists() and not Filing.objects.exists()


def test_another_district_cannot_import_into_wuhua(hist_system, firm, panlong_officer):
    result = dataset_import(actor=panlong_officer, data=_doc(hist_system, firm))
    assert not result.ok and not Works.objects.exists()


@pytest.mark.clause("art_14__para_1")
def test_an_acceptance_with_its_result_recorded_cannot_be_changed_by_import(hist_system, firm, admin_user):
    """The services refuse any change to an acceptance once its result is recorded; so does the
    import, row by row, while the same row unchanged (an export read back) still passes."""
    assert dataset_import(actor=admin_user, data=_doc(hist_system, firm)).ok
    acceptance = Acceptance.objects.get()
    unchanged = {"id": acceptance.pk, "code": acceptance.code, "works": "GC-HIST-1", "result": "passed"}
    changed = unchanged | {"result": "failed"}
    for row, ok in ((unchanged, True), (changed, False)):
        doc = json.dumps({"format": "jifang-dataset", "version": 1, "sheets": {"acceptances": [row]}}).encode()
        result = dataset_import(actor=admin_user, data=doc)
        assert result.ok is ok, [str(e) for e in result.errors]
    assert "art. 14 para. 1" in str(result.errors[0]) and result.errors[0].row == 1
    acceptance.refresh_from_db()
    assert acceptance.result == "passed"
