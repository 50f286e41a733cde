"""The queue of violations awaiting a fine at once (order 799 art. 27 para. 1, art. 28): what an
officer finds on the home page and in a list without opening each signed inspection. Scoped like
every police page; one query for the count; the same condition as the service that opens the case."""
import pytest
from django.urls import reverse

from jifang.enforcement import selectors, services
from jifang.enforcement.services import FINED_AT_ONCE, fined_at_once
from jifang.regulation.models import Finding
from jifang.regulation.packs import get_pack
from tests import factories as f

from .conftest import make_finding
from .test_fine_at_once import NATIONAL, _notice, _signed_inspection

pytestmark = pytest.mark.django_db

AT_ONCE = ("art_10__para_1", "art_8__para_1__point_1")  # art. 28, art. 27 para. 1: fined at once
ORDER_FIRST = "art_14__para_1"                          # art. 29: an order to correct comes first


def _queue(user) -> list[int]:
    return sorted(selectors.awaiting_fine_at_once(user).values_list("pk", flat=True))


def test_the_sql_condition_agrees_with_the_service_on_every_sanction(wuhua_unit):
    """FINED_AT_ONCE (the queue) and fined_at_once (the service) over every penalty clause of both
    packs, and sanctions the packs do not have (none, no fines, order_first absent)."""
    made = []
    for pack_id in ("cn-530100-order-2012-116", NATIONAL):
        pack = get_pack(pack_id)
        for clause_id in sorted({c for s in pack.sanctions.values() for c in s["violations"]}):
            made.append(make_finding(f.SiteFactory(unit=wuhua_unit), clause_id, pack_id=pack_id))
    odd = ({}, {"article": "x", "order_first": False, "fines": []}, {"article": "x", "fines": [{"max": 1}]},
           {"article": "x", "order_first": True, "fines": [{"max": 1}]})
    for sanction in odd:
        finding = make_finding(f.SiteFactory(unit=wuhua_unit), "art_10__para_1", pack_id=NATIONAL)
        Finding.objects.filter(pk=finding.pk).update(sanction=sanction)
        made.append(Finding.objects.get(pk=finding.pk))
    by_sql = set(Finding.objects.filter(FINED_AT_ONCE).values_list("pk", flat=True))
    by_python = {x.pk for x in made if fined_at_once(x)}
    assert by_sql == by_python and len(by_python) >= 2   # art. 27 para. 1 and art. 28 at least
    assert len(made) - len(by_python) >= 5


@pytest.mark.clause("cn-order-2025-799#art_27__para_1")
@pytest.mark.clause("cn-order-2025-799#art_28__para_1")
def test_the_queue_holds_confirmed_violations_fined_at_once_and_nothing_else(
        wuhua_officer, city_officer, panlong_officer, department_officer, unit_user, wuhua_site):
    secret, room = (make_finding(wuhua_site, c, pack_id=NATIONAL) for c in AT_ONCE)
    later = make_finding(wuhua_site, ORDER_FIRST, pack_id=NATIONAL)
    kunming = make_finding(wuhua_site, "art_21__para_1__point_2")
    assert _queue(wuhua_officer) == []                       # nothing confirmed yet
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=secret.first_seen)
    services.inspection_finding_confirm(actor=wuhua_officer, inspection=insp, finding=secret)
    assert _queue(wuhua_officer) == []                       # confirmed, but the record is not signed
    _signed_inspection(wuhua_officer, wuhua_site, [room, later, kunming])
    services.inspection_sign(actor=wuhua_officer, inspection=insp)
    assert _queue(wuhua_officer) == _queue(city_officer) == _queue(department_officer) == sorted([secret.pk, room.pk])
    assert _queue(panlong_officer) == []
    # a case opened at once takes its finding out of the queue
    insp.refresh_from_db()
    _notice(wuhua_officer, insp, [secret], amounts={"unit": 10000, "person_in_charge": 10000,
                                                    "person_directly_responsible": 5000})
    assert _queue(wuhua_officer) == [room.pk]


def test_a_finding_confirmed_twice_is_one_row_leading_to_the_newest_inspection(wuhua_officer, wuhua_site):
    room = make_finding(wuhua_site, AT_ONCE[1], pack_id=NATIONAL)
    first = _signed_inspection(wuhua_officer, wuhua_site, [room])
    second = _signed_inspection(wuhua_officer, wuhua_site, [room])
    rows = list(selectors.with_at_once_inspection(wuhua_officer, selectors.awaiting_fine_at_once(wuhua_officer)))
    assert [(r.pk, r.at_once_inspection_id, r.at_once_inspection_number) for r in rows] == \
        [(room.pk, second.pk, second.number)]
    assert first.pk < second.pk


def test_the_count_is_one_query(wuhua_officer, wuhua_site, django_assert_num_queries):
    _signed_inspection(wuhua_officer, wuhua_site, [make_finding(wuhua_site, c, pack_id=NATIONAL) for c in AT_ONCE])
    with django_assert_num_queries(1):
        assert selectors.awaiting_fine_at_once(wuhua_officer).count() == 2


def _panel_figure(client, user, figure="at_once") -> str | None:
    client.force_login(user)
    home = client.get("/").content.decode()
    if 'data-testid="enforcement-panel"' not in home:
        return None
    panel = home[home.index('data-testid="enforcement-panel"'):]
    if f'data-figure="{figure}"' not in panel:
        return None
    row = panel[panel.index(f'data-figure="{figure}"'):]
    return row[:row.index("</li>")]


def test_the_home_panel_counts_the_queue_per_district_and_for_the_city(
        client, wuhua_officer, city_officer, panlong_officer, unit_user, wuhua_site):
    _signed_inspection(wuhua_officer, wuhua_site, [make_finding(wuhua_site, c, pack_id=NATIONAL) for c in AT_ONCE])
    for user in (wuhua_officer, city_officer):
        row = _panel_figure(client, user)
        assert ">2<" in row and reverse("enforcement:at_once_list") in row, user
    panlong = _panel_figure(client, panlong_officer)
    assert panlong is None or ">0<" in panlong
    assert _panel_figure(client, unit_user) is None            # the unit's panel has no police figures


def test_the_list_leads_each_row_to_its_inspections_case_at_once(
        client, wuhua_officer, panlong_officer, department_officer, unit_user, wuhua_site):
    room = make_finding(wuhua_site, AT_ONCE[1], pack_id=NATIONAL)
    later = make_finding(wuhua_site, ORDER_FIRST, pack_id=NATIONAL)
    insp = _signed_inspection(wuhua_officer, wuhua_site, [room, later])
    url = reverse("enforcement:at_once_list")
    action = reverse("enforcement:case_add_at_once", args=[insp.pk])
    client.force_login(wuhua_officer)
    html = client.get(url).content.decode()
    assert f'data-testid="at-once-{room.pk}"' in html and f'data-testid="at-once-{later.pk}"' not in html
    assert f'href="{action}"' in html and insp.number in html and "立即处罚（立案）" in html
    assert client.get(action).status_code == 200                # the action it leads to takes the case
    client.force_login(department_officer)                      # reads the queue, opens no case
    html = client.get(url).content.decode()
    assert f'data-testid="at-once-{room.pk}"' in html and f'href="{action}"' not in html
    client.force_login(panlong_officer)                         # another district sees nothing
    html = client.get(url).content.decode()
    assert f'data-testid="at-once-{room.pk}"' not in html and insp.number not in html
    assert client.get(url, {"district": "530102"}).status_code == 200
    client.force_login(unit_user)
    assert client.get(url).status_code == 403


def test_the_list_pages_by_keyset_and_filters_by_site(client, wuhua_officer, wuhua_unit):
    sites = [f.SiteFactory(unit=wuhua_unit) for _ in range(3)]
    rows = [make_finding(s, AT_ONCE[0], pack_id=NATIONAL) for s in sites]
    for s, finding in zip(sites, rows):
        _signed_inspection(wuhua_officer, s, [finding])
    client.force_login(wuhua_officer)
    url = reverse("enforcement:at_once_list")
    first = client.get(url, {"page_size": 2}).content.decode()
    assert all(f'at-once-{r.pk}"' in first for r in rows[:2]) and f'at-once-{rows[2].pk}"' not in first
    second = client.get(url, {"page_size": 2, "after": rows[1].pk}).content.decode()
    assert f'at-once-{rows[2].pk}"' in second and f'at-once-{rows[0].pk}"' not in second
    only = client.get(url, {"site": sites[1].pk}).content.decode()
    assert f'at-once-{rows[1].pk}"' in only and f'at-once-{rows[0].pk}"' not in only
