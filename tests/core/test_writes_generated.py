"""Generated: every writable field of every model written through the generic paths, for every role,
through the API, the edit form and the import, compared with the model's `writes` declaration
(core/writes.py) and its scope.

For each (model, path) the test walks the model's editable fields; for each field it picks new
values (for a field whose values belong to different tiers, one per tier: a system's status
"accepted" and another), and for each role tries to change the one field of one row the role can
see. Expected: the change lands exactly when the role may write the row (scoping.can_write, before
and after the change) and the declaration lets its role write that value by that path (the import
lets administrators and the console load procedure facts as history). Every attempt runs in a
savepoint that is rolled back, so each starts from the same world. A mismatch is listed as
model.field=value role path: expected/got.
"""
import datetime as dt
import json

import pytest
from django.db import transaction
from django.db.models import ForeignKey
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from jifang.accounts.models import Division
from jifang.core import writes
from jifang.core.dataset import dataset_import
from jifang.core.scoping import can_write, visible
from jifang.registry import models as m
from jifang.works import models as wm

from .. import factories as f

pytestmark = pytest.mark.django_db

ROLES = ("admin_user", "city_officer", "wuhua_officer", "department_officer", "unit_user", "firm_user")
SKIP = {"id", "created_at", "updated_at"}
NEW_DATE = dt.date(2024, 1, 2)


@pytest.fixture
def world(wuhua_unit, firm, unit_user, firm_user):
    """One Wuhua chain owned by `wuhua_unit`, maintained by `firm`, with a registered works; and a
    second site, unit, system, part and product, so that references have somewhere to point."""
    other_unit = f.UnitFactory(district_id="530102", name="五华另一单位")
    # a designation on file, so that point 10 is a valid value (Site.clean asks for one)
    site = f.SiteFactory(unit=wuhua_unit, district_id="530102", art6_point=5, designation_number="五公技指〔2025〕9号",
                         designation_date=dt.date(2025, 3, 1))
    f.SiteFactory(unit=wuhua_unit, district_id="530102", code="S-OTHER")
    part = f.SitePartFactory(site=site, name="大门")
    f.SitePartFactory(site=site, name="金库")
    system = f.SystemFactory(site=site, firm=firm, status="planned", acceptance_result="", acceptance_date=None,
                             reserved_interface=None, police_connected=False, retention_days=30)
    f.SystemFactory(site=site, firm=firm, code="SYS-OTHER")
    product = f.ProductFactory()
    f.ProductFactory()
    device = f.DeviceFactory(system=system, part=part, product=product)
    works = wm.Works.objects.create(
        code="GC-GEN-1", name="生成测试工程", kind="new", system=system, site=site, unit=wuhua_unit,
        district_id="530102", builder=wuhua_unit, firm=firm, registered_on=dt.date(2023, 1, 1))
    return {m.Unit: wuhua_unit, m.Firm: firm, m.Product: product, m.Site: site, m.SitePart: part,
            m.SecuritySystem: system, m.Device: device, wm.Works: works, "other_unit": other_unit}


CASES = [  # model, API endpoint, UI url name, import sheet
    (m.Unit, "units", "registry:unit_edit", "units"),
    (m.Firm, "firms", "registry:firm_edit", "firms"),
    (m.Product, "products", "registry:product_edit", "products"),
    (m.Site, "sites", "registry:site_edit", "sites"),
    (m.SitePart, "site-parts", "registry:sitepart_edit", "site_parts"),
    (m.SecuritySystem, "systems", "registry:securitysystem_edit", "systems"),
    (m.Device, "devices", "registry:device_edit", "devices"),
    (wm.Works, "works", "works:works_edit", "works"),
]
PATHS = ("api", "form", "import")


def editable_fields(model):
    return [fld for fld in model._meta.concrete_fields if fld.editable and fld.name not in SKIP]


def _text(fld, current):
    special = {"credit_code": f.credit_code("530102"), "gb28181_id": "53010200001320000099",
               "code": "NEW-CODE-1", "serial": "NEW-SN-1", "dc09_account": "9876", "model": "NEW-MODEL"}
    if fld.name in special:
        return special[fld.name]
    return (f"{current or ''}改")[: fld.max_length]


def candidates(user, obj, fld) -> list:
    """New values for `fld` on `obj`, as Python values (model instances for references)."""
    model, current = type(obj), getattr(obj, fld.name)
    rule = writes.declaration(model).rule(fld.name, creating=False)
    if fld.choices:
        values = [v for v, _ in fld.flatchoices if v not in ("", None) and v != current]
        if isinstance(rule, writes.ByValue):
            reserved = [v for v in rule.values if v != current]
            plain = [v for v in values if v not in rule.values and v not in ("in_use",)]
            return reserved + plain[:1]
        return values[:1]
    if isinstance(fld, ForeignKey):
        target = fld.related_model
        if target is Division:
            return [Division.objects.get(code="530103" if current and current.code == "530102" else "530102")]
        other = visible(user, target).exclude(pk=getattr(obj, fld.attname)).order_by("pk").first()
        return [other] if other is not None else []
    kind = fld.get_internal_type()
    if kind == "BooleanField":
        return [not current] if not fld.null else [True if current is not True else False]
    if kind == "DateField":
        return [NEW_DATE]
    if kind in ("PositiveIntegerField", "PositiveSmallIntegerField", "IntegerField"):
        return [(current or 0) + 7]
    if kind in ("CharField", "TextField"):
        return [_text(fld, current)]
    return []


def _plain(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def stored(obj, fld):
    return type(obj)._default_manager.filter(pk=obj.pk).values_list(fld.attname, flat=True).get()


def _natural(value, fld):
    target = fld.related_model
    if target is Division:
        return value.code
    keys = getattr(target, "natural_key_fields", ())
    return getattr(value, keys[0]) if len(keys) == 1 else value.pk


def via_api(user, endpoint, obj, fld, value):
    client = APIClient()
    client.force_authenticate(user)
    return client.patch(f"/api/{endpoint}/{obj.pk}/", {fld.name: _plain(value)}, format="json").status_code


def via_import(user, sheet, obj, fld, value):
    row = {"id": obj.pk}
    if isinstance(fld, ForeignKey):
        if fld.related_model is m.Product:
            row |= {"product": value.brand, "product_model": value.model}
        elif fld.related_model is m.SitePart:
            row["part"] = value.name
        else:
            row[fld.name] = _natural(value, fld)
    else:
        row[fld.name] = _plain(value)
    doc = {"format": "jifang-dataset", "version": 1, "sheets": {sheet: [row]}}
    return dataset_import(actor=user, data=json.dumps(doc).encode())


def _form_value(form, name):
    bound = form[name]
    value = bound.value()
    widget = form.fields[name].widget
    if widget.__class__.__name__ == "NullBooleanSelect":
        return {True: "true", False: "false"}.get(value, "unknown")
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def form_of(client, url_name, obj):
    """The edit page's form as the user gets it (None: the page is refused)."""
    page = client.get(reverse(url_name, args=[obj.pk]))
    return page.context["form"] if page.status_code == 200 else None


def via_form(client, url_name, form, obj, fld, value):
    url = reverse(url_name, args=[obj.pk])
    if form is None:
        return client.post(url, {fld.name: _plain(value)}).status_code
    data = {name: _form_value(form, name) for name in form.fields}
    field = form.fields.get(fld.name)
    if isinstance(value, bool) and (field is None or field.widget.__class__.__name__ == "CheckboxInput"):
        new = "on" if value else None
    elif hasattr(value, "pk"):
        to_field = getattr(field, "to_field_name", None) if field is not None else None
        new = getattr(value, to_field) if to_field else value.pk
    else:
        new = {True: "true", False: "false"}.get(value, value) if field is not None and \
            field.widget.__class__.__name__ == "NullBooleanSelect" else _plain(value)
    data[fld.name] = new  # offered or not: a value slipped in must change nothing it may not
    return client.post(url, {k: v for k, v in data.items() if v is not None}).status_code


def in_scope_after(user, obj, fld, value) -> bool:
    """May the user still write the row once the field holds `value` (a site moved to Panlong)?"""
    sid = transaction.savepoint_create()
    try:
        type(obj)._default_manager.filter(pk=obj.pk).update(**{fld.attname: _plain(value)})
        return can_write(user, type(obj), type(obj)._default_manager.get(pk=obj.pk))
    finally:
        transaction.savepoint_rollback(sid)


def expected(user, obj, fld, value, path, writable: bool) -> bool:
    tier = writes.tier_of(type(obj), fld.name, _plain(value), creating=False)
    if not (writable and writes.role_may(user.role, tier, history=path == "import")):
        return False
    # only a reference can carry the row out of the user's area (a site moved to Panlong)
    return not isinstance(fld, ForeignKey) or in_scope_after(user, obj, fld, value)


def _equal(got, value) -> bool:
    return got == _plain(value) or (isinstance(value, dt.date) and got == value)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES, ids=[c[0].__name__ for c in CASES])
def test_every_field_every_role_every_path_obeys_the_declaration(request, world, case, path):
    model, endpoint, url_name, sheet = case
    obj = world[model]
    mismatches, tried = [], 0
    for role in ROLES:
        user = request.getfixturevalue(role)
        client = Client()
        client.force_login(user)
        writable = can_write(user, model, obj)
        form = form_of(client, url_name, obj) if path == "form" else None
        for fld in editable_fields(model):
            for value in candidates(user, obj, fld):
                want = expected(user, obj, fld, value, path, writable)
                sid = transaction.savepoint_create()
                try:
                    if path == "api":
                        status = via_api(user, endpoint, obj, fld, value)
                    elif path == "form":
                        status = via_form(client, url_name, form, obj, fld, value)
                    else:
                        status = via_import(user, sheet, obj, fld, value).ok
                    got = _equal(stored(obj, fld), value)
                finally:
                    transaction.savepoint_rollback(sid)
                tried += 1
                assert status != 500, (fld.name, role, path)
                if got != want:
                    mismatches.append(f"{model.__name__}.{fld.name}={_plain(value)!r} {role} {path}: "
                                      f"expected {'written' if want else 'refused'}, got "
                                      f"{'written' if got else 'refused'} ({status})")
    assert tried > len(ROLES)
    assert not mismatches, "\n".join(mismatches)
