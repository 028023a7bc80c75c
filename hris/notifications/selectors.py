"""Reads of notifications (own only), channels and deliveries (companies the actor manages)."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from hris.notifications.models import Channel, Delivery, Notification
from hris.notifications.permissions import in_managed_companies


def notifications_of(actor: Any) -> QuerySet[Notification]:
    """The actor's own notifications, unread first, newest first."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Notification.objects.none()
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return Notification.objects.filter(recipient_id=actor.pk).annotate(unread=unread).order_by("-unread", "-created_at", "-pk")


def unread_count(actor: Any) -> int:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).count()


def channels_visible_to(actor: Any) -> QuerySet[Channel]:
    return in_managed_companies(Channel.objects.select_related("company"), actor).order_by("company__name", "name", "pk")


def deliveries_visible_to(actor: Any) -> QuerySet[Delivery]:
    rows = Delivery.objects.select_related("channel", "company", "recipient")
    return in_managed_companies(rows, actor).order_by("-created_at", "-pk")
