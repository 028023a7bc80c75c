"""Appeals for HR and executives: the list and the resolve form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability
from hris.core import errors
from hris.kpi.models import AssessmentItem, Indicator
from hris.reviews import selectors
from hris.reviews.forms import ResolveForm
from hris.reviews.models import Appeal
from hris.reviews.services.appeals import appeal_resolve
from hris.reviews.views.common import call


def _may_resolve_any(actor) -> bool:  # noqa: ANN001
    return has_capability(actor, Capability.MANAGE_REVIEW) or selectors.approver_company_ids(actor) != set()


def _list_context(request: HttpRequest, forms: dict | None = None) -> dict:
    appeals = list(selectors.appeals_visible_to(request.user).order_by("state", "-created_at")[:200])
    indicator_ids = AssessmentItem.objects.filter(assessment_id__in=[appeal.assessment_id for appeal in appeals]).values_list(
        "assessment_id", "indicator_id"
    )
    indicators = Indicator.objects.in_bulk({indicator_id for _assessment, indicator_id in indicator_ids})
    per_assessment: dict[int, list] = {}
    for assessment_id, indicator_id in indicator_ids:
        per_assessment.setdefault(assessment_id, []).append(indicators[indicator_id])
    for appeal in appeals:
        appeal.form = (forms or {}).get(appeal.pk) or ResolveForm(prefix=f"appeal{appeal.pk}")
        appeal.indicators = per_assessment.get(appeal.assessment_id, [])
    return {"appeals": appeals, "open_count": sum(1 for appeal in appeals if appeal.state == Appeal.State.OPEN)}


@login_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    if not _may_resolve_any(request.user):
        raise PermissionDenied
    return render(request, "reviews/appeals.html", _list_context(request))


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    try:
        appeal = selectors.appeal_get(actor, pk)
    except errors.NotFound:
        raise Http404("Appeal not found.")
    form = ResolveForm(request.POST, prefix=f"appeal{appeal.pk}")
    if form.is_valid():
        indicator_id = request.POST.get(f"appeal{appeal.pk}-indicator") or ""
        indicator = None
        if indicator_id.isdigit():
            indicator = Indicator.objects.filter(pk=int(indicator_id), company_id=appeal.assessment.cycle.company_id).first()
        try:
            call(
                appeal_resolve,
                actor=actor,
                appeal=appeal,
                upheld=form.cleaned_data["upheld"],
                reason=form.cleaned_data["reason"],
                delta=form.cleaned_data["delta"],
                indicator=indicator,
            )
        except errors.DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The appeal is resolved; the employee was notified."))
            return redirect("reviews:appeal_list")
    return render(request, "reviews/appeals.html", _list_context(request, {appeal.pk: form}), status=400)
