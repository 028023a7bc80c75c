"""Reads for role management: which companies an actor manages and their role grants."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hris.accounts.models import RoleAssignment, User
from hris.accounts.roles import ROLE_CAPABILITIES, Capability, ScopeType
from hris.accounts.scopes import grants_of
from hris.org.models import Company


def companies_with_role_management(actor: Any) -> QuerySet[Company]:
    """Companies in which the actor may grant and revoke roles: a company-wide
    MANAGE_ROLES grant (the rule role_grant/role_revoke enforce); superusers: all."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Company.objects.none()
    if actor.is_superuser:
        return Company.objects.all()
    company_ids = {
        grant.company_id
        for grant in grants_of(actor)
        if grant.scope_type == ScopeType.COMPANY and Capability.MANAGE_ROLES in ROLE_CAPABILITIES.get(grant.role, ())
    }
    return Company.objects.filter(pk__in=company_ids)


def role_assignments_of_company(actor: Any, company: Company, *, text: str = "", role: str = "") -> QuerySet[RoleAssignment]:
    """The role grants of a company the actor manages (none otherwise), newest first."""
    if not companies_with_role_management(actor).filter(pk=company.pk).exists():
        return RoleAssignment.objects.none()
    queryset = RoleAssignment.objects.filter(company=company).select_related("user", "user__employee", "branch", "department")
    if role:
        queryset = queryset.filter(role=role)
    if text:
        text = text.strip()
        queryset = queryset.filter(
            Q(user__username__icontains=text) | Q(user__employee__name__icontains=text) | Q(user__employee__employee_number__iexact=text)
        )
    return queryset.order_by("-created_at", "-pk")


def grantable_users(company: Company) -> QuerySet[User]:
    """Accounts that may receive roles in a company: those of its employees."""
    return User.objects.filter(employee__company=company, is_active=True)
