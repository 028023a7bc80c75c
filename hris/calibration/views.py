"""Calibration pages: the distribution against the target, outliers, notes, the 9-box, grade
scale settings, the results export and the printable result sheet.

Scope: cycles via cycles_visible_to, assessments via assessments_visible_to; only HR, executives
and managers calibrate (others get 403). Service refusals land on the form, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hris.calibration import selectors, services
from hris.calibration.exports import results_export
from hris.calibration.forms import GradeBandFormSet, NoteForm, PotentialForm, ScaleForm
from hris.calibration.grading import BUILTIN_SCALE, company_default_scale, scale_for_cycle
from hris.calibration.models import GradeScale
from hris.calibration.permissions import CALIBRATION_CAPABILITIES, may_calibrate, may_manage_scales
from hris.core import errors
from hris.kpi.models import Assessment, Cycle
from hris.kpi.permissions import company_ids_granting
from hris.kpi.selectors import assessment_breakdown, assessments_visible_to, cycle_get, cycles_visible_to, final_score_withheld
from hris.kpi.views.scores import number_text
from hris.org.models import Company, Department
from hris.reviews.selectors import adjustments_visible

CHART_ACTUAL = "#0d6efd"
CHART_MAX = "#dc3545"
CHART_MIN = "#198754"


def _cycle_for_calibration(actor: Any, pk: int) -> Cycle:
    try:
        cycle = cycle_get(actor, pk)
    except errors.NotFound:
        raise Http404("Cycle not found.")
    if not may_calibrate(actor, cycle.company_id):
        raise PermissionDenied
    return cycle


def _department(request: HttpRequest, cycle: Cycle) -> Department | None:
    raw = request.GET.get("department") or request.POST.get("scope_department") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("Department not found.")
    department = Department.objects.filter(company_id=cycle.company_id, pk=int(raw)).first()
    if department is None:
        raise Http404("Department not found.")
    return department


def _apply_errors(form: Any, error: errors.DomainError) -> None:
    placed = False
    for name, messages in (error.field_errors or {}).items():
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
                placed = True
    if not placed:
        form.add_error(None, error.message)


def distribution_chart(distribution: selectors.Distribution) -> str:
    """Actual vs target share per grade, as an HTML fragment (plotly.js loaded by the page)."""
    if not distribution.total:
        return ""
    import plotly.graph_objects as go

    letters = [g.letter for g in distribution.grades]
    figure = go.Figure()
    figure.add_bar(
        name=_("Actual %"),
        x=letters,
        y=[float(g.percent) for g in distribution.grades],
        text=[f"{selectors.percent_text(g.percent)} %" for g in distribution.grades],
        textposition="auto",
        marker_color=CHART_ACTUAL,
        hovertemplate="%{x}: %{y:.1f} %<extra></extra>",
    )
    if any(g.max_percent is not None for g in distribution.grades):
        figure.add_bar(
            name=_("Target: at most %"),
            x=letters,
            y=[None if g.max_percent is None else float(g.max_percent) for g in distribution.grades],
            marker_color=CHART_MAX,
            opacity=0.55,
            hovertemplate="%{x}: ≤ %{y:.1f} %<extra></extra>",
        )
    if any(g.min_percent is not None for g in distribution.grades):
        figure.add_bar(
            name=_("Target: at least %"),
            x=letters,
            y=[None if g.min_percent is None else float(g.min_percent) for g in distribution.grades],
            marker_color=CHART_MIN,
            opacity=0.55,
            hovertemplate="%{x}: ≥ %{y:.1f} %<extra></extra>",
        )
    figure.update_layout(
        template="plotly_white",
        barmode="group",
        height=300,
        margin={"l": 48, "r": 16, "t": 16, "b": 40},
        yaxis={"title": {"text": _("Share of people (%)")}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.15},
    )
    return figure.to_html(full_html=False, include_plotlyjs=False, config={"displayModeBar": False, "responsive": True})


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The cycles the actor may calibrate."""
    actor = request.user
    cycles = [c for c in cycles_visible_to(actor).order_by("-period_start", "-id") if may_calibrate(actor, c.company_id)]
    allowed = company_ids_granting(actor, CALIBRATION_CAPABILITIES)
    if allowed is not None and not allowed:
        raise PermissionDenied
    companies = [c for c in Company.objects.filter(pk__in={c.company_id for c in cycles}) if may_manage_scales(actor, c.pk)]
    return render(request, "calibration/index.html", {"cycles": cycles, "scale_companies": companies})


def _calibration_context(request: HttpRequest, cycle: Cycle, department: Department | None) -> dict[str, Any]:
    actor = request.user
    scale = scale_for_cycle(cycle)
    rows = selectors.calibration_rows(actor, cycle, department=department, scale=scale)
    overall_name = selectors.department_label(department.name, department.name_en) if department else cycle.company.name
    overall, departments = selectors.distributions_for(rows, scale, overall_name=overall_name)
    by_grade = {letter: [] for letter in scale.letters}
    unscored = []
    for row in rows:
        (by_grade[row.grade] if row.grade else unscored).append(row)
    departments_options = selectors.department_choices(actor, cycle)
    return {
        "cycle": cycle,
        "scale": scale,
        "department": department,
        "department_options": departments_options,
        "overall": overall,
        "departments": departments,
        "chart": distribution_chart(overall),
        "outliers": selectors.outliers_of(rows),
        "large_adjustment": selectors.LARGE_ADJUSTMENT,
        "grade_groups": [(band, by_grade[band.letter]) for band in scale.bands],
        "unscored": unscored,
        "notes": selectors.notes_visible_to(actor, cycle, department=department),
        "note_form": NoteForm(departments=departments_options, initial={"department": department.pk if department else None}),
        "can_manage_scales": may_manage_scales(actor, cycle.company_id),
    }


@login_required
@require_GET
def cycle_calibration(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_for_calibration(request.user, pk)
    department = _department(request, cycle)
    return render(request, "calibration/cycle.html", _calibration_context(request, cycle, department))


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_for_calibration(request.user, pk)
    departments = selectors.department_choices(request.user, cycle)
    form = NoteForm(request.POST, departments=departments)
    if form.is_valid():
        department = None
        if form.cleaned_data["department"]:
            department = Department.objects.filter(company_id=cycle.company_id, pk=form.cleaned_data["department"]).first()
        try:
            services.calibration_note_add(actor=request.user, cycle=cycle, text=form.cleaned_data["text"], department=department)
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            _apply_errors(form, error)
        else:
            url = reverse("calibration:cycle", args=[cycle.pk])
            scope = request.POST.get("scope_department")
            return redirect(f"{url}?department={scope}#notes" if scope and scope.isdigit() else f"{url}#notes")
    context = _calibration_context(request, cycle, _department(request, cycle))
    context["note_form"] = form
    return render(request, "calibration/cycle.html", context, status=400)


@login_required
@require_GET
def nine_box(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_for_calibration(request.user, pk)
    department = _department(request, cycle)
    scale = scale_for_cycle(cycle)
    rows = selectors.calibration_rows(request.user, cycle, department=department, scale=scale)
    context = {
        "cycle": cycle,
        "department": department,
        "department_options": selectors.department_choices(request.user, cycle),
        "box": selectors.nine_box_of(rows, scale),
        "rows": rows,
        "potential_choices": PotentialForm.base_fields["potential"].choices,
    }
    return render(request, "calibration/nine_box.html", context)


@login_required
@require_POST
def potential_set(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessments_visible_to(request.user).filter(pk=pk).first()
    if assessment is None:
        raise Http404("Assessment not found.")
    if not may_calibrate(request.user, assessment.cycle.company_id):
        raise PermissionDenied
    form = PotentialForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose low, medium or high."), status=400)
    try:
        services.potential_set(actor=request.user, assessment=assessment, **form.cleaned_data)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        return HttpResponse(error.message, status=400)
    next_url = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("calibration:nine_box", args=[assessment.cycle_id])
    return redirect(next_url)


@login_required
@require_GET
def export_results(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _cycle_for_calibration(request.user, pk)
    try:
        content, _count = results_export(actor=request.user, cycle=cycle)
    except errors.PermissionDenied:
        raise PermissionDenied
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="results-cycle-{cycle.pk}.xlsx"'
    return response


@login_required
@require_GET
def result_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """One employee's printable result sheet. The employee may print their own; others in scope
    theirs; anyone else is refused (403)."""
    assessment = assessments_visible_to(request.user).filter(pk=pk).first()
    if assessment is None:
        if Assessment.objects.filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404("Assessment not found.")
    cycle = assessment.cycle
    withheld = final_score_withheld(request.user, assessment)
    breakdown = assessment_breakdown(assessment)
    for item in breakdown["items"]:
        item["target_text"], item["actual_text"] = number_text(item["target"]), number_text(item["actual"])
    context = {
        "assessment": assessment,
        "cycle": cycle,
        "company": cycle.company,
        "breakdown": breakdown,
        "withheld": withheld,
        "grade": "" if withheld else scale_for_cycle(cycle).grade(assessment.final_score),
        "manager": assessment.employee.manager,
        "printed_on": timezone.localdate(),
        "adjustments": adjustments_visible(request.user, assessment),
    }
    return render(request, "calibration/result_sheet.html", context)


# --- grade scale settings -------------------------------------------------------------------------


def _band_initial(scale) -> list[dict]:  # noqa: ANN001
    return [
        {"letter": b.letter, "label": str(b.label), "min_score": b.min_score, "max_percent": b.max_percent, "min_percent": b.min_percent}
        for b in scale.bands
    ]


def _save_scale(request: HttpRequest, *, company: Company, cycle: Cycle | None, formset: Any, scale_form: ScaleForm) -> bool:
    if not (formset.is_valid() and scale_form.is_valid()):
        return False
    rows = [(form, form.cleaned_data) for form in formset.forms if not form.is_blank()]
    try:
        services.grade_scale_save(
            actor=request.user,
            company=company,
            cycle=cycle,
            bands=[data for _form, data in rows],
            min_department_size=scale_form.cleaned_data["min_department_size"],
        )
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        placed = False
        for key, messages in (error.field_errors or {}).items():
            parts = key.split(".")
            for message in messages:
                if len(parts) == 3 and parts[0] == "bands" and int(parts[1]) < len(rows):
                    rows[int(parts[1])][0].add_error(parts[2], message)
                    placed = True
                elif key == "min_department_size":
                    scale_form.add_error("min_department_size", message)
                    placed = True
                else:
                    formset._non_form_errors = formset.error_class([*formset.non_form_errors(), message])
                    placed = True
        if not placed:
            formset._non_form_errors = formset.error_class([error.message])
        return False
    return True


def _scale_page(request: HttpRequest, *, company: Company, cycle: Cycle | None) -> HttpResponse:
    if not may_manage_scales(request.user, company.pk):
        raise PermissionDenied
    current = scale_for_cycle(cycle) if cycle is not None else company_default_scale(company.pk)
    has_own = GradeScale.objects.filter(company=company, cycle=cycle).exists()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "reset" and cycle is not None:
        try:
            services.grade_scale_reset(actor=request.user, cycle=cycle)
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            return HttpResponse(error.message, status=409)
        return redirect("calibration:cycle_scale", pk=cycle.pk)
    if request.method == "POST":
        formset = GradeBandFormSet(request.POST, prefix="bands")
        scale_form = ScaleForm(request.POST)
        if _save_scale(request, company=company, cycle=cycle, formset=formset, scale_form=scale_form):
            if cycle is not None:
                return redirect("calibration:cycle_scale", pk=cycle.pk)
            return redirect(f"{reverse('calibration:company_scale')}?company={company.pk}")
        status = 400
    else:
        formset = GradeBandFormSet(initial=_band_initial(current), prefix="bands")
        scale_form = ScaleForm(initial={"min_department_size": current.min_department_size})
    context = {
        "company": company,
        "cycle": cycle,
        "formset": formset,
        "scale_form": scale_form,
        "current": current,
        "has_own": has_own,
        "builtin": BUILTIN_SCALE,
        "frozen": cycle is not None and cycle.state in services.FROZEN_STATES,
    }
    return render(request, "calibration/scale_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def company_scale(request: HttpRequest) -> HttpResponse:
    """The company's default grade scale and target distribution (HR)."""
    from hris.accounts.roles import Capability
    from hris.kpi.permissions import company_ids_with

    ids = company_ids_with(request.user, Capability.MANAGE_REVIEW)
    companies = Company.objects.all() if ids is None else Company.objects.filter(pk__in=ids)
    raw = request.GET.get("company") or request.POST.get("company") or ""
    company = companies.filter(pk=int(raw)).first() if raw.isdigit() else companies.order_by("pk").first()
    if company is None:
        raise PermissionDenied
    return _scale_page(request, company=company, cycle=None)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_scale(request: HttpRequest, pk: int) -> HttpResponse:
    """A cycle's own grade scale (overrides the company default for this cycle only)."""
    try:
        cycle = cycle_get(request.user, pk)
    except errors.NotFound:
        raise Http404("Cycle not found.")
    return _scale_page(request, company=cycle.company, cycle=cycle)
