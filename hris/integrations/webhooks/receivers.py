"""The webhooks receiver of hris.core.events: a delivery per active subscription of the
company that picked the event (only events offered to webhooks), sent after commit."""

from __future__ import annotations

from django.utils import timezone

from hris.core.events import EVENT_TYPES, Event
from hris.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from hris.integrations.webhooks.sending import KIND
from hris.notifications.delivery import queue_after_commit


def on_event(event: Event) -> None:
    if not EVENT_TYPES[event.key].webhook:
        return
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(company_id=event.company_id, is_active=True)
        if event.key in (subscription.event_keys or [])
    ]
    if not subscriptions:
        return
    now = timezone.now()
    created = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                company_id=event.company_id,
                subscription=subscription,
                event_key=event.key,
                target_url=subscription.target_url,
                data=event.payload,
                next_attempt_at=now,
            )
            for subscription in subscriptions
        ]
    )
    queue_after_commit(KIND, [delivery.pk for delivery in created])
