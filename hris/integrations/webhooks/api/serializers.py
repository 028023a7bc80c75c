"""Webhook subscriptions and deliveries in and out. The API names the target `url` and the
subscribed `events`; the secret appears only in the answers that create or rotate it."""

from __future__ import annotations

from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from hris.core.events import EVENT_TYPES
from hris.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from hris.integrations.webhooks.selectors import companies_managed_by
from hris.notifications.delivery import DeliveryStatus
from hris.org.api.serializers import ActorScopedPrimaryKeyField

WEBHOOK_EVENTS = [(key, str(key)) for key, event in EVENT_TYPES.items() if event.webhook]

# ---- output ---------------------------------------------------------------------------


class SubscriptionSerializer(serializers.ModelSerializer):
    url = serializers.URLField(source="target_url", help_text="Renshi POSTs signed JSON to this URL.")
    events = serializers.ListField(source="event_keys", child=serializers.CharField(), help_text="Event keys from the catalogue.")
    secret_hint = serializers.CharField(
        read_only=True, help_text="The first characters of the signing secret; the secret itself is never returned."
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "company", "name", "url", "events", "is_active", "secret_hint", "created_at", "updated_at"]


class SubscriptionWithSecretSerializer(SubscriptionSerializer):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret (whsec_…), shown in this answer only: store it now, it cannot be read again."
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]

    def get_secret(self, subscription: WebhookSubscription) -> str:
        return self.context["secret"]


class DeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event_key", help_text="Event key, or webhook.test for a test event.")
    url = serializers.URLField(source="target_url", help_text="Where this delivery is posted.")
    next_attempt_at = serializers.DateTimeField(allow_null=True, help_text="When the next retry is due; null once sent or failed.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "uuid",
            "subscription",
            "event",
            "url",
            "status",
            "attempts",
            "response_code",
            "response_excerpt",
            "error",
            "last_attempt_at",
            "next_attempt_at",
            "sent_at",
            "resend_of",
            "created_at",
        ]


# ---- query parameters -----------------------------------------------------------------


class DeliveryFilterSerializer(serializers.Serializer):
    subscription = serializers.IntegerField(required=False, min_value=1, help_text="Only deliveries of this subscription.")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
    event = serializers.CharField(required=False, max_length=64, help_text="Only deliveries of this event key.")


# ---- input ----------------------------------------------------------------------------


class _SubscriptionInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"], message=_("Enter the full http(s) URL that receives the events."))],
        help_text="The full http(s) URL that receives the events.",
    )
    events = serializers.MultipleChoiceField(
        choices=WEBHOOK_EVENTS, required=False, default=list, help_text="Event keys from the catalogue offered to webhooks."
    )
    is_active = serializers.BooleanField(required=False, default=True)

    def validate_events(self, events: set[str]) -> list[str]:
        return [key for key in EVENT_TYPES if key in events]  # catalogue order, as the service stores them


class SubscriptionCreateSerializer(_SubscriptionInput):
    company = ActorScopedPrimaryKeyField(
        companies_managed_by, required=False, help_text="Required when the caller manages the integrations of several companies."
    )

    def validate(self, data: dict) -> dict:
        if data.get("company") is None:
            companies = list(companies_managed_by(self.context["request"].user)[:2])
            if len(companies) != 1:
                raise serializers.ValidationError({"company": [_("Choose the company of the subscription.")]})
            data["company"] = companies[0]
        return data


class SubscriptionUpdateSerializer(_SubscriptionInput):
    """PATCH changes only the fields sent; the company of a subscription does not change."""
