"""The caller's own notifications under /api/v1/notifications/ (scopes notifications:read
and notifications:write for token clients; people signed in to the UI by session)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hris.core.api.schema import LIST_ERRORS, WRITE_ERRORS
from hris.core.api.viewsets import ScopedViewSet
from hris.notifications import selectors, services
from hris.notifications.api import serializers as api
from hris.notifications.models import Notification


@extend_schema_view(
    list=extend_schema(
        summary="List my notifications",
        description="The caller's own notifications, unread first, newest first.",
        parameters=[api.NotificationFilterSerializer],
        responses={200: api.NotificationSerializer(many=True), **LIST_ERRORS},
    ),
    read=extend_schema(summary="Mark one notification read", request=None, responses={200: api.NotificationSerializer, **WRITE_ERRORS}),
    read_all=extend_schema(
        summary="Mark all my notifications read", request=None, responses={200: api.MarkedReadSerializer, **WRITE_ERRORS}
    ),
)
class NotificationViewSet(ScopedViewSet):
    scope_resource = "notifications"
    serializer_class = api.NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notifications_of(self.actor())

    def list(self, request: Request) -> Response:
        filters = api.NotificationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = self.get_queryset()
        unread = filters.validated_data.get("unread")
        if unread is not None:
            notifications = notifications.filter(read_at__isnull=unread)
        page = self.paginate_queryset(notifications)
        return self.get_paginated_response(api.NotificationSerializer(page, many=True).data)

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: int) -> Response:
        notification = services.notification_mark_read(actor=self.actor(), notification_id=pk)
        return Response(api.NotificationSerializer(notification).data)

    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked_read": services.notifications_mark_all_read(actor=self.actor())})
