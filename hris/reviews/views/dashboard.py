"""The cycle dashboard: where a cycle stands, for HR, executives and managers in one page —
computation, ratings, review and adjustments, approval, grade distribution, publication, timeline."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hris.calibration.selectors import grade_distribution
from hris.kpi.choices import CycleState
from hris.kpi.models import ComputationRun
from hris.kpi.selectors import assessments_visible_to
from hris.kpi.selectors_ratings import rating_progress
from hris.kpi.services.rating_requests import may_run_ratings
from hris.kpi.views.scores import is_kpi_staff
from hris.reviews import selectors
from hris.reviews.models import ScoreAdjustment
from hris.reviews.views.common import cycle_or_404

STAGES = (
    CycleState.DRAFT,
    CycleState.OPEN,
    CycleState.SCORING,
    CycleState.REVIEW,
    CycleState.CALIBRATION,
    CycleState.APPROVED,
    CycleState.PUBLISHED,
    CycleState.CLOSED,
)
RECENT_ADJUSTMENTS = 10
RATERS_SHOWN = 10


def _stages(current: str) -> list[dict[str, Any]]:
    reached = STAGES.index(current) if current in STAGES else 0
    return [
        {"state": state, "label": state.label, "done": index < reached, "current": index == reached} for index, state in enumerate(STAGES)
    ]


def dashboard_context(actor: Any, cycle: Any) -> dict[str, Any]:
    visible = assessments_visible_to(actor).filter(cycle=cycle)
    status = selectors.cycle_review_status(cycle)
    adjustments = list(
        ScoreAdjustment.objects.filter(assessment__in=visible.values("pk"))
        .select_related("assessment__employee", "indicator", "actor__employee")
        .order_by("-created_at", "-pk")[:RECENT_ADJUSTMENTS]
    )
    context: dict[str, Any] = {
        "cycle": cycle,
        "stages": _stages(cycle.state),
        "status": status,
        "in_scope": visible.count(),
        "computed": visible.filter(computed_at__isnull=False).count(),
        "complete": visible.filter(is_complete=True).count(),
        "run": ComputationRun.objects.filter(cycle=cycle).first(),
        "adjustments": adjustments,
        "distribution": grade_distribution(actor, cycle),
        "timeline": selectors.timeline_of(cycle),
        "awaiting_approval_count": status["assessments"] if status["awaiting_approval"] else 0,
    }
    if may_run_ratings(actor, cycle.company_id):
        progress = rating_progress(actor, cycle)
        context["ratings"] = progress
        context["raters_pending"] = sorted((row for row in progress.raters if row.pending), key=lambda row: -row.pending)[:RATERS_SHOWN]
    return context


@login_required
@require_GET
def cycle_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_kpi_staff(request.user):
        raise PermissionDenied
    cycle = cycle_or_404(request.user, pk)
    return render(request, "reviews/dashboard.html", dashboard_context(request.user, cycle))
