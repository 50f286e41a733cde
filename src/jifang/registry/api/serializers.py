"""Registry serializers. References take an id or a natural key (see core.api.ScopedRefField);
the copied district/unit/site columns of systems and devices are read-only (the services set them)."""
from rest_framework import serializers

from jifang.accounts.models import Division
from jifang.core.api import ScopedRefField

from .. import models as m


class RegistrySerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedRefField

    def build_relational_field(self, field_name, relation_info):
        # Divisions are reference data with no scope of their own: any GB/T 2260 code of the city.
        if relation_info.related_model is Division:
            kwargs = {"queryset": Division.objects.all(), "allow_null": relation_info.model_field.null}
            if not relation_info.model_field.editable:
                kwargs = {"read_only": True}
            return serializers.PrimaryKeyRelatedField, kwargs
        return super().build_relational_field(field_name, relation_info)


class UnitSerializer(RegistrySerializer):
    class Meta:
        model = m.Unit
        fields = ["id", "name", "credit_code", "kind", "district", "address", "contact_name", "contact_phone",
                  "person_in_charge_name", "person_in_charge_phone", "person_directly_responsible_name",
                  "person_directly_responsible_phone", "created_at", "updated_at"]


class FirmSerializer(RegistrySerializer):
    class Meta:
        model = m.Firm
        fields = ["id", "name", "credit_code", "district", "address", "contact_name", "contact_phone", "does_design",
                  "does_installation", "does_repair", "created_at", "updated_at"]


class ProductSerializer(RegistrySerializer):
    class Meta:
        model = m.Product
        fields = ["id", "brand", "model", "product_type", "in_catalogue", "meets_standard", "standards",
                  "created_at", "updated_at"]


class SiteSerializer(RegistrySerializer):
    class Meta:
        model = m.Site
        fields = ["id", "code", "name", "unit", "district", "address", "art6_point", "designation_number",
                  "designation_date", "near_secret_unit", "secret_unit_consent_on", "secret_unit_consent_ref",
                  "created_at", "updated_at"]


class SitePartSerializer(RegistrySerializer):
    class Meta:
        model = m.SitePart
        fields = ["id", "site", "name", "area_kind", "privacy_spot", "created_at", "updated_at"]


class SystemSerializer(RegistrySerializer):
    class Meta:
        model = m.SecuritySystem
        fields = ["id", "code", "name", "site", "unit", "district", "investor", "builder", "operator", "firm",
                  "has_intrusion_alarm", "has_audio_video", "has_access_control", "has_explosive_inspection",
                  "status", "in_use_since", "acceptance_date", "acceptance_result", "acceptance_certificate",
                  "reserved_interface", "police_connected", "police_connected_since", "retention_days",
                  "is_public_area", "public_video_class", "created_at", "updated_at"]
        read_only_fields = ["unit", "district"]


class DeviceSerializer(RegistrySerializer):
    class Meta:
        model = m.Device
        fields = ["id", "serial", "name", "system", "site", "unit", "district", "kind", "product", "part",
                  "gb28181_id", "dc09_account", "status", "installed_on", "signage", "created_at", "updated_at"]
        read_only_fields = ["site", "unit", "district"]
