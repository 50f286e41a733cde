"""Edit pages as people use them: police-only fields, "add here" prefill, values outside the user's
scope kept, the change history on detail pages."""
import pytest
from django.urls import reverse

from jifang.registry import services
from jifang.registry.models import Device, SecuritySystem

from .. import factories as f
from .test_ui_generated import form_post_data, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(wuhua_unit):
    return f.SiteFactory(unit=wuhua_unit, name="五华支行", art6_point=5)


def form_fields(client, target) -> set[str]:
    return set(client.get(target).context["form"].fields)


def test_police_only_fields_are_not_offered_to_a_unit_user(client, site, unit_user, wuhua_officer):
    edit = reverse("registry:site_edit", args=[site.pk])
    client.force_login(unit_user)
    assert {"art6_point", "unit", "district", "designation_number"}.isdisjoint(form_fields(client, edit))
    client.force_login(wuhua_officer)
    assert {"art6_point", "unit", "district", "designation_number"} <= form_fields(client, edit)


def test_a_unit_user_cannot_slip_a_police_only_value_in(client, site, unit_user):
    client.force_login(unit_user)
    edit = reverse("registry:site_edit", args=[site.pk])
    data = form_post_data(client.get(edit), {"address": "翠湖南路1号", "art6_point": "", "unit": "999"})
    assert client.post(edit, data).status_code == 302
    site.refresh_from_db()
    assert (site.address, site.art6_point, site.unit_id) == ("翠湖南路1号", 5, site.unit_id)


def test_on_a_new_unit_the_kind_is_left_to_its_default_for_non_police(wuhua_unit, unit_user):
    from jifang.registry.forms import UnitForm

    form = UnitForm(instance=None, user=unit_user)
    # kind has a default (unknown), so it is hidden; credit code and district are required: kept
    assert "kind" not in form.fields and {"credit_code", "district"} <= set(form.fields)


def test_add_device_from_a_system_page_points_at_that_system(client, site, unit_user):
    system = f.SystemFactory(site=site)
    client.force_login(unit_user)
    detail = client.get(reverse("registry:securitysystem_detail", args=[system.pk])).content.decode()
    link = f'{reverse("registry:device_add")}?system={system.pk}'
    assert link in detail
    form = client.get(link).context["form"]
    assert form.initial["system"] == system.pk


def test_add_device_from_a_site_offers_only_that_sites_systems_and_parts(client, site, wuhua_unit, unit_user):
    system = f.SystemFactory(site=site)
    part = f.SitePartFactory(site=site, name="营业厅")
    elsewhere = f.SiteFactory(unit=wuhua_unit)
    f.SystemFactory(site=elsewhere)
    f.SitePartFactory(site=elsewhere)
    client.force_login(unit_user)
    form = client.get(f'{reverse("registry:device_add")}?site={site.pk}').context["form"]
    assert list(form.fields["system"].queryset) == [system]
    assert list(form.fields["part"].queryset) == [part]
    assert form.initial["system"] == system.pk  # the site's only system is chosen already


def test_add_device_from_a_part_then_save(client, site, unit_user):
    system = f.SystemFactory(site=site)
    part = f.SitePartFactory(site=site, name="金库")
    client.force_login(unit_user)
    target = f'{reverse("registry:device_add")}?part={part.pk}'
    page = client.get(target)
    assert page.context["form"].initial == {"part": part.pk, "system": system.pk}
    response = client.post(target, form_post_data(page, {"serial": "VAULT-CAM-1", "kind": "camera"}))
    assert response.status_code == 302
    device = Device.objects.get(serial="VAULT-CAM-1")
    assert (device.system_id, device.part_id, device.site_id) == (system.pk, part.pk, site.pk)


def test_prefill_ignores_a_row_outside_scope(client, unit_user, panlong_unit):
    theirs = f.SystemFactory(site=f.SiteFactory(unit=panlong_unit))
    client.force_login(unit_user)
    form = client.get(f'{reverse("registry:device_add")}?system={theirs.pk}').context["form"]
    assert "system" not in form.initial


def test_editing_keeps_a_related_value_the_user_cannot_see(client, site, unit_user, panlong_unit):
    """The investor is another unit: it is not among the unit user's choices, yet saving the form
    must not clear it."""
    system = f.SystemFactory(site=site, investor=panlong_unit, status="planned")
    client.force_login(unit_user)
    edit = reverse("registry:securitysystem_edit", args=[system.pk])
    page = client.get(edit)
    assert client.post(edit, form_post_data(page, {"retention_days": "45"})).status_code == 302
    system.refresh_from_db()
    assert (system.investor_id, system.retention_days) == (panlong_unit.pk, 45)
    # and the user still cannot pick other units they cannot see
    assert set(page.context["form"].fields["investor"].queryset) == {site.unit, panlong_unit}


def test_a_refusal_from_the_service_lands_on_the_form(client, site, unit_user):
    system = f.SystemFactory(site=site, status="planned", acceptance_result="")
    client.force_login(unit_user)
    edit = reverse("registry:securitysystem_edit", args=[system.pk])
    response = client.post(edit, form_post_data(client.get(edit), {"status": "in_use"}))
    assert response.status_code == 200
    assert "第十四条第二款" in section(response, "form-errors", "</div>")
    assert SecuritySystem.objects.get(pk=system.pk).status == "planned"


def test_detail_shows_the_change_history_with_labels(client, site, wuhua_officer):
    services.site_update(actor=wuhua_officer, site=site, name="五华支行营业部", art6_point=8)
    client.force_login(wuhua_officer)
    history = section(client.get(reverse("registry:site_detail", args=[site.pk])), "history", "</table>")
    assert "五华支行 → 五华支行营业部" in history
    assert "wuhua" in history
    # choice values are shown by their labels, not their codes
    assert "（五）" in history and "（八）" in history


def test_history_of_one_object_does_not_show_anothers(client, wuhua_unit, wuhua_officer):
    a, b = f.SiteFactory(unit=wuhua_unit, name="甲"), f.SiteFactory(unit=wuhua_unit, name="乙")
    services.site_update(actor=wuhua_officer, site=b, name="乙二")
    client.force_login(wuhua_officer)
    history = section(client.get(reverse("registry:site_detail", args=[a.pk])), "history", "</table>")
    assert "乙二" not in history


def test_unset_filters_read_any(client, city_officer):
    client.force_login(city_officer)
    filters = section(client.get(reverse("registry:securitysystem_list")), "filters", "</form>")
    assert filters.count('<option value="" selected>不限</option>') >= 2  # 辖区, 状态
    assert '<option value="unknown" selected>不限</option>' in filters  # yes/no filters
    assert "---------" not in filters and "未知" not in filters


def test_unit_user_adds_a_part_from_the_site_page(client, site, unit_user):
    from jifang.registry.models import SitePart

    client.force_login(unit_user)
    detail = client.get(reverse("registry:site_detail", args=[site.pk])).content.decode()
    link = f'{reverse("registry:sitepart_add")}?site={site.pk}'
    assert link in detail
    page = client.get(link)
    assert page.context["form"].initial == {"site": site.pk}
    assert client.post(link, form_post_data(page, {"name": "二楼更衣室", "area_kind": "changing_room"})).status_code == 302
    part = SitePart.objects.get(site=site, name="二楼更衣室")
    assert part.is_private
