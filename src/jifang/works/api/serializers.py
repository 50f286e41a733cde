"""Works API serializers: read models, and one input serializer per lifecycle step (the step's
service takes the validated data as keyword arguments). References accept ids or natural keys and
resolve only inside the caller's scope (core.api.ScopedRefField)."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jifang.core.api import ScopedRefField

from .. import models as m
from ..services import WORKS_DETAIL_FIELDS

LIFECYCLE_FACTS = ["registered_on", "design_approved_on", "started_on", "completed_on", "first_acceptance_on",
                   "accepted_on", "live_on", "filed_on", "filing_due_on"]


class WorksSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedRefField

    class Meta:
        model = m.Works
        fields = ["id", "code", "status", "system", "site", "unit", "district", "builder", "firm",
                  *WORKS_DETAIL_FIELDS, *LIFECYCLE_FACTS]
        read_only_fields = ["code", "status", "site", "unit", "district", *LIFECYCLE_FACTS]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            # Registration fixes system, builder and firm; an update changes only the details.
            for name in ("system", "builder", "firm"):
                fields[name].read_only = True
        return fields


class ItemOutput(serializers.Serializer):
    name = serializers.CharField()
    passed = serializers.BooleanField()
    note = serializers.CharField()


class AcceptanceSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()
    attended_by = serializers.SerializerMethodField()

    class Meta:
        model = m.Acceptance
        fields = ["id", "code", "works", "round", "scheduled_for", "location", "police_notified_at", "held_on",
                  "result", "certificate", "reserved_interface", "opinion", "non_conforming", "items", "attended_by"]
        read_only_fields = fields

    @extend_schema_field(ItemOutput(many=True))
    def get_items(self, obj) -> list[dict]:
        return [{"name": i.name, "passed": i.passed, "note": i.note} for i in obj.items.all()]

    def get_attended_by(self, obj) -> list[int]:
        return [a.officer_id for a in obj.attendances.all()]


class FilingSerializer(serializers.ModelSerializer):
    on_time = serializers.BooleanField(read_only=True)

    class Meta:
        model = m.Filing
        fields = ["id", "receipt_number", "works", "firm", "district", "filed_on", "due_on", "on_time",
                  "contact_name", "contact_phone", "summary", "device_count", "received_by", "received_at"]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedRefField

    class Meta:
        model = m.NetworkingNotice
        fields = ["id", "number", "system", "works", "district", "unit", "basis", "issued_on", "due_on", "status",
                  "connected_on", "issued_by"]
        read_only_fields = ["number", "district", "unit", "status", "connected_on", "issued_by"]


class ExpertInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    affiliation = serializers.CharField(max_length=200)
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewInput(serializers.Serializer):
    held_on = serializers.DateField()
    result = serializers.ChoiceField(choices=m.ReviewResult.choices)
    experts = ExpertInput(many=True)
    opinion = serializers.CharField(required=False, allow_blank=True, default="")
    organiser = serializers.CharField(required=False, allow_blank=True, default="")


class DocumentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=m.DocumentKind.choices)
    title = serializers.CharField(max_length=200)
    file = serializers.FileField()


class StartInput(serializers.Serializer):
    started_on = serializers.DateField()


class CompleteInput(serializers.Serializer):
    completed_on = serializers.DateField()


class WorkerInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    job = serializers.CharField(max_length=50)
    certificate = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class ScheduleInput(serializers.Serializer):
    scheduled_for = serializers.DateField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GoLiveInput(serializers.Serializer):
    live_on = serializers.DateField()


class FilingInput(serializers.Serializer):
    filed_on = serializers.DateField()
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=30)
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class AttendanceInput(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ItemInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ResultInput(serializers.Serializer):
    held_on = serializers.DateField()
    items = ItemInput(many=True)
    reserved_interface = serializers.BooleanField()
    certificate = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class ConfirmInput(serializers.Serializer):
    connected_on = serializers.DateField()


class EmptyInput(serializers.Serializer):
    pass
