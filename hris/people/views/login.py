"""Create a login for an employee who has none; the one-time password is shown once."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from hris.accounts.selectors import companies_with_role_management
from hris.accounts.services import employee_login_create
from hris.people.forms import EmployeeLoginForm
from hris.people.views.common import call_service, visible_employee_or_404
from hris.people.views.status import render_action_form


def may_create_login(actor, employee) -> bool:  # noqa: ANN001
    return (
        employee.user_id is None
        and employee.status != "terminated"
        and companies_with_role_management(actor).filter(pk=employee.company_id).exists()
    )


@login_required
@require_http_methods(["GET", "POST"])
def employee_login_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    employee = visible_employee_or_404(actor, pk)
    if not companies_with_role_management(actor).filter(pk=employee.company_id).exists():
        raise PermissionDenied
    form = EmployeeLoginForm(request.POST or None, initial={"username": employee.employee_number.lower()})
    if request.method == "POST" and form.is_valid():
        created, done = call_service(form, employee_login_create, actor=actor, employee=employee, username=form.cleaned_data["username"])
        if done:
            user, password = created
            response = render(request, "people/login_created.html", {"employee": employee, "login_user": user, "password": password})
            add_never_cache_headers(response)
            return response
    return render_action_form(
        request,
        employee,
        form,
        title=gettext_lazy("Create login"),
        intro=gettext_lazy("The employee gets the employee role over their own record and a one-time password that you hand over."),
        action_url=reverse("people:create_login", args=[employee.pk]),
        submit_label=gettext_lazy("Create login"),
    )
