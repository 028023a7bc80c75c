"""Connector pages for HR (MANAGE_INTEGRATIONS): list, create/edit per vendor, detail with runs,
run now / dry run / enable / disable / reset cursor / schedule, run detail with errors (and an
error file), uploads for Excel/CSV connectors."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hris.core import errors
from hris.integrations.connectors import engine, services
from hris.integrations.connectors.forms import ConnectorForm, ScheduleForm, UploadForm, VendorChoiceForm
from hris.integrations.connectors.models import Connector, MappingPreset, RunKind, SyncRun, Vendor
from hris.integrations.connectors.selectors import connectors_visible_to, manageable_company_ids, presets_for, runs_visible_to
from hris.integrations.connectors.vendors import adapter_for
from hris.org.models import Company
from hris.people.forms import apply_service_errors

RUNS_SHOWN = 30


def _companies(actor: Any) -> list[Company]:
    ids = manageable_company_ids(actor)
    companies = Company.objects.all() if ids is None else Company.objects.filter(pk__in=ids)
    found = list(companies.order_by("name"))
    if not found:
        raise PermissionDenied
    return found


def _connector(actor: Any, connector_id: int) -> Connector:
    _companies(actor)
    return get_object_or_404(connectors_visible_to(actor), pk=connector_id)


def _call(service: Any, **kwargs: Any) -> Any:
    try:
        return service(**kwargs)
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.NotFound:
        raise Http404


@login_required
@require_GET
def connector_list(request: HttpRequest) -> HttpResponse:
    companies = _companies(request.user)
    connectors = list(connectors_visible_to(request.user).order_by("company__name", "name"))
    latest = {}
    for run in SyncRun.objects.filter(connector__in=connectors).exclude(kind=RunKind.DRY_RUN).order_by("connector_id", "-pk").distinct():
        latest.setdefault(run.connector_id, run)
    rows = [(connector, latest.get(connector.pk), services.describe_schedule(connector)) for connector in connectors]
    return render(
        request,
        "connectors/connector_list.html",
        {"rows": rows, "vendor_form": VendorChoiceForm(), "several_companies": len(companies) > 1},
    )


def _json_problems(form: ConnectorForm) -> bool:
    return any(name in form.errors for name in ("mapping", "options"))


@login_required
@require_http_methods(["GET", "POST"])
def connector_create(request: HttpRequest) -> HttpResponse:
    companies = _companies(request.user)
    vendor = request.POST.get("vendor") or request.GET.get("vendor") or ""
    if vendor not in Vendor.values:
        messages.error(request, _("Choose a vendor."))
        return redirect("connectors:list")
    adapter = adapter_for(vendor)
    initial = {"mapping": adapter.default_mapping, "options": adapter.default_options}
    form = ConnectorForm(request.POST or None, vendor=vendor, companies=companies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connector = _call(
                services.connector_create,
                actor=request.user,
                company=data["company"],
                name=data["name"],
                vendor=vendor,
                source=data.get("source", ""),
                base_url=data.get("base_url", ""),
                credentials=form.credentials(),
                mapping=data["mapping"] or adapter.default_mapping,
                options=data["options"],
            )
        except errors.DomainError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The connector was saved. Try a dry run to check the mapping."))
            return redirect("connectors:detail", connector_id=connector.pk)
    context = {"form": form, "vendor": vendor, "vendor_label": Vendor(vendor).label, "connector": None}
    return render(request, "connectors/connector_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def connector_edit(request: HttpRequest, connector_id: int) -> HttpResponse:
    connector = _connector(request.user, connector_id)
    initial = {
        "name": connector.name,
        "source": connector.source,
        "base_url": connector.base_url,
        "mapping": connector.mapping,
        "options": connector.options,
    }
    form = ConnectorForm(
        request.POST or None,
        vendor=connector.vendor,
        companies=[connector.company],
        saved_credentials=connector.credential_names,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _call(
                services.connector_update,
                actor=request.user,
                connector=connector,
                name=data["name"],
                source=data.get("source") or connector.source,
                base_url=data.get("base_url", ""),
                credentials=form.credentials(),
                mapping=data["mapping"],
                options=data["options"],
            )
        except errors.DomainError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The connector was saved."))
            return redirect("connectors:detail", connector_id=connector.pk)
    context = {"form": form, "vendor": connector.vendor, "vendor_label": connector.get_vendor_display(), "connector": connector}
    return render(request, "connectors/connector_form.html", context, status=400 if form.errors else 200)


def _schedule_initial(connector: Connector) -> dict:
    task = connector.schedule
    if task is None:
        return {"kind": "none"}
    if task.interval_id:
        return {"kind": "interval", "every": task.interval.every, "period": task.interval.period}
    crontab = task.crontab
    return {"kind": "cron", "cron": f"{crontab.minute} {crontab.hour} {crontab.day_of_month} {crontab.month_of_year} {crontab.day_of_week}"}


def _detail(request: HttpRequest, connector: Connector, *, schedule_form: ScheduleForm | None = None, status: int = 200) -> HttpResponse:
    runs = list(connector.runs.order_by("-pk")[:RUNS_SHOWN])
    context = {
        "connector": connector,
        "runs": runs,
        "schedule": services.describe_schedule(connector),
        "schedule_form": schedule_form or ScheduleForm(initial=_schedule_initial(connector)),
        "pulls": adapter_for(connector.vendor).pulls,
        "stale": {run.pk for run in runs if engine.is_stale(run)},
    }
    return render(request, "connectors/connector_detail.html", context, status=status)


@login_required
@require_GET
def connector_detail(request: HttpRequest, connector_id: int) -> HttpResponse:
    return _detail(request, _connector(request.user, connector_id))


@login_required
@require_POST
def connector_action(request: HttpRequest, connector_id: int, action: str) -> HttpResponse:
    connector = _connector(request.user, connector_id)
    actor = request.user
    try:
        if action == "run":
            run = _call(engine.sync_run_request, actor=actor, connector=connector)
            messages.success(request, _("Run #%(run)s was queued.") % {"run": run.pk})
        elif action == "dry-run":
            run = _call(engine.sync_dry_run, actor=actor, connector=connector)
            return redirect("connectors:run_detail", connector_id=connector.pk, run_id=run.pk)
        elif action in ("enable", "disable"):
            _call(services.connector_set_enabled, actor=actor, connector=connector, enabled=action == "enable")
            messages.success(request, _("The connector is enabled.") if action == "enable" else _("The connector is disabled."))
        elif action == "reset-cursor":
            _call(services.connector_reset_cursor, actor=actor, connector=connector, reason=request.POST.get("reason", ""))
            messages.success(request, _("The cursor was reset: the next run reads everything again."))
        elif action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                return _detail(request, connector, schedule_form=form, status=400)
            data = form.cleaned_data
            try:
                _call(
                    services.connector_set_schedule,
                    actor=actor,
                    connector=connector,
                    kind=data["kind"],
                    every=data.get("every"),
                    period=data.get("period") or "",
                    cron=data.get("cron") or "",
                )
            except errors.DomainError as error:
                apply_service_errors(form, error)
                return _detail(request, connector, schedule_form=form, status=400)
            messages.success(request, _("The schedule was saved."))
        else:
            raise Http404
    except errors.DomainError as error:
        messages.error(request, error.message)
    return redirect("connectors:detail", connector_id=connector.pk)


def _run(actor: Any, connector_id: int, run_id: int) -> SyncRun:
    _companies(actor)
    return get_object_or_404(runs_visible_to(actor), pk=run_id, connector_id=connector_id)


@login_required
@require_GET
def run_detail(request: HttpRequest, connector_id: int, run_id: int) -> HttpResponse:
    run = _run(request.user, connector_id, run_id)
    return render(request, "connectors/run_detail.html", {"run": run, "connector": run.connector, "stale": engine.is_stale(run)})


@login_required
@require_GET
def run_errors_file(request: HttpRequest, connector_id: int, run_id: int) -> HttpResponse:
    """The kept errors of a run as CSV (opens in Excel: UTF-8 with BOM)."""
    run = _run(request.user, connector_id, run_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Page"), _("Row"), _("External id"), _("Problem")])
    for error in run.errors:
        writer.writerow([error.get("page", ""), error.get("row", ""), error.get("external_id", ""), "; ".join(error.get("errors", []))])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="connector-{connector_id}-run-{run.pk}-errors.csv"'
    return response


@login_required
@require_POST
def run_resume(request: HttpRequest, connector_id: int, run_id: int) -> HttpResponse:
    run = _run(request.user, connector_id, run_id)
    try:
        _call(engine.sync_run_resume, actor=request.user, run=run)
    except errors.DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The run continues from its last saved page."))
    return redirect("connectors:run_detail", connector_id=connector_id, run_id=run.pk)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, connector_id: int) -> HttpResponse:
    connector = _connector(request.user, connector_id)
    if connector.vendor != Vendor.CSV_UPLOAD:
        raise Http404
    presets = list(presets_for(request.user, connector.company_id, Vendor.CSV_UPLOAD))
    form = UploadForm(request.POST or None, request.FILES or None, presets=presets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mapping = data["mapping"] or (
            get_object_or_404(MappingPreset, pk=int(data["preset"]), company_id=connector.company_id).mapping
            if data["preset"]
            else connector.mapping
        )
        upload_file = data["file"]
        try:
            if data.get("save_as"):
                _call(
                    services.mapping_preset_save,
                    actor=request.user,
                    company=connector.company,
                    vendor=Vendor.CSV_UPLOAD,
                    name=data["save_as"],
                    mapping=mapping,
                )
            run = _call(
                engine.upload_run,
                actor=request.user,
                connector=connector,
                file_name=upload_file.name,
                content=upload_file.read(),
                mapping=mapping,
            )
        except errors.DomainError as error:
            apply_service_errors(form, error)
        else:
            return redirect("connectors:run_detail", connector_id=connector.pk, run_id=run.pk)
    context = {"connector": connector, "form": form, "presets": presets}
    return render(request, "connectors/upload.html", context, status=400 if form.errors else 200)
