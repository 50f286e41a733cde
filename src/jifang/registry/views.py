"""Registry pages: each is a declaration on the generic scoped views."""
from django.utils.translation import gettext_lazy as _

from jifang.core.generic import ObjectDetailView, ObjectEditView, ObjectListView, Related

from . import filtersets, forms, services
from . import models as m


class SiteList(ObjectListView):
    model = m.Site
    filterset_class = filtersets.SiteFilterSet
    columns = ("name", "code", "unit", "district", "art6_point", "address")


class SiteDetail(ObjectDetailView):
    model = m.Site
    fields = ("code", "name", "unit", "district", "address", "art6_point", "designation_number", "designation_date")
    related = (
        Related(_("Parts"), m.SitePart, "site", ("name", "area_kind")),
        Related(_("Security systems"), m.SecuritySystem, "site", ("name", "code", "status", "acceptance_result"),
                "registry:securitysystem_list", "site"),
        Related(_("Devices"), m.Device, "site", ("serial", "name", "kind", "status"), "registry:device_list", "site"),
    )


class SiteEdit(ObjectEditView):
    model = m.Site
    form_class = forms.SiteForm
    create_service = services.site_create
    update_service = services.site_update
    update_kwarg = "site"


class DeviceList(ObjectListView):
    model = m.Device
    filterset_class = filtersets.DeviceFilterSet
    columns = ("serial", "name", "kind", "status", "site", "district", "product")


class DeviceDetail(ObjectDetailView):
    model = m.Device
    fields = ("serial", "name", "kind", "status", "system", "site", "unit", "district", "product", "part",
              "gb28181_id", "dc09_account", "installed_on")


class DeviceEdit(ObjectEditView):
    model = m.Device
    form_class = forms.DeviceForm
    create_service = services.device_create
    update_service = services.device_update
    update_kwarg = "device"


class UnitList(ObjectListView):
    model = m.Unit
    filterset_class = filtersets.UnitFilterSet
    columns = ("name", "credit_code", "kind", "district", "address")


class UnitDetail(ObjectDetailView):
    model = m.Unit
    fields = ("name", "credit_code", "kind", "district", "address", "contact_name", "contact_phone",
              "person_in_charge_name", "person_in_charge_phone", "person_directly_responsible_name",
              "person_directly_responsible_phone")
    related = (
        Related(_("Sites"), m.Site, "unit", ("name", "code", "art6_point", "district"), "registry:site_list", "unit"),
    )


class UnitEdit(ObjectEditView):
    model = m.Unit
    form_class = forms.UnitForm
    create_service = services.unit_create
    update_service = services.unit_update
    update_kwarg = "unit"


class FirmList(ObjectListView):
    model = m.Firm
    filterset_class = filtersets.FirmFilterSet
    columns = ("name", "credit_code", "district", "does_design", "does_installation", "does_repair")


class FirmDetail(ObjectDetailView):
    model = m.Firm
    fields = ("name", "credit_code", "district", "address", "contact_name", "contact_phone", "does_design",
              "does_installation", "does_repair")


class FirmEdit(ObjectEditView):
    model = m.Firm
    form_class = forms.FirmForm
    create_service = services.firm_create
    update_service = services.firm_update
    update_kwarg = "firm"


class ProductList(ObjectListView):
    model = m.Product
    filterset_class = filtersets.ProductFilterSet
    columns = ("model", "brand", "product_type", "in_catalogue", "meets_standard", "standards")


class ProductDetail(ObjectDetailView):
    model = m.Product
    fields = ("brand", "model", "product_type", "in_catalogue", "meets_standard", "standards")


class ProductEdit(ObjectEditView):
    model = m.Product
    form_class = forms.ProductForm
    create_service = services.product_create
    update_service = services.product_update
    update_kwarg = "product"


class SitePartList(ObjectListView):
    model = m.SitePart
    filterset_class = filtersets.SitePartFilterSet
    columns = ("name", "site", "area_kind")


class SitePartDetail(ObjectDetailView):
    model = m.SitePart
    fields = ("name", "site", "area_kind")
    related = (Related(_("Devices"), m.Device, "part", ("serial", "name", "kind", "status")),)


class SitePartEdit(ObjectEditView):
    model = m.SitePart
    form_class = forms.SitePartForm
    create_service = services.site_part_create
    update_service = services.site_part_update
    update_kwarg = "part"


class SystemList(ObjectListView):
    model = m.SecuritySystem
    filterset_class = filtersets.SystemFilterSet
    columns = ("name", "code", "site", "district", "status", "acceptance_result", "retention_days")


class SystemDetail(ObjectDetailView):
    model = m.SecuritySystem
    fields = ("code", "name", "site", "unit", "district", "investor", "builder", "operator", "firm",
              "has_intrusion_alarm", "has_audio_video", "has_access_control", "has_explosive_inspection", "status",
              "in_use_since", "acceptance_date", "acceptance_result", "acceptance_certificate", "reserved_interface",
              "police_connected", "police_connected_since", "retention_days", "is_public_area")
    related = (
        Related(_("Devices"), m.Device, "system", ("serial", "name", "kind", "status", "product"),
                "registry:device_list", "system"),
    )


class SystemEdit(ObjectEditView):
    model = m.SecuritySystem
    form_class = forms.SystemForm
    create_service = services.system_create
    update_service = services.system_update
    update_kwarg = "system"
