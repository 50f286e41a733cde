"""Duty records in the API. The copied site/unit/district are read-only (the services set them)."""
from rest_framework import serializers

from jifang.registry.api.serializers import RegistrySerializer

from .. import models as m
from .. import services
from ..camera import CameraBaseline, CameraRecord

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


REGISTER_READ_ONLY = ["unit", "district", "evidence_type", "evidence_sha256", "recorded_by", "created_at"]


class ClearedPersonPhone(serializers.Serializer):
    """A cleared person's phone: written in clear (the service encrypts it), read in clear by those
    who may see the row (the unit and its district police)."""

    phone = serializers.CharField(required=False, allow_blank=True, max_length=30, write_only=True)

    def to_representation(self, instance):
        return {**super().to_representation(instance), "phone": services.cleared_person_phone(instance)}


class RegisterEntry(RegistrySerializer):
    """An entry of a unit's register; the evidence file is uploaded with it (multipart) and read
    through its page's download link."""

    evidence = serializers.FileField(write_only=True, required=False)


def register_serializer(register) -> type[serializers.ModelSerializer]:
    model = register.model
    extra = ["acknowledged_by", "acknowledged_at", "acknowledgement"] if model is m.SuspicionReport else []
    read_only = [*REGISTER_READ_ONLY, *extra, *(["site"] if register.by_system else [])]
    meta = type("Meta", (), {
        "model": model, "read_only_fields": read_only,
        "fields": ["id", "number", "site", *[f for f in register.fields if f != "site"], "evidence", "corrects",
                   *REGISTER_READ_ONLY, *extra, *(["phone"] if model is m.ClearedPerson else [])],
        "extra_kwargs": {"number": {"required": False, "allow_blank": True}}})
    bases = (ClearedPersonPhone, RegisterEntry) if model is m.ClearedPerson else (RegisterEntry,)
    return type(f"{model.__name__}Serializer", bases, {"Meta": meta, "__module__": __name__})


class AcknowledgeSerializer(serializers.Serializer):
    remark = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CameraRecordSerializer(RegistrySerializer):
    """An approved baseline or change (kind "approved", the unit) or facts found in place (kind
    "found", the district police or the unit); effective_at is when it was approved or found."""

    class Meta:
        model = CameraRecord
        fields = ["id", "device", "system", *COPIED, "kind", "position", "direction", "purpose", "effective_at",
                  "approved_by_name", "reason", "recorded_by", "created_at"]
        read_only_fields = ["system", *COPIED, "recorded_by", "created_at"]


class CameraBaselineSerializer(RegistrySerializer):
    class Meta:
        model = CameraBaseline
        fields = ["id", "device", "system", *COPIED, "position", "direction", "purpose", "approved_at", "approved",
                  "found_position", "found_direction", "found_purpose", "found_at", "found"]
        read_only_fields = fields
