"""Moving a library in and out: export as JSON or XLSX (audited), import a shared file, load the standard library."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hris.audit.services import audit_record
from hris.kpi.forms_library import LibraryImportForm
from hris.kpi.library_io import library_export_json, library_export_xlsx, library_import
from hris.kpi.services.library import library_load_standard
from hris.kpi.views.library import library_company, require_library_change, run_service, with_company
from hris.org.models import Company

EXPORT_FORMATS = {
    "json": (library_export_json, "application/json; charset=utf-8"),
    "xlsx": (library_export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
SUMMARY_COUNTS = ("indicators_created", "indicators_skipped", "templates_created", "templates_skipped")
SHEET_LABELS = {"indicators": gettext_lazy("Indicators"), "templates": gettext_lazy("KPI templates"), "": gettext_lazy("File")}


def library_export_file(*, actor: Any, company: Company, file_format: str) -> bytes:
    """The company's library as a file; who took it and in which format is audited."""
    write, _content_type = EXPORT_FORMATS[file_format]
    with transaction.atomic():
        content = write(company)
        audit_record(
            actor=actor,
            action="kpi.library_exported",
            target_type="kpi.library",
            target_id=company.pk,
            target_label=str(company),
            after={"format": file_format},
            company_id=company.pk,
        )
    return content


@login_required
@require_GET
def library_export(request: HttpRequest) -> HttpResponse:
    """Anyone who may read the library may take it away; the pages show nothing more than the file."""
    company, _companies = library_company(request)
    file_format = request.GET.get("format", "")
    if file_format not in EXPORT_FORMATS:
        raise Http404("Unknown export format.")
    content = library_export_file(actor=request.user, company=company, file_format=file_format)
    response = HttpResponse(content, content_type=EXPORT_FORMATS[file_format][1])
    file_name = f"kpi-library-{company.code}-{timezone.localdate():%Y%m%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def library_import_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    company, _companies = library_company(request)
    require_library_change(actor, company)
    posted = request.method == "POST"
    form = LibraryImportForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        call = lambda: library_import(actor=actor, company=company, file_name=upload.name, content=upload.read())  # noqa: E731
        result, _done = run_service(form, call)
    context = {
        "form": form,
        "company": company,
        "result": result,
        "problems": [_problem_row(problem) for problem in result.problems] if result else [],
        "active_tab": "indicators",
    }
    refused = posted and (result is None or not result.committed)
    return render(request, "kpi/library/import.html", context, status=400 if refused else 200)


def _problem_row(problem: Any) -> dict[str, Any]:
    return {"sheet": SHEET_LABELS.get(problem.sheet, problem.sheet), "row": problem.row, "field": problem.field, "message": problem.message}


@login_required
@require_POST
def library_load_standard_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    company, _companies = library_company(request)
    require_library_change(actor, company)
    summary, done = run_service(_MessageSink(request), lambda: library_load_standard(actor=actor, company=company))
    if done:
        counts = {name: len(summary[name]) for name in SUMMARY_COUNTS}
        message = _(
            "Standard library loaded: %(indicators_created)s indicators and %(templates_created)s templates added; "
            "%(indicators_skipped)s indicators and %(templates_skipped)s templates were already in the library and left as they are."
        )
        messages.success(request, message % counts)
        for code, reasons in summary["templates_refused"].items():
            refusal = _("The standard template %(code)s was not added: %(reasons)s")
            messages.warning(request, refusal % {"code": code, "reasons": " ".join(reasons)})
    return redirect(with_company("kpi:indicator_list", company))


class _MessageSink:
    """Stands in for a form so that run_service's refusals become a message on the next page."""

    fields: dict[str, Any] = {}

    def __init__(self, request: HttpRequest):
        self.request = request

    def add_error(self, _field: Any, message: Any) -> None:
        messages.error(self.request, message)
