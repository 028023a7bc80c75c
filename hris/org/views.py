"""Organisation pages: department tree, positions, companies and branches, org chart.

Reads go through hris.org.selectors, writes through hris.org.services; a refused write
shows the service's message on the form, a forbidden one answers 403 and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hris.accounts.roles import ROLE_CAPABILITIES, Capability, ScopeType
from hris.accounts.scopes import grants_of
from hris.core.errors import DomainError, NotFound
from hris.core.errors import PermissionDenied as ServicePermissionDenied
from hris.org import services
from hris.org.forms import (
    BranchForm,
    DepartmentCloseForm,
    DepartmentCreateForm,
    DepartmentEditForm,
    DepartmentMoveForm,
    PositionEditForm,
    PositionForm,
    add_service_errors,
)
from hris.org.models import Company, Department
from hris.org.selectors import (
    ORG_CHART_LEVEL_LIMIT,
    branches_visible_to,
    companies_visible_to,
    department_get,
    department_tree_with_headcount,
    departments_changeable_by,
    departments_visible_to,
    org_chart_people,
    org_chart_reports,
    org_chart_roots,
    org_chart_with_report_counts,
    positions_visible_to,
    positions_with_headcount,
)

INVALID = 400


# --- helpers -----------------------------------------------------------------------------

def _posted(request: HttpRequest) -> Any:
    """The submitted data for a POST (even an empty one), None for a GET."""
    return request.POST if request.method == "POST" else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _company_wide(actor: Any, company_id: int, capability: Capability = Capability.CHANGE_ORG) -> bool:
    """Whether the actor holds `capability` over the whole company (what company-level
    structure needs). The services enforce the same rule; this only decides what to show."""
    if actor.is_superuser:
        return True
    return any(
        grant.company_id == company_id and grant.scope_type == ScopeType.COMPANY and capability in ROLE_CAPABILITIES.get(grant.role, ())
        for grant in grants_of(actor)
    )


def _visible_company(actor: Any, company_id: Any) -> Company:
    """The requested company among the actor's; the only one when none is requested."""
    companies = companies_visible_to(actor)
    if company_id:
        wanted = _int_or_none(company_id)
        company = companies.filter(pk=wanted).first() if wanted is not None else None
    else:
        candidates = list(companies[:2])
        company = candidates[0] if len(candidates) == 1 else None
    if company is None:
        raise Http404(_("Company not found."))
    return company


def _visible_department(actor: Any, department_id: Any) -> Department:
    try:
        return department_get(actor, department_id)
    except NotFound:
        raise Http404(_("Department not found."))


def _require_changeable(actor: Any, department: Department) -> None:
    if not departments_changeable_by(actor).filter(pk=department.pk).exists():
        raise PermissionDenied(_("You are not allowed to change %(department)s.") % {"department": department})


def _run_service(form: Any, call: Any) -> Any:
    """Call a service; turn its refusals into form errors (returns None) and a forbidden
    write into 403."""
    try:
        return call()
    except ServicePermissionDenied as error:
        raise PermissionDenied(error.message)
    except DomainError as error:
        add_service_errors(form, error)
    except ValidationError as error:
        add_service_errors(form, error)
    return None


def _form_page(request: HttpRequest, template: str, context: dict, *, invalid: bool) -> HttpResponse:
    return render(request, template, context, status=INVALID if invalid else 200)


# --- department tree ---------------------------------------------------------------------

def _nest(departments: list[Department], changeable_ids: set[int]) -> dict[int, list[dict]]:
    """Roots per company, each node {department, children, can_change}; input in path order."""
    nodes_by_path: dict[str, dict] = {}
    roots: dict[int, list[dict]] = {}
    for department in departments:
        node = {"department": department, "children": [], "can_change": department.pk in changeable_ids}
        nodes_by_path[department.path] = node
        parent = nodes_by_path.get(department.path[: -Department.steplen])
        if parent is not None:
            parent["children"].append(node)
        else:
            roots.setdefault(department.company_id, []).append(node)
    return roots


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    actor = request.user
    include_closed = request.GET.get("closed") == "1"
    departments = department_tree_with_headcount(actor, include_closed=include_closed)
    changeable_ids = set(departments_changeable_by(actor).values_list("pk", flat=True))
    roots = _nest(departments, changeable_ids)
    companies = [
        {"company": company, "roots": roots.get(company.pk, []), "can_add_root": _company_wide(actor, company.pk)}
        for company in companies_visible_to(actor)
    ]
    return render(request, "org/tree.html", {"companies": companies, "include_closed": include_closed, "active_tab": "tree"})


@login_required
@require_http_methods(["GET", "POST"])
def department_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    if parent_id:
        parent = _visible_department(actor, _int_or_none(parent_id))
        if not parent.is_active:
            raise Http404(_("Department not found."))
        _require_changeable(actor, parent)
        company = parent.company
    else:
        parent = None
        company = _visible_company(actor, request.GET.get("company") or request.POST.get("company"))
        if not _company_wide(actor, company.pk):
            raise PermissionDenied(_("Only a company-wide HR admin may add top-level departments."))
    form = DepartmentCreateForm(_posted(request), company=company, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = _run_service(form, lambda: services.department_create(
            actor=actor, company=company, parent=parent, name=data["name"], name_en=data["name_en"], code=data["code"],
            branch=data["branch"],
        ))
        if department is not None:
            messages.success(request, _("Department %(name)s created.") % {"name": department.name})
            return redirect(reverse("org:tree") + f"#department-{department.pk}")
    context = {"form": form, "company": company, "parent": parent, "active_tab": "tree"}
    return _form_page(request, "org/department_form.html", context, invalid=request.method == "POST")


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    from hris.people.selectors import employees_visible_to

    actor = request.user
    department = _visible_department(actor, department_id)
    _require_changeable(actor, department)
    initial = {
        "name": department.name, "name_en": department.name_en, "code": department.code, "branch": department.branch_id,
        "head": department.head.employee_number if department.head_id else "",
    }
    head_candidates = employees_visible_to(actor).exclude(status="terminated")
    form = DepartmentEditForm(_posted(request), initial=initial, company=department.company, head_candidates=head_candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = _run_service(form, lambda: services.department_update(
            actor=actor, department=department, name=data["name"], name_en=data["name_en"], code=data["code"],
            branch=data["branch"], head=data["head"],
        ))
        if updated is not None:
            messages.success(request, _("Department %(name)s saved.") % {"name": updated.name})
            return redirect(reverse("org:tree") + f"#department-{updated.pk}")
    context = {"form": form, "company": department.company, "department": department, "active_tab": "tree"}
    return _form_page(request, "org/department_form.html", context, invalid=request.method == "POST")


@login_required
@require_http_methods(["GET", "POST"])
def department_move(request: HttpRequest, department_id: int) -> HttpResponse:
    actor = request.user
    department = _visible_department(actor, department_id)
    _require_changeable(actor, department)
    current_parent = Department.objects.get_parent(department) if department.depth > 1 else None
    initial = {"parent": current_parent.pk if current_parent else None}
    form = DepartmentMoveForm(_posted(request), initial=initial, company=department.company)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        moved = _run_service(form, lambda: services.department_move(
            actor=actor, department=department, new_parent=data["parent"], reason=data["reason"],
        ))
        if moved is not None:
            messages.success(request, _("Department %(name)s moved.") % {"name": moved.name})
            return redirect(reverse("org:tree") + f"#department-{moved.pk}")
    context = {"form": form, "department": department, "current_parent": current_parent, "active_tab": "tree"}
    return _form_page(request, "org/department_move.html", context, invalid=request.method == "POST")


@login_required
@require_http_methods(["GET", "POST"])
def department_close(request: HttpRequest, department_id: int) -> HttpResponse:
    actor = request.user
    department = _visible_department(actor, department_id)
    _require_changeable(actor, department)
    form = DepartmentCloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        closed = _run_service(form, lambda: services.department_close(
            actor=actor, department=department, closed_on=data["closed_on"], reason=data["reason"],
        ))
        if closed is not None:
            messages.success(request, _("Department %(name)s closed.") % {"name": closed.name})
            return redirect(reverse("org:tree") + "?closed=1" + f"#department-{closed.pk}")
    context = {"form": form, "department": department, "active_tab": "tree"}
    return _form_page(request, "org/department_close.html", context, invalid=request.method == "POST")


# --- positions ---------------------------------------------------------------------------

@login_required
@require_GET
def positions(request: HttpRequest) -> HttpResponse:
    actor = request.user
    rows = list(positions_with_headcount(actor))
    companies = [
        {
            "company": company,
            "can_change": _company_wide(actor, company.pk),
            "positions": [row for row in rows if row.company_id == company.pk],
        }
        for company in companies_visible_to(actor)
    ]
    return render(request, "org/positions.html", {"companies": companies, "active_tab": "positions"})


@login_required
@require_http_methods(["GET", "POST"])
def position_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    company = _visible_company(actor, request.GET.get("company") or request.POST.get("company"))
    if not _company_wide(actor, company.pk):
        raise PermissionDenied(_("Only a company-wide HR admin may add positions."))
    form = PositionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        position = _run_service(form, lambda: services.position_create(actor=actor, company=company, **data))
        if position is not None:
            messages.success(request, _("Position %(title)s created.") % {"title": position.title})
            return redirect("org:positions")
    context = {"form": form, "company": company, "active_tab": "positions"}
    return _form_page(request, "org/position_form.html", context, invalid=request.method == "POST")


@login_required
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, position_id: int) -> HttpResponse:
    actor = request.user
    position = positions_visible_to(actor).select_related("company").filter(pk=position_id).first()
    if position is None:
        raise Http404(_("Position not found."))
    if not _company_wide(actor, position.company_id):
        raise PermissionDenied(_("Only a company-wide HR admin may change positions."))
    fields = ["code", "title", "title_en", "job_family", "level", "is_managerial", "is_active"]
    form = PositionEditForm(_posted(request), initial={field: getattr(position, field) for field in fields})
    if request.method == "POST" and form.is_valid():
        updated = _run_service(form, lambda: services.position_update(actor=actor, position=position, **form.cleaned_data))
        if updated is not None:
            messages.success(request, _("Position %(title)s saved.") % {"title": updated.title})
            return redirect("org:positions")
    context = {"form": form, "company": position.company, "position": position, "active_tab": "positions"}
    return _form_page(request, "org/position_form.html", context, invalid=request.method == "POST")


# --- companies and branches --------------------------------------------------------------

@login_required
@require_GET
def branches(request: HttpRequest) -> HttpResponse:
    actor = request.user
    all_branches = list(branches_visible_to(actor).order_by("company_id", "code"))
    companies = [
        {
            "company": company,
            "can_add": _company_wide(actor, company.pk),
            "branches": [branch for branch in all_branches if branch.company_id == company.pk],
        }
        for company in companies_visible_to(actor)
    ]
    return render(request, "org/branches.html", {"companies": companies, "active_tab": "branches"})


@login_required
@require_http_methods(["GET", "POST"])
def branch_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    company = _visible_company(actor, request.GET.get("company") or request.POST.get("company"))
    if not _company_wide(actor, company.pk):
        raise PermissionDenied(_("Only a company-wide HR admin may add branches."))
    form = BranchForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        branch = _run_service(form, lambda: services.branch_create(actor=actor, company=company, **form.cleaned_data))
        if branch is not None:
            messages.success(request, _("Branch %(name)s created.") % {"name": branch.name})
            return redirect("org:branches")
    context = {"form": form, "company": company, "active_tab": "branches"}
    return _form_page(request, "org/branch_form.html", context, invalid=request.method == "POST")


# --- org chart ---------------------------------------------------------------------------

def _chart_department(actor: Any, request: HttpRequest) -> Department | None:
    department_id = _int_or_none(request.GET.get("department"))
    return _visible_department(actor, department_id) if department_id is not None else None


@login_required
@require_GET
def chart(request: HttpRequest) -> HttpResponse:
    """People by reporting line from the top (or from `?root=`), one level at a time."""
    actor = request.user
    department = _chart_department(actor, request)
    root_id = _int_or_none(request.GET.get("root"))
    if root_id is not None:
        people = org_chart_people(actor, department=department)
        root = people.filter(pk=root_id).first()
        if root is None:
            raise Http404(_("Employee not found."))
        roots = org_chart_with_report_counts(people, [root])
        root.reports = org_chart_reports(actor, root.pk, department=department)
    else:
        roots = org_chart_roots(actor, department=department)
        if len(roots) == 1 and roots[0].report_count:
            # A single top (the usual chief executive): open the first level at once.
            roots[0].reports = org_chart_reports(actor, roots[0].pk, department=department)
    options = departments_visible_to(actor).select_related(None).only("pk", "depth", "name", "path")
    context = {
        "roots": roots, "department": department, "root_id": root_id,
        "department_options": [(option.pk, "\u3000" * (option.depth - 1) + option.name) for option in options],
        "limit": ORG_CHART_LEVEL_LIMIT, "truncated": len(roots) >= ORG_CHART_LEVEL_LIMIT, "active_tab": "chart",
    }
    return render(request, "org/chart.html", context)


@login_required
@require_GET
def chart_reports(request: HttpRequest, employee_id: int) -> HttpResponse:
    """htmx partial: the direct reports of one employee, as cards (a constant number of queries)."""
    actor = request.user
    department = _chart_department(actor, request)
    if not org_chart_people(actor, department=department).filter(pk=employee_id).exists():
        raise Http404(_("Employee not found."))
    reports = org_chart_reports(actor, employee_id, department=department)
    context = {
        "people": reports, "department": department, "limit": ORG_CHART_LEVEL_LIMIT, "truncated": len(reports) >= ORG_CHART_LEVEL_LIMIT,
    }
    return render(request, "org/_chart_level.html", context)

