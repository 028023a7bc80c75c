"""Rating pages: a rater's pending and given ratings (inline htmx save), HR's progress of a
cycle's ratings (settings, generation, reminders, extensions), chosen peers, and the ratings of
one assessment as the viewer may see them (anonymous peers aggregated)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hris.core import errors
from hris.kpi.forms_ratings import ExtendForm, PeerForm, RatingForm, RatingSettingsForm, add_service_errors
from hris.kpi.models import Assessment, PeerRater, RatingRequest, RatingSettings, RequestState
from hris.kpi.selectors import assessments_visible_to
from hris.kpi.selectors_ratings import (
    assessment_ratings,
    attach_scales,
    done_requests_of,
    my_pending_by_cycle,
    own_request_get,
    rating_progress,
)
from hris.kpi.services.rating_requests import (
    may_choose_peers,
    may_run_ratings,
    peer_rater_add,
    peer_rater_remove,
    rating_reminders_send,
    rating_request_extend,
    rating_requests_generate,
    rating_settings_set,
)
from hris.kpi.services.ratings import rating_request_submit
from hris.kpi.views.scores import assessment_or_404, cycle_or_404, is_kpi_staff
from hris.people.models import Employee
from hris.people.views.common import wants_partial

DONE_LIST_LENGTH = 50


def _forbidden_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# ------------------------------------------------------------------------------------ my ratings


@login_required
@require_GET
def my_ratings(request: HttpRequest) -> HttpResponse:
    """Pending requests grouped by cycle (overdue first within a cycle's due order) and the latest given."""
    groups = my_pending_by_cycle(request.user)
    for group in groups:
        for rating_request in group.requests:
            rating_request.form = RatingForm(
                prefix=f"r{rating_request.pk}", scale_min=rating_request.scale_min, scale_max=rating_request.scale_max
            )
    done = list(done_requests_of(request.user)[:DONE_LIST_LENGTH])
    context = {
        "groups": groups,
        "pending_count": sum(len(group.requests) for group in groups),
        "done": done,
        "kpi_staff": is_kpi_staff(request.user),
    }
    return render(request, "kpi/ratings/my_ratings.html", context)


@login_required
@require_POST
def rating_request_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one rating from the pending list; htmx swaps the row with its saved (or refused) state."""
    try:
        rating_request = own_request_get(request.user, pk)
    except errors.NotFound:
        raise Http404("Rating request not found.")
    attach_scales([rating_request])
    form = RatingForm(request.POST, prefix=f"r{pk}", scale_min=rating_request.scale_min, scale_max=rating_request.scale_max)
    saved = False
    if form.is_valid():
        try:
            rating_request_submit(
                actor=request.user, request=rating_request, value=form.cleaned_data["value"], comment=form.cleaned_data["comment"]
            )
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            add_service_errors(form, error)
        else:
            saved = True
    if not wants_partial(request):
        if saved:
            messages.success(request, _("Your rating is saved."))
        else:
            problems = [str(message) for messages_ in form.errors.values() for message in messages_]
            messages.error(request, " ".join(problems) or _("The rating could not be saved."))
        return redirect("kpi:my_ratings")
    rating_request = own_request_get(request.user, pk)
    attach_scales([rating_request])
    rating_request.form = form
    rating_request.overdue = False
    context = {"rating_request": rating_request, "saved": saved}
    return render(request, "kpi/ratings/_request_row.html", context, status=200 if saved else 400)


# -------------------------------------------------------------------------------------- progress


def _progress_context(request: HttpRequest, cycle: Any, **extra: Any) -> dict:
    progress = rating_progress(request.user, cycle)
    settings = progress.settings
    settings_form = extra.pop("settings_form", None) or RatingSettingsForm(
        initial={
            "due_date": settings.due_date if settings else cycle.period_end,
            "anonymous_peers": settings.anonymous_peers if settings else True,
            "reminder_days_before": settings.reminder_days_before if settings else 3,
            "department_peers": settings.department_peers if settings else 0,
        }
    )
    overdue = list(
        RatingRequest.objects.filter(cycle=cycle, state=RequestState.PENDING, due_date__lt=timezone.localdate())
        .select_related("rater", "assessment__employee", "indicator")
        .order_by("due_date", "rater_id", "pk")[:100]
    )
    return {
        "cycle": cycle,
        "progress": progress,
        "settings_form": settings_form,
        "extend_form": ExtendForm(),
        "overdue_requests": overdue,
        "kpi_staff": True,
        **extra,
    }


def _hr_cycle(request: HttpRequest, pk: int):  # noqa: ANN202
    cycle = cycle_or_404(request.user, pk)
    _forbidden_unless(may_run_ratings(request.user, cycle.company_id))
    return cycle


@login_required
@require_GET
def cycle_rating_progress(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _hr_cycle(request, pk)
    return render(request, "kpi/ratings/progress.html", _progress_context(request, cycle))


@login_required
@require_POST
def cycle_rating_settings(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _hr_cycle(request, pk)
    form = RatingSettingsForm(request.POST)
    if form.is_valid():
        try:
            rating_settings_set(actor=request.user, cycle=cycle, **form.cleaned_data)
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The rating settings are saved; pending ratings are now due on the new deadline."))
            return redirect("kpi:cycle_rating_progress", pk=cycle.pk)
    return render(request, "kpi/ratings/progress.html", _progress_context(request, cycle, settings_form=form), status=400)


@login_required
@require_POST
def cycle_rating_generate(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _hr_cycle(request, pk)
    try:
        report = rating_requests_generate(actor=request.user, cycle=cycle)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        messages.error(request, error.message)
        return redirect("kpi:cycle_rating_progress", pk=cycle.pk)
    by_role = ", ".join(f"{role}: {count}" for role, count in sorted(report.by_role.items()))
    if report.created:
        messages.success(request, _("%(count)s rating requests created (%(roles)s).") % {"count": report.created, "roles": by_role})
    else:
        messages.info(request, _("Every rater already has their requests; nothing new was created."))
    context = _progress_context(request, cycle, generation_problems=report.problem_rows)
    return render(request, "kpi/ratings/progress.html", context)


@login_required
@require_POST
def cycle_rating_remind(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _hr_cycle(request, pk)
    try:
        report = rating_reminders_send(actor=request.user, cycle=cycle)
    except errors.PermissionDenied:
        raise PermissionDenied
    if report.raters:
        message = _("Reminders sent to %(raters)s raters about %(requests)s pending ratings.")
        messages.success(request, message % {"raters": report.raters, "requests": report.requests})
    else:
        messages.info(request, _("Nobody needed a reminder: no pending rating is due soon, or everyone was already reminded today."))
    return redirect("kpi:cycle_rating_progress", pk=cycle.pk)


@login_required
@require_POST
def rating_request_extend_view(request: HttpRequest, pk: int) -> HttpResponse:
    rating_request = RatingRequest.objects.filter(pk=pk).select_related("cycle", "assessment").first()
    if rating_request is None:
        raise Http404("Rating request not found.")
    cycle = _hr_cycle(request, rating_request.cycle_id)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            rating_request_extend(actor=request.user, request=rating_request, **form.cleaned_data)
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The due date is extended."))
    else:
        messages.error(request, _("Enter a valid new due date."))
    return redirect("kpi:cycle_rating_progress", pk=cycle.pk)


# ----------------------------------------------------------------------------------------- peers


def _peer_choices(request: HttpRequest, cycle: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    # the employees in the actor's scope, and the actor's reports (a team lead may have no scope grant)
    reports = Q(employee__manager__user=request.user) | Q(employee__manager__manager__user=request.user)
    in_scope = assessments_visible_to(request.user).filter(cycle=cycle).values("pk")
    assessments = Assessment.objects.filter(cycle=cycle).filter(Q(pk__in=in_scope) | reports).exclude(employee__user=request.user)
    rows = assessments.order_by("employee__employee_number").values_list("employee_id", "employee__name", "employee__employee_number")
    employees = [(employee_id, f"{name} ({number})") for employee_id, name, number in rows]
    colleagues = (
        Employee.objects.filter(company_id=cycle.company_id, user__isnull=False)
        .exclude(status="terminated")
        .order_by("employee_number")
        .values_list("user_id", "name", "employee_number")
    )
    return employees, [(user_id, f"{name} ({number})") for user_id, name, number in colleagues]


@login_required
def cycle_peers(request: HttpRequest, pk: int) -> HttpResponse:
    """HR and managers choose peers for the employees they see; a list of chosen peers with removal."""
    cycle = cycle_or_404(request.user, pk)
    employees, colleagues = _peer_choices(request, cycle)
    _forbidden_unless(bool(employees))
    form = PeerForm(request.POST or None, employees=employees, colleagues=colleagues)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            employee = Employee.objects.select_related("department", "manager").get(pk=form.cleaned_data["employee"])
            rater = get_user_model().objects.get(pk=form.cleaned_data["rater"])
            try:
                if request.POST.get("remove"):
                    peer_rater_remove(actor=request.user, cycle=cycle, employee=employee, rater=rater)
                    messages.success(request, _("The peer is removed."))
                else:
                    peer_rater_add(actor=request.user, cycle=cycle, employee=employee, rater=rater)
                    messages.success(request, _("The peer is added; generate the requests to ask them."))
            except errors.PermissionDenied:
                raise PermissionDenied
            except errors.DomainError as error:
                add_service_errors(form, error)
                status = 400
            else:
                return redirect("kpi:cycle_peers", pk=cycle.pk)
        else:
            status = 400
    visible_ids = [employee_id for employee_id, _label in employees]
    peers = (
        PeerRater.objects.filter(cycle=cycle, employee_id__in=visible_ids)
        .select_related("employee", "rater__employee")
        .order_by("employee__employee_number", "pk")
    )
    context = {"cycle": cycle, "form": form, "peers": list(peers), "kpi_staff": is_kpi_staff(request.user)}
    return render(request, "kpi/ratings/peers.html", context, status=status)


# ---------------------------------------------------------------------------- assessment ratings


@login_required
@require_GET
def assessment_ratings_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment: Assessment = assessment_or_404(request.user, pk)
    ratings = assessment_ratings(request.user, assessment)
    context = {
        "assessment": assessment,
        "cycle": assessment.cycle,
        "ratings": ratings,
        "settings": RatingSettings.objects.filter(cycle_id=assessment.cycle_id).first(),
        "may_choose_peers": may_choose_peers(request.user, assessment.employee) and assessment.employee.user_id != request.user.pk,
        "kpi_staff": is_kpi_staff(request.user),
    }
    return render(request, "kpi/ratings/assessment_ratings.html", context)
