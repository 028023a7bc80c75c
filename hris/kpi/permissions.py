"""Who may configure, compute and write KPI data.

The library, templates and cycles belong to a company: changing them needs the capability
over the whole company. Per-employee data (targets, metric records, ratings) needs the
capability over that employee, through the same `scope_q` the selectors use.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from hris.accounts.roles import ROLE_CAPABILITIES, Capability
from hris.accounts.scopes import company_ids_with, grants_of, scope_q
from hris.core.errors import PermissionDenied

# scope_q field names for querysets of Employee
EMPLOYEE_SCOPE_FIELDS = {
    "company_field": "company_id",
    "branch_field": "department__branch_id",
    "department_path_field": "department__path",
    "self_field": "user_id",
}
# scope_q field names for querysets of Assessment (the department it was assessed in)
ASSESSMENT_SCOPE_FIELDS = {
    "company_field": "cycle__company_id",
    "branch_field": "department__branch_id",
    "department_path_field": "department__path",
    "self_field": "employee__user_id",
}


def may_company(actor: Any, capability: Capability, company_id: int) -> bool:
    """`actor=None` is the system itself (seeding, tasks)."""
    if actor is None:
        return True
    companies = company_ids_with(actor, capability)
    return companies is None or company_id in companies


def require_company(actor: Any, capability: Capability, company_id: int) -> None:
    if not may_company(actor, capability, company_id):
        raise PermissionDenied(_("You are not allowed to do this for the whole company."))


def require_employee(actor: Any, capability: Capability, employee: Any) -> None:
    """The employee must lie in the actor's scope for `capability`."""
    if actor is None:
        return
    from hris.people.models import Employee

    if not Employee.objects.filter(pk=employee.pk).filter(scope_q(actor, capability, **EMPLOYEE_SCOPE_FIELDS)).exists():
        raise PermissionDenied(_("You are not allowed to do this for %(target)s.") % {"target": employee})


def company_ids_granting(actor: Any, capabilities: frozenset[Capability]) -> set[int] | None:
    """Companies where some grant (of any scope) carries one of `capabilities`; None = every company (superuser)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return set()
    if actor.is_superuser:
        return None
    return {grant.company_id for grant in grants_of(actor) if capabilities & ROLE_CAPABILITIES.get(grant.role, frozenset())}


# The library and templates are company data, not personal data: whoever configures KPIs or sees
# scores anywhere in the company may read all of it.
LIBRARY_READERS = frozenset({Capability.CONFIGURE_KPI, Capability.VIEW_SCORES})


def library_company_ids(actor: Any) -> set[int] | None:
    return company_ids_granting(actor, LIBRARY_READERS)


def companies_among(company_ids: set[int] | None) -> list:
    """The companies (by name) for a set of ids from the functions above; None means all."""
    from hris.org.models import Company

    companies = Company.objects.all() if company_ids is None else Company.objects.filter(pk__in=company_ids)
    return list(companies.order_by("name"))
