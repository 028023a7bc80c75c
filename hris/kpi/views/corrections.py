"""Corrections HR makes by hand: one employee's own weights (with a reason) and a metric value."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hris.core import errors
from hris.kpi.models import CycleWeightOverride, EmployeeWeightOverride, TemplateItem
from hris.kpi.selectors_metrics import metric_records_visible_to
from hris.kpi.services.metrics import metric_record_correct
from hris.kpi.services.weights import employee_weights_set
from hris.kpi.views.scores import assessment_or_404


@login_required
def assessment_weights(request: HttpRequest, pk: int) -> HttpResponse:
    """Set this employee's weights for the cycle; the effective weights must still sum to 100."""
    assessment = assessment_or_404(request.user, pk)
    rows = _weight_rows(assessment)
    problems: dict[str, list[str]] = {}
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        weights = {}
        for row in rows:
            row["value"] = request.POST.get(f"weight_{row['indicator_id']}", "").strip()
            try:
                weights[row["indicator_id"]] = Decimal(row["value"])
            except InvalidOperation:
                problems.setdefault(str(row["indicator_id"]), []).append(_("Enter a number."))
                problems.setdefault("general", [_("Some weights are not numbers.")])
        if not problems:
            try:
                with transaction.atomic():
                    employee_weights_set(
                        actor=request.user, cycle=assessment.cycle, employee=assessment.employee, weights=weights, reason=reason
                    )
            except errors.PermissionDenied:
                raise PermissionDenied
            except errors.DomainError as error:
                problems = {"general": [error.message], **{key: list(value) for key, value in error.field_errors.items()}}
            else:
                messages.success(request, _("The employee's weights are saved; the score is recomputed."))
                return redirect("kpi:assessment_detail", pk=assessment.pk)
    for row in rows:
        row["errors"] = problems.get(str(row["indicator_id"]), [])
    context = {"assessment": assessment, "cycle": assessment.cycle, "rows": rows, "reason": reason, "problems": problems}
    return render(request, "kpi/scores/assessment_weights.html", context, status=400 if problems else 200)


def _weight_rows(assessment) -> list[dict]:  # noqa: ANN001
    items = TemplateItem.objects.filter(version_id=assessment.template_version_id).select_related("indicator").order_by("order", "id")
    cycle_weights = dict(
        CycleWeightOverride.objects.filter(cycle=assessment.cycle, template_version_id=assessment.template_version_id).values_list(
            "indicator_id", "weight"
        )
    )
    own = dict(
        EmployeeWeightOverride.objects.filter(cycle=assessment.cycle, employee=assessment.employee).values_list("indicator_id", "weight")
    )
    return [
        {
            "indicator_id": item.indicator_id,
            "name": item.indicator.display_name,
            "template_weight": item.weight,
            "value": str(own.get(item.indicator_id, cycle_weights.get(item.indicator_id, item.weight))),
            "overridden": item.indicator_id in own,
        }
        for item in items
    ]


@login_required
def metric_record_correction(request: HttpRequest, record_id: int) -> HttpResponse:
    """Correct a value by hand: the corrected row stays in the record's history."""
    record = metric_records_visible_to(request.user).filter(pk=record_id).select_related("employee", "department").first()
    if record is None:
        raise Http404("Metric record not found.")
    problems: dict[str, list[str]] = {}
    value, reason = str(record.value.normalize()), ""
    if request.method == "POST":
        value, reason = request.POST.get("value", ""), request.POST.get("reason", "")
        try:
            with transaction.atomic():
                corrected = metric_record_correct(actor=request.user, record=record, value=value, reason=reason)
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            problems = {"general": [error.message], **{key: list(messages_) for key, messages_ in error.field_errors.items()}}
        else:
            messages.success(request, _("The value is corrected; the earlier value stays in the history."))
            return redirect("kpi:metric_record_history", record_id=corrected.pk)
    context = {"record": record, "value": value, "reason": reason, "problems": problems}
    return render(request, "kpi/cycles/metric_record_correct.html", context, status=400 if problems else 200)
