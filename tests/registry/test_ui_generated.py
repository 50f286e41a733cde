"""Generated UI tests for every registry model (NetBox style): one table says, per model, how to make
"ours" (Wuhua, unit `wuhua_unit`, firm `firm`) and "theirs" (Panlong, another unit, another firm),
which URL names its pages have and how to recognise a row; the tests below run over the table.

Roles: anonymous -> login; no role -> nothing; city officer -> everything works; district officer,
unit user and firm user -> their rows only (404 on others' detail and edit, absent from lists,
search and home counts)."""
import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from jifang.core.roles import Role
from jifang.core.models import AuditEntry
from jifang.registry import models as m

from .. import factories as f

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    model: type
    url: str                     # registry:<url>_list / _detail / _add / _edit
    label: str                   # the field whose value identifies a row on a page
    public: bool = False         # firm directory and product catalogue: every role reads them
    add: dict = field(default_factory=dict)  # extra POST fields for "add" (besides the form's defaults)
    search: bool = False         # found by the search box


CASES = [
    Case(m.Unit, "unit", "name", search=True,
         add={"name": "新增测试单位", "credit_code": f.credit_code("530102"), "kind": "business", "district": "530102"}),
    Case(m.Firm, "firm", "name", public=True,
         add={"name": "新增安防公司", "credit_code": f.credit_code("530103"), "district": "530103"}),
    Case(m.Product, "product", "model", public=True,
         add={"brand": "大华", "model": "DH-NEW-1", "product_type": "camera"}),
    Case(m.Site, "site", "name", search=True,
         add={"code": "S-NEW-1", "name": "新增场所", "district": "530102", "art6_point": "5"}),
    Case(m.SitePart, "sitepart", "name", add={"name": "新增部位", "area_kind": "entrance"}),
    Case(m.SecuritySystem, "securitysystem", "name",
         add={"code": "SYS-NEW-1", "name": "新增系统", "status": "planned"}),
    Case(m.Device, "device", "serial", search=True, add={"serial": "SN-NEW-1", "kind": "camera", "status": "active"}),
]
IDS = [c.url for c in CASES]


@pytest.fixture
def world(wuhua_unit, panlong_unit, firm):
    """Two complete chains: ours in Wuhua (maintained by `firm`), theirs in Panlong (another firm)."""
    other_firm = f.FirmFactory(district_id="530103", name="盘龙另一家安防公司")
    objs = {}
    for side, unit, firm_ in (("ours", wuhua_unit, firm), ("theirs", panlong_unit, other_firm)):
        site = f.SiteFactory(unit=unit, name=f"{side}场所")
        part = f.SitePartFactory(site=site, name=f"{side}部位")
        system = f.SystemFactory(site=site, firm=firm_, name=f"{side}系统")
        device = f.DeviceFactory(system=system, part=part, serial=f"{side.upper()}-SN-1",
                                 product=f.ProductFactory(model=f"{side}-model"))
        objs[side] = {m.Unit: unit, m.Firm: firm_, m.Product: device.product, m.Site: site, m.SitePart: part,
                      m.SecuritySystem: system, m.Device: device}
    return objs


def text_of(obj, case: Case) -> str:
    return str(getattr(obj, case.label))


def url(case: Case, page: str, obj=None) -> str:
    return reverse(f"registry:{case.url}_{page}", args=[obj.pk] if obj is not None else [])


def section(response, testid: str, end: str) -> str:
    """One part of a page: the search boxes echo what was typed, so look at the results only."""
    html = response.content.decode()
    start = html.index(f'data-testid="{testid}"')
    return html[start:html.index(end, start)]


def table(response) -> str:
    return section(response, "object-table", "</table>")


def form_post_data(response, overrides: dict) -> dict:
    """The values the rendered form would submit as it stands (so a test edits like a person)."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = "" if value is None else value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not False}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_anonymous_is_sent_to_sign_in(client, world, case):
    obj = world["ours"][case.model]
    for target in (url(case, "list"), url(case, "add"), url(case, "detail", obj), url(case, "edit", obj)):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), target


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_user_without_role_sees_nothing(client, world, case):
    client.force_login(f.UserFactory(role="", division_id="530100"))
    page = table(client.get(url(case, "list")))
    for side in ("ours", "theirs"):
        assert text_of(world[side][case.model], case) not in page
    obj = world["ours"][case.model]
    assert client.get(url(case, "detail", obj)).status_code == 404
    assert client.get(url(case, "edit", obj)).status_code == 404
    assert client.get(url(case, "add")).status_code == 403


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_city_officer_lists_opens_adds_and_edits(client, world, city_officer, case):
    client.force_login(city_officer)
    page = table(client.get(url(case, "list")))
    assert all(text_of(world[side][case.model], case) in page for side in ("ours", "theirs"))
    obj = world["theirs"][case.model]
    detail = client.get(url(case, "detail", obj))
    assert detail.status_code == 200 and text_of(obj, case) in detail.content.decode()

    # add: the form opened from the parent object ("add here") is filled in like a person would
    parent = {m.SitePart: ("site", m.Site), m.SecuritySystem: ("site", m.Site), m.Device: ("system", m.SecuritySystem),
              m.Site: ("unit", m.Unit)}.get(case.model)
    query = f"?{parent[0]}={world['ours'][parent[1]].pk}" if parent else ""
    form_page = client.get(url(case, "add") + query)
    assert form_page.status_code == 200
    response = client.post(url(case, "add") + query, form_post_data(form_page, case.add))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    created = case.model.objects.get(**{case.label: case.add[case.label]})
    assert AuditEntry.objects.filter(object_type=case.model._meta.label_lower, object_id=str(created.pk),
                                     action__endswith=".create").exists()

    edit_page = client.get(url(case, "edit", obj))
    new_label = f"{text_of(obj, case)}-改"
    response = client.post(url(case, "edit", obj), form_post_data(edit_page, {case.label: new_label}))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    obj.refresh_from_db()
    assert text_of(obj, case) == new_label


SCOPED_VIEWERS = ["wuhua_officer", "unit_user", "firm_user", "department_officer"]


@pytest.mark.parametrize("viewer", SCOPED_VIEWERS)
@pytest.mark.parametrize("case", [c for c in CASES if not c.public], ids=[c.url for c in CASES if not c.public])
def test_scoped_user_sees_only_their_own(client, world, request, viewer, case):
    client.force_login(request.getfixturevalue(viewer))
    ours, theirs = world["ours"][case.model], world["theirs"][case.model]
    page = table(client.get(url(case, "list")))
    assert text_of(ours, case) in page and text_of(theirs, case) not in page
    assert client.get(url(case, "detail", ours)).status_code == 200
    assert client.get(url(case, "detail", theirs)).status_code == 404
    assert client.get(url(case, "edit", theirs)).status_code == 404
    # a filter naming the other side's row finds nothing either
    assert text_of(theirs, case) not in table(client.get(url(case, "list"), {"q": text_of(theirs, case)}))


@pytest.mark.parametrize("viewer", SCOPED_VIEWERS)
@pytest.mark.parametrize("case", [c for c in CASES if c.search], ids=[c.url for c in CASES if c.search])
def test_search_finds_only_what_the_user_may_see(client, world, request, viewer, case):
    client.force_login(request.getfixturevalue(viewer))
    ours, theirs = world["ours"][case.model], world["theirs"][case.model]
    results = f"results-{case.url}s"

    def found(text):
        return section(client.get(reverse("search"), {"q": text}), results, "</ul>")

    assert text_of(ours, case) in found(text_of(ours, case))
    assert text_of(theirs, case) not in found(text_of(theirs, case))


@pytest.mark.parametrize("viewer,expected", [("city_officer", 2), ("wuhua_officer", 1), ("unit_user", 1),
                                             ("firm_user", 1), ("department_officer", 1)])
def test_home_counts_only_what_the_user_may_see(client, world, request, viewer, expected):
    client.force_login(request.getfixturevalue(viewer))
    page = client.get(reverse("home")).content.decode()
    for key in ("units", "sites", "systems", "devices"):
        shown = re.search(rf'data-count="{key}">([\d,]+)<', page).group(1)
        assert int(shown.replace(",", "")) == expected, key


@pytest.mark.parametrize("case", [c for c in CASES if c.public], ids=[c.url for c in CASES if c.public])
def test_public_directories_are_read_by_all_but_changed_by_few(client, world, unit_user, case):
    client.force_login(unit_user)
    theirs = world["theirs"][case.model]
    assert client.get(url(case, "detail", theirs)).status_code == 200
    assert client.get(url(case, "edit", theirs)).status_code == 403
    assert client.get(url(case, "add")).status_code == 403


@pytest.mark.parametrize("case", [c for c in CASES if c.model in (m.Unit, m.Firm)], ids=["unit", "firm"])
def test_unit_and_firm_users_edit_their_own_record_but_register_none(client, world, request, case):
    user = request.getfixturevalue("unit_user" if case.model is m.Unit else "firm_user")
    client.force_login(user)
    assert client.get(url(case, "add")).status_code == 403
    assert 'data-testid="add"' not in client.get(url(case, "list")).content.decode()
    ours = world["ours"][case.model]
    edit_page = client.get(url(case, "edit", ours))
    assert edit_page.status_code == 200
    assert client.post(url(case, "edit", ours), form_post_data(edit_page, {"address": "昆明市新地址1号"})).status_code == 302
    ours.refresh_from_db()
    assert ours.address == "昆明市新地址1号"


def test_role_with_missing_anchor_sees_nothing(client, world):
    """A unit user with no unit and a district officer anchored to the city both fail closed."""
    for user in (f.UserFactory(role=Role.UNIT_USER, division_id=None),
                 f.UserFactory(role=Role.DISTRICT_OFFICER, division_id="530100")):
        client.force_login(user)
        page = table(client.get(url(CASES[-1], "list")))
        assert "OURS-SN-1" not in page and "THEIRS-SN-1" not in page
