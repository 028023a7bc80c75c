from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from hris.accounts.roles import Capability
from hris.accounts.scopes import company_ids_of, scope_q
from hris.core.errors import NotFound
from hris.org.models import Branch, Company, Department, Position

# How department rows reach the fields scope_q() filters on.
DEPARTMENT_SCOPE_FIELDS = {"branch_field": "branch_id", "department_path_field": "path", "self_field": None}


def companies_visible_to(actor: Any) -> QuerySet[Company]:
    if actor is not None and actor.is_superuser:
        return Company.objects.all()
    return Company.objects.filter(pk__in=company_ids_of(actor))


def branches_visible_to(actor: Any) -> QuerySet[Branch]:
    return Branch.objects.filter(company__in=companies_visible_to(actor)).select_related("company")


def departments_visible_to(actor: Any, *, include_closed: bool = False) -> QuerySet[Department]:
    """The organisation structure is visible to everyone in the company; people are scoped."""
    queryset = Department.objects.filter(company__in=companies_visible_to(actor)).select_related("branch", "head")
    if not include_closed:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("path")


def departments_changeable_by(actor: Any) -> QuerySet[Department]:
    return Department.objects.filter(scope_q(actor, Capability.CHANGE_ORG, **DEPARTMENT_SCOPE_FIELDS))


def department_get(actor: Any, department_id: int) -> Department:
    department = departments_visible_to(actor, include_closed=True).filter(pk=department_id).first()
    if department is None:
        raise NotFound("Department not found.")
    return department


def department_tree_with_headcount(actor: Any, *, include_closed: bool = False) -> list[Department]:
    """Departments in tree order, each with `headcount_direct` (active members, in the
    actor's employee scope) and `subtree_headcount`; one query, totals summed in Python."""
    employee_scope = scope_q(
        actor,
        Capability.VIEW_EMPLOYEES,
        company_field="employees__company_id",
        branch_field="branch_id",
        department_path_field="path",
        self_field="employees__user_id",
    )
    departments = list(
        departments_visible_to(actor, include_closed=include_closed).annotate(
            headcount_direct=Count("employees", filter=employee_scope & ~Q(employees__status="terminated"), distinct=True)
        )
    )
    totals: dict[str, int] = {}
    for department in sorted(departments, key=lambda item: len(item.path), reverse=True):
        totals[department.path] = totals.get(department.path, 0) + department.headcount_direct
        parent_path = department.path[: -Department.steplen]
        if parent_path:
            totals[parent_path] = totals.get(parent_path, 0) + totals[department.path]
    for department in departments:
        department.subtree_headcount = totals.get(department.path, 0)
    return departments


def positions_visible_to(actor: Any) -> QuerySet[Position]:
    return Position.objects.filter(company__in=companies_visible_to(actor))


def positions_with_headcount(actor: Any) -> QuerySet[Position]:
    """Positions of the actor's companies, each with `headcount`: current holders within
    the actor's employee scope (one query)."""
    employee_scope = scope_q(
        actor,
        Capability.VIEW_EMPLOYEES,
        company_field="employees__company_id",
        branch_field="employees__department__branch_id",
        department_path_field="employees__department__path",
        self_field="employees__user_id",
    )
    return (
        positions_visible_to(actor)
        .select_related("company")
        .annotate(headcount=Count("employees", filter=employee_scope & ~Q(employees__status="terminated"), distinct=True))
        .order_by("company__name", "job_family", "level", "title")
    )


# Org chart: people by reporting line, loaded one level at a time.
ORG_CHART_LEVEL_LIMIT = 300


def org_chart_people(actor: Any, *, department: Department | None = None) -> QuerySet:
    """Current employees the actor may see, optionally only those of a department subtree."""
    from hris.people.selectors import employees_visible_to

    people = employees_visible_to(actor).exclude(status="terminated")
    if department is not None:
        people = people.filter(department__path__startswith=department.path)
    return people


def org_chart_with_report_counts(people: QuerySet, employees: list) -> list:
    """Set `report_count` (direct reports among `people`) on each employee: one query."""
    counts = dict(
        people.filter(manager_id__in=[employee.pk for employee in employees])
        .order_by()
        .values("manager_id")
        .annotate(total=Count("pk"))
        .values_list("manager_id", "total")
    )
    for employee in employees:
        employee.report_count = counts.get(employee.pk, 0)
    return employees


def org_chart_roots(actor: Any, *, department: Department | None = None, limit: int = ORG_CHART_LEVEL_LIMIT) -> list:
    """The top of the chart: people whose manager is not among the people shown
    (no manager, a manager outside the actor's scope or outside the department)."""
    people = org_chart_people(actor, department=department)
    roots = people.filter(Q(manager__isnull=True) | ~Q(manager_id__in=people.order_by().values("pk")))
    return org_chart_with_report_counts(people, list(roots.order_by("company_id", "employee_number")[:limit]))


def org_chart_reports(actor: Any, manager_id: int, *, department: Department | None = None, limit: int = ORG_CHART_LEVEL_LIMIT) -> list:
    """One level of the chart: the direct reports of `manager_id` among the people shown."""
    people = org_chart_people(actor, department=department)
    reports = list(people.filter(manager_id=manager_id).order_by("employee_number")[:limit])
    return org_chart_with_report_counts(people, reports)
