"""Integration hub pages under /integrations/: recent ingestion batches, external identities,
API clients and the integrator documentation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from oauth2_provider.settings import oauth2_settings

from hris.accounts.api.services import api_client_create
from hris.accounts.models import ApiClient
from hris.accounts.roles import Capability, ScopeType
from hris.accounts.scopes import has_capability
from hris.core.errors import DomainError
from hris.core.protected import stash_secret_for_next_page, take_stashed_secret
from hris.integrations import identities as identity_services
from hris.integrations.forms import ApiClientForm, IdentityForm, IdentityUploadForm
from hris.integrations.ingestion import MAX_RECORDS
from hris.integrations.selectors import batches_visible_to, integration_company_ids, may_manage_integrations
from hris.integrations.throttling import MetricIngestionThrottle
from hris.org.models import Company
from hris.people.models import Employee

ERRORS_SHOWN = 1000


def _managed_companies(actor) -> list[Company]:  # noqa: ANN001
    ids = integration_company_ids(actor)
    companies = Company.objects.all() if ids is None else Company.objects.filter(pk__in=ids)
    return list(companies.order_by("code"))


def _require_manager(request: HttpRequest) -> list[Company]:
    if not may_manage_integrations(request.user):
        raise PermissionDenied
    return _managed_companies(request.user)


NEW_API_CLIENT = "integrations.new_api_client"  # session key: the client just registered, until shown


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    companies = _require_manager(request)
    batches = batches_visible_to(request.user).select_related("company", "application", "submitted_by").order_by("-created_at")[:30]
    context = {
        "batches": batches,
        "identity_count": identity_services.identities_visible_to(request.user).count(),
        "client_count": _clients_of(companies).count(),
        "companies": companies,
    }
    return render(request, "integrations/home.html", context)


@login_required
@require_GET
def batch_detail(request: HttpRequest, batch_id) -> HttpResponse:  # noqa: ANN001
    _require_manager(request)
    batch = batches_visible_to(request.user).select_related("company", "application", "submitted_by").filter(pk=batch_id).first()
    if batch is None:
        raise Http404("Batch not found.")
    errors = batch.errors[:ERRORS_SHOWN]
    return render(
        request, "integrations/batch_detail.html", {"batch": batch, "errors": errors, "errors_hidden": len(batch.errors) - len(errors)}
    )


def _identity_page(request: HttpRequest, companies: list[Company], **extra) -> HttpResponse:  # noqa: ANN003
    identities = identity_services.identities_visible_to(request.user).order_by("system", "external_id")
    system, text = request.GET.get("system", "").strip(), request.GET.get("q", "").strip()
    if system:
        identities = identities.filter(system=system.lower())
    if text:
        identities = identities.filter(
            Q(external_id__icontains=text) | Q(employee__employee_number=text) | Q(employee__name__icontains=text)
        )
    page = Paginator(identities, settings.RENSHI_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "system": system,
        "q": text,
        "form": extra.pop("form", None) or IdentityForm(companies=companies),
        "upload_form": extra.pop("upload_form", None) or IdentityUploadForm(companies=companies),
        **extra,
    }
    status = 400 if context["form"].errors or context["upload_form"].errors else 200
    return render(request, "integrations/identities.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def identities(request: HttpRequest) -> HttpResponse:
    companies = _require_manager(request)
    if request.method == "GET":
        return _identity_page(request, companies)
    form = IdentityForm(request.POST, companies=companies)
    if form.is_valid():
        company = form.cleaned_data["company"]
        employee = Employee.objects.filter(company=company, employee_number=form.cleaned_data["employee_number"].strip()).first()
        if employee is None:
            form.add_error("employee_number", _("No employee has this number in %(company)s.") % {"company": company})
        else:
            try:
                identity_services.external_identity_create(
                    actor=request.user, employee=employee, system=form.cleaned_data["system"], external_id=form.cleaned_data["external_id"]
                )
            except DomainError as error:
                for name, problems in error.field_errors.items():
                    form.add_error(name if name in form.fields else None, problems)
                if not error.field_errors:
                    form.add_error(None, error.message)
            else:
                messages.success(request, _("The identity was added."))
                return redirect("integrations:identities")
    return _identity_page(request, companies, form=form)


@login_required
@require_POST
def identity_delete(request: HttpRequest, identity_id: int) -> HttpResponse:
    _require_manager(request)
    identity = identity_services.identities_visible_to(request.user).filter(pk=identity_id).first()
    if identity is None:
        raise Http404("Identity not found.")
    identity_services.external_identity_delete(actor=request.user, identity=identity)
    messages.success(request, _("The identity %(identity)s was removed.") % {"identity": identity})
    return redirect("integrations:identities")


@login_required
@require_POST
def identity_upload(request: HttpRequest) -> HttpResponse:
    companies = _require_manager(request)
    form = IdentityUploadForm(request.POST, request.FILES, companies=companies)
    if not form.is_valid():
        return _identity_page(request, companies, upload_form=form)
    rows, problems = identity_services.read_identity_csv(form.cleaned_data["file"].read())
    if problems:
        for problem in problems:
            form.add_error("file", problem)
        return _identity_page(request, companies, upload_form=form)
    result = identity_services.external_identities_upsert(actor=request.user, company=form.cleaned_data["company"], rows=rows)
    row_errors = [
        {"line": rows[outcome.index]["line"], "messages": [message for messages_ in outcome.errors.values() for message in messages_]}
        for outcome in result.rows
        if outcome.errors
    ]
    return _identity_page(request, companies, upload_result={"counts": result.counts, "errors": row_errors})


def _clients_of(companies: list[Company]):  # noqa: ANN202
    return (
        ApiClient.objects.filter(application__user__role_assignments__company__in=companies)
        .select_related("application", "application__user")
        .distinct()
        .order_by("-created_at")
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_clients(request: HttpRequest) -> HttpResponse:
    """Register a system integration; the secret is shown once, on the page the registration leads to.

    Post/Redirect/Get, so reloading never registers a second client: the secret rides in the
    session, encrypted, for exactly the next view of this page."""
    companies = _require_manager(request)
    form = ApiClientForm(request.POST or None, companies=companies)
    if request.method == "POST" and form.is_valid():
        try:
            registered = api_client_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                company=form.cleaned_data["company"],
                role=form.cleaned_data["role"],
                scope_type=ScopeType.COMPANY,
                scopes=form.cleaned_data["scopes"],
            )
        except DomainError as error:
            for name, problems in error.field_errors.items():
                form.add_error(name if name in form.fields else None, problems)
            if not error.field_errors:
                form.add_error(None, error.message)
        else:
            stash_secret_for_next_page(
                request.session, NEW_API_CLIENT, registered.client_secret, name=registered.application.name, client_id=registered.client_id
            )
            return redirect("integrations:api_clients")
    credentials = take_stashed_secret(request.session, NEW_API_CLIENT) if request.method == "GET" else None
    context = {"form": form, "credentials": credentials, "clients": _clients_of(companies)}
    response = render(request, "integrations/api_clients.html", context, status=400 if form.errors else 200)
    if credentials is not None:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (may_manage_integrations(user) or has_capability(user, Capability.WRITE_METRICS)):
        raise PermissionDenied
    context = {
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        "token_url": request.build_absolute_uri("/o/token/"),
        "ingest_url": request.build_absolute_uri(reverse("metric-batch-list")),
        "identities_url": request.build_absolute_uri(reverse("external-identity-list")),
        "webhooks_url": request.build_absolute_uri(reverse("webhook-subscription-list")),
        "webhook_deliveries_url": request.build_absolute_uri(reverse("webhook-delivery-list")),
        "scopes": sorted(oauth2_settings.SCOPES.items()),
        "max_records": f"{MAX_RECORDS:,}",
        "rate": MetricIngestionThrottle().get_rate(),
        "can_manage": may_manage_integrations(user),
        "api_docs_url": reverse("api-docs"),
    }
    return render(request, "integrations/docs.html", context)
