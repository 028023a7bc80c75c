"""Reading metric records: what an actor may see, and one record's history of versions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.kpi.models import MetricRecord

# scope_q field names for metric records of employees (through the employee's department and user)
EMPLOYEE_RECORD_SCOPE_FIELDS = {
    "company_field": "company_id",
    "branch_field": "employee__department__branch_id",
    "department_path_field": "employee__department__path",
    "self_field": "employee__user_id",
}
# … and of departments (through the department's place in the tree)
DEPARTMENT_RECORD_SCOPE_FIELDS = {
    "company_field": "company_id",
    "branch_field": "department__branch_id",
    "department_path_field": "department__path",
    "self_field": None,
}


def metric_records_visible_to(actor: Any, *, capability: Capability = Capability.VIEW_SCORES, current_only: bool = True) -> QuerySet:
    """Employee records in the actor's scope over the employee, department records in scope over the department."""
    visible = Q(employee__isnull=False) & scope_q(actor, capability, **EMPLOYEE_RECORD_SCOPE_FIELDS)
    visible |= Q(department__isnull=False) & scope_q(actor, capability, **DEPARTMENT_RECORD_SCOPE_FIELDS)
    queryset = MetricRecord.objects.filter(visible).select_related("employee", "department")
    return queryset.filter(is_current=True) if current_only else queryset


def metric_record_history(record: MetricRecord) -> list[MetricRecord]:
    """Every version of the record's (source, external id), oldest first, following the superseded-by links.

    Versions of one batch share their recording time, so the links, not time or id, give the order.
    """
    versions = MetricRecord.objects.filter(company_id=record.company_id, source=record.source, external_id=record.external_id)
    rows = list(versions.select_related("entered_by").order_by("recorded_at", "id"))
    predecessor_of = {row.superseded_by_id: row for row in rows if row.superseded_by_id is not None}
    newest = next((row for row in reversed(rows) if row.superseded_by_id is None), None)
    chain: list[MetricRecord] = []
    while newest is not None and newest not in chain:
        chain.append(newest)
        newest = predecessor_of.get(newest.pk)
    chain.reverse()
    return chain + [row for row in rows if row not in chain]
