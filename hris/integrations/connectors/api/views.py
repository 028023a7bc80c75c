"""Connectors under /api/v1/connectors/ and their runs under /api/v1/connector-runs/, for those
who manage integrations (scopes `connectors:read` / `connectors:write`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hris.core.api.schema import DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS
from hris.core.api.viewsets import ScopedViewSet
from hris.core.errors import NotFound
from hris.integrations.connectors import engine
from hris.integrations.connectors.api import serializers as api
from hris.integrations.connectors.models import Connector, SyncRun
from hris.integrations.connectors.selectors import connectors_visible_to, runs_visible_to


class _ConnectorViewSet(ScopedViewSet):
    scope_resource = "connectors"

    def _page(self, queryset: QuerySet, serializer_class) -> Response:  # noqa: ANN001
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List connectors", responses={200: api.ConnectorSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="Get a connector", responses={200: api.ConnectorSerializer, **DETAIL_ERRORS}),
    run=extend_schema(summary="Run a connector now", request=None, responses={202: api.SyncRunSerializer, **WRITE_ERRORS}),
)
class ConnectorViewSet(_ConnectorViewSet):
    serializer_class = api.ConnectorSerializer
    queryset = Connector.objects.none()

    def _get(self, pk: int) -> Connector:
        connector = connectors_visible_to(self.actor()).filter(pk=pk).first()
        if connector is None:
            raise NotFound(_("Connector not found."))
        return connector

    def list(self, request: Request) -> Response:
        return self._page(connectors_visible_to(self.actor()).order_by("company_id", "name", "pk"), api.ConnectorSerializer)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(api.ConnectorSerializer(self._get(pk)).data)

    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: int) -> Response:
        run = engine.sync_run_request(actor=self.actor(), connector=self._get(pk))
        location = reverse("connector-run-detail", kwargs={"pk": run.pk})
        return Response(
            api.SyncRunSerializer(SyncRun.objects.get(pk=run.pk)).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


@extend_schema_view(
    list=extend_schema(
        summary="List connector runs",
        parameters=[api.RunFilterSerializer],
        responses={200: api.SyncRunSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get a connector run", responses={200: api.SyncRunSerializer, **DETAIL_ERRORS}),
)
class SyncRunViewSet(_ConnectorViewSet):
    serializer_class = api.SyncRunSerializer
    queryset = SyncRun.objects.none()

    def list(self, request: Request) -> Response:
        filters = api.RunFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        runs = runs_visible_to(self.actor()).order_by("-pk")
        if filters.validated_data.get("connector"):
            runs = runs.filter(connector_id=filters.validated_data["connector"])
        if filters.validated_data.get("state"):
            runs = runs.filter(state=filters.validated_data["state"])
        return self._page(runs, api.SyncRunSerializer)

    def retrieve(self, request: Request, pk: int) -> Response:
        run = runs_visible_to(self.actor()).filter(pk=pk).first()
        if run is None:
            raise NotFound(_("Run not found."))
        return Response(api.SyncRunSerializer(run).data)
