"""Writes: channels (HR with MANAGE_INTEGRATIONS), resends, and marking one's notifications read."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.audit.services import audit_record
from hris.core.errors import DomainError, NotFound, field_errors_from_validation_error
from hris.core.events import EVENT_TYPES
from hris.core.protected import encrypt_text
from hris.notifications import delivery as mechanics
from hris.notifications import robots
from hris.notifications.models import ROBOT_KINDS, SIGNING_KINDS, Channel, ChannelKind, Delivery, Notification
from hris.notifications.permissions import require_manage
from hris.notifications.sending import KIND

NAME_LENGTH = 100
SECRET_LENGTH = 200


def _clean_event_keys(event_keys: list[str], *, webhook_only: bool = False) -> list[str]:
    unknown = [key for key in event_keys if key not in EVENT_TYPES or (webhook_only and not EVENT_TYPES[key].webhook)]
    if unknown:
        message = _("Unknown or not offered events: %(keys)s.") % {"keys": ", ".join(unknown)}
        raise DomainError(message, code="invalid", field_errors={"event_keys": [message]})
    return [key for key in EVENT_TYPES if key in set(event_keys)]  # catalogue order, no duplicates


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        message = _("Give the channel a name.")
        raise DomainError(message, code="invalid", field_errors={"name": [message]})
    if len(name) > NAME_LENGTH:
        message = _("Keep the name under %(limit)s characters.") % {"limit": NAME_LENGTH}
        raise DomainError(message, code="invalid", field_errors={"name": [message]})
    return name


def _require_unique_name(company_id: int, name: str, exclude_pk: int | None = None) -> None:
    if Channel.objects.filter(company_id=company_id, name=name).exclude(pk=exclude_pk).exists():
        message = _("This company already has a channel named “%(name)s”.") % {"name": name}
        raise DomainError(message, code="conflict", field_errors={"name": [message]})


def _set_url(channel: Channel, url: str) -> None:
    url = (url or "").strip()
    problem = robots.url_problem(channel.kind, url)
    if problem:
        raise DomainError(problem, code="invalid", field_errors={"webhook_url": [problem]})
    channel.webhook_url_encrypted = encrypt_text(url)
    channel.webhook_url_hint = robots.url_hint(url)[:300]


def _set_secret(channel: Channel, secret: str) -> None:
    secret = (secret or "").strip()
    if len(secret) > SECRET_LENGTH:
        message = _("The secret is longer than %(limit)s characters.") % {"limit": SECRET_LENGTH}
        raise DomainError(message, code="invalid", field_errors={"secret": [message]})
    channel.secret_encrypted = encrypt_text(secret)
    channel.secret_hint = robots.secret_hint(secret)


def _full_clean(channel: Channel) -> None:
    try:
        channel.full_clean()
    except ValidationError as error:
        raise DomainError(_("The channel is not valid."), code="invalid", field_errors=field_errors_from_validation_error(error))


def _snapshot(channel: Channel) -> dict[str, Any]:
    """What the audit trail keeps: never the URL's credential or the secret, only their hints."""
    return {
        "name": channel.name,
        "kind": channel.kind,
        "webhook_url": channel.webhook_url_hint,
        "secret": channel.secret_hint,
        "event_keys": list(channel.event_keys),
        "is_active": channel.is_active,
    }


@transaction.atomic
def channel_create(
    *,
    actor: Any,
    company: Any,
    name: str,
    kind: str,
    webhook_url: str = "",
    secret: str = "",
    event_keys: list[str],
    is_active: bool = True,
) -> Channel:
    require_manage(actor, company.pk)
    if kind not in ChannelKind.values:
        message = _("Choose the kind of channel.")
        raise DomainError(message, code="invalid", field_errors={"kind": [message]})
    channel = Channel(company=company, name=_clean_name(name), kind=kind, event_keys=_clean_event_keys(event_keys), is_active=is_active)
    _require_unique_name(company.pk, channel.name)
    if kind in ROBOT_KINDS:
        _set_url(channel, webhook_url)
    if kind in SIGNING_KINDS and secret:
        _set_secret(channel, secret)
    _full_clean(channel)
    channel.save()
    audit_record(actor=actor, action="notifications.channel_created", target=channel, after=_snapshot(channel), company_id=company.pk)
    return channel


@transaction.atomic
def channel_update(
    *,
    actor: Any,
    channel: Channel,
    name: str,
    event_keys: list[str],
    is_active: bool,
    webhook_url: str = "",
    secret: str = "",
    clear_secret: bool = False,
) -> Channel:
    """A blank URL or secret keeps the stored one (the pages never show them again)."""
    require_manage(actor, channel.company_id)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    before = _snapshot(channel)
    channel.name = _clean_name(name)
    _require_unique_name(channel.company_id, channel.name, exclude_pk=channel.pk)
    channel.event_keys = _clean_event_keys(event_keys)
    channel.is_active = is_active
    if channel.is_robot and (webhook_url or "").strip():
        _set_url(channel, webhook_url)
    if channel.kind in SIGNING_KINDS:
        if clear_secret:
            _set_secret(channel, "")
        elif (secret or "").strip():
            _set_secret(channel, secret)
    _full_clean(channel)
    channel.save()
    audit_record(
        actor=actor,
        action="notifications.channel_updated",
        target=channel,
        before=before,
        after=_snapshot(channel),
        company_id=channel.company_id,
    )
    return channel


@transaction.atomic
def channel_send_test(*, actor: Any, channel: Channel) -> list[Delivery]:
    """A test message through the channel (to the actor's own email for an email channel)."""
    require_manage(actor, channel.company_id)
    if not channel.is_active:
        raise DomainError(_("Switch the channel on before sending a test message."), code="inactive")
    target, recipient = channel.webhook_url_hint, None
    if channel.kind == ChannelKind.EMAIL:
        if not actor.email:
            raise DomainError(_("Your account has no email address to send the test message to."), code="no_email")
        target, recipient = actor.email, actor
    delivery = Delivery(
        company_id=channel.company_id,
        channel=channel,
        recipient=recipient,
        target=target,
        event_key="notifications.test",
        title=_("Test message from Renshi"),
        body=_("If you can read this, the channel “%(name)s” works.") % {"name": channel.name},
        link="/notifications/",
        next_attempt_at=timezone.now(),
    )
    delivery.save()
    mechanics.queue_after_commit(KIND, [delivery.pk])
    audit_record(actor=actor, action="notifications.channel_tested", target=channel, company_id=channel.company_id)
    return [delivery]


@transaction.atomic
def delivery_resend(*, actor: Any, delivery: Delivery) -> Delivery:
    require_manage(actor, delivery.company_id)
    if delivery.is_pending:
        raise DomainError(_("This delivery is still being attempted; wait for its result before resending."), code="pending")
    copy = mechanics.resend(KIND, delivery)
    audit_record(
        actor=actor,
        action="notifications.delivery_resent",
        target=delivery,
        after={"resend": str(copy.uuid)},
        company_id=delivery.company_id,
    )
    return copy


def notification_mark_read(*, actor: Any, notification_id: int) -> Notification:
    """Only one's own notifications; someone else's is "not found"."""
    notification = Notification.objects.filter(pk=notification_id, recipient_id=actor.pk).first()
    if notification is None:
        raise NotFound(_("Notification not found."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())
