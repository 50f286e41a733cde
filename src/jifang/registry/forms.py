from jifang.core.forms import ServiceModelForm

from . import models as m


class SiteForm(ServiceModelForm):
    class Meta:
        model = m.Site
        fields = ["code", "name", "unit", "district", "address", "art6_point", "designation_number", "designation_date"]


class DeviceForm(ServiceModelForm):
    class Meta:
        model = m.Device
        fields = ["serial", "name", "system", "kind", "product", "part", "gb28181_id", "dc09_account", "status",
                  "installed_on"]


class UnitForm(ServiceModelForm):
    class Meta:
        model = m.Unit
        fields = ["name", "credit_code", "kind", "district", "address", "contact_name", "contact_phone",
                  "person_in_charge_name", "person_in_charge_phone", "person_directly_responsible_name",
                  "person_directly_responsible_phone"]


class FirmForm(ServiceModelForm):
    class Meta:
        model = m.Firm
        fields = ["name", "credit_code", "district", "address", "contact_name", "contact_phone", "does_design",
                  "does_installation", "does_repair"]


class ProductForm(ServiceModelForm):
    class Meta:
        model = m.Product
        fields = ["brand", "model", "product_type", "in_catalogue", "meets_standard", "standards"]


class SitePartForm(ServiceModelForm):
    class Meta:
        model = m.SitePart
        fields = ["site", "name", "area_kind"]


class SystemForm(ServiceModelForm):
    class Meta:
        model = m.SecuritySystem
        fields = ["code", "name", "site", "investor", "builder", "operator", "firm", "has_intrusion_alarm",
                  "has_audio_video", "has_access_control", "has_explosive_inspection", "status", "in_use_since",
                  "acceptance_date", "acceptance_result", "acceptance_certificate", "reserved_interface",
                  "police_connected", "police_connected_since", "retention_days", "is_public_area"]
