from rest_framework import serializers

from ..models import Finding
from ..selectors import finding_json


class FindingSerializer(serializers.ModelSerializer):
    """Read-only; the shape is finding_json's (docs/findings-json.md), the same as `jifang scan --format json`."""

    class Meta:
        model = Finding
        fields = ["id"]

    def to_representation(self, instance):
        return finding_json(instance)


# ---- /api/packs/: the shape of views.pack_json, for the schema (the answers are built by pack_json) ----

class PackSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="pack id, e.g. cn-530100-order-2012-116")
    title_zh = serializers.CharField()
    title_en = serializers.CharField(allow_null=True)
    order_number = serializers.CharField(allow_null=True)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    jurisdiction_prefix = serializers.CharField(help_text="GB/T 2260 code prefix of the area the pack governs")
    version = serializers.CharField()
    checksum = serializers.CharField()


class PackClauseSerializer(serializers.Serializer):
    id = serializers.CharField()
    label_zh = serializers.CharField()
    text_zh = serializers.CharField()
    also = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField(allow_null=True, allow_blank=True)
    penalty_article = serializers.CharField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        # "class" is a Python keyword: it cannot be a field of the class body
        fields["class"] = serializers.CharField(help_text="check, workflow, record, scope, penalty, validity, declarative")
        return fields


class PackRuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    clauses = serializers.ListField(child=serializers.CharField())
    subject = serializers.CharField()


class PackDetailSerializer(PackSerializer):
    clauses = PackClauseSerializer(many=True)
    parameters = serializers.DictField(help_text="name -> [{value, unit, valid_from, valid_to, clause}]")
    sanctions = serializers.DictField(help_text="penalty clause -> sanction (docs/rule-packs.md)")
    rules = PackRuleSerializer(many=True)
