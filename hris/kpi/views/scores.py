"""Score pages: the Performance entry point, "my scores", a cycle's assessments, the breakdown
of one assessment (how its total was made) and the what-if panel on it.

Who sees which assessment is the selectors' business (assessments_visible_to): an employee
their own, a manager the subtree, HR and executives their scope; anything else is a 404.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability
from hris.core import errors
from hris.kpi.choices import RECOMPUTABLE_STATES
from hris.kpi.models import Assessment, Cycle
from hris.kpi.selectors import assessment_breakdown, assessment_get, assessments_visible_to, cycle_get, final_score_withheld
from hris.kpi.what_if import what_if
from hris.org.selectors import departments_visible_to
from hris.people.views.common import wants_partial

KPI_ROLE_CAPABILITIES = (Capability.CONFIGURE_KPI, Capability.COMPUTE_KPI, Capability.VIEW_SCORES)
ASSESSMENT_ROW_COLUMNS = (
    "id", "cycle_id", "computed_total", "final_score", "is_complete", "computed_at",
    "employee__id", "employee__name", "employee__employee_number",
    "department__id", "department__name", "department__name_en",
    "template_version__id", "template_version__number",
    "template_version__template__id", "template_version__template__name_zh", "template_version__template__name_en",
)  # fmt: skip
DEPARTMENT_OPTION_COLUMNS = ("id", "name", "name_en", "path", "depth")


def number_text(value: Any) -> str:
    """A stored number as people write it: 93.0000 → 93, 1.5000 → 1.5, no exponent."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    return f"{number:f}"


def is_kpi_staff(actor: Any) -> bool:
    """HR, executives and managers: they work with cycles, not only with their own scores."""
    return any(has_capability(actor, capability) for capability in KPI_ROLE_CAPABILITIES)


def cycle_or_404(actor: Any, cycle_id: int) -> Cycle:
    try:
        return cycle_get(actor, cycle_id)
    except errors.NotFound:
        raise Http404("Cycle not found.")


def assessment_or_404(actor: Any, assessment_id: int) -> Assessment:
    try:
        return assessment_get(actor, assessment_id)
    except errors.NotFound:
        raise Http404("Assessment not found.")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """HR, executives and managers start at the cycles; everyone else at their own scores."""
    if is_kpi_staff(request.user):
        return redirect("kpi:cycle_list")
    return redirect("kpi:my_scores")


@login_required
@require_GET
def my_scores(request: HttpRequest) -> HttpResponse:
    actor = request.user
    assessments = (
        assessments_visible_to(actor)
        .filter(employee__user=actor)
        .select_related("cycle__company")
        .order_by("-cycle__period_start", "-cycle_id")
    )
    assessments = list(assessments)
    for assessment in assessments:
        assessment.final_score_withheld = final_score_withheld(actor, assessment)
    context = {"assessments": assessments, "kpi_staff": is_kpi_staff(actor)}
    return render(request, "kpi/scores/my_scores.html", context)


def assessments_context(request: HttpRequest, cycle: Cycle) -> dict[str, Any]:
    """One page of the cycle's assessments in the actor's scope, optionally one department subtree.
    Queries: the department options, one count, one page with its relations joined."""
    actor = request.user
    departments = list(
        departments_visible_to(actor).filter(company_id=cycle.company_id).select_related(None).only(*DEPARTMENT_OPTION_COLUMNS)
    )
    selected = next((department for department in departments if str(department.pk) == request.GET.get("department")), None)
    rows = (
        assessments_visible_to(actor)
        .filter(cycle=cycle)
        .select_related(None)
        .select_related("employee", "department", "template_version__template")
    )
    if selected is not None:
        rows = rows.filter(department__path__startswith=selected.path)
    rows = rows.only(*ASSESSMENT_ROW_COLUMNS).order_by("department__path", "employee__employee_number", "pk")
    page = Paginator(rows, settings.RENSHI_PAGE_SIZE).get_page(request.GET.get("page"))
    query = QueryDict(mutable=True)
    if selected is not None:
        query["department"] = selected.pk
    base_depth = min((department.depth for department in departments), default=1)
    for department in departments:
        department.indent = "\u00a0\u00a0" * (department.depth - base_depth)
    return {
        "cycle": cycle,
        "assessment_page": page,
        "assessment_departments": departments,
        "selected_department": selected,
        "assessment_query": query,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }


@login_required
@require_GET
def cycle_assessments(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_or_404(request.user, pk)
    context = assessments_context(request, cycle)
    template = "kpi/scores/_assessments.html" if wants_partial(request) else "kpi/scores/cycle_assessments.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _breakdown_context(assessment: Assessment, actor: Any = None) -> dict[str, Any]:
    breakdown = assessment_breakdown(assessment)
    for item in breakdown["items"]:
        item["target_text"], item["actual_text"] = number_text(item["target"]), number_text(item["actual"])
        item["what_if_value"], item["what_if_errors"] = item["actual_text"], []
        for record in item["records"]:
            record.value_text = number_text(record.value)
    can_set_weights = (
        actor is not None and has_capability(actor, Capability.CONFIGURE_KPI) and assessment.cycle.state in RECOMPUTABLE_STATES
    )
    return {
        "assessment": assessment,
        "breakdown": breakdown,
        "cycle": assessment.cycle,
        "can_set_weights": can_set_weights,
        "final_score_withheld": final_score_withheld(actor, assessment),
    }


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_or_404(request.user, pk)
    return render(request, "kpi/scores/assessment_detail.html", _breakdown_context(assessment, request.user))


def _differs(text: str, current: Decimal | None) -> bool:
    """Only values that differ from the measured actual are hypothetical; unparsable ones go to
    what_if, which reports them."""
    try:
        return current is None or Decimal(text) != current
    except (InvalidOperation, ValueError):
        return True


@login_required
@require_POST
def assessment_what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """Scores hypothetical actuals with the same engine; nothing is written."""
    assessment = assessment_or_404(request.user, pk)
    context = _breakdown_context(assessment, request.user)
    items = context["breakdown"]["items"]
    actuals = {}
    for item in items:
        text = request.POST.get(f"actual_{item['indicator_id']}", "").strip()
        item["what_if_value"] = text or item["actual_text"]
        if text and _differs(text, item["actual"]):
            actuals[item["indicator_id"]] = text
    try:
        result = what_if(assessment=assessment, actuals=actuals)
    except errors.DomainError as error:
        result = None
        context["what_if_error"] = error.message
        for item in items:
            item["what_if_errors"] = error.field_errors.get(str(item["indicator_id"]), [])
    if result is not None:
        order = {item["indicator_id"]: index for index, item in enumerate(items)}
        rows = sorted(result["items"], key=lambda row: order.get(row["indicator_id"], len(order)))
        for row in rows:
            row["actual_text"], row["target_text"] = number_text(row["actual"]), number_text(row["target"])
        current = result["current_total"]
        difference = None if current is None or result["computed_total"] is None else result["computed_total"] - current
        context["what_if"] = {**result, "items": rows, "difference": difference}
    if wants_partial(request):
        # htmx swaps only successful answers, so refusals come back as 200 with the errors shown.
        return render(request, "kpi/scores/_what_if.html", context)
    return render(request, "kpi/scores/assessment_detail.html", context, status=200 if result is not None else 400)
