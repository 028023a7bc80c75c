"""Who metric records belong to: employees by id or number, departments by code, and whether
the actor may write metrics for them (WRITE_METRICS scope), loaded for a whole batch at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from hris.accounts.roles import ROLE_CAPABILITIES, Capability
from hris.accounts.scopes import grants_of, scope_q
from hris.kpi.importing.common import chunked
from hris.kpi.permissions import EMPLOYEE_SCOPE_FIELDS
from hris.org.models import Company, Department
from hris.org.selectors import DEPARTMENT_SCOPE_FIELDS
from hris.people.models import Employee


def may_write_metrics_in(actor: Any, company_id: int) -> bool:
    """Some WRITE_METRICS grant in the company (whatever its scope); None is the system."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return any(
        grant.company_id == company_id and Capability.WRITE_METRICS in ROLE_CAPABILITIES.get(grant.role, ()) for grant in grants_of(actor)
    )


def _in_scope(actor: Any, queryset, scope_fields: dict, ids: Iterable[int]) -> set[int]:  # noqa: ANN001
    ids = sorted(set(ids))
    if actor is None:
        return set(ids)
    allowed: set[int] = set()
    for chunk in chunked(ids):
        allowed.update(
            queryset.filter(pk__in=chunk).filter(scope_q(actor, Capability.WRITE_METRICS, **scope_fields)).values_list("id", flat=True)
        )
    return allowed


@dataclass
class OwnerIndex:
    actor: Any
    company: Company
    employee_by_id: dict[int, str] = field(default_factory=dict)  # id → label
    employee_by_number: dict[str, int] = field(default_factory=dict)
    department_by_code: dict[str, tuple[int, str]] = field(default_factory=dict)  # code → (id, name)
    employees_in_scope: set[int] = field(default_factory=set)
    departments_in_scope: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, actor: Any, company: Company, references: list[tuple[str, Any]]) -> OwnerIndex:
        index = cls(actor, company)
        wanted: dict[str, set] = {"employee_id": set(), "employee_number": set(), "department_code": set()}
        for name, value in references:
            wanted[name].add(value)
        employees = Employee.objects.filter(company=company)
        for lookup, values in (("pk__in", wanted["employee_id"]), ("employee_number__in", wanted["employee_number"])):
            for chunk in chunked(sorted(values)):
                for pk, number, name in employees.filter(**{lookup: chunk}).values_list("id", "employee_number", "name"):
                    index.employee_by_id[pk] = f"{name} ({number})"
                    index.employee_by_number[number] = pk
        for chunk in chunked(sorted(wanted["department_code"])):
            rows = Department.objects.filter(company=company, code__in=chunk).values_list("id", "code", "name")
            index.department_by_code.update({code: (pk, name) for pk, code, name in rows})
        index.employees_in_scope = _in_scope(actor, Employee.objects.all(), EMPLOYEE_SCOPE_FIELDS, index.employee_by_id)
        department_ids = [pk for pk, _name in index.department_by_code.values()]
        index.departments_in_scope = _in_scope(actor, Department.objects.all(), DEPARTMENT_SCOPE_FIELDS, department_ids)
        return index

    def resolve(self, name: str, value: Any, add_error: Callable[[str, str], None]) -> tuple[int | None, int | None]:
        """(employee id, department id) of a reference; problems go to add_error(field, message)."""
        if name == "department_code":
            found = self.department_by_code.get(value)
            if found is None:
                add_error(name, _("No department has the code “%(code)s”.") % {"code": value})
            elif found[0] not in self.departments_in_scope:
                add_error(name, _("You are not allowed to write metrics for %(owner)s.") % {"owner": found[1]})
            else:
                return None, found[0]
            return None, None
        employee_id = value if name == "employee_id" else self.employee_by_number.get(value)
        if employee_id not in self.employee_by_id:
            if name == "employee_id":
                add_error(name, _("No employee has the id %(id)s.") % {"id": value})
            else:
                add_error(name, _("No employee has the number “%(number)s”.") % {"number": value})
        elif employee_id not in self.employees_in_scope:
            add_error(name, _("You are not allowed to write metrics for %(owner)s.") % {"owner": self.employee_by_id[employee_id]})
        else:
            return employee_id, None
        return None, None

    def forbidden(self, records: Iterable) -> set[int]:
        """Ids of stored records whose owner the actor may not write for: they cannot be superseded by this actor."""
        records = list(records)
        employees = {record.employee_id for record in records if record.employee_id is not None}
        departments = {record.department_id for record in records if record.department_id is not None}
        allowed_employees = self.employees_in_scope | _in_scope(
            self.actor, Employee.objects.all(), EMPLOYEE_SCOPE_FIELDS, employees - self.employees_in_scope
        )
        allowed_departments = self.departments_in_scope | _in_scope(
            self.actor, Department.objects.all(), DEPARTMENT_SCOPE_FIELDS, departments - self.departments_in_scope
        )
        return {
            record.id
            for record in records
            if (record.employee_id is not None and record.employee_id not in allowed_employees)
            or (record.department_id is not None and record.department_id not in allowed_departments)
        }
