"""Video API serializers: read-only (the gateway writes this state; people use the pages' services)."""
from rest_framework import serializers

from .. import models as m


class EndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.Endpoint
        fields = ["id", "gb28181_id", "device", "system", "site", "unit", "district", "online", "status_since",
                  "registered_at", "expires_at", "last_seen_at", "transport", "catalog_at", "recording",
                  "clock_drift_seconds", "status_at"]
        read_only_fields = fields


class RetentionProofSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.RetentionProof
        fields = ["id", "device", "channel", "system", "unit", "district", "asked_at", "answered_at", "window_start",
                  "window_end", "required_days", "outcome", "items", "sn"]
        read_only_fields = fields
