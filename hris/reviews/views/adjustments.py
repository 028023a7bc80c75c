"""Adjusting an assessment (form with before → after) and its adjustment history panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hris.accounts.roles import Capability
from hris.core import errors
from hris.kpi.choices import CycleState
from hris.kpi.models import AssessmentItem, Indicator
from hris.kpi.selectors import assessment_get
from hris.reviews import selectors
from hris.reviews.forms import AdjustmentForm, ReasonForm
from hris.reviews.models import AdjusterRole, AdjustmentTarget
from hris.reviews.services.adjustments import ADJUSTABLE_STATES, adjustment_create, role_limits, used_by_role
from hris.reviews.services.common import may_over_assessment
from hris.reviews.services.policies import policy_for
from hris.reviews.services.publication import published_result_correct
from hris.reviews.views.common import call, staff_assessment_or_404


def _indicators(assessment: Any) -> list[Indicator]:
    ids = AssessmentItem.objects.filter(assessment_id=assessment.pk).order_by("position").values_list("indicator_id", flat=True)
    by_id = Indicator.objects.in_bulk(list(ids))
    return [by_id[pk] for pk in ids if pk in by_id]


def _adjust_context(actor: Any, assessment: Any) -> dict[str, Any]:
    policy = policy_for(assessment.cycle)
    limits = role_limits(actor, assessment, policy)
    own = assessment.employee.user_id == actor.pk
    can_adjust = (
        assessment.cycle.state in ADJUSTABLE_STATES
        and not own
        and bool(limits)
        and may_over_assessment(actor, Capability.ADJUST_SCORES, assessment)
    )
    # The most generous role the actor holds here is the one used (see adjustments._pick_role).
    limit_rows = [{"role": AdjusterRole(role).label, "limit": limit, "used": used_by_role(assessment, role)} for role, limit in limits[:1]]
    return {
        "assessment": assessment,
        "cycle": assessment.cycle,
        "policy": policy,
        "limits": limit_rows,
        "can_adjust": can_adjust,
        "can_correct": assessment.cycle.state == CycleState.PUBLISHED
        and may_over_assessment(actor, Capability.MANAGE_REVIEW, assessment)
        and not own,
        "adjustments": selectors.adjustments_visible(actor, assessment),
        "versions": selectors.result_versions(assessment) if assessment.cycle.state in selectors.PUBLISHED_STATES else [],
    }


def _form(assessment: Any, policy: Any, data: Any = None) -> AdjustmentForm:
    return AdjustmentForm(
        data,
        indicators=_indicators(assessment),
        allow_total=policy.targets != AdjustmentTarget.INDICATOR,
        allow_indicator=policy.targets != AdjustmentTarget.TOTAL,
    )


@login_required
@require_GET
def assessment_adjustments(request: HttpRequest, pk: int) -> HttpResponse:
    """The adjustments/history panel shown on the KPI assessment page (loaded by htmx)."""
    try:
        assessment = assessment_get(request.user, pk)
    except errors.NotFound:
        raise Http404("Assessment not found.")
    context = _adjust_context(request.user, assessment)
    return render(request, "reviews/_assessment_adjustments.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    assessment = staff_assessment_or_404(actor, pk)
    context = _adjust_context(actor, assessment)
    if not may_over_assessment(actor, Capability.ADJUST_SCORES, assessment) and not context["can_correct"]:
        raise PermissionDenied
    form = _form(assessment, context["policy"], request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            indicator = form.indicators.get(form.cleaned_data["indicator"]) if form.cleaned_data["indicator"] else None
            try:
                result = call(
                    adjustment_create,
                    actor=actor,
                    assessment=assessment,
                    delta=form.cleaned_data["delta"],
                    reason=form.cleaned_data["reason"],
                    indicator=indicator,
                )
            except errors.DomainError as error:
                form.add_service_error(error)
                status = 400
            else:
                assessment = staff_assessment_or_404(actor, pk)
                context = _adjust_context(actor, assessment)
                context["result"] = result
                form = _form(assessment, context["policy"])
        else:
            status = 400
    context["form"] = form
    return render(request, "reviews/adjust.html", context, status=status)


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """HR recomputes a published result: a new version with its diff."""
    actor = request.user
    assessment = staff_assessment_or_404(actor, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required for a correction."))
    else:
        try:
            version = call(published_result_correct, actor=actor, assessment=assessment, reason=form.cleaned_data["reason"])
        except errors.DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Version %(number)s of the result was created; the employee was notified.") % {"number": version.number}
            )
    return redirect("reviews:adjust", pk=assessment.pk)
