"""Pages of the spreadsheet import (upload → preview → commit) and the directory export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability
from hris.core import errors
from hris.org.selectors import branches_visible_to, departments_visible_to, positions_visible_to
from hris.people.exporting import export_employees
from hris.people.forms import DirectoryFilterForm
from hris.people.importing import jobs
from hris.people.importing.forms import ImportUploadForm
from hris.people.importing.progress import processed_rows
from hris.people.importing.reading import FileProblem
from hris.people.importing.workbooks import error_workbook, import_template
from hris.people.models_import import ImportJob, ImportKind, ImportStatus

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_PAGE = 200


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _require_importer(request: HttpRequest) -> None:
    if not has_capability(request.user, Capability.IMPORT_EMPLOYEES):
        raise PermissionDenied


def _own_job(request: HttpRequest, job_id: int) -> ImportJob:
    """Jobs are private to who uploaded them (a superuser may look at any)."""
    _require_importer(request)
    jobs_of_user = ImportJob.objects.select_related("company", "created_by")
    if not request.user.is_superuser:
        jobs_of_user = jobs_of_user.filter(created_by=request.user)
    job = jobs_of_user.filter(pk=job_id).first()
    if job is None:
        raise Http404("Import not found.")
    return job


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    actor = request.user
    companies = jobs.import_companies(actor)
    posted = request.method == "POST"
    form = ImportUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        companies=companies,
        can_import_departments=has_capability(actor, Capability.CHANGE_ORG),
    )
    if posted and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            job = jobs.job_create(
                actor=actor,
                company=form.cleaned_data["company"],
                kind=form.cleaned_data["kind"],
                mode=form.cleaned_data["mode"],
                filename=uploaded.name,
                content=uploaded.read(),
                language=getattr(request, "LANGUAGE_CODE", ""),
            )
        except FileProblem as problem:
            form.add_error("file", str(problem))
        except errors.PermissionDenied:
            raise PermissionDenied
        else:
            return redirect("people:import_job", job_id=job.pk)
    context = {
        "form": form,
        "recent_jobs": ImportJob.objects.filter(created_by=actor).select_related("company")[:10],
        "kinds": ImportKind,
    }
    return render(request, "people/import_upload.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    show = request.GET.get("show") or ("errors" if job.error_count else "all")
    rows = job.rows if show != "errors" else [row for row in job.rows if row[3]]
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    counts = (job.summary or {}).get("counts", {})
    context = {
        "job": job,
        "counts": counts,
        "committed": (job.summary or {}).get("committed"),
        "warnings": (job.summary or {}).get("warnings", []),
        "columns": (job.summary or {}).get("columns", {}),
        "page": page,
        "show": show,
        "processed": processed_rows(job),
        "has_error_file": bool(job.error_count or job.file_error_messages or counts.get("warnings")),
        "statuses": ImportStatus,
        "kinds": ImportKind,
    }
    return render(request, "people/import_job.html", context)


@login_required
@require_GET
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress bar, polled every second by htmx while the job runs; once it is done,
    htmx reloads the page to show the results."""
    job = _own_job(request, job_id)
    if not getattr(request, "htmx", False):
        return redirect("people:import_job", job_id=job.pk)
    response = render(request, "people/import_progress.html", {"job": job, "processed": processed_rows(job), "statuses": ImportStatus})
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_commit(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    if not job.can_commit:
        messages.error(request, _("This import cannot be committed: fix the errors and upload the file again."))
        return redirect("people:import_job", job_id=job.pk)
    if not jobs.start_commit(job):
        messages.error(request, _("This import is already being committed."))
        return redirect("people:import_job", job_id=job.pk)
    job.refresh_from_db()
    if job.status == ImportStatus.COMMITTED:
        committed = (job.summary or {}).get("committed", {})
        messages.success(
            request,
            _("Imported: %(created)d new, %(updated)d updated.")
            % {"created": committed.get("create", 0), "updated": committed.get("update", 0)},
        )
    elif job.status == ImportStatus.COMMITTING:
        messages.info(request, _("The import is running in the background; this page shows its progress."))
    return redirect("people:import_job", job_id=job.pk)


@login_required
@require_GET
def job_error_file(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    if job.status in {ImportStatus.VALIDATING, ImportStatus.COMMITTING}:
        return HttpResponseBadRequest(_("The file is still being processed."))
    stem = job.original_filename.rsplit(".", 1)[0] or "import"
    content = error_workbook(job, read_file=jobs.read_job_file)
    return _xlsx_response(content, _ascii_filename(f"{stem}-errors.xlsx", fallback=f"import-{job.pk}-errors.xlsx"))


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    _require_importer(request)
    if kind not in ImportKind.values:
        raise Http404("Unknown template.")
    filename = "renshi-departments-template.xlsx" if kind == ImportKind.DEPARTMENTS else "renshi-employees-template.xlsx"
    return _xlsx_response(import_template(kind), filename)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The directory's current selection (same query parameters) as XLSX."""
    actor = request.user
    if not has_capability(actor, Capability.EXPORT_EMPLOYEES):
        raise PermissionDenied
    form = DirectoryFilterForm(
        request.GET,
        departments=departments_visible_to(actor).select_related("company"),
        branches=branches_visible_to(actor),
        positions=positions_visible_to(actor).select_related("company"),
    )
    filters = form.filters()
    # The filters as applied (invalid ones are dropped by the form, as on the directory page).
    described = {key: value for key, value in getattr(form, "cleaned_data", {}).items() if value not in (None, "")}
    try:
        exported = export_employees(actor=actor, filters=filters, filter_description=described)
    except errors.PermissionDenied:
        raise PermissionDenied
    response = _xlsx_response(exported.content, exported.filename)
    response["X-Row-Count"] = str(exported.row_count)
    return response


def _ascii_filename(name: str, *, fallback: str) -> str:
    """Header-safe download name; browsers get non-ASCII names through RFC 5987 instead."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        return fallback
    return name.replace('"', "") or fallback
