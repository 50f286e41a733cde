"""The enforcement demo hook: one case per stage, every sealed record verifying."""
import random

import pytest
from django.utils import timezone

from jifang.core.audit import verify_chain
from jifang.core.demo import SeedContext
from jifang.enforcement import demo, records
from jifang.enforcement.models import Inspection, InspectionComplaint, PenaltyCase, RectificationOrder
from jifang.regulation.models import Finding

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_stage_and_records_verify(wuhua_unit):
    for _ in range(2):  # fewer sites than cases: cases share sites
        f.SiteFactory(unit=wuhua_unit)
    ctx = SeedContext(rng=random.Random(1), scale=10, seed=1, today=timezone.localdate())
    ctx.keys["bank_unit_id"] = wuhua_unit.pk
    demo.seed(ctx)
    stages = sorted(Finding.objects.values_list("stage", flat=True))
    assert stages == sorted(["detected", "ordered", "rectified", "overdue", "overdue", "decided"])
    assert PenaltyCase.objects.filter(status="decided").count() == 1
    assert PenaltyCase.objects.filter(status="notified").count() == 1
    assert InspectionComplaint.objects.count() == 1
    for insp in Inspection.objects.all():
        assert records.verification(records.INSPECTION, insp).ok
    for order in RectificationOrder.objects.all():
        assert records.verification(records.ORDER, order).ok
    decided = PenaltyCase.objects.get(status="decided")
    assert records.verification(records.DECISION, decided.decision).ok
    assert verify_chain() == (True, None)  # the replayed days keep the audit chain intact


def test_demo_without_bank_does_nothing():
    ctx = SeedContext(rng=random.Random(1), scale=10, seed=1, today=timezone.localdate())
    demo.seed(ctx)
    assert not Inspection.objects.exists()


@pytest.mark.clause("cn-order-2025-799#art_28__para_1")
def test_demo_opens_a_national_case_at_once_on_the_violation_it_plants(wuhua_unit):
    """A newcomer's tour shows the path without an order: a site marked near a secret-holding unit
    that never consented, found by the engine, confirmed at a signed inspection, a notice at once."""
    site = f.SiteFactory(unit=wuhua_unit)
    system = f.SystemFactory(site=site)
    f.SystemFactory(site=site, public_video_class="art33")   # a non-public system: art. 10 does not hold it
    ctx = SeedContext(rng=random.Random(1), scale=10, seed=1, today=timezone.localdate())
    ctx.keys["bank_unit_id"] = wuhua_unit.pk
    demo.seed(ctx)
    assert ctx.manifest.planted["cn-order-2025-799#art_10__para_1"] == {system.code}
    case = PenaltyCase.objects.get(inspection__isnull=False)
    assert case.order_id is None and case.status == "notified" and case.article == "art_28__para_1"
    finding = case.findings.get()
    assert (finding.pack_id, finding.clause_id, finding.subject_key) == ("cn-order-2025-799", "art_10__para_1", system.code)
    assert finding.stage == "detected" and finding.rule_id != "manual"       # the engine's, confirmed
    assert records.verification(records.INSPECTION, case.inspection).ok
    assert records.verification(records.NOTICE, case).ok
    assert verify_chain() == (True, None)
