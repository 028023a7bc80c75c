"""Writes: webhook subscriptions (HR with MANAGE_INTEGRATIONS), test events and redeliveries."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.audit.services import audit_record
from hris.core.errors import DomainError, field_errors_from_validation_error
from hris.core.protected import encrypt_text
from hris.integrations.webhooks.models import TEST_EVENT, WebhookDelivery, WebhookSubscription
from hris.integrations.webhooks.sending import KIND
from hris.integrations.webhooks.signing import generate_secret
from hris.notifications import delivery as mechanics
from hris.notifications.permissions import require_manage
from hris.notifications.robots import secret_hint
from hris.notifications.services import _clean_event_keys

NAME_LENGTH = 100


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_LENGTH:
        message = _("Give the subscription a name of at most %(limit)s characters.") % {"limit": NAME_LENGTH}
        raise DomainError(message, code="invalid", field_errors={"name": [message]})
    return name


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        message = _("Enter the full http(s) URL that receives the events.")
        raise DomainError(message, code="invalid", field_errors={"target_url": [message]})
    return url


def _require_unique_name(company_id: int, name: str, exclude_pk: int | None = None) -> None:
    if WebhookSubscription.objects.filter(company_id=company_id, name=name).exclude(pk=exclude_pk).exists():
        message = _("This company already has a subscription named “%(name)s”.") % {"name": name}
        raise DomainError(message, code="conflict", field_errors={"name": [message]})


def _save(subscription: WebhookSubscription) -> None:
    try:
        subscription.full_clean()
    except ValidationError as error:
        raise DomainError(_("The subscription is not valid."), code="invalid", field_errors=field_errors_from_validation_error(error))
    subscription.save()


def _snapshot(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "name": subscription.name,
        "target_url": subscription.target_url,
        "secret": subscription.secret_hint,
        "event_keys": list(subscription.event_keys),
        "is_active": subscription.is_active,
    }


def _set_secret(subscription: WebhookSubscription) -> str:
    secret = generate_secret()
    subscription.secret_encrypted = encrypt_text(secret)
    subscription.secret_hint = secret_hint(secret)
    return secret


@transaction.atomic
def subscription_create(
    *, actor: Any, company: Any, name: str, target_url: str, event_keys: list[str], is_active: bool = True
) -> tuple[WebhookSubscription, str]:
    """Returns the subscription and its new secret: show the secret once, it is not shown again."""
    require_manage(actor, company.pk)
    subscription = WebhookSubscription(
        company=company,
        name=_clean_name(name),
        target_url=_clean_url(target_url),
        event_keys=_clean_event_keys(event_keys, webhook_only=True),
        is_active=is_active,
    )
    _require_unique_name(company.pk, subscription.name)
    secret = _set_secret(subscription)
    _save(subscription)
    audit_record(
        actor=actor, action="webhooks.subscription_created", target=subscription, after=_snapshot(subscription), company_id=company.pk
    )
    return subscription, secret


@transaction.atomic
def subscription_update(
    *, actor: Any, subscription: WebhookSubscription, name: str, target_url: str, event_keys: list[str], is_active: bool
) -> WebhookSubscription:
    require_manage(actor, subscription.company_id)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = _snapshot(subscription)
    subscription.name = _clean_name(name)
    _require_unique_name(subscription.company_id, subscription.name, exclude_pk=subscription.pk)
    subscription.target_url = _clean_url(target_url)
    subscription.event_keys = _clean_event_keys(event_keys, webhook_only=True)
    subscription.is_active = is_active
    _save(subscription)
    audit_record(
        actor=actor,
        action="webhooks.subscription_updated",
        target=subscription,
        before=before,
        after=_snapshot(subscription),
        company_id=subscription.company_id,
    )
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, actor: Any, subscription: WebhookSubscription) -> str:
    """A new secret, effective for every attempt from now on (also retries of older deliveries)."""
    require_manage(actor, subscription.company_id)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = subscription.secret_hint
    secret = _set_secret(subscription)
    _save(subscription)
    audit_record(
        actor=actor,
        action="webhooks.secret_rotated",
        target=subscription,
        before={"secret": before},
        after={"secret": subscription.secret_hint},
        company_id=subscription.company_id,
    )
    return secret


@transaction.atomic
def subscription_delete(*, actor: Any, subscription: WebhookSubscription) -> None:
    """Removes the subscription for good with its delivery log (pending retries stop with it); the
    audit trail keeps what it was. To pause a subscription, switch it off instead."""
    require_manage(actor, subscription.company_id)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = {**_snapshot(subscription), "deliveries": subscription.deliveries.count()}
    audit_record(
        actor=actor,
        action="webhooks.subscription_deleted",
        target=subscription,
        before=before,
        company_id=subscription.company_id,
    )
    subscription.delete()


@transaction.atomic
def subscription_send_test(*, actor: Any, subscription: WebhookSubscription) -> WebhookDelivery:
    require_manage(actor, subscription.company_id)
    if not subscription.is_active:
        raise DomainError(_("Switch the subscription on before sending a test event."), code="inactive")
    delivery = WebhookDelivery(
        company_id=subscription.company_id,
        subscription=subscription,
        event_key=TEST_EVENT,
        target_url=subscription.target_url,
        data={"message": "Test event from Renshi", "subscription": subscription.name, "sent_by": actor.get_username()},
        next_attempt_at=timezone.now(),
    )
    delivery.save()
    mechanics.queue_after_commit(KIND, [delivery.pk])
    audit_record(actor=actor, action="webhooks.test_sent", target=subscription, company_id=subscription.company_id)
    return delivery


@transaction.atomic
def delivery_redeliver(*, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery (new id) of the same event data to the subscription's current URL."""
    require_manage(actor, delivery.company_id)
    if delivery.is_pending:
        raise DomainError(_("This delivery is still being attempted; wait for its result before redelivering."), code="pending")
    copy = mechanics.resend(KIND, delivery)
    if copy.target_url != delivery.subscription.target_url:
        copy.target_url = delivery.subscription.target_url
        copy.save(update_fields=["target_url"])
    audit_record(
        actor=actor,
        action="webhooks.delivery_redelivered",
        target=delivery,
        after={"redelivery": str(copy.uuid)},
        company_id=delivery.company_id,
    )
    return copy
