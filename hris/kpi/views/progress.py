"""Progress: the "Compute now" button and its polled progress bar, the live progress of an
open cycle (actuals to date against prorated targets) with its department chart, and
plotly.js served from the plotly package so charts work offline."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hris.core import errors
from hris.kpi.choices import CycleState, RunState
from hris.kpi.live_progress import DepartmentProgress, live_progress
from hris.kpi.selectors import computation_run_get
from hris.kpi.services.computation import computation_run_request
from hris.kpi.views.scores import cycle_or_404, number_text
from hris.org.selectors import departments_visible_to
from hris.people.views.common import wants_partial

RUNNING_STATES = (RunState.QUEUED, RunState.RUNNING)
EMPLOYEES_PER_PAGE = 50
CHART_COLOUR = "#0d6efd"


@login_required
@require_POST
def cycle_compute(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a whole-cycle computation; the page then polls the run's progress."""
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    try:
        run = computation_run_request(actor=actor, cycle=cycle)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        if wants_partial(request):
            return render(request, "kpi/cycles/_run_progress.html", {"cycle": cycle, "run": None, "compute_error": error.message})
        messages.error(request, error.message)
        return redirect("kpi:cycle_detail", pk=cycle.pk)
    run.refresh_from_db()  # a worker (or eager mode) may already have started or finished it
    if wants_partial(request):
        return render(request, "kpi/cycles/_run_progress.html", {"cycle": cycle, "run": run, "polling": True})
    return redirect(reverse("kpi:cycle_detail", kwargs={"pk": cycle.pk}) + "#computation")


@login_required
@require_GET
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress bar, polled every second while the run is queued or running. When a run
    the page was waiting for ends, the whole page reloads to show the new scores."""
    try:
        run = computation_run_get(request.user, run_id)
    except errors.NotFound:
        raise Http404("Computation run not found.")
    if not wants_partial(request):
        return redirect(reverse("kpi:cycle_detail", kwargs={"pk": run.cycle_id}) + "#computation")
    response = render(request, "kpi/cycles/_run_progress.html", {"cycle": run.cycle, "run": run, "polling": run.state in RUNNING_STATES})
    if request.GET.get("polling") and run.state not in RUNNING_STATES:
        response["HX-Refresh"] = "true"
    return response


def department_chart(departments: list[DepartmentProgress]) -> str:
    """A bar chart of the departments' average projected totals, as an HTML fragment (plotly.js loaded by the page)."""
    if not departments:
        return ""
    import plotly.graph_objects as go

    averages = [float(department.average_projected_total) for department in departments]
    figure = go.Figure(
        go.Bar(
            x=[department.name for department in departments],
            y=averages,
            text=[str(department.average_projected_total) for department in departments],
            textposition="auto",
            marker_color=CHART_COLOUR,
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        template="plotly_white",
        height=300,
        margin={"l": 48, "r": 16, "t": 16, "b": 64},
        yaxis={"title": {"text": _("Average projected total")}, "rangemode": "tozero"},
    )
    return figure.to_html(full_html=False, include_plotlyjs=False, config={"displayModeBar": False, "responsive": True})


def _employee_rows(employees: list) -> list[dict[str, Any]]:
    return [
        {
            "progress": progress,
            "items": [
                {
                    "item": item,
                    "target_text": number_text(item.target),
                    "prorated_text": number_text(item.prorated_target),
                    "actual_text": number_text(item.actual),
                }
                for item in progress.items
            ],
        }
        for progress in employees
    ]


@login_required
@require_GET
def cycle_live_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Actuals to date of an open cycle, within the viewer's scope, optionally one department subtree."""
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    if cycle.state != CycleState.OPEN:
        raise Http404("Live progress is shown while a cycle is open.")
    departments = list(departments_visible_to(actor).filter(company_id=cycle.company_id).select_related(None).only("id", "name", "path"))
    selected = next((department for department in departments if str(department.pk) == request.GET.get("department")), None)
    progress = live_progress(actor, cycle, department_path=selected.path if selected is not None else "")
    page = Paginator(progress["employees"], EMPLOYEES_PER_PAGE).get_page(request.GET.get("page"))
    query = QueryDict(mutable=True)
    if selected is not None:
        query["department"] = selected.pk
    context = {
        "cycle": cycle,
        "progress": progress,
        "chart": department_chart(progress["departments"]),
        "employee_page": page,
        "employee_rows": _employee_rows(page.object_list),
        "live_departments": departments,
        "selected_department": selected,
        "live_query": query,
        "elapsed": Decimal(progress["elapsed_percent"]),
    }
    template = "kpi/cycles/_live_progress.html" if wants_partial(request) else "kpi/cycles/live_progress.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@functools.cache
def _plotly_source() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode()


@login_required
@require_GET
def plotly_js(request: HttpRequest) -> HttpResponse:
    """plotly.min.js from the installed plotly package: no CDN, no Node toolchain. Like every
    route, only for signed-in users; the pages with charts are."""
    response = HttpResponse(_plotly_source(), content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, private=True, max_age=0 if settings.DEBUG else 7 * 24 * 3600)
    return response
