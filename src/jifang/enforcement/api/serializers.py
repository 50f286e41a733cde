"""Enforcement API serializers: records out (with their verification), commands in."""
from rest_framework import serializers

from jifang.regulation.periods import provisional_note

from .. import models as m


class SignatureSerializer(serializers.Serializer):
    signer = serializers.CharField(source="signature.signer.username")
    signed_at = serializers.DateTimeField(source="signature.signed_at")
    key_fingerprint = serializers.CharField(source="signature.key_fingerprint")
    code = serializers.CharField(source="signature.code")
    valid = serializers.BooleanField(source="ok")


class VerificationSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    hash_ok = serializers.BooleanField()
    record_hash = serializers.CharField()
    sealed_hash = serializers.CharField()
    signatures = SignatureSerializer(many=True)
    problems = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                     help_text="what fails, first things first: [Chinese, English] pairs")


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.ChecklistItem
        fields = ["id", "clause_id", "label_zh", "result", "note"]


class InspectionSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)
    findings = serializers.SerializerMethodField()

    class Meta:
        model = m.Inspection
        fields = ["id", "number", "district", "unit", "site", "kind", "inspected_on", "observations", "result",
                  "amends", "sealed_hash", "verify_code", "created_at", "items", "findings"]

    def get_findings(self, obj) -> list[dict]:
        return [{"finding": link.finding_id, "source": link.source} for link in obj.finding_links.all()]


class OrderItemSerializer(serializers.ModelSerializer):
    clause_id = serializers.CharField(source="finding.clause_id")
    stage = serializers.CharField(source="finding.stage")
    scan_status = serializers.CharField(source="finding.status", help_text="the engine's view: evidence only")

    class Meta:
        model = m.OrderItem
        fields = ["id", "finding", "clause_id", "stage", "scan_status", "outcome", "reviewed_at", "review_note"]


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)
    deadline_note = serializers.SerializerMethodField(
        help_text="non-empty when the deadline was moved over weekends only, its year's holidays being unknown")

    class Meta:
        model = m.RectificationOrder
        fields = ["id", "number", "district", "unit", "inspection", "deadline", "deadline_note",
                  "deadline_is_policy_default", "requirements", "served_at", "status", "response", "responded_at",
                  "sealed_hash", "verify_code", "items"]

    def get_deadline_note(self, order) -> str:
        return provisional_note(order.deadline)


class AmountSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.PenaltyAmount
        fields = ["stage", "target", "person_name", "amount"]


class CaseSerializer(serializers.ModelSerializer):
    amounts = AmountSerializer(many=True, read_only=True)
    # the decision is a record of its own (PenaltyDecision); these keep the fields clients know
    decision_number = serializers.CharField(source="decision.number", read_only=True)
    decision_facts = serializers.CharField(source="decision.facts", read_only=True)
    decided_at = serializers.DateTimeField(source="decision.decided_at", read_only=True)
    decision_served_at = serializers.DateTimeField(source="decision.served_at", read_only=True)
    decision_hash = serializers.CharField(source="decision.sealed_hash", read_only=True)

    class Meta:
        model = m.PenaltyCase
        fields = ["id", "number", "decision_number", "district", "unit", "order", "inspection", "findings", "article", "unit_kind",
                  "facts", "status", "notice_served_at", "statement", "statement_waived", "statement_at",
                  "decision_facts", "decided_at", "decision_served_at", "sealed_hash", "decision_hash", "amounts"]


class InspectionCreateSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    inspected_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=m.InspectionKind.choices, default="planned")
    observations = serializers.CharField(required=False, default="", allow_blank=True)


class OrderIssueSerializer(serializers.Serializer):
    findings = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    requirements = serializers.CharField(required=False, default="", allow_blank=True)


class OrderAnswerSerializer(serializers.Serializer):
    response = serializers.CharField()


class OrderReviewSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    rectified = serializers.BooleanField()
    note = serializers.CharField(required=False, default="", allow_blank=True)


class PenaltyAmountsSerializer(serializers.Serializer):
    amounts = serializers.DictField(child=serializers.DecimalField(max_digits=10, decimal_places=2))
    persons = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    facts = serializers.CharField(required=False, allow_blank=True, default="")


class PenaltyNoticeSerializer(PenaltyAmountsSerializer):
    findings = serializers.ListField(child=serializers.IntegerField(), min_length=1)


class PenaltyStatementSerializer(serializers.Serializer):
    statement = serializers.CharField(required=False, default="", allow_blank=True)
    waived = serializers.BooleanField(default=False)
