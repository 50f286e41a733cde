"""Registry pages: each is a declaration on the generic scoped views.

Detail pages carry "add ... here" buttons that open the add form already pointing at the object
(a device added from a system's page belongs to that system), so a unit's security manager can
record a site part and its devices without typing an id."""
from django.utils.translation import gettext_lazy as _

from jifang.core.roles import OFFICIALS, POLICE_AND_ADMIN, Role
from jifang.core.generic import Link, ObjectDetailView, ObjectEditView, ObjectListView, Related

from . import filtersets, forms, services
from . import models as m

# Case files are the police's and the unit's business; firms see none of enforcement.
CASEFILE_ROLES = OFFICIALS | {Role.UNIT_USER}


def law_links(param: str, casefile: str) -> tuple[Link, ...]:
    """A unit's or site's findings under the rule packs, and its enforcement case file."""
    return (
        Link(_("Findings"), "regulation:finding_list", query=param),
        # Advice (soft checks on the records kept) apart from violations: never a sanction.
        Link(_("Advice"), "regulation:finding_list", query=param, more="outcome=advice&status=open"),
        Link(_("Case file"), casefile, roles=CASEFILE_ROLES),
    )

# A new unit or firm would not be anchored to the unit or firm user who registered it, so only
# the police and administrators register them; their own users may then keep them up to date.

DEVICE_COLUMNS = ("serial", "name", "kind", "status", "part", "product")


def devices_here(lookup: str, param: str) -> Related:
    return Related(_("Devices"), m.Device, lookup, DEVICE_COLUMNS, "registry:device_list", param,
                   add_url="registry:device_add", add_param=param, add_label=_("Add a device here"),
                   select_related=("part__site",))


class UnitList(ObjectListView):
    model = m.Unit
    filterset_class = filtersets.UnitFilterSet
    columns = ("name", "credit_code", "kind", "district", "address", "person_in_charge_name")
    create_roles = POLICE_AND_ADMIN


class UnitDetail(ObjectDetailView):
    model = m.Unit
    links = law_links("unit", "enforcement:casefile_unit")
    fields = ("name", "credit_code", "kind", "district", "address", "contact_name", "contact_phone",
              "person_in_charge_name", "person_in_charge_phone", "person_directly_responsible_name",
              "person_directly_responsible_phone")
    related = (
        Related(_("Sites"), m.Site, "unit", ("name", "code", "art6_point", "district"), "registry:site_list", "unit",
                add_url="registry:site_add", add_param="unit", add_label=_("Add a site")),
        Related(_("Security systems"), m.SecuritySystem, "unit", ("name", "code", "site", "status", "acceptance_result"),
                "registry:securitysystem_list", "unit"),
    )


class UnitEdit(ObjectEditView):
    model = m.Unit
    form_class = forms.UnitForm
    create_service = services.unit_create
    update_service = services.unit_update
    update_kwarg = "unit"
    create_roles = POLICE_AND_ADMIN


class FirmList(ObjectListView):
    model = m.Firm
    filterset_class = filtersets.FirmFilterSet
    # art_17: registration order only; nothing here ranks or recommends a firm.
    columns = ("name", "credit_code", "district", "contact_phone", "does_design", "does_installation", "does_repair")
    create_roles = POLICE_AND_ADMIN


class FirmDetail(ObjectDetailView):
    model = m.Firm
    fields = ("name", "credit_code", "district", "address", "contact_name", "contact_phone", "does_design",
              "does_installation", "does_repair")
    related = (
        Related(_("Systems it installs or maintains"), m.SecuritySystem, "firm",
                ("name", "code", "site", "district", "status"), "registry:securitysystem_list", "firm"),
    )


class FirmEdit(ObjectEditView):
    model = m.Firm
    form_class = forms.FirmForm
    create_service = services.firm_create
    update_service = services.firm_update
    update_kwarg = "firm"
    create_roles = POLICE_AND_ADMIN


class ProductList(ObjectListView):
    model = m.Product
    filterset_class = filtersets.ProductFilterSet
    columns = ("model", "brand", "product_type", "in_catalogue", "meets_standard", "standards")


class ProductDetail(ObjectDetailView):
    model = m.Product
    fields = ("brand", "model", "product_type", "in_catalogue", "meets_standard", "standards")
    related = (
        Related(_("Devices of this product"), m.Device, "product", ("serial", "name", "site", "district", "status"),
                "registry:device_list", "product"),
    )


class ProductEdit(ObjectEditView):
    model = m.Product
    form_class = forms.ProductForm
    create_service = services.product_create
    update_service = services.product_update
    update_kwarg = "product"


class SiteList(ObjectListView):
    model = m.Site
    filterset_class = filtersets.SiteFilterSet
    columns = ("name", "code", "unit", "district", "art6_point", "address")


class SiteDetail(ObjectDetailView):
    model = m.Site
    links = law_links("site", "enforcement:casefile_site")
    # Both laws' findings side by side (order 799 beside the Kunming order), from the regulation app.
    template_name = "registry/site_detail.html"

    def extra_context(self, request, obj) -> dict:
        from jifang.regulation.selectors import findings_at_site  # the regulation app builds on the registry

        return {"site_findings": findings_at_site(request.user, obj.pk)}
    fields = ("code", "name", "unit", "district", "address", "art6_point", "designation_number", "designation_date",
              "near_secret_unit", "secret_unit_consent_on", "secret_unit_consent_ref")
    related = (
        Related(_("Parts"), m.SitePart, "site", ("name", "area_kind"), "registry:sitepart_list", "site",
                add_url="registry:sitepart_add", add_param="site", add_label=_("Add a part")),
        Related(_("Security systems"), m.SecuritySystem, "site", ("name", "code", "status", "acceptance_result",
                                                                   "retention_days"),
                "registry:securitysystem_list", "site",
                add_url="registry:securitysystem_add", add_param="site", add_label=_("Add a system")),
        devices_here("site", "site"),
    )


class SiteEdit(ObjectEditView):
    model = m.Site
    form_class = forms.SiteForm
    create_service = services.site_create
    update_service = services.site_update
    update_kwarg = "site"


class SitePartList(ObjectListView):
    model = m.SitePart
    filterset_class = filtersets.SitePartFilterSet
    columns = ("name", "site", "area_kind", "site__unit", "site__district")


class SitePartDetail(ObjectDetailView):
    model = m.SitePart
    fields = ("name", "site", "area_kind", "privacy_spot", "site__unit", "site__district")
    related = (devices_here("part", "part"),)


class SitePartEdit(ObjectEditView):
    model = m.SitePart
    form_class = forms.SitePartForm
    create_service = services.site_part_create
    update_service = services.site_part_update
    update_kwarg = "part"


class SystemList(ObjectListView):
    model = m.SecuritySystem
    filterset_class = filtersets.SystemFilterSet
    columns = ("name", "code", "site", "district", "status", "acceptance_result", "retention_days",
               "police_connected", "firm")


class SystemDetail(ObjectDetailView):
    model = m.SecuritySystem
    fields = ("code", "name", "site", "unit", "district", "investor", "builder", "operator", "firm",
              "has_intrusion_alarm", "has_audio_video", "has_access_control", "has_explosive_inspection", "status",
              "in_use_since", "acceptance_date", "acceptance_result", "acceptance_certificate", "reserved_interface",
              "police_connected", "police_connected_since", "retention_days", "is_public_area", "public_video_class")
    related = (devices_here("system", "system"),)


class SystemEdit(ObjectEditView):
    model = m.SecuritySystem
    form_class = forms.SystemForm
    create_service = services.system_create
    update_service = services.system_update
    update_kwarg = "system"


class DeviceList(ObjectListView):
    model = m.Device
    filterset_class = filtersets.DeviceFilterSet
    columns = ("serial", "name", "kind", "status", "system", "site", "part", "district", "product")
    select_related = ("part__site",)


class DeviceDetail(ObjectDetailView):
    model = m.Device
    fields = ("serial", "name", "kind", "status", "system", "site", "unit", "district", "product", "part",
              "part__area_kind", "gb28181_id", "dc09_account", "installed_on", "signage")
    select_related = ("part__site",)
    # The page with the video gateway's live status of the device (jifang.video, GB/T 28181).
    template_name = "video/device_detail.html"


class DeviceEdit(ObjectEditView):
    model = m.Device
    form_class = forms.DeviceForm
    create_service = services.device_create
    update_service = services.device_update
    update_kwarg = "device"
