"""The home page's panel of the national queues: filings awaiting receipt and reports awaiting handling,
counted in the officer's district (the city sees all); a unit sees its own filings by status."""
import re

import pytest
from django.urls import reverse

from jifang.national import selectors, services
from tests.factories import SiteFactory, UnitFactory

from .conftest import LIVE, filing_data, video_system

pytestmark = pytest.mark.django_db


def _report(district: str, n: int = 1):
    for i in range(n):
        services.report_submit(district=district, kind="prohibited_place", place="某宾馆", description="客房内有摄像头",
                               source=services.source_hash(f"10.1.{district[-1]}.{i}"))


@pytest.fixture
def queues(system, file_system, unit_user, wuhua_officer, panlong_officer):
    """Wuhua: 2 filings awaiting receipt (one of them the unit_user's), 1 returned, 3 reports;
    Panlong: 1 filing awaiting receipt, 1 report."""
    file_system(system)
    returned = file_system(video_system(site=SiteFactory(unit=system.unit), in_use_since=LIVE))
    services.filing_return(actor=wuhua_officer, filing=returned, reason="缺少联系人电话")
    other = video_system(site=SiteFactory(unit=UnitFactory(district_id="530102")), in_use_since=LIVE)
    services.filing_submit(actor=wuhua_officer, system=other, **filing_data(other))
    panlong = video_system(site=SiteFactory(unit=UnitFactory(district_id="530103")), in_use_since=LIVE)
    services.filing_submit(actor=panlong_officer, system=panlong, **filing_data(panlong))
    _report("530102", 3)
    _report("530103", 1)


def _figures(client, user) -> dict:
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    panel = page.split('data-testid="national-panel"', 1)[1].split("</ul>", 1)[0] if "national-panel" in page else ""
    return {k: int(v) for k, v in re.findall(r'data-figure="(\w+)".*?<span class="badge[^"]*">(\d+)</span>', panel)}


def test_a_district_officer_counts_their_district_with_links_to_the_queues(client, queues, wuhua_officer):
    assert _figures(client, wuhua_officer) == {"filings_submitted": 2, "reports_received": 3}
    page = client.get(reverse("home")).content.decode()
    for url in (reverse("national:systemfiling_list") + "?status=submitted",
                reverse("national:publicreport_list") + "?status=received"):
        assert f'href="{url}"' in page
    queue = client.get(reverse("national:publicreport_list") + "?status=received").content.decode()
    assert queue.count("某宾馆") == 3


def test_the_other_district_and_the_city(client, queues, panlong_officer, city_officer):
    assert _figures(client, panlong_officer) == {"filings_submitted": 1, "reports_received": 1}
    assert _figures(client, city_officer) == {"filings_submitted": 3, "reports_received": 4}


def test_a_unit_sees_its_own_filings_by_status_and_no_reports(client, queues, unit_user):
    assert _figures(client, unit_user) == {"filings_submitted": 1, "filings_returned": 1, "filings_received": 0,
                                           "viewing_pending": 0}
    assert "举报" not in client.get(reverse("home")).content.decode().split('data-testid="national-panel"')[1]


def test_handled_work_leaves_the_queue_and_an_empty_queue_shows_no_panel(client, system, file_system, wuhua_officer,
                                                                       firm_user):
    filing = file_system(system)
    assert selectors.home_figures(wuhua_officer)["filings_submitted"] == 1
    services.filing_receive(actor=wuhua_officer, filing=filing)
    assert selectors.home_figures(wuhua_officer) is None
    assert _figures(client, wuhua_officer) == {}
    assert selectors.home_figures(firm_user) is None
