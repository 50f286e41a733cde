"""Issue 15 §5: scope follows the object. A Wuhua site of `wuhua_unit`, with its whole file (system,
device, works with a secret drawing, design review, acceptances, filing, networking notice, the
queue's lines, an inspection, an order, a penalty case, a manual and an engine finding), moves to
Panlong and to another unit. Each record type is then checked from both sides: the old and the new
district, the old and the new unit, against the decision table of docs/scoping.md."""
import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from jifang.core.scoping import visible
from jifang.enforcement import models as em
from jifang.registry import models as m
from jifang.registry import services as registry
from jifang.regulation.models import Finding
from jifang.works import models as wm
from jifang.works import services as works_services

from .. import factories as f
from ..enforcement.conftest import make_finding

pytestmark = pytest.mark.django_db

OLD_DISTRICT, NEW_DISTRICT, OLD_UNIT, NEW_UNIT = "old district", "new district", "old unit", "new unit"

# What each side sees after the move (docs/scoping.md, "After a site moves").
DECISIONS = {
    # the site's file: follows the site
    "system": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "device": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "works": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "works_document": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "design_review": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "acceptance_held": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "acceptance_pending": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "filing": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "open_notification": {OLD_DISTRICT: False, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: False},
    "handled_notification": {OLD_DISTRICT: True, NEW_DISTRICT: False, OLD_UNIT: False, NEW_UNIT: False},
    # acts of an authority: the district that acted keeps them, the new district sees the site's
    # history; the unit they were addressed to keeps them, the new owner does not see another's
    "networking_notice": {OLD_DISTRICT: True, NEW_DISTRICT: True, OLD_UNIT: False, NEW_UNIT: True},
    "inspection": {OLD_DISTRICT: True, NEW_DISTRICT: True, OLD_UNIT: True, NEW_UNIT: False},
    "order": {OLD_DISTRICT: True, NEW_DISTRICT: True, OLD_UNIT: True, NEW_UNIT: False},
    "penalty_case": {OLD_DISTRICT: True, NEW_DISTRICT: True, OLD_UNIT: True, NEW_UNIT: False},
    "penalty_decision": {OLD_DISTRICT: True, NEW_DISTRICT: True, OLD_UNIT: True, NEW_UNIT: False},
    "ordered_finding": {OLD_DISTRICT: True, NEW_DISTRICT: True, OLD_UNIT: True, NEW_UNIT: False},
    # a finding not yet under enforcement: the new owner must correct it
    "manual_finding": {OLD_DISTRICT: True, NEW_DISTRICT: True, OLD_UNIT: True, NEW_UNIT: True},
}


@pytest.fixture
def moved(wuhua_unit, panlong_unit, firm, wuhua_officer, city_officer, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    site = f.SiteFactory(unit=wuhua_unit, district_id="530102", code="WH-MOVE")
    system = f.SystemFactory(site=site, firm=firm, is_public_area=True, police_connected=False)
    device = f.DeviceFactory(system=system)
    today = timezone.localdate()
    w = wm.Works.objects.create(code="GC-MOVE", name="搬迁测试", kind="new", system=system, site=site,
                                unit=wuhua_unit, district_id="530102", builder=wuhua_unit, firm=firm,
                                status="in_use", registered_on=dt.date(2024, 1, 1), completed_on=dt.date(2024, 3, 1))
    document = wm.WorksDocument.objects.create(
        works=w, kind="drawing", title="布防图", file=ContentFile(b"%PDF-1.4", name="d.pdf"), size=8,
        content_type="application/pdf", sha256="0" * 64, uploaded_by=wuhua_officer)
    review = wm.DesignReview.objects.create(works=w, version=1, held_on=dt.date(2024, 1, 5), result="passed")
    held = wm.Acceptance.objects.create(code="GC-MOVE-1", works=w, district_id="530102", round=1,
                                        scheduled_for=dt.date(2024, 3, 5), held_on=dt.date(2024, 3, 5), result="failed")
    pending = wm.Acceptance.objects.create(code="GC-MOVE-2", works=w, district_id="530102", round=2,
                                           scheduled_for=today + dt.timedelta(days=3))
    filing = wm.Filing.objects.create(works=w, firm=firm, district_id="530102", receipt_number="BA-MOVE",
                                      filed_on=dt.date(2024, 3, 2), due_on=dt.date(2024, 4, 1), contact_name="王",
                                      contact_phone="1")
    open_note = wm.Notification.objects.create(district_id="530102", kind="acceptance_scheduled", works=w,
                                               acceptance=pending)
    handled_note = wm.Notification.objects.create(district_id="530102", kind="filing_received", works=w,
                                                  handled_at=timezone.now())
    notice = wm.NetworkingNotice.objects.create(number="LW-MOVE", system=system, district_id="530102",
                                                unit=wuhua_unit, basis="art_10__para_1", issued_on=today,
                                                due_on=today + dt.timedelta(days=30), issued_by=wuhua_officer)
    inspection = em.Inspection.objects.create(number="JC-MOVE", district_id="530102", unit=wuhua_unit, site=site,
                                              inspected_on=today, created_by=wuhua_officer)
    ordered = make_finding(site, "art_19__para_1", stage="ordered")
    order = em.RectificationOrder.objects.create(number="ZG-MOVE", district_id="530102", unit=wuhua_unit,
                                                 created_by=wuhua_officer, inspection=inspection,
                                                 deadline=today + dt.timedelta(days=10), served_at=timezone.now())
    em.OrderItem.objects.create(order=order, finding=ordered)
    case = em.PenaltyCase.objects.create(number="CF-MOVE", district_id="530102", unit=wuhua_unit,
                                         created_by=wuhua_officer, order=order, article="art_24", unit_kind="business",
                                         facts="逾期未改正", notice_served_at=timezone.now())
    decision = em.PenaltyDecision.objects.create(number="JD-MOVE", district_id="530102", unit=wuhua_unit,
                                                 created_by=wuhua_officer, case=case, facts="逾期未改正",
                                                 decided_at=timezone.now(), served_at=timezone.now())
    manual = make_finding(site, "art_7__para_1")
    Finding.objects.filter(pk=manual.pk).update(fingerprint=f"manual:{site.pk}", rule_id="manual")
    # the move: the police give the site to a Panlong unit
    registry.site_update(actor=city_officer, site=site, unit=panlong_unit, district_id="530103")
    return {"system": system, "device": device, "works": w, "works_document": document, "design_review": review,
            "acceptance_held": held, "acceptance_pending": pending, "filing": filing,
            "open_notification": open_note, "handled_notification": handled_note, "networking_notice": notice,
            "inspection": inspection, "order": order, "penalty_case": case, "penalty_decision": decision, "ordered_finding": ordered,
            "manual_finding": manual}


@pytest.fixture
def sides(wuhua_officer, panlong_officer, unit_user, panlong_unit):
    new_unit_user = f.UserFactory(username="newowner", role="unit_user", division_id=None, units=[panlong_unit])
    return {OLD_DISTRICT: wuhua_officer, NEW_DISTRICT: panlong_officer, OLD_UNIT: unit_user,
            NEW_UNIT: new_unit_user}


@pytest.mark.parametrize("record", sorted(DECISIONS))
def test_every_moved_record_type_is_seen_by_the_right_side(moved, sides, record):
    obj = moved[record]
    seen = {side: visible(user, type(obj)).filter(pk=obj.pk).exists() for side, user in sides.items()}
    assert seen == DECISIONS[record]


def test_the_new_district_takes_over_the_pending_acceptance_and_the_secret_drawings(moved, sides, panlong_officer,
                                                                                    wuhua_officer):
    works = wm.Works.objects.get(pk=moved["works"].pk)
    assert (works.district_id, works.unit_id) == ("530103", sides[NEW_UNIT].units.get().pk)
    assert wm.Acceptance.objects.get(pk=moved["acceptance_pending"].pk).district_id == "530103"
    assert wm.Acceptance.objects.get(pk=moved["acceptance_held"].pk).district_id == "530102"  # who attended
    # art_18: the new district office opens the drawings, the old one no longer may
    assert works_services.may_open_documents(panlong_officer, works)
    assert not works_services.may_open_documents(wuhua_officer, works)
    assert not works_services.may_open_documents(sides[OLD_UNIT], works)
    assert works_services.may_open_documents(sides[NEW_UNIT], works)


def test_a_move_by_import_carries_the_works_file_too(admin_user, panlong_unit, wuhua_unit, firm):
    import json

    from jifang.core.dataset import dataset_import

    site = f.SiteFactory(unit=wuhua_unit, district_id="530102", code="WH-IMP")
    system = f.SystemFactory(site=site, firm=firm)
    w = wm.Works.objects.create(code="GC-IMP", name="导入搬迁", kind="new", system=system, site=site, unit=wuhua_unit,
                                district_id="530102", builder=wuhua_unit, firm=firm, status="in_use",
                                registered_on=dt.date(2024, 1, 1))
    doc = {"format": "jifang-dataset", "version": 1, "sheets": {"sites": [
        {"id": site.pk, "code": site.code, "unit": panlong_unit.credit_code, "district": "530103"}]}}
    assert dataset_import(actor=admin_user, data=json.dumps(doc).encode()).ok
    w.refresh_from_db()
    assert (w.district_id, w.unit_id) == ("530103", panlong_unit.pk)
    assert not m.Site.objects.filter(pk=site.pk, district_id="530102").exists()
