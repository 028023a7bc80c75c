"""The one place where data scopes become query filters.

Selectors call `scope_q()` with the actor and a capability and get back a Q that
restricts a queryset to what the actor may see. Views, API and exports never filter
by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from hris.accounts.roles import ROLE_CAPABILITIES, SELF_CAPABILITIES, Capability, ScopeType

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Grant:
    role: str
    scope_type: str
    company_id: int
    branch_id: int | None
    department_id: int | None
    department_path: str | None


def grants_of(actor: Any) -> list[Grant]:
    """The actor's role grants, loaded once per user object."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    cached = getattr(actor, "_renshi_grants", None)
    if cached is None:
        cached = [
            Grant(
                role=assignment.role,
                scope_type=assignment.scope_type,
                company_id=assignment.company_id,
                branch_id=assignment.branch_id,
                department_id=assignment.department_id,
                department_path=assignment.department.path if assignment.department_id else None,
            )
            for assignment in actor.role_assignments.select_related("department")
        ]
        actor._renshi_grants = cached
    return cached


def forget_grants(actor: Any) -> None:
    for attribute in ("_renshi_grants", "_renshi_own_position"):
        if hasattr(actor, attribute):
            delattr(actor, attribute)


def roles_of(actor: Any) -> set[str]:
    return {grant.role for grant in grants_of(actor)}


def has_capability(actor: Any, capability: Capability) -> bool:
    """True if any grant of the actor carries the capability (over some scope)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    return any(capability in ROLE_CAPABILITIES.get(grant.role, ()) for grant in grants_of(actor))


def scope_q(
    actor: Any,
    capability: Capability,
    *,
    company_field: str = "company_id",
    branch_field: str = "department__branch_id",
    department_path_field: str = "department__path",
    self_field: str | None = "user_id",
) -> Q:
    """Q restricting a queryset to the rows the actor may use with `capability`.

    The field names say how the queryset reaches company, branch, department path and
    the owning user, so the same rules serve employees, their contracts, audit rows …
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return NOTHING
    if actor.is_superuser:
        return Q()
    combined = NOTHING
    for grant in grants_of(actor):
        if capability not in ROLE_CAPABILITIES.get(grant.role, ()):
            continue
        if grant.scope_type == ScopeType.COMPANY:
            combined |= Q(**{company_field: grant.company_id})
        elif grant.scope_type == ScopeType.BRANCH:
            combined |= Q(**{company_field: grant.company_id, branch_field: grant.branch_id})
        elif grant.scope_type == ScopeType.DEPARTMENT and grant.department_path:
            combined |= Q(**{company_field: grant.company_id, f"{department_path_field}__startswith": grant.department_path})
        elif grant.scope_type == ScopeType.SELF and self_field:
            combined |= Q(**{self_field: actor.pk})
    if self_field and capability in SELF_CAPABILITIES and not _own_record_covered(actor, capability):
        combined |= Q(**{self_field: actor.pk})
    return combined


def _own_position(actor: Any) -> tuple[int, int | None, str] | None:
    """(company id, branch id, department path) of the actor's own employee record."""
    cached = getattr(actor, "_renshi_own_position", False)
    if cached is False:
        from hris.people.models import Employee

        row = Employee.objects.filter(user_id=actor.pk).values_list("company_id", "department__branch_id", "department__path").first()
        cached = tuple(row) if row else None
        actor._renshi_own_position = cached
    return cached


def _own_record_covered(actor: Any, capability: Capability) -> bool:
    """True when a grant already covers the actor's own record, so the self clause would
    only add an OR that stops the database from using the company/department indexes."""
    own = _own_position(actor)
    if own is None:
        return True  # no employee record: nothing to add
    company_id, branch_id, path = own
    for grant in grants_of(actor):
        if capability not in ROLE_CAPABILITIES.get(grant.role, ()) or grant.company_id != company_id:
            continue
        if grant.scope_type == ScopeType.COMPANY:
            return True
        if grant.scope_type == ScopeType.BRANCH and grant.branch_id == branch_id:
            return True
        if grant.scope_type == ScopeType.DEPARTMENT and grant.department_path and path.startswith(grant.department_path):
            return True
    return False


def company_ids_with(actor: Any, capability: Capability) -> set[int] | None:
    """Companies where the actor holds `capability` company-wide; None means every company (superuser)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return set()
    if actor.is_superuser:
        return None
    return {
        grant.company_id
        for grant in grants_of(actor)
        if grant.scope_type == ScopeType.COMPANY and capability in ROLE_CAPABILITIES.get(grant.role, ())
    }


def company_ids_of(actor: Any) -> set[int]:
    """Companies in which the actor holds any grant (or is employed)."""
    ids = {grant.company_id for grant in grants_of(actor)}
    employee = getattr(actor, "employee", None) if actor is not None and actor.is_authenticated else None
    if employee is not None:
        ids.add(employee.company_id)
    return ids
