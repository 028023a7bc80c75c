"""Reads of the audit trail, restricted to what the viewer may see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from hris.accounts.roles import ROLE_CAPABILITIES, Capability, ScopeType
from hris.accounts.scopes import NOTHING, grants_of, scope_q
from hris.audit.models import AuditEvent
from hris.org.models import Department

# The annotation standing in for a branch reference, which audit rows do not store.
_BRANCH_ANNOTATION = "scope_branch_id"


def _own_employee_id(actor: Any) -> int | None:
    # A user without an employee record raises RelatedObjectDoesNotExist, an AttributeError.
    employee = getattr(actor, "employee", None)
    return employee.pk if employee is not None else None


def _with_branch_reference(queryset: QuerySet[AuditEvent], actor: Any) -> QuerySet[AuditEvent]:
    """Annotate each row with the branch of the department it was recorded against.

    Audit rows keep only the department path. For the branches the actor holds a
    branch-scoped VIEW_AUDIT grant over, the department paths are loaded once (departments
    are few) and mapped back to their branch, so `scope_q` applies its usual branch rule:
    the branch of the row's own department, exactly as for employees.
    """
    branch_ids = {
        grant.branch_id
        for grant in grants_of(actor)
        if grant.scope_type == ScopeType.BRANCH and Capability.VIEW_AUDIT in ROLE_CAPABILITIES.get(grant.role, ())
    }
    if not branch_ids:
        return queryset
    paths_by_branch: dict[int, list[str]] = {}
    for branch_id, path in Department.objects.filter(branch_id__in=branch_ids).values_list("branch_id", "path"):
        paths_by_branch.setdefault(branch_id, []).append(path)
    branch_reference = Case(
        *[When(department_path__in=paths, then=Value(branch_id)) for branch_id, paths in sorted(paths_by_branch.items())],
        default=Value(None),
        output_field=IntegerField(),
    )
    return queryset.annotate(**{_BRANCH_ANNOTATION: branch_reference})


def audit_events_visible_to(actor: Any) -> QuerySet[AuditEvent]:
    """Audit rows within the actor's VIEW_AUDIT scope, plus the history of their own record.

    Company grants see every row of the company, department grants the rows recorded
    against their subtree, branch grants the rows of the branch's departments; everyone
    sees the rows whose subject is their own employee record. Superusers see all.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return AuditEvent.objects.none()
    if actor.is_superuser:
        return AuditEvent.objects.all()
    queryset = _with_branch_reference(AuditEvent.objects.all(), actor)
    condition = scope_q(
        actor,
        Capability.VIEW_AUDIT,
        company_field="company_id_ref",
        branch_field=_BRANCH_ANNOTATION,
        department_path_field="department_path",
        # Audit rows name their subject by employee id, not by user id: handled below.
        self_field=None,
    )
    own_employee_id = _own_employee_id(actor)
    if own_employee_id is not None:
        condition |= Q(subject_employee_id=own_employee_id)
    if condition == NOTHING:
        return AuditEvent.objects.none()
    return queryset.filter(condition)


@dataclass(frozen=True)
class AuditFilters:
    target_type: str = ""
    target_id: str = ""
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of_local_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def audit_event_search(actor: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The actor's visible audit rows matching the filters, newest first.

    `actor` in the filters is a username (case-insensitive) or a user id; the date range
    is inclusive and in local time.
    """
    queryset = audit_events_visible_to(actor)
    if filters.target_type:
        queryset = queryset.filter(target_type=filters.target_type.strip().lower())
    if filters.target_id:
        queryset = queryset.filter(target_id=filters.target_id.strip())
    if filters.action:
        queryset = queryset.filter(action=filters.action.strip())
    if filters.actor:
        text = filters.actor.strip()
        by_actor = Q(actor__username__iexact=text)
        if text.isdigit():
            by_actor |= Q(actor_id=int(text))
        queryset = queryset.filter(by_actor)
    if filters.date_from:
        queryset = queryset.filter(occurred_at__gte=_start_of_local_day(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(occurred_at__lt=_start_of_local_day(filters.date_to + timedelta(days=1)))
    return queryset.order_by("-sequence")


@dataclass(frozen=True)
class FieldChange:
    key: str
    old: Any
    new: Any
    had_old: bool
    has_new: bool

    @property
    def old_text(self) -> str:
        return _display(self.old) if self.had_old else "—"

    @property
    def new_text(self) -> str:
        return _display(self.new) if self.has_new else "—"


def _display(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def audit_event_changes(event: AuditEvent) -> list[FieldChange]:
    """The keys whose values differ between `before` and `after`, in key order."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    changes = []
    for key in sorted(set(before) | set(after)):
        if key in before and key in after and before[key] == after[key]:
            continue
        changes.append(FieldChange(key, before.get(key), after.get(key), key in before, key in after))
    return changes

