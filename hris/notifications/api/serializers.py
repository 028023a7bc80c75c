from rest_framework import serializers

from hris.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event_key", help_text="Event key from the catalogue, e.g. kpi.adjustment_made.")
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "link", "created_at", "read_at", "is_read"]


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="true: only unread; false: only read.")


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many notifications were unread and are now read.")
