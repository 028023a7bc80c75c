from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability, scope_q
from hris.core.errors import NotFound
from hris.core.protected import decrypt_text, mask_email, mask_id_number, mask_phone
from hris.org.models import Department
from hris.org.selectors import DEPARTMENT_SCOPE_FIELDS
from hris.people.choices import EmployeeStatus
from hris.people.models import Contract, Employee, EmploymentEvent

# Status filter values beyond the statuses themselves: everyone still employed, or everyone.
CURRENT_EMPLOYEES = "current"
ALL_STATUSES = "all"


def employees_visible_to(actor: Any, capability: Capability = Capability.VIEW_EMPLOYEES) -> QuerySet[Employee]:
    """Employees the actor may use with `capability`, with the relations lists show."""
    return Employee.objects.filter(scope_q(actor, capability)).select_related(
        "department", "department__branch", "position", "manager", "company"
    )


def employee_search(
    actor: Any,
    *,
    text: str = "",
    department_id: int | None = None,
    include_subdepartments: bool = True,
    branch_id: int | None = None,
    position_id: int | None = None,
    status: str = "",
    employment_type: str = "",
    capability: Capability = Capability.VIEW_EMPLOYEES,
) -> QuerySet[Employee]:
    queryset = employees_visible_to(actor, capability)
    if text:
        text = text.strip()
        queryset = queryset.filter(
            Q(name__icontains=text) | Q(employee_number__icontains=text) | Q(english_name__icontains=text) | Q(email__icontains=text)
        )
    if department_id:
        department = Department.objects.filter(pk=department_id).only("path").first()
        if department is None:
            return queryset.none()
        if include_subdepartments:
            queryset = queryset.filter(department__path__startswith=department.path)
        else:
            queryset = queryset.filter(department_id=department_id)
    if branch_id:
        queryset = queryset.filter(department__branch_id=branch_id)
    if position_id:
        queryset = queryset.filter(position_id=position_id)
    if status == CURRENT_EMPLOYEES:
        queryset = queryset.exclude(status=EmployeeStatus.TERMINATED)
    elif status and status != ALL_STATUSES:
        queryset = queryset.filter(status=status)
    if employment_type:
        queryset = queryset.filter(employment_type=employment_type)
    return queryset.order_by("employee_number")


def employee_get(actor: Any, employee_id: int, capability: Capability = Capability.VIEW_EMPLOYEES) -> Employee:
    """One employee within scope; out of scope looks exactly like not found."""
    employee = employees_visible_to(actor, capability).filter(pk=employee_id).first()
    if employee is None:
        raise NotFound("Employee not found.")
    return employee


def can_change_employee(actor: Any, employee: Employee) -> bool:
    return employees_visible_to(actor, Capability.CHANGE_EMPLOYEES).filter(pk=employee.pk).exists()


def can_see_sensitive(actor: Any, employee: Employee) -> bool:
    """Own data, or a role that needs sensitive fields over this employee's scope."""
    if actor is not None and employee.user_id == actor.pk:
        return True
    if not has_capability(actor, Capability.VIEW_SENSITIVE):
        return False
    return employees_visible_to(actor, Capability.VIEW_SENSITIVE).filter(pk=employee.pk).exists()


def employee_ids_with_sensitive_access(actor: Any, employees: Iterable[Employee]) -> set[int]:
    """Of `employees` (e.g. one page of a list), the ids whose sensitive fields the actor
    may see: the actor's own record, plus those in a VIEW_SENSITIVE scope. At most one
    query, none for actors without the capability."""
    employees = list(employees)
    allowed = {employee.pk for employee in employees if actor is not None and employee.user_id is not None and employee.user_id == actor.pk}
    others = [employee.pk for employee in employees if employee.pk not in allowed]
    if others and has_capability(actor, Capability.VIEW_SENSITIVE):
        allowed |= set(employees_visible_to(actor, Capability.VIEW_SENSITIVE).filter(pk__in=others).values_list("pk", flat=True))
    return allowed


def departments_for_employee_changes(actor: Any) -> QuerySet[Department]:
    """Open departments in which the actor may add employees or into which it may move them."""
    return (
        Department.objects.filter(scope_q(actor, Capability.CHANGE_EMPLOYEES, **DEPARTMENT_SCOPE_FIELDS), is_active=True)
        .select_related("company")
        .order_by("company_id", "path")
    )


def employee_contact(actor: Any, employee: Employee, *, sensitive_allowed: bool | None = None) -> dict[str, str]:
    """Phone, email and ID number as this actor may see them. The ID number is always
    masked on screen; revealing it is a separate, audited action."""
    allowed = can_see_sensitive(actor, employee) if sensitive_allowed is None else sensitive_allowed
    return {
        "phone": employee.phone if allowed else mask_phone(employee.phone),
        "email": employee.email if allowed else mask_email(employee.email),
        "id_number": mask_id_number(decrypt_text(employee.id_number_encrypted)),
    }


def employment_history(actor: Any, employee: Employee) -> QuerySet[EmploymentEvent]:
    employee_get(actor, employee.pk)
    return employee.employment_events.select_related(
        "from_department", "to_department", "from_position", "to_position", "from_manager", "to_manager", "recorded_by"
    )


def contracts_of(actor: Any, employee: Employee) -> QuerySet[Contract]:
    employee_get(actor, employee.pk)
    return employee.contracts.all()


def direct_reports(actor: Any, employee: Employee) -> QuerySet[Employee]:
    return employees_visible_to(actor).filter(manager=employee).exclude(status="terminated")


def employee_ids_by_external_identity(*, company_id: int, system: str, external_ids: Iterable[str]) -> dict[str, int]:
    """{external id: employee id} for the identities another system uses (one query).

    A system call for ingestion and connectors, not a user's view: the caller has already been
    authorised for the company."""
    from hris.people.models import ExternalIdentity

    wanted = {str(value) for value in external_ids}
    if not wanted:
        return {}
    rows = ExternalIdentity.objects.filter(company_id=company_id, system=system, external_id__in=wanted)
    return dict(rows.values_list("external_id", "employee_id"))
