"""What people read: times in Asia/Shanghai, audit actions by label, list totals bounded, pickers
scoped, error pages in the site's layout."""
import datetime as dt
import re
from html import unescape

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from jifang.core import pickers
from jifang.core.audit import action_label
from jifang.core.pagination import bounded_count
from jifang.core.templatetags.jifang import shown
from jifang.registry.models import Site
from tests import factories as f


def test_times_are_shown_in_shanghai_time_wherever_they_are_stored():
    at = dt.datetime(2026, 12, 3, 6, 44, tzinfo=dt.UTC)  # 14:44 in Kunming
    with translation.override("zh-hans"):
        assert "14:44" in str(shown(at)) and "06:44" not in str(shown(at))


@pytest.mark.parametrize("action, zh", [
    ("works.works.filed", "备案"), ("regulation.finding.raise", "检查中发现"), ("registry.site.create", "登记"),
    ("enforcement.order.answer.refused", "答复（被拒绝）"), ("something.new.verb_nobody_named", "记录"),
])
def test_audit_actions_read_as_labels(action, zh):
    with translation.override("zh-hans"):
        assert action_label(action) == zh


@pytest.mark.django_db
def test_list_totals_are_exact_below_the_limit_and_marked_above_it():
    for _ in range(3):
        f.SiteFactory()
    total = bounded_count(Site.objects.all())
    assert (total.n, total.more) == (3, False)
    total = bounded_count(Site.objects.all(), limit=2)
    assert (total.n, total.more) == (2, True)


@pytest.mark.django_db
def test_site_picker_finds_by_name_code_or_address_in_scope(wuhua_officer):
    mine = f.SiteFactory(name="翠湖宾馆", address="昆明市五华区翠湖南路1号", district_id="530102")
    twin = f.SiteFactory(name="翠湖宾馆", address="昆明市五华区翠湖北路9号", district_id="530102")
    other = f.SiteFactory(name="翠湖宾馆", district_id="530103")
    picker = pickers.get("site")
    rows, more = pickers.search(wuhua_officer, picker, "翠湖宾馆")
    assert [r["value"] for r in rows] == [mine.pk, twin.pk] and not more
    assert {r["place"] for r in rows} == {mine.address, twin.address} and rows[0]["code"] == mine.code
    assert pickers.search(wuhua_officer, picker, other.code)[0] == []
    assert [r["value"] for r in pickers.search(wuhua_officer, picker, mine.code.lower())[0]] == [mine.pk]


@pytest.mark.django_db
def test_404_page_is_chinese_first_in_the_layout(client, wuhua_officer):
    client.force_login(wuhua_officer)
    html = client.get("/no-such-page/").content.decode()
    assert "页面不存在" in html and reverse("home") in html and 'data-testid="whoami"' in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_500_page_says_nothing_changed(client, wuhua_officer, monkeypatch):
    from jifang.dashboards import views

    client.raise_request_exception = False
    monkeypatch.setattr(views, "home_figures", lambda user: 1 / 0)
    client.force_login(wuhua_officer)
    response = client.get(reverse("home"))
    assert response.status_code == 500 and "出错了" in response.content.decode()


@pytest.mark.django_db
def test_the_device_forms_part_picker_offers_only_the_chosen_systems_site(client, wuhua_officer):
    from jifang.registry.models import SitePart

    system = f.SystemFactory(site=f.SiteFactory(district_id="530102"))
    other = f.SystemFactory(site=f.SiteFactory(district_id="530102"))
    here = SitePart.objects.create(site=system.site, name="大堂", area_kind="entrance")
    there = SitePart.objects.create(site=other.site, name="大堂", area_kind="entrance")
    client.force_login(wuhua_officer)
    form = client.get(reverse("registry:device_add")).content.decode()
    assert "hx-include=\"[name='system']\"" in unescape(form)  # the part box sends the system chosen above it

    def offered(query):
        html = client.get(f"/pick/part/?q=大堂&{query}").content.decode()
        return {int(v) for v in re.findall(r'data-pick-value="(\d+)"', html)}

    assert offered("") == {here.pk, there.pk}
    assert offered(f"system={system.pk}") == {here.pk}
    assert offered(f"system={system.code}&system_by=code") == {here.pk}  # a field taking the system's code
    assert offered("system=SYS-NONE&system_by=code") == set() and offered("system=x") == set()
    assert offered(f"system={system.pk}&system_by=name") == {here.pk}  # not a natural key: taken as the id


@pytest.mark.django_db
def test_a_bad_filter_is_named_by_its_label_not_its_field_name(client, wuhua_officer):
    client.force_login(wuhua_officer)
    html = client.get(reverse("enforcement:rectificationorder_list") + "?deadline_after=2026-13-45").content.decode()
    errors = html.split('data-testid="filter-errors">', 1)[1].split("</div></div>", 1)[0]
    assert "期限自" in errors and "deadline_after" not in errors and "errorlist" not in errors
