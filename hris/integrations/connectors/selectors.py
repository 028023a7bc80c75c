"""Who may manage connectors (MANAGE_INTEGRATIONS, per company) and what they see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hris.accounts.roles import ROLE_CAPABILITIES, Capability
from hris.accounts.scopes import company_ids_with
from hris.integrations.connectors.models import Connector, MappingPreset, SyncRun


def manageable_company_ids(actor: Any) -> set[int] | None:
    """Companies where the actor manages integrations company-wide; None means every company (superuser)."""
    return company_ids_with(actor, Capability.MANAGE_INTEGRATIONS)


def may_manage(actor: Any, company_id: int) -> bool:
    companies = manageable_company_ids(actor)
    return companies is None or company_id in companies


def connectors_visible_to(actor: Any) -> QuerySet[Connector]:
    companies = manageable_company_ids(actor)
    queryset = Connector.objects.select_related("company", "schedule", "schedule__interval", "schedule__crontab")
    return queryset if companies is None else queryset.filter(company_id__in=companies)


def runs_visible_to(actor: Any) -> QuerySet[SyncRun]:
    companies = manageable_company_ids(actor)
    queryset = SyncRun.objects.select_related("connector")
    return queryset if companies is None else queryset.filter(connector__company_id__in=companies)


def presets_for(actor: Any, company_id: int, vendor: str) -> QuerySet[MappingPreset]:
    if not may_manage(actor, company_id):
        return MappingPreset.objects.none()
    return MappingPreset.objects.filter(company_id=company_id, vendor=vendor)


def integration_manager_ids(company_id: int) -> list[int]:
    """The people to tell when a sync fails: every user who manages integrations in the company."""
    from hris.accounts.models import RoleAssignment

    roles = [role for role, capabilities in ROLE_CAPABILITIES.items() if Capability.MANAGE_INTEGRATIONS in capabilities]
    rows = RoleAssignment.objects.filter(company_id=company_id, role__in=roles, user__is_active=True)
    return sorted(set(rows.values_list("user_id", flat=True)))
