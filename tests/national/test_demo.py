"""The national part of the demo city: a scan finds exactly the art. 14 filing violations it planted."""
import datetime as dt

import pytest

from jifang.core.demo import seed_city
from jifang.national.models import FilingStatus, PublicReport, SystemFiling
from jifang.regulation import services
from jifang.regulation.selectors import seen_by

PACK = "cn-order-2025-799"
TODAY = dt.date(2026, 11, 1)


@pytest.fixture
def city(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return seed_city(scale=300, seed=11, today=TODAY)


@pytest.mark.clause(f"{PACK}#art_14__para_1")
def test_scan_of_the_demo_city_finds_exactly_the_planted_filing_violations(city):
    run = services.scan(actor=None, as_of=TODAY)
    found = set(seen_by(run).filter(pack_id=PACK, rule_id__startswith="art14-", outcome="violation")
                .values_list("subject_key", flat=True))
    planted = city.manifest.planted[f"{PACK}#art_14__para_1"]
    assert planted and found == planted
    assert not seen_by(run).filter(pack_id=PACK, rule_id__startswith="art14-", outcome="undetermined").exists()
    # the demo district's office has filings and reports to handle
    assert SystemFiling.objects.filter(district_id="530102", status=FilingStatus.SUBMITTED).exists()
    assert PublicReport.objects.filter(district_id="530102").count() == 3
