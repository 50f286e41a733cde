"""Findings pages and API, the law page and the scan action, as each role sees them."""
import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jifang.registry import models as m
from jifang.regulation import services
from jifang.regulation.models import Finding
from tests import factories as f

from .conftest import AS_OF, KUNMING, NATIONAL


@pytest.fixture
def two_districts(db, wuhua_unit, firm):
    """One art_19 violation in Wuhua (at the unit user's unit, installed by the firm), one in Panlong."""
    wuhua = f.SystemFactory(retention_days=5, firm=firm, site=f.SiteFactory(unit=wuhua_unit))
    panlong = f.SystemFactory(retention_days=5, site=f.SiteFactory(unit=f.UnitFactory(district_id="530103")))
    services.scan(actor=None, as_of=AS_OF)
    return wuhua, panlong


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.parametrize("who, sees", [
    ("city_officer", {"wuhua", "panlong"}), ("wuhua_officer", {"wuhua"}), ("panlong_officer", {"panlong"}),
    ("unit_user", {"wuhua"}), ("firm_user", {"wuhua"}), ("department_officer", {"wuhua"}),
])
def test_findings_list_and_api_are_scoped(request, two_districts, who, sees):
    user = request.getfixturevalue(who)
    codes = {"wuhua": two_districts[0].code, "panlong": two_districts[1].code}
    expected = {codes[k] for k in sees}
    page = _client(user).get(reverse("regulation:finding_list"), {"rule": "art19-retention-below-minimum"})
    shown = {c for c in codes.values() if c in page.content.decode()}
    assert shown == expected
    api = _api(user).get("/api/findings/", {"rule": "art19-retention-below-minimum"}).json()
    assert {r["subject"]["key"] for r in api["results"]} == expected


def test_a_finding_outside_scope_is_404_in_page_and_api(two_districts, wuhua_officer):
    panlong = Finding.objects.get(subject_key=two_districts[1].code, rule_id="art19-retention-below-minimum")
    assert _client(wuhua_officer).get(panlong.get_absolute_url()).status_code == 404
    assert _api(wuhua_officer).get(f"/api/findings/{panlong.pk}/").status_code == 404


@pytest.mark.clause("art_19__para_1")
def test_finding_detail_explains_clause_facts_parameter_and_penalty(two_districts, wuhua_officer):
    finding = Finding.objects.get(subject_key=two_districts[0].code, rule_id="art19-retention-below-minimum")
    html = _client(wuhua_officer).get(finding.get_absolute_url()).content.decode()
    assert "第十九条" in html and "留存时间不得少于30日" in html
    # the parameter by the law's own words, never by its name in the pack
    assert "语音图像信息资料及其他相关记录资料留存时间不得少于30日：30" in html and "retention_days_min" not in html
    assert "第二十五条" in html and "责令限期改正" in html


def test_findings_per_site_and_per_unit(two_districts, city_officer):
    wuhua, panlong = two_districts
    c = _client(city_officer)
    by_site = c.get(reverse("regulation:finding_list"), {"site": panlong.site_id}).content.decode()
    assert panlong.code in by_site and wuhua.code not in by_site
    rows = _api(city_officer).get("/api/findings/", {"unit": wuhua.unit_id}).json()["results"]
    assert {r["subject"]["key"] for r in rows} == {wuhua.code}


def test_api_filters_and_keyset_pages(city_officer):
    for _ in range(5):
        f.SystemFactory(retention_days=1, reserved_interface=None)
    services.scan(actor=None, as_of=AS_OF)
    c = _api(city_officer)
    page = c.get("/api/findings/", {"clause": "art_13__para_1", "outcome": "undetermined", "page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    seen = [r["id"] for r in page["results"]]
    while page["next"]:
        page = c.get(page["next"]).json()
        seen += [r["id"] for r in page["results"]]
    assert len(seen) == len(set(seen)) == 5
    first = c.get(f"/api/findings/{seen[0]}/").json()
    assert first["sanction"]["article"] is None and first["status"] == "open"


def test_api_packs_list_and_detail(unit_user):
    c = _api(unit_user)
    assert KUNMING in {p["id"] for p in c.get("/api/packs/").json()}
    doc = c.get(f"/api/packs/{KUNMING}/").json()
    assert len(doc["clauses"]) == 60 and doc["effective_from"] == "2013-01-01"
    assert doc["sanctions"]["art_24"]["fines"][1] == {"target": "unit", "unit_kind": "business", "min": 5000, "max": 20000}
    assert c.get("/api/packs/no-such-pack/").status_code == 404


def test_api_packs_answers_have_the_shape_the_schema_declares(unit_user):
    from jifang.regulation.api.serializers import PackClauseSerializer, PackDetailSerializer, PackSerializer

    c = _api(unit_user)
    for summary in c.get("/api/packs/").json():
        assert set(summary) == set(PackSerializer().fields)
        doc = c.get(f"/api/packs/{summary['id']}/").json()
        assert set(doc) == set(PackDetailSerializer().fields)
        assert {frozenset(x) for x in doc["clauses"]} == {frozenset(PackClauseSerializer().fields)}


def test_law_page_counts_open_findings_the_viewer_may_see_in_one_query(two_districts, wuhua_officer,
                                                                         django_assert_max_num_queries):
    f.SiteFactory(art6_point=7, unit=f.UnitFactory(district_id="530103"))
    services.scan(actor=None, as_of=AS_OF + dt.timedelta(days=1))
    c = _client(wuhua_officer)
    c.get(reverse("regulation:law"))  # warm the session and pack cache
    with django_assert_max_num_queries(4):  # session, user, units of the user, the one aggregate
        html = c.get(reverse("regulation:law")).content.decode()
    assert 'data-testid="open-art_19__para_1"' in html
    assert 'data-testid="open-art_6__para_1__point_7"' not in html  # Panlong's, not the viewer's
    assert "第二十七条" in html and html.count('data-testid="clause-') == 60


def test_scan_action_for_police_only(two_districts, wuhua_officer, unit_user):
    m.SecuritySystem.objects.filter(pk=two_districts[0].pk).update(retention_days=30)
    assert _client(unit_user).post(reverse("regulation:scan")).status_code == 403
    response = _client(wuhua_officer).post(reverse("regulation:scan"), {"as_of": "2026-06-02"})
    assert response.status_code == 302
    statuses = dict(Finding.objects.filter(rule_id="art19-retention-below-minimum").values_list("subject_key", "status"))
    # the Wuhua officer's run resolved Wuhua's finding and left Panlong's alone
    assert statuses == {two_districts[0].code: "resolved", two_districts[1].code: "open"}


def test_unfiltered_findings_page_renders_with_pack_choices(two_districts, city_officer):
    html = _client(city_officer).get(reverse("regulation:finding_list")).content.decode()
    assert '<option value="art_19__para_1">第十九条</option>' in html and two_districts[0].code in html
    assert "art19-retention-below-minimum</option>" not in html  # rules by their titles, not their ids


def test_law_page_of_an_unknown_pack_is_404(city_officer):
    assert _client(city_officer).get("/regulation/packs/no-such-pack/").status_code == 404


def _headers(html: str, testid: str) -> list[str]:
    import re

    table = html[html.index(f'data-testid="{testid}"'):]
    table = table[:table.index("</table>")]
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]


def test_findings_list_and_detail_headers_are_chinese(two_districts, wuhua_officer):
    """Every column of the findings list and every label of a finding's page reads in Chinese: the
    finding's district, unit, site and firm carry their own verbose names (not the raw field names)."""
    import re

    client = _client(wuhua_officer)
    headers = _headers(client.get(reverse("regulation:finding_list")).content.decode(), "object-table")
    assert "辖区" in headers and "场所" in headers
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in headers), headers
    finding = Finding.objects.get(subject_key=two_districts[0].code, rule_id="art19-retention-below-minimum")
    page = client.get(finding.get_absolute_url()).content.decode()
    labels = [re.sub(r"<[^>]+>", "", th).strip()
              for th in re.findall(r'<th class="text-muted fw-normal">(.*?)</th>', page, re.S)]
    assert {"辖区", "单位", "场所", "技防企业"} <= set(labels), labels
    assert not {"district", "unit", "site", "firm"} & set(labels)
    english = _client(wuhua_officer).get(reverse("regulation:finding_list"), headers={"accept-language": "en"})
    assert {"district", "site"} <= set(_headers(english.content.decode(), "object-table"))


@pytest.mark.clause("art_19__para_1")
def test_findings_list_cites_the_clause_as_officials_write_it(two_districts, wuhua_officer):
    finding = Finding.objects.get(subject_key=two_districts[0].code, rule_id="art19-retention-below-minimum")
    html = _client(wuhua_officer).get(reverse("regulation:finding_list")).content.decode()
    table = html[html.index('data-testid="object-table"'):]
    row = table[table.index(finding.get_absolute_url()):]
    row = row[:row.index("</tr>")]
    assert finding.clause_label.startswith("第十九条") and f'<td class="text-nowrap">{finding.clause_label}</td>' in row
    assert "art_19__para_1" not in row


@pytest.mark.parametrize("who, violations", [("city_officer", 2), ("wuhua_officer", 1), ("panlong_officer", 1),
                                             ("unit_user", 1), ("firm_user", 1)])
def test_home_page_findings_panel_counts_what_the_viewer_may_see(request, two_districts, who, violations):
    user = request.getfixturevalue(who)
    html = _client(user).get("/").content.decode()
    panel = html[html.index('data-testid="findings-panel"'):]
    assert f'data-figure="violations">{violations}<' in panel
    assert 'data-clause="art_19__para_1"' in panel and "第十九条" in panel
    assert "最近一次扫描截至" in panel


def test_home_page_findings_panel_costs_the_same_queries_with_more_findings(two_districts, wuhua_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(wuhua_officer)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    site = two_districts[0].site
    for _ in range(10):
        f.SystemFactory(retention_days=3, site=site)
        f.SiteFactory(unit=site.unit, art6_point=2)
    services.scan(actor=None, as_of=AS_OF + dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        html = client.get("/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert 'data-figure="violations">21<' in html


def test_a_findings_facts_read_as_the_registry_labels_them(two_districts, wuhua_officer):
    finding = Finding.objects.get(subject_key=two_districts[0].code, rule_id="art19-retention-below-minimum")
    html = _client(wuhua_officer).get(finding.get_absolute_url()).content.decode()
    facts = html[html.index('data-testid="facts"'):]
    facts = facts[:facts.index("</table>")]
    retention = facts[facts.index('data-fact="retention_days"'):]
    assert str(m.SecuritySystem._meta.get_field("retention_days").verbose_name) in retention
    assert "<td>5</td>" in retention[:retention.index("</tr>")]
    kind = facts[facts.index('data-fact="unit_kind"'):]
    assert "单位性质" in kind and str(m.UnitKind(two_districts[0].site.unit.kind).label) in kind[:kind.index("</tr>")]


def test_home_and_the_law_page_count_findings_the_same_way(two_districts, city_officer):
    from jifang.regulation import selectors

    f.SystemFactory(retention_days=None, site=f.SiteFactory())  # an undetermined finding: not a violation
    services.scan(actor=city_officer, as_of=AS_OF)
    assert Finding.objects.filter(status="open", outcome="undetermined").exists()
    home = selectors.home_figures(city_officer)
    law = selectors.open_counts_by_clause(city_officer, KUNMING)
    national = selectors.open_counts_by_clause(city_officer, NATIONAL)
    assert sum(law.values()) + sum(national.values()) == home["violations"]
    by_pack = {KUNMING: law, NATIONAL: national}
    assert all(by_pack[c["pack"]][c["id"]] == c["n"] for c in home["top_clauses"])
    page = _client(city_officer).get(reverse("regulation:law")).content.decode()
    assert f"{law['art_19__para_1']} 项未结违规" in page or f"{law['art_19__para_1']} open violation" in page


@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1")
@pytest.mark.clause("art_7__para_1")
def test_the_site_page_shows_both_laws_findings_side_by_side_the_higher_law_marked(wuhua_officer, panlong_officer):
    system = f.SystemFactory(public_video_class="", site=f.SiteFactory(unit=f.UnitFactory(district_id="530102")))
    part = f.SitePartFactory(site=system.site, area_kind=m.AreaKind.HOTEL_ROOM, name="三楼客房")
    f.DeviceFactory(system=system, part=part)
    services.scan(actor=None, as_of=AS_OF)
    html = _client(wuhua_officer).get(reverse("registry:site_detail", args=[system.site.pk])).content.decode()
    group = html[html.index('data-testid="site-finding-group"'):]
    assert group.count('data-testid="site-finding"') == 2
    national = group.index(f'data-pack="{NATIONAL}"')
    assert national < group.index(f'data-pack="{KUNMING}"')       # the higher law first
    assert group.count('data-testid="higher-law"') == 1 and group.index('data-testid="higher-law"') > national
    assert "国务院令第799号 第八条第一款第一项" in group and "昆明市人民政府令第116号 第七条" in group
    assert "没收相关设备设施" in group and "删除所收集的视频图像信息" in group and "上位法，优先适用" in group
    assert "10000元以上20000元以下" in group and "2000元以上5000元以下" in group
    assert "o799-" not in html and "art_8__" not in html and "confiscate_equipment" not in html
    # another district's officer sees neither the site nor its findings
    assert _client(panlong_officer).get(reverse("registry:site_detail", args=[system.site.pk])).status_code == 404


def test_the_law_page_lists_both_packs_and_each_with_its_own_labels(city_officer):
    client = _client(city_officer)
    page = client.get(reverse("regulation:law")).content.decode()
    assert page.count('data-testid="pack-tab"') == 2 and "公共安全视频图像信息系统管理条例" in page
    national = client.get(reverse("regulation:pack", args=[NATIONAL])).content.decode()
    assert "第八条第一款第一项" in national and "行政法规 · " in national and "地方政府规章" in national
    assert "20000元以下" in national and "拒不改正的： 没收相关设备设施" in national and "警告" in national
    assert "第十三条" in national and "第十三条第一款" not in national   # its art. 13 has one paragraph


def test_findings_filter_by_pack(city_officer):
    f.SystemFactory(retention_days=20, public_video_class="")
    services.scan(actor=None, as_of=AS_OF)
    client = _client(city_officer)
    def table(params):
        html = client.get(reverse("regulation:finding_list"), params).content.decode()
        return html[html.index('data-testid="object-table"'):]

    national = table({"pack": NATIONAL})
    assert "视频图像信息保存时间少于30日" in national and "录像留存时间少于规定天数" not in national
    kunming = table({"pack": KUNMING})
    assert "录像留存时间少于规定天数" in kunming and "视频图像信息保存时间少于30日" not in kunming
    api = client.get("/api/findings/", {"pack": NATIONAL}).json()
    rows = api["results"] if isinstance(api, dict) else api
    assert rows and {r["pack"]["id"] for r in rows} == {NATIONAL}
