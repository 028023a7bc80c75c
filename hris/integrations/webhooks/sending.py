"""Sending one webhook delivery (kind "webhook" of the shared delivery mechanics)."""

from __future__ import annotations

import json
import time

from django.utils.translation import gettext as _

from hris.integrations.webhooks.models import WebhookDelivery
from hris.integrations.webhooks.signing import signature
from hris.notifications.delivery import DeliveryKind, Outcome, post

KIND = "webhook"


def envelope(delivery: WebhookDelivery) -> bytes:
    payload = {
        "id": str(delivery.uuid),
        "event": delivery.event_key,
        "created_at": delivery.created_at.isoformat(),
        "company": delivery.company.code,
        "data": delivery.data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def send_webhook_delivery(delivery: WebhookDelivery) -> Outcome:
    subscription = delivery.subscription
    if not subscription.is_active:
        return Outcome(ok=False, error=_("The subscription was switched off before the event was sent."))
    secret = subscription.secret()
    if not secret:
        return Outcome(ok=False, error=_("The subscription's secret cannot be decrypted with this server's key; rotate it."))
    body = envelope(delivery)
    if not delivery.request_body:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(request_body=body.decode("utf-8"))
    timestamp = int(time.time())
    headers = {
        "User-Agent": "Renshi-Webhooks/1.0",
        "X-Renshi-Event": delivery.event_key,
        "X-Renshi-Delivery": str(delivery.uuid),
        "X-Renshi-Timestamp": str(timestamp),
        "X-Renshi-Signature": signature(secret, timestamp, body),
    }
    return post(delivery.target_url, body=body, headers=headers)


WEBHOOK_KIND = DeliveryKind(
    label=KIND,
    model=WebhookDelivery,
    send=lambda delivery: send_webhook_delivery(delivery),
    resend_fields=("subscription", "target_url", "data"),
)
