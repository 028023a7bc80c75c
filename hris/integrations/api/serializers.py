"""The ingestion API's shapes, for validation of the small parts and for the OpenAPI document.

The records themselves are not run through DRF serializers: the service validates a batch of
10,000 in one pass and reports each record's problems by index (hris/integrations/ingestion.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from hris.integrations.choices import BatchStatus
from hris.integrations.models import IngestionBatch


class ExternalReferenceSerializer(serializers.Serializer):
    system = serializers.CharField(help_text="The other system's key, e.g. jira, dingtalk, erp (as mapped in external identities).")
    id = serializers.CharField(help_text="The employee's identifier in that system, e.g. a Jira accountId or a DingTalk userId.")


class EmployeeReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Renshi employee id.")
    number = serializers.CharField(required=False, help_text="Employee number (工号).")
    external = ExternalReferenceSerializer(required=False, help_text="An identity mapped to the employee.")


class MetricRecordInputSerializer(serializers.Serializer):
    employee = EmployeeReferenceSerializer(required=False, help_text="Exactly one of id, number or external. Omit for department records.")
    department = serializers.CharField(required=False, help_text="Department code, for department-level records (instead of employee).")
    metric_key = serializers.SlugField(max_length=80, help_text="The metric the value measures, as indicators name it (e.g. story_points).")
    date = serializers.DateField(required=False, help_text="The day measured; or give period_start and period_end.")
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    value = serializers.DecimalField(
        max_digits=20, decimal_places=4, coerce_to_string=False, help_text="A number (JSON number or string); stored with 4 decimals."
    )
    external_id = serializers.CharField(
        required=False,
        max_length=200,
        help_text="The record's id in the source system: the idempotency key with the source. Without it, the same owner, "
        "metric and period is the same record.",
    )
    source = serializers.SlugField(required=False, max_length=60, help_text="Overrides the batch's source for this record.")
    note = serializers.CharField(required=False, max_length=300)


class MetricBatchInputSerializer(serializers.Serializer):
    company = serializers.CharField(required=False, help_text="Company code; optional when the client writes for one company only.")
    source = serializers.SlugField(max_length=60, help_text="The system the records come from (jira, dingtalk, erp …).")
    records = MetricRecordInputSerializer(many=True, help_text="1 to 10,000 records.")


class RecordErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the record in `records`, from 0.")
    field = serializers.CharField(help_text="The field at fault (employee.number, value, date, …) or `record`.")
    code = serializers.CharField(
        help_text="invalid_record, required, invalid, too_long, invalid_period, ambiguous_owner, unknown_employee, "
        "unknown_external_identity, unknown_department, out_of_scope, locked."
    )
    message = serializers.CharField()


class BatchCountsSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField(help_text="New records stored.")
    duplicates = serializers.IntegerField(help_text="Records identical to the stored ones: nothing written.")
    superseded = serializers.IntegerField(help_text="Records that replaced a stored record with another value (kept as history).")
    rejected = serializers.IntegerField(help_text="Records not stored; see `errors`.")


class IngestionBatchSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=BatchStatus.choices)
    company = serializers.CharField(help_text="Company code.")
    source = serializers.CharField()
    counts = BatchCountsSerializer()
    errors = RecordErrorSerializer(many=True)
    failure = serializers.CharField(help_text="Why a failed batch stored nothing; empty otherwise.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    timings = serializers.DictField(child=serializers.FloatField(), help_text="Milliseconds per step, for diagnosis.")
    url = serializers.CharField(help_text="Where to fetch this batch's status again.")


def batch_data(batch: IngestionBatch, url: str) -> dict[str, Any]:
    """Built by hand: a batch's errors list can hold 10,000 entries."""
    return {
        "id": str(batch.id),
        "status": batch.status,
        "company": batch.company.code,
        "source": batch.source,
        "counts": {
            "received": batch.received_count,
            "created": batch.accepted_count,
            "duplicates": batch.duplicate_count,
            "superseded": batch.superseded_count,
            "rejected": batch.rejected_count,
        },
        "errors": batch.errors,
        "failure": batch.failure,
        "created_at": serializers.DateTimeField().to_representation(batch.created_at),
        "finished_at": serializers.DateTimeField().to_representation(batch.finished_at) if batch.finished_at else None,
        "timings": batch.timings,
        "url": url,
    }


__all__ = ["IngestionBatch", "IngestionBatchSerializer", "MetricBatchInputSerializer", "batch_data"]
