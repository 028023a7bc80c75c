"""Writes to the organisation: companies, branches, departments, positions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import ROLE_CAPABILITIES, Capability, ScopeType
from hris.accounts.scopes import grants_of, scope_q
from hris.audit.services import audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.core.permissions import require_in_scope
from hris.org.models import Branch, Company, Department, Position
from hris.org.selectors import DEPARTMENT_SCOPE_FIELDS


def _department_snapshot(department: Department) -> dict:
    return {
        "name": department.name,
        "name_en": department.name_en,
        "code": department.code,
        "branch_id": department.branch_id,
        "head_id": department.head_id,
        "parent_path": department.path[: -Department.steplen],
        "is_active": department.is_active,
        "closed_on": department.closed_on,
    }


def _require_company_capability(actor: Any, company: Company, capability: Capability) -> None:
    if actor is None or actor.is_superuser:
        return
    if (
        not Company.objects.filter(pk=company.pk)
        .filter(
            scope_q(
                actor,
                capability,
                company_field="id",
                branch_field="branches__id",
                department_path_field="departments__path",
                self_field=None,
            )
        )
        .exists()
    ):
        raise PermissionDenied(_("You are not allowed to change the organisation of %(company)s.") % {"company": company})


def _require_company_wide(actor: Any, company: Company) -> None:
    """Company-level structure (branches, top-level departments) needs a company-wide grant."""
    if actor is None or actor.is_superuser:
        return
    if not any(
        grant.company_id == company.pk
        and grant.scope_type == ScopeType.COMPANY
        and Capability.CHANGE_ORG in ROLE_CAPABILITIES.get(grant.role, ())
        for grant in grants_of(actor)
    ):
        raise PermissionDenied(_("Only a company-wide HR admin may do this."))


@transaction.atomic
def company_create(*, actor: Any, name: str, code: str, short_name: str = "", unified_social_credit_code: str = "") -> Company:
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser may create companies."))
    company = Company(name=name, code=code, short_name=short_name, unified_social_credit_code=unified_social_credit_code)
    company.full_clean()
    company.save()
    audit_record(actor=actor, action="company.create", target=company, after={"name": name, "code": code}, company_id=company.pk)
    return company


@transaction.atomic
def branch_create(*, actor: Any, company: Company, name: str, code: str, city: str = "", address: str = "") -> Branch:
    _require_company_wide(actor, company)
    branch = Branch(company=company, name=name, code=code, city=city, address=address)
    branch.full_clean()
    branch.save()
    audit_record(
        actor=actor, action="branch.create", target=branch, after={"name": name, "code": code, "city": city}, company_id=company.pk
    )
    return branch


@transaction.atomic
def department_create(
    *,
    actor: Any,
    company: Company,
    name: str,
    code: str,
    parent: Department | None = None,
    branch: Branch | None = None,
    name_en: str = "",
) -> Department:
    if parent is None:
        _require_company_wide(actor, company)
    else:
        if parent.company_id != company.pk:
            raise DomainError(
                _("The parent department belongs to another company."),
                field_errors={"parent": [_("Choose a department of the same company.")]},
            )
        if not parent.is_active:
            raise DomainError(_("The parent department is closed."), field_errors={"parent": [_("Choose an active department.")]})
        require_in_scope(actor, Capability.CHANGE_ORG, Department.objects.all(), parent, **DEPARTMENT_SCOPE_FIELDS)
        branch = branch or parent.branch
    if branch is not None and branch.company_id != company.pk:
        raise DomainError(_("The branch belongs to another company."), field_errors={"branch": [_("Choose a branch of the same company.")]})
    fields = {"company": company, "name": name, "name_en": name_en, "code": code, "branch": branch}
    candidate = Department(**fields, path="X" * Department.steplen, depth=1)
    candidate.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        department = Department.objects.add_root(fields)
    else:
        department = Department.objects.add_child(Department.objects.get(pk=parent.pk), fields)
    audit_record(
        actor=actor,
        action="department.create",
        target=department,
        after=_department_snapshot(department),
        company_id=company.pk,
        department_path=department.path,
    )
    return department


@transaction.atomic
def department_update(
    *, actor: Any, department: Department, name: str, code: str, name_en: str = "", branch: Branch | None = None, head: Any = None
) -> Department:
    department = Department.objects.select_for_update().get(pk=department.pk)
    require_in_scope(actor, Capability.CHANGE_ORG, Department.objects.all(), department, **DEPARTMENT_SCOPE_FIELDS)
    if head is not None and head.company_id != department.company_id:
        raise DomainError(_("The head must work in the same company."), field_errors={"head": [_("Choose an employee of this company.")]})
    if branch is not None and branch.company_id != department.company_id:
        raise DomainError(_("The branch belongs to another company."), field_errors={"branch": [_("Choose a branch of the same company.")]})
    before = _department_snapshot(department)
    department.name, department.code, department.name_en = name, code, name_en
    department.branch = branch
    department.head = head
    department.full_clean()
    department.save()
    audit_record(
        actor=actor,
        action="department.update",
        target=department,
        before=before,
        after=_department_snapshot(department),
        company_id=department.company_id,
        department_path=department.path,
    )
    return department


@transaction.atomic
def department_move(*, actor: Any, department: Department, new_parent: Department | None, reason: str = "") -> Department:
    """Move a department with its whole subtree under another parent (or to the top)."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    require_in_scope(actor, Capability.CHANGE_ORG, Department.objects.all(), department, **DEPARTMENT_SCOPE_FIELDS)
    if new_parent is None:
        _require_company_wide(actor, department.company)
    else:
        new_parent = Department.objects.get(pk=new_parent.pk)
        require_in_scope(actor, Capability.CHANGE_ORG, Department.objects.all(), new_parent, **DEPARTMENT_SCOPE_FIELDS)
        if new_parent.company_id != department.company_id:
            raise DomainError(
                _("A department can only move within its company."),
                field_errors={"parent": [_("Choose a department of the same company.")]},
            )
        if new_parent.path.startswith(department.path):
            raise DomainError(
                _("A department cannot move under itself or its own sub-department."),
                code="tree_cycle",
                field_errors={"parent": [_("Choose a department outside this subtree.")]},
            )
        if not new_parent.is_active:
            raise DomainError(_("The new parent department is closed."), field_errors={"parent": [_("Choose an active department.")]})
    before = _department_snapshot(department)
    if new_parent is None:
        Department.objects.move(department, Department.objects.get_first_root_node(), "last-sibling")
    else:
        Department.objects.move(department, new_parent, "last-child")
    department = Department.objects.get(pk=department.pk)
    audit_record(
        actor=actor,
        action="department.move",
        target=department,
        before=before,
        after=_department_snapshot(department),
        reason=reason,
        company_id=department.company_id,
        department_path=department.path,
    )
    return department


@transaction.atomic
def department_close(*, actor: Any, department: Department, closed_on: date | None = None, reason: str = "") -> Department:
    """Close a department; refused while it or a sub-department still has active members
    or open sub-departments (move them first)."""
    from hris.people.choices import EmployeeStatus
    from hris.people.models import Employee

    department = Department.objects.select_for_update().get(pk=department.pk)
    require_in_scope(actor, Capability.CHANGE_ORG, Department.objects.all(), department, **DEPARTMENT_SCOPE_FIELDS)
    if not department.is_active:
        raise DomainError(_("The department is already closed."), code="already_closed")
    open_children = Department.objects.filter(path__startswith=department.path, is_active=True).exclude(pk=department.pk).count()
    if open_children:
        raise DomainError(_("Close or move its %(count)d open sub-departments first.") % {"count": open_children}, code="has_open_children")
    members = Employee.objects.filter(department__path__startswith=department.path).exclude(status=EmployeeStatus.TERMINATED).count()
    if members:
        raise DomainError(_("Transfer its %(count)d current employees first.") % {"count": members}, code="has_members")
    before = _department_snapshot(department)
    department.is_active = False
    department.closed_on = closed_on or timezone.localdate()
    department.save(update_fields=["is_active", "closed_on", "updated_at"])
    audit_record(
        actor=actor,
        action="department.close",
        target=department,
        before=before,
        after=_department_snapshot(department),
        reason=reason,
        company_id=department.company_id,
        department_path=department.path,
    )
    return department


def _position_snapshot(position: Position) -> dict:
    return {
        "code": position.code,
        "title": position.title,
        "title_en": position.title_en,
        "job_family": position.job_family,
        "level": position.level,
        "is_managerial": position.is_managerial,
        "is_active": position.is_active,
    }


@transaction.atomic
def position_create(
    *, actor: Any, company: Company, code: str, title: str, job_family: str, level: str, title_en: str = "", is_managerial: bool = False
) -> Position:
    _require_company_capability(actor, company, Capability.CHANGE_ORG)
    position = Position(
        company=company, code=code, title=title, title_en=title_en, job_family=job_family, level=level, is_managerial=is_managerial
    )
    position.full_clean()
    position.save()
    audit_record(actor=actor, action="position.create", target=position, after=_position_snapshot(position), company_id=company.pk)
    return position


@transaction.atomic
def position_update(*, actor: Any, position: Position, **changes: Any) -> Position:
    position = Position.objects.select_for_update().get(pk=position.pk)
    _require_company_capability(actor, position.company, Capability.CHANGE_ORG)
    allowed = {"code", "title", "title_en", "job_family", "level", "is_managerial", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = _position_snapshot(position)
    for field, value in changes.items():
        setattr(position, field, value)
    position.full_clean()
    position.save()
    audit_record(
        actor=actor,
        action="position.update",
        target=position,
        before=before,
        after=_position_snapshot(position),
        company_id=position.company_id,
    )
    return position
