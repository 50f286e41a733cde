"""Duty records in the API. The copied site/unit/district are read-only (the services set them)."""
from rest_framework import serializers

from jifang.registry.api.serializers import RegistrySerializer

from .. import models as m

COPIED = ["site", "unit", "district"]


class OutageSerializer(RegistrySerializer):
    justified = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = m.Outage
        fields = ["id", "system", "device", *COPIED, "source", "started_at", "ended_at", "cause", "justified", "note",
                  "explained_by", "explained_at", "created_at"]
        read_only_fields = [*COPIED, "source", "explained_by", "explained_at", "created_at"]


class OutageExplainSerializer(serializers.Serializer):
    cause = serializers.ChoiceField(choices=[c for c in m.OutageCause.choices if c[0] != m.OutageCause.UNKNOWN])
    note = serializers.CharField(max_length=2000)


class FootageUseSerializer(RegistrySerializer):
    class Meta:
        model = m.FootageUse
        fields = ["id", "system", *COPIED, "kind", "recording_from", "recording_to", "cameras", "used_at", "user_name",
                  "purpose", "destination", "requester_unit", "requester_name", "content", "legal_basis",
                  "approved_by_name", "approved_at", "corrects", "recorded_by", "created_at"]
        read_only_fields = [*COPIED, "recorded_by", "created_at"]
