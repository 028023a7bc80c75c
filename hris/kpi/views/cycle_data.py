"""Data files of the KPI module: targets of a cycle and metric records, each uploaded →
previewed row by row (with a downloadable error file) → committed once the user confirms.

The upload is kept between preview and commit in the default storage under
"kpi-imports/<token>/<name>"; the token is in the URL and in the uploader's session, so
nobody else can preview or commit it. Targets are written all or none; metric records
store the valid rows and report every row's outcome.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.core import errors
from hris.kpi.choices import CycleState
from hris.kpi.forms_cycles import UploadForm
from hris.kpi.importing.metrics import metrics_error_file, metrics_file_check, metrics_file_commit
from hris.kpi.importing.targets import targets_error_file, targets_file_check
from hris.kpi.models import Assessment, Cycle, Target, TemplateItem
from hris.kpi.permissions import EMPLOYEE_SCOPE_FIELDS, companies_among, company_ids_granting
from hris.kpi.selectors_population import resolve_population
from hris.kpi.services.metric_owners import may_write_metrics_in
from hris.kpi.services.targets import targets_bulk_set
from hris.kpi.views.cycles import call_service
from hris.kpi.views.scores import cycle_or_404
from hris.org.models import Company
from hris.people.importing.results import Outcome
from hris.people.importing.workbooks import HEADER_FONT, write_only_cell
from hris.people.models import Employee

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "kpi_imports"
UPLOADS_KEPT = 10
ROWS_PER_PAGE = 200
TARGET_ACTIONS = {"create": gettext_lazy("New"), "update": gettext_lazy("Changed"), "unchanged": gettext_lazy("Unchanged")}
METRIC_ACTIONS = {"create": gettext_lazy("New"), "update": gettext_lazy("Supersedes"), "unchanged": gettext_lazy("Duplicate")}
ACTION_BADGES = {"create": "text-bg-success", "update": "text-bg-primary", "unchanged": "text-bg-light", "error": "text-bg-danger"}


# --- the upload between preview and commit -------------------------------------------------


def _stash(request: HttpRequest, uploaded: Any, *, kind: str, owner_id: int, **extra: Any) -> str:
    token = uuid.uuid4().hex
    try:
        name = get_valid_filename(uploaded.name.replace("\\", "/").rsplit("/", 1)[-1])
    except SuspiciousFileOperation:
        name = "upload"
    path = default_storage.save(f"kpi-imports/{token}/{name}", uploaded)
    stash = dict(request.session.get(SESSION_KEY, {}))
    stash[token] = {"kind": kind, "owner": owner_id, "path": path, "name": uploaded.name, **extra}
    while len(stash) > UPLOADS_KEPT:  # the oldest uploads are forgotten, and their files deleted
        default_storage.delete(stash.pop(next(iter(stash)))["path"])
    request.session[SESSION_KEY] = stash
    return token


def _stashed(request: HttpRequest, token: str, *, kind: str, owner_id: int) -> tuple[dict[str, Any], bytes]:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None or entry["kind"] != kind or entry["owner"] != owner_id:
        raise Http404("Upload not found.")
    try:
        with default_storage.open(entry["path"], "rb") as handle:
            return entry, handle.read()
    except FileNotFoundError:
        raise Http404("Upload not found.")


def _forget(request: HttpRequest, token: str) -> None:
    stash = dict(request.session.get(SESSION_KEY, {}))
    entry = stash.pop(token, None)
    if entry is not None:
        default_storage.delete(entry["path"])
        request.session[SESSION_KEY] = stash


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _rows_context(request: HttpRequest, outcome: Outcome, labels: dict[str, Any]) -> dict[str, Any]:
    show = request.GET.get("show", "all")
    rows = [row for row in outcome.rows if row.errors or show != "errors"]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.action_label = labels.get(row.action, _("Error"))
        row.badge_class = ACTION_BADGES.get(row.action, "text-bg-danger")
    return {"outcome": outcome, "counts": outcome.counts(), "rows_page": page, "show": show}


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _error_file_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0]
    try:
        stem.encode("ascii")
    except UnicodeEncodeError:
        stem = "import"
    return stem.replace('"', "") + "-errors.xlsx"


# --- targets of a cycle ----------------------------------------------------------------------


def _targets_cycle(request: HttpRequest, pk: int) -> Cycle:
    cycle = cycle_or_404(request.user, pk)
    if not may_write_metrics_in(request.user, cycle.company_id):
        raise PermissionDenied
    return cycle


@login_required
@require_http_methods(["GET", "POST"])
def targets_import(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _targets_cycle(request, pk)
    form = UploadForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        token = _stash(request, form.cleaned_data["file"], kind="targets", owner_id=cycle.pk)
        return redirect("kpi:targets_import_preview", pk=cycle.pk, token=token)
    context = {"cycle": cycle, "form": form, "kind": "targets"}
    return render(request, "kpi/cycles/import_upload.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def targets_import_preview(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """GET: every row checked, nothing written. POST: every target written, or none if any row has an error."""
    actor = request.user
    cycle = _targets_cycle(request, pk)
    entry, content = _stashed(request, token, kind="targets", owner_id=cycle.pk)
    status = 200
    if request.method == "POST":
        try:
            result = call_service(targets_bulk_set, actor=actor, cycle=cycle, content=content, filename=entry["name"])
        except errors.DomainError as error:
            messages.error(request, error.message)
            outcome, status = targets_file_check(actor=actor, cycle=cycle, content=content, filename=entry["name"]), 400
        else:
            if result.committed:
                _forget(request, token)
                counts = result.counts
                messages.success(
                    request,
                    _("Targets saved: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
                    % {"created": counts["create"], "updated": counts["update"], "unchanged": counts["unchanged"]},
                )
                return redirect("kpi:cycle_detail", pk=cycle.pk)
            messages.error(request, _("Nothing was saved: every row must be valid. Fix the rows with errors and upload the file again."))
            outcome, status = result.outcome, 400
    else:
        outcome = targets_file_check(actor=actor, cycle=cycle, content=content, filename=entry["name"])
    context = {
        "cycle": cycle,
        "token": token,
        "filename": entry["name"],
        "kind": "targets",
        **_rows_context(request, outcome, TARGET_ACTIONS),
    }
    return render(request, "kpi/cycles/import_preview.html", context, status=status)


@login_required
@require_GET
def targets_import_errors(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    cycle = _targets_cycle(request, pk)
    entry, content = _stashed(request, token, kind="targets", owner_id=cycle.pk)
    outcome = targets_file_check(actor=request.user, cycle=cycle, content=content, filename=entry["name"])
    return _xlsx_response(targets_error_file(content=content, filename=entry["name"], outcome=outcome), _error_file_name(entry["name"]))


def _targets_workbook(actor: Any, cycle: Cycle) -> bytes:
    """Every employee of the cycle the actor may set targets for, one row per indicator, with
    the current target or the template's default, ready to be edited and uploaded again."""
    in_scope = Employee.objects.filter(company_id=cycle.company_id).filter(
        scope_q(actor, Capability.WRITE_METRICS, **EMPLOYEE_SCOPE_FIELDS)
    )
    if cycle.state == CycleState.DRAFT:
        assigned = resolve_population(cycle).assigned
        allowed = set(in_scope.values_list("pk", flat=True)) if assigned else set()
        version_of = {employee_id: assignment.template_version_id for employee_id, assignment in assigned.items() if employee_id in allowed}
    else:
        rows = Assessment.objects.filter(cycle=cycle, employee__in=in_scope).values_list("employee_id", "template_version_id")
        version_of = dict(rows)
    people = Employee.objects.filter(pk__in=list(version_of)).order_by("employee_number").values_list("pk", "employee_number", "name")
    items: dict[int, list[TemplateItem]] = {}
    for item in TemplateItem.objects.filter(version_id__in=set(version_of.values())).select_related("indicator").order_by("order", "id"):
        items.setdefault(item.version_id, []).append(item)
    targets = {(row[0], row[1]): row[2] for row in Target.objects.filter(cycle=cycle).values_list("employee_id", "indicator_id", "value")}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("目标")
    headers = ["工号", "指标编码", "目标值", "姓名", "指标名称", "单位"]
    sheet.append([write_only_cell(sheet, header, font=HEADER_FONT) for header in headers])
    for employee_id, number, name in people.iterator(chunk_size=2000):
        for item in items.get(version_of[employee_id], []):
            indicator = item.indicator
            target = targets.get((employee_id, indicator.pk), item.target if item.target is not None else indicator.default_target)
            values = [number, indicator.code, target, name, indicator.display_name, indicator.unit]
            sheet.append([write_only_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def targets_template(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _targets_cycle(request, pk)
    return _xlsx_response(_targets_workbook(request.user, cycle), f"targets-cycle-{cycle.pk}.xlsx")


# --- metric records ----------------------------------------------------------------------------


def metric_companies(actor: Any) -> list[Company]:
    """Companies where the actor may write metric records (over some scope)."""
    return companies_among(company_ids_granting(actor, frozenset({Capability.WRITE_METRICS})))


@login_required
@require_http_methods(["GET", "POST"])
def metrics_import(request: HttpRequest) -> HttpResponse:
    companies = metric_companies(request.user)
    if not companies:
        raise PermissionDenied
    form = UploadForm(*_posted(request), companies=companies)
    if request.method == "POST" and form.is_valid():
        company, source = form.cleaned_data["company"], form.cleaned_data["source"]
        token = _stash(request, form.cleaned_data["file"], kind="metrics", owner_id=company.pk, source=source)
        return redirect("kpi:metrics_import_preview", token=token)
    context = {"form": form, "kind": "metrics"}
    return render(request, "kpi/cycles/import_upload.html", context, status=400 if form.errors else 200)


def _metrics_entry(request: HttpRequest, token: str) -> tuple[Company, dict[str, Any], bytes]:
    """The upload and its company, as long as the uploader may still write metrics there."""
    owner_id = request.session.get(SESSION_KEY, {}).get(token, {}).get("owner")
    company = next((company for company in metric_companies(request.user) if company.pk == owner_id), None)
    if company is None:
        raise Http404("Upload not found.")
    entry, content = _stashed(request, token, kind="metrics", owner_id=company.pk)
    return company, entry, content


@login_required
@require_http_methods(["GET", "POST"])
def metrics_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """GET: each row's result, nothing written. POST: the valid rows stored, every row reported."""
    actor = request.user
    company, entry, content = _metrics_entry(request, token)
    arguments = {"actor": actor, "company": company, "content": content, "filename": entry["name"], "source_default": entry["source"]}
    committed = None
    if request.method == "POST":
        try:
            committed = call_service(metrics_file_commit, **arguments)
        except errors.DomainError as error:
            messages.error(request, error.message)
            outcome = metrics_file_check(**arguments)
        else:
            outcome = committed.outcome
            if not outcome.has_errors:  # kept while its error file may still be wanted
                _forget(request, token)
    else:
        outcome = metrics_file_check(**arguments)
    context = {
        "company": company,
        "token": token,
        "filename": entry["name"],
        "kind": "metrics",
        "committed": committed,
        **_rows_context(request, outcome, METRIC_ACTIONS),
    }
    return render(request, "kpi/cycles/import_preview.html", context)


@login_required
@require_GET
def metrics_import_errors(request: HttpRequest, token: str) -> HttpResponse:
    company, entry, content = _metrics_entry(request, token)
    outcome = metrics_file_check(
        actor=request.user, company=company, content=content, filename=entry["name"], source_default=entry["source"]
    )
    return _xlsx_response(metrics_error_file(content=content, filename=entry["name"], outcome=outcome), _error_file_name(entry["name"]))
