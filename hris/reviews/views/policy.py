"""The adjustment policy page (company) and a cycle's override."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hris.accounts.roles import Capability
from hris.core import errors
from hris.kpi.permissions import companies_among, company_ids_with, may_company
from hris.reviews.forms import PolicyForm
from hris.reviews.models import AdjustmentPolicy
from hris.reviews.services.policies import company_policy, policy_override_remove, policy_update
from hris.reviews.views.common import call, cycle_or_404


def _render(request, form, *, company, cycle=None, status=200, override=None):  # noqa: ANN001, ANN202
    return render(
        request,
        "reviews/policy.html",
        {"form": form, "company": company, "cycle": cycle, "override": override, "company_policy": company_policy(company.pk)},
        status=status,
    )


def _save(request, form, *, company, cycle=None):  # noqa: ANN001, ANN202
    if not form.is_valid():
        return None
    values = {name: form.cleaned_data[name] for name in ("executive_limit", "manager_limit", "hr_limit", "targets")}
    try:
        return call(policy_update, actor=request.user, company_id=company.pk, cycle=cycle, reason=form.cleaned_data["reason"], **values)
    except errors.DomainError as error:
        form.add_service_error(error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def company_policy_page(request: HttpRequest) -> HttpResponse:
    companies = companies_among(company_ids_with(request.user, Capability.MANAGE_REVIEW))
    if not companies:
        raise PermissionDenied
    company = next((item for item in companies if str(item.pk) == request.GET.get("company")), companies[0])
    instance = company_policy(company.pk)
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=AdjustmentPolicy(company=company))
        if _save(request, form, company=company) is not None:
            messages.success(request, _("The adjustment policy is saved."))
            return redirect(f"{request.path}?company={company.pk}")
        return _render(request, form, company=company, status=400)
    return _render(request, PolicyForm(instance=instance), company=company)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_policy_page(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_or_404(request.user, pk)
    if not may_company(request.user, Capability.MANAGE_REVIEW, cycle.company_id):
        raise PermissionDenied
    override = AdjustmentPolicy.objects.filter(cycle=cycle).first()
    if request.method == "POST":
        form = PolicyForm(request.POST, instance=AdjustmentPolicy(company=cycle.company))
        if _save(request, form, company=cycle.company, cycle=cycle) is not None:
            messages.success(request, _("The cycle's adjustment policy is saved."))
            return redirect("reviews:cycle_policy", pk=cycle.pk)
        return _render(request, form, company=cycle.company, cycle=cycle, override=override, status=400)
    return _render(
        request, PolicyForm(instance=override or company_policy(cycle.company_id)), company=cycle.company, cycle=cycle, override=override
    )


@login_required
@require_POST
def cycle_policy_remove(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_or_404(request.user, pk)
    try:
        call(policy_override_remove, actor=request.user, cycle=cycle)
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The cycle follows the company policy again."))
    return redirect("reviews:cycle_policy", pk=cycle.pk)
