"""Shared helpers of the people view tests: what a page lists, and the database state that
a refused request must leave untouched."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model

from hris.audit.models import AuditEvent
from hris.people.models import Contract, Employee, EmploymentEvent
from hris.tests.world import World

ROW_PATTERN = re.compile(r'data-employee-number="([^"]+)"')
VALID_ID_NUMBER = "11010519491231002X"
MASKED_ID_NUMBER = "110105********002X"


def listed_keys(world: World, response: Any) -> set[str]:
    """World keys of the employees listed as rows of a directory response."""
    by_number = {employee.employee_number: key for key, employee in world.employees.items()}
    numbers = ROW_PATTERN.findall(response.content.decode())
    assert len(numbers) == len(set(numbers)), "an employee is listed twice"
    return {by_number.get(number, number) for number in numbers}


def database_state() -> dict[str, Any]:
    """Everything a people action could change; equal before and after means nothing changed."""
    return {
        "employees": list(Employee.objects.order_by("pk").values()),
        "contracts": list(Contract.objects.order_by("pk").values()),
        "events": list(EmploymentEvent.objects.order_by("pk").values()),
        "active_users": list(get_user_model().objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)),
        "audit_events": AuditEvent.objects.count(),
    }


def edit_data(employee: Employee, **overrides: Any) -> dict[str, Any]:
    """The edit form as the browser would post it, unchanged unless overridden."""
    data = {
        "name": employee.name,
        "english_name": employee.english_name,
        "gender": employee.gender,
        "birth_date": employee.birth_date.isoformat() if employee.birth_date else "",
        "department": employee.department_id,
        "position": employee.position_id or "",
        "manager": employee.manager_id or "",
        "employment_type": employee.employment_type,
        "hire_date": employee.hire_date.isoformat(),
        "probation_end_date": employee.probation_end_date.isoformat() if employee.probation_end_date else "",
        "work_location": employee.work_location,
        "phone": employee.phone,
        "email": employee.email,
        "id_number": "",
        "effective_date": "",
        "reason": "",
    }
    data.update(overrides)
    return data


def field_errors(response: Any, field: str) -> list[str]:
    form = response.context["form"]
    return [str(message) for message in form.errors.get(field, [])]
