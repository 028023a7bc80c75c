"""Users and role grants."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.models import RoleAssignment, User
from hris.accounts.roles import ROLE_CAPABILITIES, Capability, Role, ScopeType
from hris.accounts.scopes import forget_grants, grants_of
from hris.audit.services import audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.org.models import Branch, Company, Department
from hris.people.choices import EmployeeStatus
from hris.people.models import Employee


def _grant_snapshot(assignment: RoleAssignment) -> dict:
    return {
        "user": assignment.user.username,
        "role": assignment.role,
        "scope_type": assignment.scope_type,
        "company_id": assignment.company_id,
        "branch_id": assignment.branch_id,
        "department_id": assignment.department_id,
    }


def _require_role_manager(actor: Any, company: Company) -> None:
    if actor is None or actor.is_superuser:
        return
    if not any(
        grant.company_id == company.pk
        and grant.scope_type == ScopeType.COMPANY
        and Capability.MANAGE_ROLES in ROLE_CAPABILITIES.get(grant.role, ())
        for grant in grants_of(actor)
    ):
        raise PermissionDenied(_("Only a company-wide HR admin may grant roles."))


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_service_account: bool = False,
) -> User:
    if (
        actor is not None
        and not actor.is_superuser
        and not any(Capability.MANAGE_ROLES in ROLE_CAPABILITIES.get(grant.role, ()) for grant in grants_of(actor))
    ):
        raise PermissionDenied(_("You are not allowed to create user accounts."))
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, is_service_account=is_service_account)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor, action="user.create", target=user, after={"username": username, "email": email, "service_account": is_service_account}
    )
    return user


@transaction.atomic
def role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    scope_type: str,
    company: Company,
    branch: Branch | None = None,
    department: Department | None = None,
    reason: str = "",
) -> RoleAssignment:
    _require_role_manager(actor, company)
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field_errors={"role": [_("Choose a valid role.")]})
    if branch is not None and branch.company_id != company.pk or department is not None and department.company_id != company.pk:
        raise DomainError(
            _("The scope must lie inside the company."), field_errors={"scope": [_("Choose a branch or department of this company.")]}
        )
    assignment = RoleAssignment(user=user, role=role, scope_type=scope_type, company=company, branch=branch, department=department)
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    duplicate = RoleAssignment.objects.filter(
        user=user, role=role, scope_type=scope_type, company=company, branch=branch, department=department
    )
    if duplicate.exists():
        raise DomainError(_("The user already has this role over this scope."), code="duplicate")
    try:
        assignment.validate_constraints()
    except Exception as error:
        raise DomainError(_("The scope does not match the scope type."), field_errors={"scope": [str(error)]}) from error
    assignment.save()
    forget_grants(user)
    audit_record(
        actor=actor, action="role.grant", target=assignment, after=_grant_snapshot(assignment), reason=reason, company_id=company.pk
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment, reason: str = "") -> None:
    _require_role_manager(actor, assignment.company)
    before = _grant_snapshot(assignment)
    target_id, label = assignment.pk, str(assignment)
    assignment.delete()
    forget_grants(assignment.user)
    audit_record(
        actor=actor,
        action="role.revoke",
        target_type="accounts.roleassignment",
        target_id=target_id,
        target_label=label,
        before=before,
        reason=reason,
        company_id=before["company_id"],
    )


@transaction.atomic
def employee_login_create(*, actor: Any, employee: Any, username: str = "") -> tuple[User, str]:
    """Give an employee a login with the employee role over themself.

    Returns the user and a one-time password, shown once to the HR admin; the employee
    changes it after the first login. Only company-wide role managers may do this.
    """
    _require_role_manager(actor, employee.company)
    employee = Employee.objects.select_for_update(of=("self",)).select_related("department").get(pk=employee.pk)
    if employee.user_id:
        raise DomainError(_("This employee already has a login."), code="has_login")
    if employee.status == EmployeeStatus.TERMINATED:
        raise DomainError(_("A former employee cannot get a login."), code="terminated")
    username = (username or employee.employee_number).strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is taken."), field_errors={"username": [_("This username is taken.")]})
    password = secrets.token_urlsafe(12)
    user = User(username=username, email=employee.email)
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise DomainError(_("The username is not valid."), field_errors=error.message_dict) from error
    user.save()
    employee.user = user
    employee.save(update_fields=["user", "updated_at"])
    RoleAssignment.objects.create(user=user, role=Role.EMPLOYEE, scope_type=ScopeType.SELF, company=employee.company)
    audit_record(
        actor=actor,
        action="employee.create_login",
        target=employee,
        after={"username": username, "role": Role.EMPLOYEE},
        company_id=employee.company_id,
        department_path=employee.department.path,
        subject_employee_id=employee.pk,
    )
    return user, password
