"""A create form is answered once: 20 identical POSTs of one form (a double click, a resend) make one
record and are all sent to it; a refused POST releases its token; a new form gets a new token."""
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jifang.core.models import Submission
from jifang.core.submissions import FIELD
from jifang.enforcement.models import DocumentCounter, Inspection
from jifang.registry.models import AcceptanceResult, SystemStatus
from jifang.works.models import Works

from .. import factories as f

REPEATS = 20


def _token(html: str) -> str:
    match = re.search(rf'name="{FIELD}" value="([^"]+)"', html)
    assert match, "the form carries no submission token"
    return match.group(1)


def _form(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return _token(response.content.decode())


@pytest.fixture
def planned_system(wuhua_unit, firm):
    return f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), firm=firm, status=SystemStatus.PLANNED,
                           acceptance_result=AcceptanceResult.NONE, acceptance_date=None, reserved_interface=None)


def _works_data(system, unit, firm, token):
    return {"system": system.pk, "builder": unit.pk, "firm": firm.pk, "name": "新建工程", "kind": "new",
            FIELD: token}


def _inspection_data(site, token):
    return {"site": site.pk, "kind": "planned", "inspected_on": timezone.localdate().isoformat(),
            "observations": "现场检查", FIELD: token}


@pytest.mark.django_db
def test_twenty_identical_works_posts_make_one_works(client, unit_user, planned_system, wuhua_unit, firm):
    client.force_login(unit_user)
    url = reverse("works:works_add")
    token = _form(client, url)
    responses = [client.post(url, _works_data(planned_system, wuhua_unit, firm, token)) for _ in range(REPEATS)]
    works = Works.objects.get()
    assert {r.status_code for r in responses} == {302}
    assert {r.url for r in responses} == {works.get_absolute_url()}
    assert Submission.objects.get().result_url == works.get_absolute_url()


@pytest.fixture
def inspection_form(client, wuhua_officer, wuhua_unit):
    """An officer on the new-inspection page: the site, the page's URL, the form's token."""
    site = f.SiteFactory(unit=wuhua_unit)
    client.force_login(wuhua_officer)
    url = reverse("enforcement:inspection_add")
    return site, url, _form(client, url)


@pytest.mark.django_db
def test_twenty_identical_inspection_posts_make_one_numbered_inspection(client, inspection_form):
    site, url, token = inspection_form
    responses = [client.post(url, _inspection_data(site, token)) for _ in range(REPEATS)]
    inspection = Inspection.objects.get()
    assert {r.url for r in responses} == {inspection.get_absolute_url()}
    assert DocumentCounter.objects.get().last == 1 and inspection.number.endswith("第0001号")


@pytest.mark.django_db
def test_each_form_shown_gets_a_new_token_and_makes_its_own_record(client, inspection_form):
    site, url, first = inspection_form
    second = _form(client, url)
    assert first != second
    client.post(url, _inspection_data(site, first))
    client.post(url, _inspection_data(site, second))
    numbers = sorted(Inspection.objects.values_list("number", flat=True))
    assert [n[-6:] for n in numbers] == ["第0001号", "第0002号"]


@pytest.mark.django_db
def test_a_refused_post_releases_its_token(client, inspection_form):
    site, url, token = inspection_form
    future = {**_inspection_data(site, token), "inspected_on": "2099-01-01"}
    assert "检查日期不能晚于今天" in client.post(url, future, follow=True).content.decode()
    assert not Submission.objects.exists()
    assert client.post(url, _inspection_data(site, token)).status_code == 302
    assert Inspection.objects.count() == 1


@pytest.mark.django_db
def test_a_token_is_the_users_own(client, wuhua_officer, city_officer, wuhua_unit):
    """Another user's token is no replay key: it cannot fetch someone else's result."""
    site = f.SiteFactory(unit=wuhua_unit)
    url = reverse("enforcement:inspection_add")
    client.force_login(wuhua_officer)
    token = _form(client, url)
    client.post(url, _inspection_data(site, token))
    client.force_login(city_officer)
    client.post(url, _inspection_data(site, token))
    assert Inspection.objects.count() == 2


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the in-memory SQLite test database locks tables instead of waiting: the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_identical_posts_make_one_record(wuhua_officer, unit_user, planned_system, wuhua_unit,
                                                          firm):
    site = f.SiteFactory(unit=wuhua_unit)
    cases = [(wuhua_officer, reverse("enforcement:inspection_add"), lambda t: _inspection_data(site, t)),
             (unit_user, reverse("works:works_add"), lambda t: _works_data(planned_system, wuhua_unit, firm, t))]
    for user, url, data in cases:
        client = Client()
        client.force_login(user)
        token = _form(client, url)
        start, urls = threading.Barrier(REPEATS), []

        def post():
            c = Client()
            c.force_login(user)
            start.wait()
            try:
                urls.append(c.post(url, data(token)).url)
            finally:
                connection.close()

        threads = [threading.Thread(target=post) for _ in range(REPEATS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(urls) == REPEATS and len(set(urls)) == 1
    assert Inspection.objects.count() == 1 and Works.objects.count() == 1
    assert DocumentCounter.objects.get().last == 1


@pytest.mark.django_db
def test_the_token_is_not_passed_to_the_service(client, wuhua_officer, wuhua_unit):
    """Step forms hand **cleaned_data to their service: the token must not be in it."""
    from jifang.enforcement.forms import ObservationsForm
    from jifang.works.forms import NoticeForm

    for form in (ObservationsForm(data={"observations": "x", FIELD: "t"}),
                 NoticeForm(data={"basis": "art_10__para_1", "due_on": "2026-12-31", FIELD: "t"}, user=wuhua_officer)):
        form.is_valid()
        assert FIELD not in form.cleaned_data
