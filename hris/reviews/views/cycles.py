"""The cycle review panel: state, next steps, department review status, approvals, timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hris.accounts.roles import Capability
from hris.core import errors
from hris.kpi.choices import CycleState
from hris.kpi.permissions import may_company
from hris.org.models import Department
from hris.people.views.common import wants_partial
from hris.reviews import selectors
from hris.reviews.forms import CommentForm, ReviewSettingsForm
from hris.reviews.models import CycleReviewSettings, ReviewState
from hris.reviews.services import publication, transitions
from hris.reviews.services.policies import policy_for
from hris.reviews.services.settings import review_settings_update
from hris.reviews.views.common import call, cycle_or_404

TRANSITIONS = {
    "review_start": (transitions.review_start, _("The cycle is now in review.")),
    "calibration_start": (transitions.calibration_start, _("The cycle is now in calibration.")),
    "approval_request": (transitions.approval_request, _("The results were submitted for approval.")),
    "approve": (transitions.approval_decide, _("The results are approved.")),
    "return": (transitions.approval_decide, _("The results were returned for changes.")),
    "publish": (publication.results_publish, _("The results are published; every employee was notified.")),
    "close": (publication.cycle_close, _("The cycle is closed.")),
}


def panel_context(request: HttpRequest, cycle: Any) -> dict[str, Any]:
    actor = request.user
    status = selectors.cycle_review_status(cycle)
    may_manage = may_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    approvers = selectors.approver_company_ids(actor)
    may_approve = approvers is None or cycle.company_id in approvers
    awaiting = status["awaiting_approval"]
    actions = []
    if may_manage:
        if cycle.state == CycleState.SCORING:
            actions.append(("review_start", _("Start the review")))
        elif cycle.state == CycleState.REVIEW:
            actions.append(("calibration_start", _("Start calibration")))
        elif cycle.state == CycleState.CALIBRATION and not awaiting:
            actions.append(("approval_request", _("Submit for approval")))
        elif cycle.state == CycleState.APPROVED:
            actions.append(("publish", _("Publish the results")))
        elif cycle.state == CycleState.PUBLISHED:
            actions.append(("close", _("Close the cycle")))
    reviewable = (
        {department.pk for department in transitions.reviewable_departments(actor, cycle)} if cycle.state == CycleState.REVIEW else set()
    )
    return {
        "cycle": cycle,
        "status": status,
        "states": CycleState,
        "may_manage": may_manage,
        "may_approve": may_approve and cycle.state == CycleState.CALIBRATION and awaiting,
        "actions": actions,
        "departments": selectors.department_review_status(cycle),
        "reviewable": reviewable,
        "approvals": selectors.approval_requests_of(cycle),
        "timeline": selectors.timeline_of(cycle),
        "policy": policy_for(cycle),
        "close_blockers": publication.close_blockers(cycle) if cycle.state == CycleState.PUBLISHED else [],
        "deadline": publication.appeal_deadline(status["settings"]),
        "settings_form": ReviewSettingsForm(instance=status["settings"]) if may_manage and cycle.state != CycleState.CLOSED else None,
        "comment_form": CommentForm(),
        "review_states": ReviewState,
    }


@login_required
@require_GET
def cycle_panel(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_or_404(request.user, pk)
    context = panel_context(request, cycle)
    if wants_partial(request):
        return render(request, "reviews/_cycle_panel.html", context)
    return render(request, "reviews/cycle_panel.html", context)


@login_required
@require_POST
def cycle_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    if action not in TRANSITIONS:
        raise Http404("Unknown transition.")
    service, success = TRANSITIONS[action]
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    kwargs: dict[str, Any] = {"actor": actor, "cycle": cycle}
    if action in ("approval_request",):
        kwargs["comment"] = comment
    if action in ("approve", "return"):
        kwargs.update(approve=action == "approve", comment=comment)
    try:
        call(service, **kwargs)
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    if request.POST.get("next") == "approvals":
        return redirect("reviews:approvals")
    return redirect("reviews:cycle_panel", pk=cycle.pk)


@login_required
@require_POST
def department_reviewed(request: HttpRequest, pk: int, department_pk: int) -> HttpResponse:
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    department = get_object_or_404(Department, pk=department_pk, company_id=cycle.company_id)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        call(transitions.department_review_complete, actor=actor, cycle=cycle, department=department, comment=comment)
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(department)s is marked as reviewed.") % {"department": department.name})
    return redirect("reviews:cycle_panel", pk=cycle.pk)


@login_required
@require_http_methods(["POST"])
def cycle_settings(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    if not may_company(actor, Capability.MANAGE_REVIEW, cycle.company_id):
        raise PermissionDenied
    form = ReviewSettingsForm(request.POST, instance=CycleReviewSettings.objects.filter(cycle=cycle).first())
    if form.is_valid():
        try:
            call(review_settings_update, actor=actor, cycle=cycle, appeal_window_days=form.cleaned_data["appeal_window_days"])
        except errors.DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The appeal window is saved."))
    else:
        messages.error(request, " ".join(message for messages_ in form.errors.values() for message in messages_))
    return redirect("reviews:cycle_panel", pk=cycle.pk)


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Executives: the results awaiting their approval."""
    actor = request.user
    if selectors.approver_company_ids(actor) == set():
        raise PermissionDenied
    pending = list(selectors.pending_approvals_for(actor))
    return render(request, "reviews/approvals.html", {"pending": pending, "total_results": sum(request.results for request in pending)})
