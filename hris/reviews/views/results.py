"""The employee's published results: final score, grade, breakdown, adjustments, versions and diffs,
acknowledge and appeal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hris.core import errors
from hris.kpi.choices import CycleState
from hris.reviews import selectors
from hris.reviews.forms import ReasonForm
from hris.reviews.models import Acknowledgement, Appeal
from hris.reviews.services.appeals import appeal_file
from hris.reviews.services.publication import appeal_deadline, result_acknowledge
from hris.reviews.views.common import call


@login_required
@require_GET
def my_results(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/my_results.html", {"results": selectors.my_published_results(request.user)})


def _own(request: HttpRequest, pk: int):  # noqa: ANN202
    try:
        return selectors.my_result_get(request.user, pk)
    except errors.NotFound:
        raise Http404("Result not found.")


def _result_context(request: HttpRequest, assessment, appeal_form=None) -> dict:  # noqa: ANN001
    versions = selectors.result_versions(assessment)
    latest = versions[0]
    settings_row = selectors.settings_of(assessment.cycle)
    deadline = appeal_deadline(settings_row)
    published = assessment.cycle.state == CycleState.PUBLISHED
    window_open = published and deadline is not None and timezone.now() <= deadline
    appeals = list(assessment.appeals.select_related("resolved_by__employee").order_by("-created_at"))
    return {
        "assessment": assessment,
        "cycle": assessment.cycle,
        "latest": latest,
        "versions": versions,
        "adjustments": selectors.adjustments_visible(request.user, assessment) or [],
        "acknowledged": Acknowledgement.objects.filter(version=latest).first(),
        "deadline": deadline,
        "can_acknowledge": published,
        "can_appeal": window_open and not any(appeal.state == Appeal.State.OPEN for appeal in appeals),
        "appeals": appeals,
        "appeal_form": appeal_form or ReasonForm(),
    }


@login_required
@require_GET
def my_result(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "reviews/my_result.html", _result_context(request, _own(request, pk)))


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _own(request, pk)
    try:
        call(result_acknowledge, actor=request.user, assessment=assessment)
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your result is acknowledged."))
    return redirect("reviews:my_result", pk=assessment.pk)


@login_required
@require_POST
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _own(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            call(appeal_file, actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"])
        except errors.DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your appeal was filed; HR will answer it."))
            return redirect("reviews:my_result", pk=assessment.pk)
    return render(request, "reviews/my_result.html", _result_context(request, assessment, form), status=400)
