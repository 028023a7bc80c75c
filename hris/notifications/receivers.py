"""The notifications receiver of hris.core.events: an in-app notification per recipient and a
delivery per subscribed channel, written in the emitting transaction, sent after commit."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from hris.core.events import EVENT_TYPES, Event
from hris.notifications.delivery import queue_after_commit
from hris.notifications.models import Channel, ChannelKind, Delivery, Notification
from hris.notifications.sending import KIND

TITLE_LENGTH = 300


def title_of(event: Event) -> str:
    return (event.title or str(EVENT_TYPES[event.key].label))[:TITLE_LENGTH]


def on_event(event: Event) -> None:
    title = title_of(event)
    users = list(get_user_model().objects.filter(pk__in=event.recipient_user_ids).values_list("pk", "email", "is_active"))
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id, company_id=event.company_id, event_key=event.key, title=title, body=event.body, link=event.link
            )
            for user_id, _email, _active in users
        ]
    )
    channels = [
        channel
        for channel in Channel.objects.filter(company_id=event.company_id, is_active=True)
        if event.key in (channel.event_keys or [])
    ]
    if not channels:
        return
    now = timezone.now()
    common = {"company_id": event.company_id, "event_key": event.key, "title": title, "body": event.body, "link": event.link}
    deliveries: list[Delivery] = []
    for channel in channels:
        if channel.kind == ChannelKind.EMAIL:
            deliveries.extend(
                Delivery(channel=channel, recipient_id=user_id, target=email, next_attempt_at=now, **common)
                for user_id, email, active in users
                if email and active
            )
        else:
            deliveries.append(Delivery(channel=channel, target=channel.webhook_url_hint, next_attempt_at=now, **common))
    created = Delivery.objects.bulk_create(deliveries)
    queue_after_commit(KIND, [delivery.pk for delivery in created])
