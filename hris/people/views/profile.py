"""Employee profile, "my profile" and the audited reveal of an ID number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from hris.org.models import Department
from hris.people.forms import RevealIdNumberForm
from hris.people.models import Employee
from hris.people.selectors import (
    can_change_employee,
    can_see_sensitive,
    contracts_of,
    direct_reports,
    employee_contact,
    employees_visible_to,
    employment_history,
)
from hris.people.services import employee_reveal_id_number
from hris.people.views.common import call_service, visible_employee_or_404, wants_partial
from hris.people.views.login import may_create_login
from hris.people.views.status import status_actions_for


def _id_number_context(request: HttpRequest, employee: Employee, *, sensitive: bool) -> dict[str, Any]:
    return {
        "employee": employee,
        "contact": employee_contact(request.user, employee, sensitive_allowed=sensitive),
        "can_reveal_id_number": sensitive and bool(employee.id_number_encrypted),
    }


def profile_context(request: HttpRequest, employee: Employee) -> dict[str, Any]:
    actor = request.user
    sensitive = can_see_sensitive(actor, employee)
    can_change = can_change_employee(actor, employee)
    department = employee.department
    return {
        **_id_number_context(request, employee, sensitive=sensitive),
        "is_own_profile": employee.user_id is not None and employee.user_id == actor.pk,
        "department_path": [*Department.objects.get_ancestors(department), department],
        # A manager outside the viewer's scope is named but not linked (the link would 404).
        "manager_visible": bool(employee.manager_id) and employees_visible_to(actor).filter(pk=employee.manager_id).exists(),
        "reports": list(direct_reports(actor, employee).order_by("employee_number")),
        "contracts": list(contracts_of(actor, employee)),
        "history": list(employment_history(actor, employee).select_related("recorded_by__employee")),
        "can_change": can_change,
        "can_create_login": may_create_login(actor, employee),
        "status_actions": status_actions_for(employee) if can_change else [],
        "reveal_form": RevealIdNumberForm(),
    }


@login_required
@require_GET
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = visible_employee_or_404(request.user, pk)
    return render(request, "people/detail.html", profile_context(request, employee))


@login_required
@require_GET
def my_profile(request: HttpRequest) -> HttpResponse:
    employee = employees_visible_to(request.user).filter(user_id=request.user.pk).first()
    if employee is None:
        assignments = request.user.role_assignments.select_related("company", "branch", "department").order_by("role")
        return render(request, "people/no_employee.html", {"assignments": assignments})
    return render(request, "people/detail.html", {**profile_context(request, employee), "is_my_profile_page": True})


@login_required
@require_POST
def reveal_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number once, to someone allowed to see it, with a recorded reason."""
    actor = request.user
    employee = visible_employee_or_404(actor, pk)
    if not can_see_sensitive(actor, employee):
        raise PermissionDenied
    form = RevealIdNumberForm(request.POST)
    revealed = None
    if form.is_valid():
        revealed, _ok = call_service(form, employee_reveal_id_number, actor=actor, employee=employee, reason=form.cleaned_data["reason"])
    if wants_partial(request):
        context = {**_id_number_context(request, employee, sensitive=True), "reveal_form": form, "revealed_id_number": revealed}
        response = render(request, "people/_id_number.html", context)
    else:
        context = {**profile_context(request, employee), "reveal_form": form, "revealed_id_number": revealed}
        response = render(request, "people/detail.html", context)
    add_never_cache_headers(response)
    return response
