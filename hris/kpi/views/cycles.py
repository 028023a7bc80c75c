"""Cycle pages: the list, a new cycle, and the cycle page with its state transitions,
template assignments, population preview and weight overrides.

Reading a cycle follows cycles_visible_to (another company's cycle is a 404); every change
goes through the services, which check CONFIGURE_KPI over the company (refused: 403) and
the cycle's state (refused: the service's message on the page, nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hris.accounts.roles import Capability
from hris.core import errors
from hris.kpi.choices import RECOMPUTABLE_STATES, CycleState, RunState
from hris.kpi.forms_cycles import AssignmentForm, CycleForm, ReopenForm, WeightsForm, add_service_errors
from hris.kpi.models import Assessment, ComputationRun, Cycle, CycleAssignment, CycleWeightOverride, TemplateItem, TemplateVersion
from hris.kpi.permissions import companies_among, company_ids_with, may_company
from hris.kpi.selectors import assessments_visible_to, cycles_visible_to
from hris.kpi.selectors_population import cycle_population
from hris.kpi.services.cycle_transitions import cycle_open, cycle_reopen, cycle_start_scoring, cycle_sync_population
from hris.kpi.services.cycles import ASSIGNABLE_STATES, INPUT_EDITABLE_STATES, assignment_add, assignment_remove, cycle_create
from hris.kpi.services.metric_owners import may_write_metrics_in
from hris.kpi.services.weights import cycle_weight_overrides_set
from hris.kpi.views.scores import assessments_context, cycle_or_404, is_kpi_staff
from hris.org.models import Company

STATE_BADGES = {
    CycleState.DRAFT: "text-bg-secondary",
    CycleState.OPEN: "text-bg-info",
    CycleState.SCORING: "text-bg-primary",
    CycleState.REVIEW: "text-bg-warning",
    CycleState.CALIBRATION: "text-bg-warning",
    CycleState.APPROVED: "text-bg-success",
    CycleState.PUBLISHED: "text-bg-success",
    CycleState.CLOSED: "text-bg-dark",
}
CONFLICTS_SHOWN = 50
INVALID = 400


def configurable_companies(actor: Any) -> list[Company]:
    return companies_among(company_ids_with(actor, Capability.CONFIGURE_KPI))


def with_badge(cycle: Cycle) -> Cycle:
    cycle.badge_class = STATE_BADGES.get(cycle.state, "text-bg-light")
    return cycle


def call_service(service: Callable[..., Any], **kwargs: Any) -> Any:
    """Permission and scope refusals become 403 and 404; other refusals are the caller's."""
    try:
        return service(**kwargs)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.NotFound:
        raise Http404("Not found.")


@login_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    visible = assessments_visible_to(actor).filter(cycle_id=OuterRef("pk")).order_by().values("cycle_id")
    counted = visible.annotate(count=Count("pk")).values("count")[:1]
    cycles = (
        cycles_visible_to(actor)
        .annotate(assessment_count=Coalesce(Subquery(counted), Value(0), output_field=IntegerField()))
        .order_by("-period_start", "name", "pk")
    )
    page = Paginator(cycles, settings.RENSHI_PAGE_SIZE).get_page(request.GET.get("page"))
    for cycle in page.object_list:
        with_badge(cycle)
    context = {"page": page, "can_create": bool(configurable_companies(actor)), "kpi_staff": is_kpi_staff(actor)}
    return render(request, "kpi/cycles/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    companies = configurable_companies(actor)
    if not companies:
        raise PermissionDenied
    posted = request.method == "POST"
    if posted and request.POST.get("company") and request.POST["company"] not in {str(company.pk) for company in companies}:
        raise Http404("Company not found.")
    form = CycleForm(request.POST if posted else None, companies=companies)
    if posted and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            cycle = call_service(cycle_create, actor=actor, **data)
        except errors.DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The cycle “%(name)s” was created. Assign templates, then open it.") % {"name": cycle.name})
            return redirect("kpi:cycle_detail", pk=cycle.pk)
    return render(request, "kpi/cycles/form.html", {"form": form}, status=INVALID if form.errors else 200)


def population_label(assignment: CycleAssignment) -> str:
    target = {
        "department": lambda: assignment.department.name,
        "position": lambda: str(assignment.position),
        "job_family": assignment.get_job_family_display,
        "employee": lambda: f"{assignment.employee.name} ({assignment.employee.employee_number})",
    }[assignment.kind]()
    return f"{assignment.get_kind_display()}: {target}"


def _weight_forms(cycle: Cycle, assignments: list[CycleAssignment], bound: WeightsForm | None) -> list[WeightsForm]:
    version_ids = {assignment.template_version_id for assignment in assignments}
    version_ids |= set(Assessment.objects.filter(cycle=cycle).order_by().values_list("template_version_id", flat=True).distinct())
    versions = TemplateVersion.objects.filter(pk__in=version_ids).select_related("template").order_by("template__code", "number")
    items: dict[int, list[TemplateItem]] = {}
    for item in TemplateItem.objects.filter(version_id__in=version_ids).select_related("indicator").order_by("order", "id"):
        items.setdefault(item.version_id, []).append(item)
    overrides: dict[int, dict[int, Any]] = {}
    reasons: dict[int, str] = {}
    for override in CycleWeightOverride.objects.filter(cycle=cycle):
        overrides.setdefault(override.template_version_id, {})[override.indicator_id] = override.weight
        reasons[override.template_version_id] = override.reason
    forms = []
    for version in versions:
        if bound is not None and bound.version.pk == version.pk:
            forms.append(bound)
            continue
        form = WeightsForm(version=version, items=items.get(version.pk, []), overrides=overrides.get(version.pk, {}))
        form.fields["reason"].initial = reasons.get(version.pk, "")
        forms.append(form)
    return forms


def detail_context(
    request: HttpRequest, cycle: Cycle, *, assignment_form: AssignmentForm | None = None, weight_form: WeightsForm | None = None
) -> dict[str, Any]:
    actor = request.user
    may_configure = may_company(actor, Capability.CONFIGURE_KPI, cycle.company_id)
    may_compute = may_company(actor, Capability.COMPUTE_KPI, cycle.company_id)
    context: dict[str, Any] = {
        "cycle": with_badge(cycle),
        "states": CycleState,
        "may_configure": may_configure,
        "kpi_staff": is_kpi_staff(actor),
        "may_compute": may_compute and cycle.state in RECOMPUTABLE_STATES,
        "may_write_data": may_write_metrics_in(actor, cycle.company_id) and cycle.state in INPUT_EDITABLE_STATES,
        "live": cycle.state == CycleState.OPEN,
        "reopen_form": ReopenForm(),
    }
    if may_configure:
        assignments = list(
            cycle.assignments.select_related("template_version__template", "department", "position", "employee").order_by("kind", "id")
        )
        for assignment in assignments:
            assignment.label = population_label(assignment)
        context["assignments"] = assignments
        context["can_assign"] = cycle.state in ASSIGNABLE_STATES
        if context["can_assign"]:
            context["assignment_form"] = assignment_form or AssignmentForm(cycle=cycle)
            assigned, conflicts = cycle_population(cycle)
            by_pk = {assignment.pk: assignment for assignment in assignments}
            context["population"] = {
                "assigned": len(assigned),
                "conflict_count": len(conflicts),
                "conflicts": [(employee, [by_pk[tied.pk] for tied in ties]) for employee, ties in conflicts[:CONFLICTS_SHOWN]],
            }
        if cycle.state in INPUT_EDITABLE_STATES:
            context["weight_forms"] = _weight_forms(cycle, assignments, weight_form)
    if may_compute:
        context["run"] = run = ComputationRun.objects.filter(cycle=cycle).first()
        context["polling"] = run is not None and run.state in (RunState.QUEUED, RunState.RUNNING)
    context.update(assessments_context(request, cycle))
    return context


@login_required
@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_or_404(request.user, pk)
    return render(request, "kpi/cycles/detail.html", detail_context(request, cycle))


def _transition_message(action: str, cycle: Cycle, result: Any) -> str:
    if action == "open":
        count = Assessment.objects.filter(cycle=cycle).count()
        return _("The cycle is open: %(count)s employees are assessed.") % {"count": count}
    if action == "sync":
        return (
            _(
                "Population synchronised: %(added)s added, %(removed)s removed, %(kept)s kept because they have data, "
                "%(retemplated)s moved to another template, %(retemplate_blocked)s left on their template because they have data, "
                "%(conflicts)s with conflicting assignments."
            )
            % result.counts()
        )
    if action == "start_scoring":
        return _("Data collection has ended; the cycle is being scored.")
    return _("The cycle is open again for data.")


@login_required
@require_POST
def cycle_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    services = {"open": cycle_open, "sync": cycle_sync_population, "start_scoring": cycle_start_scoring, "reopen": cycle_reopen}
    if action not in services:
        raise Http404("Unknown transition.")
    kwargs: dict[str, Any] = {"actor": actor, "cycle": cycle}
    if action == "reopen":
        form = ReopenForm(request.POST)
        kwargs["reason"] = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        result = call_service(services[action], **kwargs)
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _transition_message(action, cycle, result))
    return redirect("kpi:cycle_detail", pk=cycle.pk)


@login_required
@require_POST
def assignment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    if not may_company(actor, Capability.CONFIGURE_KPI, cycle.company_id):
        raise PermissionDenied
    form = AssignmentForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            call_service(assignment_add, actor=actor, cycle=cycle, **form.service_arguments())
        except errors.DomainError as error:
            add_service_errors(form, error, rename={"employee": "employee_number"})
        else:
            messages.success(request, _("The template version is assigned."))
            return redirect(reverse("kpi:cycle_detail", kwargs={"pk": cycle.pk}) + "#assignments")
    return render(request, "kpi/cycles/detail.html", detail_context(request, cycle, assignment_form=form), status=INVALID)


@login_required
@require_POST
def assignment_remove_view(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    assignment = CycleAssignment.objects.filter(cycle=cycle, pk=assignment_id).select_related("cycle").first()
    if assignment is None:
        raise Http404("Assignment not found.")
    try:
        call_service(assignment_remove, actor=actor, assignment=assignment)
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The assignment was removed."))
    return redirect(reverse("kpi:cycle_detail", kwargs={"pk": cycle.pk}) + "#assignments")


@login_required
@require_POST
def cycle_weights_view(request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
    actor = request.user
    cycle = cycle_or_404(actor, pk)
    if not may_company(actor, Capability.CONFIGURE_KPI, cycle.company_id):
        raise PermissionDenied
    version = TemplateVersion.objects.filter(pk=version_id, template__company_id=cycle.company_id).select_related("template").first()
    if version is None:
        raise Http404("Template version not found.")
    items = list(TemplateItem.objects.filter(version=version).select_related("indicator").order_by("order", "id"))
    form = WeightsForm(request.POST, version=version, items=items, overrides={})
    if form.is_valid():
        try:
            call_service(
                cycle_weight_overrides_set,
                actor=actor,
                cycle=cycle,
                template_version=version,
                weights=form.changed_weights(),
                reason=form.cleaned_data["reason"],
            )
        except errors.DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The weights of %(version)s in this cycle were saved.") % {"version": version})
            return redirect(reverse("kpi:cycle_detail", kwargs={"pk": cycle.pk}) + "#weights")
    return render(request, "kpi/cycles/detail.html", detail_context(request, cycle, weight_form=form), status=INVALID)
