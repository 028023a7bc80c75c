"""POST /api/v1/metrics/batches/ and GET /api/v1/metrics/batches/{id}/.

The body is read and parsed here (not by DRF's parser) and handed to the set-based service:
a batch of 10,000 records is validated, matched and stored in a few statements."""

from __future__ import annotations

import json
import time
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from oauth2_provider.models import AbstractAccessToken
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hris.core.api import schema  # noqa: F401  (registers the OAuth2 security scheme)
from hris.core.api.errors import error_response
from hris.core.api.schema import error_responses
from hris.core.errors import NotFound
from hris.core.memory import garbage_collection_paused
from hris.integrations.api.permissions import CanIngestMetrics
from hris.integrations.api.serializers import IngestionBatchSerializer, MetricBatchInputSerializer, batch_data
from hris.integrations.ingestion import ingestion_company, metric_batch_ingest
from hris.integrations.selectors import batches_visible_to
from hris.integrations.throttling import MetricIngestionThrottle

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

BATCH_EXAMPLE = {
    "company": "acme",
    "source": "jira",
    "records": [
        {
            "employee": {"external": {"system": "jira", "id": "5b10a2844c20165700ede21g"}},
            "metric_key": "story_points",
            "date": "2026-07-03",
            "value": 8,
            "external_id": "PROJ-1432",
        },
        {"employee": {"number": "E000123"}, "metric_key": "defects", "period_start": "2026-07-01", "period_end": "2026-07-31",
         "value": "2", "external_id": "QA-2026-07-E000123"},
        {"department": "ws1", "metric_key": "output_pieces", "date": "2026-07-03", "value": 1520.5, "external_id": "MES-ws1-20260703"},
    ],
}  # fmt: skip
RESPONSE_EXAMPLE = {
    "id": "0f7d3c9e-3a51-4c1e-9a36-62f1b0b1d0a4",
    "status": "completed_with_errors",
    "company": "acme",
    "source": "jira",
    "counts": {"received": 3, "created": 1, "duplicates": 0, "superseded": 1, "rejected": 1},
    "errors": [{"index": 1, "field": "employee.number", "code": "unknown_employee", "message": "No employee has the number “E000123”."}],
    "failure": "",
    "created_at": "2026-08-01T09:00:00.120000+08:00",
    "finished_at": "2026-08-01T09:00:00.184000+08:00",
    "timings": {"validate_ms": 0.2, "resolve_ms": 3.1, "match_ms": 1.0, "store_ms": 2.4, "total_ms": 12.9},
    "url": "/api/v1/metrics/batches/0f7d3c9e-3a51-4c1e-9a36-62f1b0b1d0a4/",
}


def _max_body_bytes() -> int:
    return int(getattr(settings, "RENSHI_INGESTION_MAX_BYTES", DEFAULT_MAX_BODY_BYTES))


def _too_large(limit: int) -> Response:
    return error_response(
        code="payload_too_large",
        message=_("The request body is larger than %(limit)s MB; send at most 10,000 records per batch.")
        % {"limit": limit // (1024 * 1024)},
        http_status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


def _batch_url(batch_id: object) -> str:
    return reverse("metric-batch-detail", kwargs={"batch_id": batch_id})


class _IngestionView(APIView):
    permission_classes = [CanIngestMetrics]
    scope_resource = "metrics"

    def get_throttles(self):  # noqa: ANN201
        if self.request.method == "POST":
            return [MetricIngestionThrottle()]
        return super().get_throttles()


class MetricBatchCreateView(_IngestionView):
    @extend_schema(
        operation_id="metrics_batches_create",
        summary="Submit a batch of metric records",
        description=(
            "Up to 10,000 metric records per request (scope `metrics:write`, or a signed-in user who may write metric records). "
            "Each record names its owner — an employee by `id`, `number` or an `external` identity mapped to the employee "
            '(`{"system": "jira", "id": "<accountId>"}`), or a department by code — a `metric_key`, a `date` (or '
            "`period_start` and `period_end`), a `value` and the `external_id` it has in the source system.\n\n"
            "**Idempotent** on (source, external_id): the same record again is counted as a duplicate and stored once; a changed "
            "value, period or owner supersedes the stored record, which is kept as history.\n\n"
            "**Per-record validation**: every record that fails is reported in `errors` with its `index`, `field`, `code` and "
            "`message`; the valid ones are stored all the same, in one transaction. Affected assessments of open cycles are "
            "recomputed after the commit.\n\n"
            "More than 10,000 records (or a body over 16 MB) answers 413 and stores nothing. The endpoint is rate limited per "
            "client (429 with `Retry-After`)."
        ),
        request=MetricBatchInputSerializer,
        responses={201: IngestionBatchSerializer, **error_responses(400, 401, 403, 409, 429)},
        examples=[
            OpenApiExample("A batch from Jira", value=BATCH_EXAMPLE, request_only=True),
            OpenApiExample("Stored, one record rejected", value=RESPONSE_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
        auth=[{"oauth2": ["metrics:write"]}, {"cookieAuth": []}],
    )
    def post(self, request: Request) -> Response:
        received_at = time.perf_counter()
        limit = _max_body_bytes()
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _too_large(limit)
        if not request.content_type.startswith("application/json"):
            return error_response(
                code="unsupported_media_type",
                message=_("Send the batch as JSON (Content-Type: application/json)."),
                http_status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        try:
            raw = request._request.body
        except RequestDataTooBig:
            return _too_large(limit)
        if len(raw) > limit:
            return _too_large(limit)
        with garbage_collection_paused():  # a 10,000-record batch is a burst of short-lived objects
            return self._ingest(request, raw, received_at)

    def _ingest(self, request: Request, raw: bytes, received_at: float) -> Response:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            return error_response(code="parse_error", message=_("The body is not valid JSON: %(error)s") % {"error": error})
        if not isinstance(body, dict):
            return error_response(
                code="validation_error",
                message=_("The body must be an object with “source” and “records”."),
                errors={"non_field_errors": [_("The body must be an object with “source” and “records”.")]},
            )
        actor = request.user
        company = ingestion_company(actor=actor, code=body.get("company"))
        token = request.auth
        application_id = token.application_id if isinstance(token, AbstractAccessToken) else None
        batch = metric_batch_ingest(
            actor=actor,
            company=company,
            source=body.get("source"),
            records=body.get("records"),
            application_id=application_id,
            received_at=received_at,
        )
        batch.company = company
        url = _batch_url(batch.id)
        return Response(batch_data(batch, url), status=status.HTTP_201_CREATED, headers={"Location": url})


class MetricBatchDetailView(_IngestionView):
    @extend_schema(
        operation_id="metrics_batches_retrieve",
        summary="Get an ingestion batch's status",
        description="Status, counts and per-record errors of a batch the caller sent (integration managers see every batch of "
        "their companies). Token clients need `metrics:write`.",
        responses={200: IngestionBatchSerializer, **error_responses(401, 403, 404, 429)},
        auth=[{"oauth2": ["metrics:write"]}, {"cookieAuth": []}],
    )
    def get(self, request: Request, batch_id: uuid.UUID) -> Response:
        batch = batches_visible_to(request.user).select_related("company").filter(pk=batch_id).first()
        if batch is None:
            raise NotFound(_("Batch not found."))
        return Response(batch_data(batch, _batch_url(batch.id)))
