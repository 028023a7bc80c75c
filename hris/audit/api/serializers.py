from rest_framework import serializers

from hris.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "sequence",
            "occurred_at",
            "actor_id",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "before",
            "after",
            "reason",
            "previous_hash",
            "row_hash",
        ]
        read_only_fields = fields


class AuditEventFilterSerializer(serializers.Serializer):
    target_type = serializers.CharField(required=False, allow_blank=True, max_length=80, help_text="e.g. people.employee")
    target_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    actor = serializers.CharField(required=False, allow_blank=True, max_length=150, help_text="Username or user id.")
    action = serializers.CharField(required=False, allow_blank=True, max_length=80, help_text="e.g. employee.update")
    date_from = serializers.DateField(required=False, allow_null=True, help_text="Inclusive, local date.")
    date_to = serializers.DateField(required=False, allow_null=True, help_text="Inclusive, local date.")
