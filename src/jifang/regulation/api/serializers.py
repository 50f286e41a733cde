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
