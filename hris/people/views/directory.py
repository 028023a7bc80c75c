"""The employee directory: search, filters and paging over the employees the user may see.

The number of queries does not grow with the number of employees: one page query with
its relations joined, one count, one query per filter option list, and at most one query
for which rows on the page the user may see unmasked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from hris.accounts.roles import Capability
from hris.accounts.scopes import has_capability
from hris.core.protected import mask_phone
from hris.org.selectors import branches_visible_to, departments_visible_to, positions_visible_to
from hris.people.forms import DirectoryFilterForm
from hris.people.selectors import employee_ids_with_sensitive_access, employee_search
from hris.people.views.common import wants_partial

FILTER_PARAMETERS = ("q", "department", "branch", "position", "status", "employment_type")

# Only the columns the page shows: fewer model fields to build and convert per row.
ROW_RELATIONS = ("department", "position", "manager")
ROW_COLUMNS = (
    "id", "employee_number", "name", "english_name", "status", "hire_date", "phone", "user_id",
    "department__id", "department__name", "department__name_en",
    "position__id", "position__title", "position__title_en", "position__level",
    "manager__id", "manager__name",
)
COMPANY_COLUMNS = ("company__id", "company__name", "company__short_name")
DEPARTMENT_OPTION_COLUMNS = ("id", "name", "name_en", "path", "depth", "company_id", *COMPANY_COLUMNS)
BRANCH_OPTION_COLUMNS = ("id", "name", "code", "company_id", *COMPANY_COLUMNS)
POSITION_OPTION_COLUMNS = ("id", "title", "title_en", "level", "job_family", "company_id", *COMPANY_COLUMNS)


@login_required
@require_GET
def employee_directory(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = DirectoryFilterForm(
        request.GET,
        departments=departments_visible_to(actor).select_related(None).select_related("company").only(*DEPARTMENT_OPTION_COLUMNS),
        branches=branches_visible_to(actor).only(*BRANCH_OPTION_COLUMNS).order_by("company_id", "code"),
        positions=positions_visible_to(actor)
        .select_related("company")
        .only(*POSITION_OPTION_COLUMNS)
        .order_by("company_id", "job_family", "level", "title"),
    )
    rows_query = employee_search(actor, **form.filters()).select_related(None).select_related(*ROW_RELATIONS).only(*ROW_COLUMNS)
    paginator = Paginator(rows_query, settings.RENSHI_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    unmasked = employee_ids_with_sensitive_access(actor, rows)
    for employee in rows:
        employee.phone_display = employee.phone if employee.pk in unmasked else mask_phone(employee.phone)

    # The filters actually set (empty form fields dropped), for tidy page links and pushed URLs.
    query = QueryDict(mutable=True)
    for name, value in request.GET.items():
        if value.strip() and name in FILTER_PARAMETERS:
            query[name] = value
    query_with_page = query.copy()
    if page.number > 1:
        query_with_page["page"] = page.number
    context = {
        "query": query,
        "form": form,
        "page": page,
        "rows": rows,
        "total": paginator.count,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        # The current filters without the page, for links that act on the same selection (export …).
        "directory_querystring": query.urlencode(),
        "can_add_employee": has_capability(actor, Capability.CHANGE_EMPLOYEES),
    }
    if wants_partial(request):
        response = render(request, "people/_directory_results.html", context)
        # Push the tidy URL into the address bar rather than one with every empty field.
        encoded = query_with_page.urlencode()
        response["HX-Push-Url"] = f"{request.path}?{encoded}" if encoded else request.path
    else:
        response = render(request, "people/directory.html", context)
    # The same URL answers with a fragment or a page, so caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response
