"""KPI templates: the list, a template's versions and items, and the builder that creates and edits them.

Saving the items of a version a cycle already uses makes a new version (template_set_items);
the page says so, because cycles keep scoring with the version they pinned.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hris.core import errors
from hris.kpi.forms_library import TemplateForm, TemplateItemFormSet, item_initial
from hris.kpi.models import Assessment, CycleAssignment, CycleWeightOverride, Indicator, Template, TemplateItem, TemplateVersion
from hris.kpi.selectors import rule_in_words
from hris.kpi.services.library import latest_version, template_create, template_set_items, template_update, version_in_use
from hris.kpi.services.library_items import version_items
from hris.kpi.views.library import can_change_library, library_company, readable_or_404, require_library_change
from hris.org.models import Company

INVALID = 400
BLANK_ROWS_FOR_A_NEW_TEMPLATE = 3
HUNDRED = Decimal(100)


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    company, companies = library_company(request)
    latest = TemplateVersion.objects.filter(template=OuterRef("pk")).order_by("-number")
    templates = Template.objects.filter(company=company).annotate(
        current_number=Subquery(latest.values("number")[:1]), current_version_id=Subquery(latest.values("pk")[:1])
    )
    text = request.GET.get("q", "").strip()
    if text:
        templates = templates.filter(
            Q(code__icontains=text) | Q(name_zh__icontains=text) | Q(name_en__icontains=text) | Q(industry__icontains=text)
        )
    page = Paginator(templates.order_by("code"), settings.RENSHI_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    weights: dict[int, list[Decimal]] = defaultdict(list)
    current_items = TemplateItem.objects.filter(version_id__in=[row.current_version_id for row in rows]).order_by("order", "id")
    for version_id, weight in current_items.values_list("version_id", "weight"):
        weights[version_id].append(weight)
    for row in rows:
        row.weights = weights[row.current_version_id]
        row.weights_total = sum(row.weights, Decimal(0))
    query = QueryDict(mutable=True)
    query.update({"company": company.pk, **({"q": text} if text else {})})
    context = {
        "company": company,
        "companies": companies,
        "rows": rows,
        "page": page,
        "query": query,
        "search": text,
        "can_change": can_change_library(request.user, company),
        "active_tab": "templates",
    }
    return render(request, "kpi/library/template_list.html", context)


def _versions_with_use(template: Template) -> list[TemplateVersion]:
    used = (
        ("used_by_assignment", CycleAssignment),
        ("used_by_assessment", Assessment),
        ("used_by_weight_override", CycleWeightOverride),
    )
    versions = template.versions.select_related("created_by").annotate(
        **{name: Exists(model.objects.filter(template_version=OuterRef("pk"))) for name, model in used}
    )
    versions = list(versions.order_by("-number"))
    for version in versions:
        version.in_use = any(getattr(version, name) for name, _model in used)
    return versions


@login_required
@require_GET
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    template = readable_or_404(request.user, Template.objects.select_related("department", "position"), template_id)
    versions = _versions_with_use(template)
    wanted = request.GET.get("version", "")
    selected = next((version for version in versions if str(version.number) == wanted), versions[0] if versions else None)
    if wanted and selected is not None and str(selected.number) != wanted:
        raise Http404("No such version.")
    items = version_items(selected)
    for item in items:
        item.rule_words = rule_in_words(item.rule)
        item.own_rule = item.rule != item.indicator.default_rule
    context = {
        "template": template,
        "company": template.company,
        "versions": versions,
        "selected": selected,
        "items": items,
        "weights_total": sum((item.weight for item in items), Decimal(0)),
        "can_change": can_change_library(request.user, template.company),
        "active_tab": "templates",
    }
    return render(request, "kpi/library/template_detail.html", context)


def _indicator_choices(company: Company, keep_codes: list[str]) -> list[tuple[str, str]]:
    """Active indicators to pick from, plus inactive ones the template still holds, as (code, label)."""
    english = (get_language() or "").startswith("en")
    indicators = Indicator.objects.filter(company=company).filter(Q(is_active=True) | Q(code__in=keep_codes)).order_by("code")
    return [
        (code, f"{(name_en if english and name_en else name_zh)} ({code})")
        for code, name_zh, name_en in indicators.values_list("code", "name_zh", "name_en")
    ]


def _weights_total(formset: Any) -> Decimal:
    total = Decimal(0)
    for row in formset.forms:
        if row["DELETE"].value():
            continue
        try:
            total += Decimal(str(row["weight"].value() or "0").strip() or "0")
        except InvalidOperation:
            continue
    return total


def _place_errors(error: errors.DomainError, form: TemplateForm, rows: list[Any]) -> list[str]:
    """The service's field errors on the template form and on the rows ("items.2.weight"); those
    about all items together are returned for the weights total."""
    about_all_items: list[str] = []
    for key, messages_of_key in error.field_errors.items():
        parts = key.split(".")
        for message in messages_of_key:
            if key == "items":
                about_all_items.append(message)
            elif parts[0] == "items" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
                row = rows[int(parts[1])]
                name = parts[2] if len(parts) > 2 and parts[2] in row.fields else None
                row.add_error(name, message)
            else:
                form.add_error(key if key in form.fields else None, message)
    if not error.field_errors:
        form.add_error(None, error.message)
    return about_all_items


def _saved_message(template: Template, version: TemplateVersion, previous: TemplateVersion | None, previous_in_use: bool) -> str:
    if previous is None:
        return _("Template %(name)s created as version %(number)s.") % {"name": template, "number": version.number}
    if version.pk != previous.pk and previous_in_use:
        message = _("Saved as version %(new)s because version %(old)s is used by a cycle.")
        return message % {"new": version.number, "old": previous.number}
    return _("Template %(name)s saved (version %(number)s).") % {"name": template, "number": version.number}


def _builder(request: HttpRequest, company: Company, template: Template | None) -> HttpResponse:
    actor = request.user
    require_library_change(actor, company)
    previous = latest_version(template) if template else None
    previous_in_use = previous is not None and version_in_use(previous)
    initial_items = [item_initial(item) for item in version_items(previous)] or [{}] * BLANK_ROWS_FOR_A_NEW_TEMPLATE
    choices = _indicator_choices(company, [item.get("indicator", "") for item in initial_items])
    posted = request.POST if request.method == "POST" else None
    form = TemplateForm(posted, company=company, initial=TemplateForm.initial_for(template) if template else None)
    formset = TemplateItemFormSet(posted, initial=initial_items, prefix="items", form_kwargs={"indicator_choices": choices})
    items_errors: list[str] = []
    form_is_valid, formset_is_valid = (form.is_valid(), formset.is_valid()) if posted is not None else (False, False)
    if form_is_valid and formset_is_valid:
        rows = [(row, row.item()) for row in formset.forms]
        rows = [(row, item) for row, item in rows if item is not None]
        items = [item for _row, item in rows]
        note = form.cleaned_data["note"]
        try:
            if template is None:
                saved = template_create(actor=actor, company=company, items=items, note=note, **form.template_fields())
                version = latest_version(saved)
            else:
                with transaction.atomic():
                    saved = template_update(actor=actor, template=template, **form.template_fields())
                    version = template_set_items(actor=actor, template=saved, items=items, note=note)
        except errors.PermissionDenied:
            raise PermissionDenied
        except errors.DomainError as error:
            items_errors = _place_errors(error, form, [row for row, _item in rows])
        else:
            messages.success(request, _saved_message(saved, version, previous, previous_in_use))
            return redirect("kpi:template_detail", template_id=saved.pk)
    context = {
        "form": form,
        "formset": formset,
        "items_errors": items_errors,
        "weights_total": _weights_total(formset),
        "company": company,
        "template": template,
        "previous": previous,
        "previous_in_use": previous_in_use,
        "active_tab": "templates",
    }
    return render(request, "kpi/library/template_form.html", context, status=INVALID if posted is not None else 200)


@login_required
@require_http_methods(["GET", "POST"])
def template_create_view(request: HttpRequest) -> HttpResponse:
    company, _companies = library_company(request)
    return _builder(request, company, None)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit_view(request: HttpRequest, template_id: int) -> HttpResponse:
    template = readable_or_404(request.user, Template.objects.all(), template_id)
    return _builder(request, template.company, template)
