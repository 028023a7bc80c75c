"""Who may configure channels and webhooks: MANAGE_INTEGRATIONS over the whole company."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import company_ids_with
from hris.core.errors import PermissionDenied


def managed_company_ids(actor: Any) -> set[int] | None:
    """Companies whose integrations the actor manages; None means every company (superuser)."""
    return company_ids_with(actor, Capability.MANAGE_INTEGRATIONS)


def may_manage(actor: Any, company_id: int) -> bool:
    companies = managed_company_ids(actor)
    return companies is None or company_id in companies


def may_manage_any(actor: Any) -> bool:
    companies = managed_company_ids(actor)
    return companies is None or bool(companies)


def require_manage(actor: Any, company_id: int) -> None:
    if not may_manage(actor, company_id):
        raise PermissionDenied(_("You are not allowed to manage the integrations of this company."))


def managed_companies(actor: Any) -> list:
    from hris.org.models import Company

    companies = managed_company_ids(actor)
    queryset = Company.objects.filter(is_active=True) if companies is None else Company.objects.filter(pk__in=companies)
    return list(queryset.order_by("name"))


def in_managed_companies(queryset, actor: Any, field: str = "company_id"):  # noqa: ANN001, ANN201
    """Restrict a queryset of company-owned rows to the companies the actor manages."""
    companies = managed_company_ids(actor)
    return queryset if companies is None else queryset.filter(**{f"{field}__in": companies})
