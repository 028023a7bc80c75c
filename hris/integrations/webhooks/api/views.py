"""Outbound webhook subscriptions under /api/v1/webhooks/subscriptions/ and their delivery log
under /api/v1/webhooks/deliveries/, for those who manage integrations (scopes `webhooks:read` /
`webhooks:write`). The same services as the webhook pages do the writing and the auditing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hris.core.api.schema import CREATE_ERRORS, DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS
from hris.core.api.viewsets import ScopedViewSet
from hris.core.errors import DomainError, NotFound
from hris.integrations.webhooks import services
from hris.integrations.webhooks.api import serializers as api
from hris.integrations.webhooks.api.permissions import CanManageWebhooks
from hris.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from hris.integrations.webhooks.selectors import deliveries_visible_to, subscriptions_visible_to

# The services name the model's fields; the API calls them `url` and `events`.
API_FIELD_NAMES = {"target_url": "url", "event_keys": "events"}


@contextmanager
def _api_field_names() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        error.field_errors = {API_FIELD_NAMES.get(field, field): messages for field, messages in error.field_errors.items()}
        raise


def _secret_response(subscription: WebhookSubscription, secret: str, http_status: int, headers: dict | None = None) -> Response:
    data = api.SubscriptionWithSecretSerializer(subscription, context={"secret": secret}).data
    # The secret is in this answer only: no cache may keep it.
    return Response(data, status=http_status, headers={**(headers or {}), "Cache-Control": "no-store"})


def _delivery_accepted(delivery: WebhookDelivery) -> Response:
    location = reverse("webhook-delivery-detail", kwargs={"pk": delivery.pk})
    return Response(api.DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class _WebhookViewSet(ScopedViewSet):
    scope_resource = "webhooks"
    permission_classes = [CanManageWebhooks]

    def _page(self, queryset: QuerySet, serializer_class) -> Response:  # noqa: ANN001
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)

    def _input(self, serializer_class, *, partial: bool = False) -> dict:  # noqa: ANN001
        serializer = serializer_class(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema_view(
    list=extend_schema(summary="List webhook subscriptions", responses={200: api.SubscriptionSerializer(many=True), **LIST_ERRORS}),
    create=extend_schema(
        summary="Register a webhook subscription",
        description="The answer carries the signing `secret` once; it is never returned again (rotate it to get a new one).",
        request=api.SubscriptionCreateSerializer,
        responses={201: api.SubscriptionWithSecretSerializer, **CREATE_ERRORS},
    ),
    retrieve=extend_schema(summary="Get a webhook subscription", responses={200: api.SubscriptionSerializer, **DETAIL_ERRORS}),
    partial_update=extend_schema(
        summary="Change some of a webhook subscription's fields",
        description="Set `is_active` to false to pause deliveries without losing the subscription.",
        request=api.SubscriptionUpdateSerializer,
        responses={200: api.SubscriptionSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a webhook subscription",
        description="Deletes the subscription and its delivery log; pending retries stop. The audit trail keeps the record.",
        responses={204: OpenApiResponse(description="Deleted."), **DETAIL_ERRORS},
    ),
    rotate_secret=extend_schema(
        summary="Rotate the signing secret",
        description="A new secret, in effect at once (also for retries of earlier deliveries); shown in this answer only.",
        request=None,
        responses={200: api.SubscriptionWithSecretSerializer, **WRITE_ERRORS},
    ),
    send_test=extend_schema(
        summary="Send a test event",
        description="Queues a `webhook.test` delivery to the subscription's URL; follow `Location` for its result.",
        request=None,
        responses={202: api.DeliverySerializer, **WRITE_ERRORS},
    ),
)
class SubscriptionViewSet(_WebhookViewSet):
    serializer_class = api.SubscriptionSerializer
    queryset = WebhookSubscription.objects.none()

    def _get(self, pk: int) -> WebhookSubscription:
        subscription = subscriptions_visible_to(self.actor()).filter(pk=pk).first()
        if subscription is None:
            raise NotFound(_("Subscription not found."))
        return subscription

    def list(self, request: Request) -> Response:
        return self._page(subscriptions_visible_to(self.actor()), api.SubscriptionSerializer)

    def create(self, request: Request) -> Response:
        data = self._input(api.SubscriptionCreateSerializer)
        with _api_field_names():
            subscription, secret = services.subscription_create(
                actor=self.actor(),
                company=data["company"],
                name=data["name"],
                target_url=data["url"],
                event_keys=data["events"],
                is_active=data["is_active"],
            )
        location = reverse("webhook-subscription-detail", kwargs={"pk": subscription.pk})
        return _secret_response(subscription, secret, status.HTTP_201_CREATED, headers={"Location": location})

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(api.SubscriptionSerializer(self._get(pk)).data)

    def partial_update(self, request: Request, pk: int) -> Response:
        subscription = self._get(pk)
        data = self._input(api.SubscriptionUpdateSerializer, partial=True)
        with _api_field_names():
            subscription = services.subscription_update(
                actor=self.actor(),
                subscription=subscription,
                name=data.get("name", subscription.name),
                target_url=data.get("url", subscription.target_url),
                event_keys=data.get("events", subscription.event_keys),
                is_active=data.get("is_active", subscription.is_active),
            )
        return Response(api.SubscriptionSerializer(subscription).data)

    def destroy(self, request: Request, pk: int) -> Response:
        services.subscription_delete(actor=self.actor(), subscription=self._get(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request: Request, pk: int) -> Response:
        subscription = self._get(pk)
        secret = services.subscription_rotate_secret(actor=self.actor(), subscription=subscription)
        return _secret_response(self._get(pk), secret, status.HTTP_200_OK)

    @action(detail=True, methods=["post"], url_path="test", url_name="test")
    def send_test(self, request: Request, pk: int) -> Response:
        delivery = services.subscription_send_test(actor=self.actor(), subscription=self._get(pk))
        return _delivery_accepted(delivery)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook deliveries",
        description="Newest first: each delivery's status, attempts, last response code and excerpt, and when the next retry is due.",
        parameters=[api.DeliveryFilterSerializer],
        responses={200: api.DeliverySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get a webhook delivery", responses={200: api.DeliverySerializer, **DETAIL_ERRORS}),
    redeliver=extend_schema(
        summary="Redeliver a webhook delivery",
        description="Sends the same event data again as a new delivery (new id) to the subscription's current URL.",
        request=None,
        responses={202: api.DeliverySerializer, **WRITE_ERRORS},
    ),
)
class DeliveryViewSet(_WebhookViewSet):
    serializer_class = api.DeliverySerializer
    queryset = WebhookDelivery.objects.none()

    def _get(self, pk: int) -> WebhookDelivery:
        delivery = deliveries_visible_to(self.actor()).filter(pk=pk).first()
        if delivery is None:
            raise NotFound(_("Delivery not found."))
        return delivery

    def list(self, request: Request) -> Response:
        filters = api.DeliveryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        deliveries = deliveries_visible_to(self.actor())
        if filters.validated_data.get("subscription"):
            deliveries = deliveries.filter(subscription_id=filters.validated_data["subscription"])
        if filters.validated_data.get("status"):
            deliveries = deliveries.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("event"):
            deliveries = deliveries.filter(event_key=filters.validated_data["event"])
        return self._page(deliveries, api.DeliverySerializer)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(api.DeliverySerializer(self._get(pk)).data)

    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: int) -> Response:
        return _delivery_accepted(services.delivery_redeliver(actor=self.actor(), delivery=self._get(pk)))
