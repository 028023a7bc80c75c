"""Reads of subscriptions and deliveries: the companies whose integrations the actor manages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hris.integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from hris.notifications.permissions import in_managed_companies
from hris.org.models import Company


def companies_managed_by(actor: Any) -> QuerySet:
    """Active companies whose webhooks the actor may configure (MANAGE_INTEGRATIONS company-wide)."""
    return in_managed_companies(Company.objects.filter(is_active=True), actor, field="pk").order_by("name", "pk")


def subscriptions_visible_to(actor: Any) -> QuerySet[WebhookSubscription]:
    return in_managed_companies(WebhookSubscription.objects.select_related("company"), actor).order_by("company__name", "name", "pk")


def deliveries_visible_to(actor: Any) -> QuerySet[WebhookDelivery]:
    rows = WebhookDelivery.objects.select_related("subscription", "company")
    return in_managed_companies(rows, actor).order_by("-created_at", "-pk")
