"""The indicator library pages: the list, the indicator form with its rule editor, the live rule preview.

Anyone holding CONFIGURE_KPI or VIEW_SCORES in a company may read its library; changing it
needs CONFIGURE_KPI over the whole company (the services check the same). Another
company's library looks exactly like a missing one (404).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hris.accounts.roles import Capability
from hris.core import errors
from hris.kpi.forms_library import IndicatorFilterForm, IndicatorForm, add_service_errors, rule_examples_text, rule_from_editor
from hris.kpi.models import Indicator
from hris.kpi.permissions import companies_among, library_company_ids, may_company
from hris.kpi.rules import RuleError, parse_rule, score
from hris.kpi.selectors import rule_in_words
from hris.kpi.services.library import indicator_create, indicator_update, standard_library
from hris.org.models import Company
from hris.people.views.common import wants_partial

FILTER_PARAMETERS = ("q", "category", "measurement", "aggregation", "data_source", "tag", "active")
INVALID = 400
NAMED_VALUE = re.compile(r"^\s*([^=:：\s]+)\s*[=:：]\s*(\S+)\s*$")


# --- who may read and change which library ----------------------------------------------


def readable_company_ids(actor: Any) -> set[int] | None:
    """Companies whose library the actor may read; None means every company (superuser)."""
    return library_company_ids(actor)


def library_companies(actor: Any) -> list[Company]:
    return companies_among(library_company_ids(actor))


def library_company(request: HttpRequest) -> tuple[Company, list[Company]]:
    """The requested company among those whose library the actor may read (the first when none
    is requested), and all of them for the switcher. No library at all: 403; another company's: 404."""
    companies = library_companies(request.user)
    if not companies:
        raise PermissionDenied
    requested = request.GET.get("company") or request.POST.get("company")
    if not requested:
        return companies[0], companies
    company = next((company for company in companies if str(company.pk) == str(requested)), None)
    if company is None:
        raise Http404("Company not found.")
    return company, companies


def can_change_library(actor: Any, company: Company) -> bool:
    return may_company(actor, Capability.CONFIGURE_KPI, company.pk)


def require_library_change(actor: Any, company: Company) -> None:
    if not can_change_library(actor, company):
        raise PermissionDenied


def readable_or_404(actor: Any, queryset: QuerySet, object_id: int) -> Any:
    company_ids = readable_company_ids(actor)
    if company_ids is not None:
        queryset = queryset.filter(company_id__in=company_ids)
    found = queryset.select_related("company").filter(pk=object_id).first()
    if found is None:
        raise Http404("Not found.")
    return found


def run_service(form: Any, call: Callable[[], Any], renamed: dict[str, str] | None = None) -> tuple[Any, bool]:
    """Run a service; a refusal for bad input lands on the form, a forbidden one becomes 403."""
    try:
        return call(), True
    except errors.PermissionDenied:
        raise PermissionDenied
    except errors.DomainError as error:
        add_service_errors(form, error, renamed)
        return None, False


def with_company(url_name: str, company: Company, **parameters: Any) -> str:
    query = QueryDict(mutable=True)
    query.update({"company": company.pk, **parameters})
    return f"{reverse(url_name)}?{query.urlencode()}"


# --- the list -----------------------------------------------------------------------------


def _filtered(company: Company, filters: dict[str, str]) -> QuerySet[Indicator]:
    indicators = Indicator.objects.filter(company=company)
    if text := filters.get("q", "").strip():
        indicators = indicators.filter(
            Q(code__icontains=text) | Q(name_zh__icontains=text) | Q(name_en__icontains=text) | Q(metric_key__icontains=text)
        )
    for name in ("category", "measurement", "aggregation", "data_source"):
        if filters.get(name):
            indicators = indicators.filter(**{name: filters[name]})
    if filters.get("tag"):
        indicators = indicators.filter(tags__regex=rf"(^|,)\s*{re.escape(filters['tag'])}\s*(,|$)")
    if filters.get("active"):
        indicators = indicators.filter(is_active=filters["active"] == "1")
    return indicators.order_by("code")


def _library_overview(company: Company) -> tuple[int, list[str], list[str]]:
    """How many indicators the library has, and the data sources and tags in use, from one query."""
    rows = Indicator.objects.filter(company=company).values_list("data_source", "tags")
    sources, tags = set(), set()
    for source, tag_text in rows:
        sources.add(source)
        tags.update(tag.strip() for tag in tag_text.split(","))
    return len(rows), sorted(sources - {""}), sorted(tags - {""})


@login_required
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    company, companies = library_company(request)
    library_size, data_sources, tags = _library_overview(company)
    form = IndicatorFilterForm(request.GET, data_sources=data_sources, tags=tags)
    page = Paginator(_filtered(company, form.filters()), settings.RENSHI_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for indicator in rows:
        indicator.rule_words = rule_in_words(indicator.default_rule)
    query = QueryDict(mutable=True)
    query.update({name: value for name, value in request.GET.items() if name in FILTER_PARAMETERS and value.strip()})
    query["company"] = company.pk
    context = {
        "company": company,
        "companies": companies,
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "can_change": can_change_library(actor, company),
        "library_size": library_size,
        "standard_counts": [len(part) for part in standard_library()] if library_size == 0 else None,
        "active_tab": "indicators",
    }
    template = "kpi/library/_indicator_results.html" if wants_partial(request) else "kpi/library/indicator_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- the indicator form -------------------------------------------------------------------


def _indicator_page(request: HttpRequest, form: IndicatorForm, company: Company, indicator: Indicator | None) -> HttpResponse:
    context = {
        "form": form,
        "company": company,
        "indicator": indicator,
        "rule_examples": rule_examples_text(),
        "preview": _preview(form["rule_type"].value(), form["rule_spec"].value(), {"target": form["default_target"].value()}),
        "active_tab": "indicators",
    }
    return render(request, "kpi/library/indicator_form.html", context, status=INVALID if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    company, _companies = library_company(request)
    require_library_change(actor, company)
    form = IndicatorForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        call = lambda: indicator_create(actor=actor, company=company, **form.service_fields())  # noqa: E731
        indicator, done = run_service(form, call, IndicatorForm.SERVICE_FIELD_NAMES)
        if done:
            messages.success(request, _("Indicator %(name)s added to the library.") % {"name": indicator})
            return redirect(with_company("kpi:indicator_list", company, q=indicator.code))
    return _indicator_page(request, form, company, None)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit_view(request: HttpRequest, indicator_id: int) -> HttpResponse:
    actor = request.user
    indicator = readable_or_404(actor, Indicator.objects.all(), indicator_id)
    require_library_change(actor, indicator.company)
    form = IndicatorForm(request.POST if request.method == "POST" else None, initial=IndicatorForm.initial_for(indicator))
    if form.is_bound and form.is_valid():
        call = lambda: indicator_update(actor=actor, indicator=indicator, **form.service_fields())  # noqa: E731
        updated, done = run_service(form, call, IndicatorForm.SERVICE_FIELD_NAMES)
        if done:
            message = _("Indicator %(name)s saved. Templates keep their copy of the rule until their items are saved again.")
            messages.success(request, message % {"name": updated})
            return redirect(with_company("kpi:indicator_list", indicator.company, q=updated.code))
    return _indicator_page(request, form, indicator.company, indicator)


# --- the live rule preview ----------------------------------------------------------------


def _named_values(text: str) -> dict[str, list[str]] | None:
    """Ratings or inputs written as "manager=4, peer=5", as {"manager": ["4"], "peer": ["5"]}; None when unreadable."""
    values: dict[str, list[str]] = {}
    for part in re.split(r"[,，;；\n]", text or ""):
        if not part.strip():
            continue
        match = NAMED_VALUE.match(part)
        if match is None:
            return None
        values.setdefault(match.group(1), []).append(match.group(2))
    return values


def _preview(rule_type: Any, spec_text: Any, given: dict[str, Any]) -> dict[str, Any]:
    """The rule in words and its score for the given inputs, or why there is none. Never raises."""
    rule, problems = rule_from_editor(str(rule_type or ""), str(spec_text or ""))
    if rule is None:
        return {"problems": [message for messages in problems.values() for message in messages]}
    preview: dict[str, Any] = {"rule_type": rule["type"], "words": rule_in_words(rule), "problems": []}
    ratings, inputs = _named_values(given.get("ratings", "")), _named_values(given.get("inputs", ""))
    if ratings is None:
        preview["problems"].append(_("Write ratings as role=rating, separated by commas, e.g. manager=4, peer=5."))
    if inputs is None:
        preview["problems"].append(_("Write other inputs as name=value, separated by commas, e.g. defects=3."))
    if preview["problems"]:
        return preview
    actual, target = (str(given.get(name) or "").strip() or None for name in ("actual", "target"))
    if actual is None and rule["type"] not in ("manual", "formula"):
        preview["problems"].append(_("Enter an actual value to see the score."))
        return preview
    try:
        result = score(
            parse_rule(rule),
            actual=actual,
            target=target,
            inputs={name: values[-1] for name, values in inputs.items()},
            ratings=ratings,
        )
    except RuleError as error:
        preview["problems"].append(error.message)
    except ArithmeticError:
        preview["problems"].append(_("The numbers are too large or too small to score."))
    else:
        preview["score"] = format(result, "f")
    return preview


@login_required
@require_GET
def rule_preview(request: HttpRequest) -> HttpResponse:
    if readable_company_ids(request.user) == set():
        raise PermissionDenied
    given = {name: request.GET.get(f"preview_{name}", "") for name in ("actual", "target", "ratings", "inputs")}
    preview = _preview(request.GET.get("rule_type"), request.GET.get("rule_spec"), given)
    return render(request, "kpi/library/_rule_preview.html", {"preview": preview})
