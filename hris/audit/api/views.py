"""The audit trail under /api/v1/audit-events/: read-only, within the caller's scope."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from hris.audit.api.serializers import AuditEventFilterSerializer, AuditEventSerializer
from hris.audit.selectors import AuditFilters, audit_event_search, audit_events_visible_to
from hris.core.api.schema import DETAIL_ERRORS, LIST_ERRORS
from hris.core.api.viewsets import ScopedViewSet


@extend_schema_view(
    list=extend_schema(
        summary="List audit events",
        parameters=[AuditEventFilterSerializer],
        responses={200: AuditEventSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get an audit event by sequence number", responses={200: AuditEventSerializer, **DETAIL_ERRORS}),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Newest first; each event carries its hash and the previous one, so a client can
    verify the chain segment it receives."""

    scope_resource = "audit"
    serializer_class = AuditEventSerializer
    lookup_field = "sequence"

    def get_queryset(self) -> QuerySet:
        if self.action != "list":
            return audit_events_visible_to(self.actor())
        filters = AuditEventFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return audit_event_search(self.actor(), AuditFilters(**filters.validated_data))
