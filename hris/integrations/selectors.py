"""Reads of the integration hub, restricted to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hris.accounts.roles import Capability
from hris.accounts.scopes import company_ids_with, has_capability
from hris.integrations.models import IngestionBatch


def integration_company_ids(actor: Any) -> set[int] | None:
    """Companies whose integrations the actor manages (MANAGE_INTEGRATIONS company-wide); None: all."""
    return company_ids_with(actor, Capability.MANAGE_INTEGRATIONS)


def may_manage_integrations(actor: Any) -> bool:
    return has_capability(actor, Capability.MANAGE_INTEGRATIONS) and integration_company_ids(actor) != set()


def batches_visible_to(actor: Any) -> QuerySet[IngestionBatch]:
    """A sender sees its own batches; integration managers every batch of their companies."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return IngestionBatch.objects.none()
    companies = integration_company_ids(actor)
    if companies is None:
        return IngestionBatch.objects.all()
    return IngestionBatch.objects.filter(Q(submitted_by_id=actor.pk) | Q(company_id__in=companies))
