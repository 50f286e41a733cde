"""Alarm-centre API serializers: events and accounts to read (an account's key never leaves the
server: only its length), and one input serializer per operator action."""
from rest_framework import serializers

from ..models import AlarmAccount, AlarmEvent, Disposition, DispatchTarget


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlarmEvent
        fields = ["id", "received_at", "panel_time", "account", "device", "system", "site", "unit", "district",
                  "transport", "token", "encrypted", "seq", "protocol", "code", "qualifier", "label_zh", "label_en",
                  "category", "priority", "partition", "zone", "user_number", "restores", "restored_at", "status",
                  "acknowledged_at", "verified_at", "verification", "dispatched_at", "dispatched_to",
                  "dispatch_note", "closed_at", "disposition", "note"]
        read_only_fields = fields


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlarmAccount
        fields = ["id", "account", "device", "system", "site", "unit", "district", "key_bits", "supervision_seconds",
                  "grace_seconds", "last_seen_at", "trouble_since"]
        read_only_fields = fields


class EmptyInput(serializers.Serializer):
    pass


class VerifyInput(serializers.Serializer):
    verification = serializers.CharField(max_length=1000)


class DispatchInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=DispatchTarget.choices)
    note = serializers.CharField(max_length=200, required=False, default="")


class CloseInput(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    note = serializers.CharField(max_length=1000, required=False, default="")
