"""Role management: list, grant and revoke role assignments of a company.

Only a company-wide holder of MANAGE_ROLES (or a superuser) may use these pages; the
services role_grant/role_revoke enforce the same rule and write the audit events.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from hris.accounts import services
from hris.accounts.models import RoleAssignment
from hris.accounts.roles import Role, ScopeType
from hris.accounts.selectors import companies_with_role_management, grantable_users, role_assignments_of_company
from hris.core.errors import DomainError
from hris.core.errors import PermissionDenied as ServicePermissionDenied
from hris.org.forms import BootstrapFormMixin, BranchChoiceField, DepartmentChoiceField, add_service_errors
from hris.org.models import Branch, Company, Department
from hris.org.selectors import companies_visible_to

PAGE_SIZE = 50


class RoleGrantForm(BootstrapFormMixin, forms.Form):
    user = forms.CharField(label=gettext_lazy("User (username or email)"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    scope_type = forms.ChoiceField(label=gettext_lazy("Scope"), choices=ScopeType.choices)
    branch = BranchChoiceField(
        label=gettext_lazy("Branch"), queryset=Branch.objects.none(), required=False, help_text=gettext_lazy("For the branch scope."),
    )
    department = DepartmentChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.none(), required=False,
        help_text=gettext_lazy("For the department subtree scope."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["branch"].queryset = Branch.objects.filter(company=company).order_by("code")
        self.fields["department"].queryset = Department.objects.filter(company=company, is_active=True).order_by("path")

    def clean_user(self) -> Any:
        text = self.cleaned_data["user"].strip()
        matches = list(grantable_users(self.company).filter(Q(username__iexact=text) | Q(email__iexact=text))[:2])
        if len(matches) != 1:
            raise forms.ValidationError(_("No single user account of an employee of this company matches."))
        return matches[0]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        scope_type = cleaned.get("scope_type")
        if scope_type == ScopeType.BRANCH and not cleaned.get("branch"):
            self.add_error("branch", _("Choose the branch of the scope."))
        if scope_type == ScopeType.DEPARTMENT and not cleaned.get("department"):
            self.add_error("department", _("Choose the department of the scope."))
        # Only the target matching the scope type is kept.
        if scope_type != ScopeType.BRANCH:
            cleaned["branch"] = None
        if scope_type != ScopeType.DEPARTMENT:
            cleaned["department"] = None
        return cleaned


class RoleRevokeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


def _posted(request: HttpRequest) -> Any:
    """The submitted data for a POST (even an empty one), None for a GET."""
    return request.POST if request.method == "POST" else None


def _managed_company(request: HttpRequest) -> tuple[Company, list[Company]]:
    """The company whose roles are shown: the requested one or the first the actor manages."""
    managed = list(companies_with_role_management(request.user).order_by("name"))
    if not managed:
        raise PermissionDenied(_("Only a company-wide HR admin may manage roles."))
    wanted = request.GET.get("company") or request.POST.get("company")
    if not wanted:
        return managed[0], managed
    for company in managed:
        if str(company.pk) == str(wanted):
            return company, managed
    if str(wanted).isdigit() and companies_visible_to(request.user).filter(pk=int(wanted)).exists():
        raise PermissionDenied(_("You may not manage the roles of this company."))
    raise Http404(_("Company not found."))


@login_required
@require_GET
def roles(request: HttpRequest) -> HttpResponse:
    company, managed = _managed_company(request)
    text = request.GET.get("q", "").strip()
    role = request.GET.get("role", "") if request.GET.get("role", "") in Role.values else ""
    paginator = Paginator(role_assignments_of_company(request.user, company, text=text, role=role), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "company": company, "companies": managed, "page": page, "text": text, "role": role, "roles": Role.choices,
        "query": query.urlencode(),
    }
    return render(request, "accounts/roles.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def role_grant(request: HttpRequest) -> HttpResponse:
    company, _managed = _managed_company(request)
    form = RoleGrantForm(_posted(request), company=company)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                assignment = services.role_grant(
                    actor=request.user, user=data["user"], role=data["role"], scope_type=data["scope_type"], company=company,
                    branch=data["branch"], department=data["department"], reason=data["reason"],
                )
            except ServicePermissionDenied as error:
                raise PermissionDenied(error.message)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Granted: %(assignment)s.") % {"assignment": assignment})
                return redirect(reverse("accounts:roles") + f"?company={company.pk}")
        return render(request, "accounts/roles_grant.html", {"form": form, "company": company}, status=400)
    return render(request, "accounts/roles_grant.html", {"form": form, "company": company})


@login_required
@require_http_methods(["GET", "POST"])
def role_revoke(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = (
        RoleAssignment.objects.filter(pk=assignment_id, company__in=companies_visible_to(request.user))
        .select_related("user", "user__employee", "company", "branch", "department")
        .first()
    )
    if assignment is None:
        raise Http404(_("Role assignment not found."))
    if not companies_with_role_management(request.user).filter(pk=assignment.company_id).exists():
        raise PermissionDenied(_("Only a company-wide HR admin may manage roles."))
    form = RoleRevokeForm(_posted(request))
    if request.method == "POST":
        if form.is_valid():
            label = str(assignment)
            try:
                services.role_revoke(actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
            except ServicePermissionDenied as error:
                raise PermissionDenied(error.message)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Revoked: %(assignment)s.") % {"assignment": label})
                return redirect(reverse("accounts:roles") + f"?company={assignment.company_id}")
        return render(request, "accounts/roles_revoke.html", {"form": form, "assignment": assignment}, status=400)
    return render(request, "accounts/roles_revoke.html", {"form": form, "assignment": assignment})
