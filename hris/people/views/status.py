"""Status changes of an employee: probation confirmed, leave, termination, rehire.

Each is a small form (effective date and reason) in a modal on the profile, or a page of
its own without JavaScript; the services enforce which status each one may start from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from hris.people.choices import EmployeeStatus
from hris.people.forms import StatusChangeForm
from hris.people.models import Employee
from hris.people.services import (
    employee_confirm_probation,
    employee_end_leave,
    employee_rehire,
    employee_start_leave,
    employee_terminate,
)
from hris.people.views.common import call_service, changeable_employee, wants_partial


@dataclass(frozen=True)
class StatusAction:
    kind: str
    label: Promise
    intro: Promise
    service: Callable[..., Employee]
    allowed_from: frozenset[str]
    reason_required: bool
    button_class: str
    success_message: Promise


STATUS_ACTIONS: dict[str, StatusAction] = {
    action.kind: action
    for action in (
        StatusAction(
            "confirm_probation", _("Confirm probation"), _("The employee passed probation and becomes active."),
            employee_confirm_probation, frozenset({EmployeeStatus.PROBATION}), False, "btn-outline-success",
            _("Probation of %(name)s confirmed."),
        ),
        StatusAction(
            "start_leave", _("Start leave"), _("The employee goes on leave (e.g. maternity, long sick leave, unpaid leave)."),
            employee_start_leave, frozenset({EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION}), False, "btn-outline-secondary",
            _("%(name)s is now on leave."),
        ),
        StatusAction(
            "end_leave", _("End leave"), _("The employee is back from leave and active again."),
            employee_end_leave, frozenset({EmployeeStatus.ON_LEAVE}), False, "btn-outline-secondary",
            _("%(name)s is back from leave."),
        ),
        StatusAction(
            "terminate", _("Terminate"),
            _(
                "The employee leaves the company: direct reports move to the leaver's manager and the login is disabled. "
                "A reason is required."
            ),
            employee_terminate, frozenset({EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION, EmployeeStatus.ON_LEAVE}), True,
            "btn-outline-danger", _("%(name)s has been terminated."),
        ),
        StatusAction(
            "rehire", _("Rehire"), _("The former employee is hired again; the hire date becomes the effective date."),
            employee_rehire, frozenset({EmployeeStatus.TERMINATED}), False, "btn-outline-primary",
            _("%(name)s has been rehired."),
        ),
    )
}


def status_actions_for(employee: Employee) -> list[dict[str, Any]]:
    """The status changes that make sense from the employee's current status."""
    return [
        {
            "kind": action.kind, "label": action.label, "button_class": action.button_class,
            "url": reverse(f"people:{action.kind}", args=[employee.pk]),
        }
        for action in STATUS_ACTIONS.values()
        if employee.status in action.allowed_from
    ]


def render_action_form(
    request: HttpRequest, employee: Employee, form: Any, *, title: Any, intro: Any, action_url: str, submit_label: Any, danger: bool = False
) -> HttpResponse:
    """The same small form as modal content (htmx) or as a page of its own."""
    context = {
        "employee": employee, "form": form, "action_title": title, "action_intro": intro, "action_url": action_url,
        "submit_label": submit_label, "danger": danger, "in_modal": wants_partial(request),
    }
    return render(request, "people/_action_form.html" if wants_partial(request) else "people/action_form.html", context)


def finish_action(request: HttpRequest, employee: Employee, message: str) -> HttpResponse:
    messages.success(request, message)
    url = reverse("people:detail", args=[employee.pk])
    return HttpResponseClientRedirect(url) if wants_partial(request) else redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def employee_status_change(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    action = STATUS_ACTIONS.get(kind)
    if action is None:
        raise Http404("Unknown action.")
    actor = request.user
    employee = changeable_employee(actor, pk)
    form = StatusChangeForm(request.POST or None, reason_required=action.reason_required)
    if request.method == "POST" and form.is_valid():
        _result, done = call_service(
            form, action.service, actor=actor, employee=employee,
            effective_date=form.cleaned_data["effective_date"], reason=form.cleaned_data["reason"],
        )
        if done:
            return finish_action(request, employee, str(action.success_message) % {"name": employee.name})
    return render_action_form(
        request, employee, form, title=action.label, intro=action.intro, action_url=reverse(f"people:{kind}", args=[employee.pk]),
        submit_label=action.label, danger=kind == "terminate",
    )
