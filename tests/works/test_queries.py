"""Query counts of the works pages do not grow with the rows they show (no N+1)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jifang.works import services as s

from .. import factories as f
from .conftest import accept, complete, days_ago

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_history(works, unit_user, firm_user):
    """Another failed round with attendance by several officers, more workers and documents."""
    for i in range(3):
        s.worker_add(actor=firm_user, works=works, name=f"师傅{i}", job="安装")
    officers = [f.UserFactory(role="district_officer", division_id="530102") for _ in range(3)]
    return officers


def test_works_detail_is_constant_in_rounds_attendances_and_workers(client, works, unit_user, firm_user,
                                                                   wuhua_officer, django_assert_num_queries):
    from jifang.works.models import Acceptance

    complete(works, unit_user, firm_user)
    first = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(20))
    # Attendance (recorded before the result, as it must be) and a worker exist already, so the
    # baseline runs every prefetch query once.
    s.attendance_record(actor=wuhua_officer, acceptance=first)
    s.acceptance_result_record(actor=wuhua_officer, acceptance=first, held_on=days_ago(20), reserved_interface=True,
                               items=[{"name": "视频图像质量", "passed": False}])
    assert Acceptance.objects.get().result == "failed"
    s.worker_add(actor=firm_user, works=works, name="王师傅", job="队长")
    client.force_login(wuhua_officer)
    url = works.get_absolute_url()
    before = _count(client, url)
    s.works_complete(actor=firm_user, works=works, completed_on=days_ago(10))
    second = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(8))
    for officer in [wuhua_officer, *_more_history(works, unit_user, firm_user)]:
        s.attendance_record(actor=officer, acceptance=second)
    s.acceptance_result_record(actor=wuhua_officer, acceptance=second, held_on=days_ago(8), reserved_interface=True,
                               items=[{"name": f"项目{i}", "passed": True} for i in range(4)])
    with django_assert_num_queries(before):
        client.get(url)


def test_works_list_is_constant_in_rows(client, works, unit_user, firm, wuhua_unit, wuhua_officer,
                                        django_assert_num_queries):
    client.force_login(wuhua_officer)
    url = reverse("works:works_list")
    before = _count(client, url)
    for i in range(5):
        system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), firm=f.FirmFactory())
        s.works_register(actor=unit_user, system=system, builder=wuhua_unit, firm=system.firm, name=f"工程{i}",
                         kind="new")
    with django_assert_num_queries(before):
        client.get(url)


def _works_at_every_step(unit_user, firm_user, firm, wuhua_unit, officer):
    from .conftest import approve, complete

    def new():
        system = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), firm=firm, status="planned",
                                 acceptance_result="", acceptance_date=None)
        return s.works_register(actor=unit_user, system=system, builder=wuhua_unit, firm=firm, name="工程", kind="new",
                                registered_on=days_ago(90))
    new()
    approve(new(), unit_user)
    complete(new(), unit_user, firm_user, completed_on=days_ago(40))
    done = complete(new(), unit_user, firm_user, completed_on=days_ago(5))
    s.acceptance_schedule(actor=unit_user, works=done, scheduled_for=days_ago(-2))
    accept(new(), unit_user, firm_user, officer)


@pytest.mark.parametrize("who", ["unit_user", "firm_user", "wuhua_officer"])
def test_every_board_is_constant_in_rows(client, request, who, unit_user, firm_user, firm, wuhua_unit, wuhua_officer,
                                         django_assert_num_queries):
    _works_at_every_step(unit_user, firm_user, firm, wuhua_unit, wuhua_officer)
    client.force_login(request.getfixturevalue(who))
    url = reverse("works:board")
    before = _count(client, url)
    _works_at_every_step(unit_user, firm_user, firm, wuhua_unit, wuhua_officer)
    with django_assert_num_queries(before):
        client.get(url)
