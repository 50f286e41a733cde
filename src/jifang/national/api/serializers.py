"""National records in the API. Procedure facts (status, numbers, who handled) are read-only: the
services set them through their own actions."""
from rest_framework import serializers

from jifang.registry.api.serializers import RegistrySerializer

from .. import models as m

COPIED = ["site", "unit", "district"]


class SystemFilingSerializer(RegistrySerializer):
    class Meta:
        model = m.SystemFiling
        fields = ["id", "system", *COPIED, "kind", "changes", "unit_name", "credit_code", "unit_address",
                  "person_in_charge", "contact_name", "contact_phone", "location", "in_use_since", "camera_count",
                  "with_nvr", "with_dvr", "with_encoder", "retention_days", "note", "status", "submitted_on",
                  "submitted_by", "receipt_number", "handled_by", "handled_at", "return_reason", "verify_code",
                  "created_at"]
        read_only_fields = [*COPIED, "kind", "changes", "status", "submitted_on", "submitted_by", "receipt_number",
                            "handled_by", "handled_at", "return_reason", "verify_code", "created_at"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PublicReportSerializer(RegistrySerializer):
    """Reports as the police read them (no contact: `contact` action, audited)."""

    photos = serializers.SerializerMethodField()

    class Meta:
        model = m.PublicReport
        fields = ["id", "code", "district", "kind", "place", "description", "received_at", "status", "inspection",
                  "close_reason", "handled_by", "handled_at", "photos"]
        read_only_fields = fields

    def get_photos(self, obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class ToInspectionSerializer(serializers.Serializer):
    site = serializers.CharField(max_length=32, help_text="site code")
    inspected_on = serializers.DateField()


class ViewingRequestSerializer(RegistrySerializer):
    class Meta:
        model = m.ViewingRequest
        fields = ["id", "system", *COPIED, "requester_name", "requester_id_number", "relation", "person_name",
                  "reason", "recording_from", "recording_to", "requested_at", "status", "decided_by", "decided_at",
                  "refusal_reason", "footage_use", "recorded_by", "created_at"]
        read_only_fields = [*COPIED, "status", "decided_by", "decided_at", "refusal_reason", "footage_use",
                            "recorded_by", "created_at"]


class ConsentSerializer(serializers.Serializer):
    viewed_at = serializers.DateTimeField()
    approved_by_name = serializers.CharField(max_length=100)
    shown_by_name = serializers.CharField(max_length=100)
