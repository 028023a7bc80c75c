"""Metric records on screen: entering one by hand, the list within the viewer's scope, and one
record's history (every value it had, the superseded ones included)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hris.core import errors
from hris.kpi.forms_cycles import MetricRecordFilterForm, MetricRecordForm, add_service_errors
from hris.kpi.models import Indicator
from hris.kpi.selectors_metrics import metric_record_history, metric_records_visible_to
from hris.kpi.services.metric_plan import DUPLICATE
from hris.kpi.services.metrics import metric_records_submit
from hris.kpi.views.cycle_data import metric_companies
from hris.kpi.views.cycles import call_service
from hris.kpi.views.scores import is_kpi_staff, number_text

RECORD_COLUMNS = (
    "id", "metric_key", "period_start", "period_end", "value", "source", "external_id", "is_current", "recorded_at", "note",
    "employee__id", "employee__name", "employee__employee_number", "department__id", "department__name",
)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def metric_record_create(request: HttpRequest) -> HttpResponse:
    """One value entered by hand (source "manual"); the same owner, metric and period again replaces it."""
    actor = request.user
    companies = metric_companies(actor)
    if not companies:
        raise PermissionDenied
    form = MetricRecordForm(request.POST if request.method == "POST" else None, companies=companies)
    if request.method == "POST" and form.is_valid():
        company = form.cleaned_data["company"]
        try:
            result = call_service(metric_records_submit, actor=actor, company=company, records=[form.record()], source_default="manual")
        except errors.DomainError as error:
            add_service_errors(form, error, rename=MetricRecordForm.RENAME)
        else:
            outcome = result.outcomes[0]
            for name, problems in outcome.errors.items():
                field = MetricRecordForm.RENAME.get(name, name)
                form.add_error(field if field in form.fields else None, problems)
            if not outcome.errors:
                if outcome.status == DUPLICATE:
                    messages.info(request, _("This value was already recorded; nothing changed."))
                else:
                    messages.success(request, _("The value was recorded."))
                return redirect("kpi:metric_record_history", record_id=outcome.record_id)
    metric_keys = (
        Indicator.objects.filter(company__in=companies, is_active=True).exclude(metric_key="").values_list("metric_key", flat=True)
    )
    context = {"form": form, "metric_keys": sorted(set(metric_keys))}
    return render(request, "kpi/cycles/metric_record_form.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def metric_record_list(request: HttpRequest) -> HttpResponse:
    """Current records in the viewer's scope, newest first; filter by employee, metric key, source and date."""
    actor = request.user
    form = MetricRecordFilterForm(request.GET or None)
    filters = form.filters()
    records = metric_records_visible_to(actor)
    if filters.get("employee"):
        text = filters["employee"].strip()
        records = records.filter(Q(employee__employee_number=text) | Q(employee__name__icontains=text))
    if filters.get("metric_key"):
        records = records.filter(metric_key=filters["metric_key"].strip())
    if filters.get("source"):
        records = records.filter(source=filters["source"].strip())
    if filters.get("date"):
        records = records.filter(period_start__lte=filters["date"], period_end__gte=filters["date"])
    records = records.only(*RECORD_COLUMNS).order_by("-recorded_at", "-id")
    page = Paginator(records, settings.RENSHI_PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.value_text = number_text(record.value)
    query = QueryDict(mutable=True)
    for name, value in request.GET.items():
        if name in form.fields and value.strip():
            query[name] = value
    context = {"form": form, "page": page, "query": query, "can_write": bool(metric_companies(actor)), "kpi_staff": is_kpi_staff(actor)}
    return render(request, "kpi/cycles/metric_records.html", context)


@login_required
@require_GET
def metric_record_history_view(request: HttpRequest, record_id: int) -> HttpResponse:
    record = metric_records_visible_to(request.user, current_only=False).filter(pk=record_id).first()
    if record is None:
        raise Http404("Metric record not found.")
    versions = metric_record_history(record)
    for version in versions:
        version.value_text = number_text(version.value)
    return render(request, "kpi/cycles/metric_record_history.html", {"record": record, "versions": versions})
