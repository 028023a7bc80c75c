from __future__ import annotations

from rest_framework import serializers

from hris.integrations.connectors.models import Connector, SyncRun
from hris.integrations.connectors.services import describe_schedule


class ConnectorSerializer(serializers.ModelSerializer):
    credentials_saved = serializers.SerializerMethodField(help_text="Names of the saved credentials; values are never returned.")
    schedule = serializers.SerializerMethodField(help_text="e.g. “every 1 hours” or “cron 0 6 * * *”; empty when run by hand only.")

    class Meta:
        model = Connector
        fields = [
            "id",
            "company",
            "name",
            "vendor",
            "source",
            "base_url",
            "enabled",
            "credentials_saved",
            "mapping",
            "options",
            "schedule",
            "cursor",
            "created_at",
            "updated_at",
        ]

    def get_credentials_saved(self, connector: Connector) -> list[str]:
        return connector.credential_names

    def get_schedule(self, connector: Connector) -> str:
        return describe_schedule(connector)


class SyncRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        fields = [
            "id",
            "connector",
            "kind",
            "state",
            "started_at",
            "finished_at",
            "pages",
            "fetched",
            "accepted",
            "duplicates",
            "rejected",
            "errors",
            "error_message",
            "cursor_at_start",
            "next_cursor",
            "attempts",
            "checkpoint_at",
            "created_at",
        ]


class RunFilterSerializer(serializers.Serializer):
    connector = serializers.IntegerField(required=False, min_value=1)
    state = serializers.ChoiceField(choices=["queued", "running", "succeeded", "partial", "failed"], required=False)
