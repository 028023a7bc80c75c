"""Adding and editing employees and their contracts. Only users who may change the
employee get the forms; everyone else gets 403 (or 404 outside their view scope)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability
from hris.org.models import Department
from hris.org.selectors import positions_visible_to
from hris.people.forms import ContractForm, EmployeeCreateForm, EmployeeEditForm, manager_choices, position_choices
from hris.people.selectors import departments_for_employee_changes, employees_visible_to
from hris.people.services import contract_add, employee_create, employee_update
from hris.people.views.common import call_service, changeable_employee
from hris.people.views.status import finish_action, render_action_form


def _refuse_foreign_department(request: HttpRequest, allowed: QuerySet[Department]) -> None:
    """A posted department outside the actor's change scope is a forbidden request (403),
    not a typo: the form never offered it."""
    raw = request.POST.get("department", "")
    if raw.isdigit() and not allowed.filter(pk=int(raw)).exists() and Department.objects.filter(pk=int(raw)).exists():
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def employee_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not has_capability(actor, Capability.CHANGE_EMPLOYEES):
        raise PermissionDenied
    departments = departments_for_employee_changes(actor)
    if not departments.exists():
        raise PermissionDenied
    if request.method == "POST":
        _refuse_foreign_department(request, departments)
    form = EmployeeCreateForm(
        request.POST or None,
        departments=departments,
        positions=position_choices(positions_visible_to(actor), company_id=None, current_position_id=None),
        managers=manager_choices(employees_visible_to(actor), company_id=None, current_manager_id=None, exclude_id=None),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        employee, done = call_service(
            form, employee_create, actor=actor, company=data["department"].company, employee_number=data["employee_number"],
            name=data["name"], english_name=data["english_name"], gender=data["gender"], birth_date=data["birth_date"],
            department=data["department"], position=data["position"], manager=data["manager"], hire_date=data["hire_date"],
            probation_end_date=data["probation_end_date"], employment_type=data["employment_type"], phone=data["phone"],
            email=data["email"], id_number=data["id_number"], work_location=data["work_location"],
        )
        if done:
            messages.success(request, _("%(name)s has been added.") % {"name": employee.name})
            return redirect("people:detail", pk=employee.pk)
    return render(request, "people/employee_form.html", {"form": form, "employee": None, "page_title": _("Add employee")})


@login_required
@require_http_methods(["GET", "POST"])
def employee_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    employee = changeable_employee(actor, pk)
    departments = Department.objects.filter(
        Q(pk__in=departments_for_employee_changes(actor).order_by().values("pk")) | Q(pk=employee.department_id)
    ).order_by("company_id", "path")
    if request.method == "POST":
        _refuse_foreign_department(request, departments)
    form = EmployeeEditForm(
        request.POST or None,
        employee=employee,
        departments=departments,
        positions=position_choices(positions_visible_to(actor), company_id=employee.company_id, current_position_id=employee.position_id),
        managers=manager_choices(
            employees_visible_to(actor), company_id=employee.company_id, current_manager_id=employee.manager_id, exclude_id=employee.pk
        ),
    )
    if request.method == "POST" and form.is_valid():
        changes: dict[str, Any] = form.changes()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("people:detail", pk=employee.pk)
        _updated, done = call_service(
            form, employee_update, actor=actor, employee=employee,
            effective_date=form.cleaned_data["effective_date"] if form.assignment_changed() else None,
            reason=form.cleaned_data["reason"], **changes,
        )
        if done:
            messages.success(request, _("The data of %(name)s has been saved.") % {"name": form.cleaned_data["name"]})
            return redirect("people:detail", pk=employee.pk)
    return render(
        request, "people/employee_form.html",
        {"form": form, "employee": employee, "page_title": _("Edit %(name)s") % {"name": employee.name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    employee = changeable_employee(actor, pk)
    form = ContractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _contract, done = call_service(form, contract_add, actor=actor, employee=employee, **form.cleaned_data)
        if done:
            return finish_action(request, employee, _("Contract %(number)s added.") % {"number": form.cleaned_data["contract_number"]})
    return render_action_form(
        request, employee, form, title=gettext_lazy("Add contract"), intro="",
        action_url=reverse("people:contract_add", args=[employee.pk]), submit_label=gettext_lazy("Add contract"),
    )
