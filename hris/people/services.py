"""Writes to people data: employees, contracts, employment events."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.core.permissions import require_in_scope
from hris.core.protected import decrypt_text, encrypt_text, keyed_digest
from hris.org.models import Company, Department, Position
from hris.org.selectors import DEPARTMENT_SCOPE_FIELDS
from hris.people.choices import EmployeeStatus, EmploymentEventType, EmploymentType
from hris.people.models import Contract, Employee, EmploymentEvent
from hris.people.selectors import employees_visible_to
from hris.people.validation import email_error, id_number_error, normalize_phone, phone_error

# Fields an update may change directly; department/position/manager changes also write
# an employment event, status changes go through their own services.
EDITABLE_FIELDS = {
    "name",
    "english_name",
    "gender",
    "birth_date",
    "phone",
    "email",
    "work_location",
    "employment_type",
    "hire_date",
    "probation_end_date",
    "department",
    "position",
    "manager",
    "id_number",
}


def employee_snapshot(employee: Employee) -> dict:
    """What the audit trail records of an employee; never the ID number itself."""
    return {
        "employee_number": employee.employee_number,
        "name": employee.name,
        "english_name": employee.english_name,
        "gender": employee.gender,
        "birth_date": employee.birth_date,
        "department_id": employee.department_id,
        "position_id": employee.position_id,
        "manager_id": employee.manager_id,
        "hire_date": employee.hire_date,
        "probation_end_date": employee.probation_end_date,
        "termination_date": employee.termination_date,
        "employment_type": employee.employment_type,
        "status": employee.status,
        "phone": employee.phone,
        "email": employee.email,
        "work_location": employee.work_location,
        "id_number_digest": employee.id_number_digest[:12],
    }


def _audit_employee(*, actor: Any, action: str, employee: Employee, before: dict | None, reason: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        target=employee,
        before=before,
        after=employee_snapshot(employee),
        reason=reason,
        company_id=employee.company_id,
        department_path=employee.department.path,
        subject_employee_id=employee.pk,
    )


def _validate(employee: Employee, *, id_number: str | None) -> None:
    errors: dict[str, list[str]] = {}
    for field, message in (
        ("phone", phone_error(employee.phone)),
        ("email", email_error(employee.email)),
        ("id_number", id_number_error(id_number) if id_number else None),
    ):
        if message:
            errors.setdefault(field, []).append(message)
    department = employee.department
    if department.company_id != employee.company_id:
        errors.setdefault("department", []).append(_("The department belongs to another company."))
    elif not department.is_active:
        errors.setdefault("department", []).append(_("The department is closed."))
    if employee.position_id and employee.position.company_id != employee.company_id:
        errors.setdefault("position", []).append(_("The position belongs to another company."))
    if employee.manager_id:
        manager = employee.manager
        if manager.company_id != employee.company_id:
            errors.setdefault("manager", []).append(_("The manager works in another company."))
        elif manager.status == EmployeeStatus.TERMINATED:
            errors.setdefault("manager", []).append(_("The manager has left the company."))
        elif employee.pk and _creates_cycle(employee.pk, manager.pk):
            errors.setdefault("manager", []).append(_("This reporting line would form a cycle."))
    if employee.probation_end_date and employee.probation_end_date < employee.hire_date:
        errors.setdefault("probation_end_date", []).append(_("Probation cannot end before the hire date."))
    if id_number:
        digest = keyed_digest(id_number)
        duplicate = Employee.objects.filter(company_id=employee.company_id, id_number_digest=digest).exclude(pk=employee.pk)
        if duplicate.exists():
            errors.setdefault("id_number", []).append(_("Another employee already has this ID number."))
    if (
        employee.employee_number
        and Employee.objects.filter(company_id=employee.company_id, employee_number=employee.employee_number)
        .exclude(pk=employee.pk)
        .exists()
    ):
        errors.setdefault("employee_number", []).append(_("This employee number is already taken."))
    try:
        # Uniqueness and the manager rules are checked above with clearer messages, and the
        # database enforces every constraint again on save: skip Django's per-constraint
        # queries, which would cost three round trips per employee on a bulk import.
        employee.full_clean(
            exclude=["id_number_encrypted", "id_number_digest", "company", "department", "position", "manager", "user"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:  # merge Django's field messages with ours
        for field, messages in error.message_dict.items():
            if field in errors:  # our own rule already explained this field (e.g. email)
                continue
            errors[field] = list(messages)
    if errors:
        raise DomainError(_("The employee data is not valid."), code="validation_error", field_errors=errors)


def _creates_cycle(employee_id: int, manager_id: int) -> bool:
    """Walk up from the proposed manager; reaching the employee means a cycle."""
    current: int | None = manager_id
    for _step in range(10_000):
        if current is None:
            return False
        if current == employee_id:
            return True
        current = Employee.objects.filter(pk=current).values_list("manager_id", flat=True).first()
    return True


def _apply_id_number(employee: Employee, id_number: str | None) -> None:
    if id_number is None:
        return
    value = id_number.strip().upper()
    employee.id_number_encrypted = encrypt_text(value)
    employee.id_number_digest = keyed_digest(value)


@transaction.atomic
def employee_create(
    *,
    actor: Any,
    company: Company,
    employee_number: str,
    name: str,
    department: Department,
    hire_date: date,
    position: Position | None = None,
    manager: Employee | None = None,
    employment_type: str = EmploymentType.FULL_TIME,
    status: str | None = None,
    probation_end_date: date | None = None,
    phone: str = "",
    email: str = "",
    id_number: str = "",
    english_name: str = "",
    gender: str = "unspecified",
    birth_date: date | None = None,
    work_location: str = "",
    user: Any = None,
    audit: bool = True,
) -> Employee:
    require_in_scope(actor, Capability.CHANGE_EMPLOYEES, Department.objects.all(), department, **DEPARTMENT_SCOPE_FIELDS)
    if status is None:
        status = EmployeeStatus.PROBATION if probation_end_date and probation_end_date > timezone.localdate() else EmployeeStatus.ACTIVE
    if status == EmployeeStatus.TERMINATED:
        raise DomainError(_("A new employee cannot start as terminated."), field_errors={"status": [_("Choose probation or active.")]})
    employee = Employee(
        company=company,
        employee_number=employee_number.strip(),
        name=name.strip(),
        english_name=english_name,
        gender=gender,
        birth_date=birth_date,
        department=department,
        position=position,
        manager=manager,
        hire_date=hire_date,
        probation_end_date=probation_end_date,
        employment_type=employment_type,
        status=status,
        phone=normalize_phone(phone),
        email=email.strip(),
        work_location=work_location,
        user=user,
    )
    _validate(employee, id_number=id_number or None)
    _apply_id_number(employee, id_number or None)
    employee.save()
    EmploymentEvent.objects.create(
        employee=employee,
        event_type=EmploymentEventType.HIRE,
        effective_date=hire_date,
        to_department=department,
        to_position=position,
        to_manager=manager,
        recorded_by=actor if actor is not None else None,
    )
    if audit:
        _audit_employee(actor=actor, action="employee.create", employee=employee, before=None)
    return employee


def _level_rank(level: str) -> tuple[str, int]:
    """P3 < P10 < M1: the letter names the ladder, the number the rung."""
    letters = "".join(character for character in level if character.isalpha())
    digits = "".join(character for character in level if character.isdigit())
    return (letters, int(digits) if digits else 0)


def _event_type_for(before: Employee, after: Employee) -> str | None:
    if before.position_id != after.position_id and after.position_id and before.position_id:
        (old_ladder, old_rung), (new_ladder, new_rung) = _level_rank(before.position.level), _level_rank(after.position.level)
        if old_ladder == new_ladder and new_rung != old_rung:
            return EmploymentEventType.PROMOTION if new_rung > old_rung else EmploymentEventType.DEMOTION
        if old_ladder != new_ladder and after.position.is_managerial and not before.position.is_managerial:
            # From the professional ladder into management (P → M) counts as a promotion.
            return EmploymentEventType.PROMOTION
        return EmploymentEventType.TRANSFER
    if before.department_id != after.department_id or before.position_id != after.position_id:
        return EmploymentEventType.TRANSFER
    if before.manager_id != after.manager_id:
        return EmploymentEventType.MANAGER_CHANGE
    return None


@transaction.atomic
def employee_update(*, actor: Any, employee: Employee, effective_date: date | None = None, reason: str = "", **changes: Any) -> Employee:
    """Change an employee's data. A new department, position or manager is recorded as an
    employment event (transfer, promotion, demotion, manager change) on `effective_date`."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to position.
    employee = Employee.objects.select_for_update(of=("self",)).select_related("department", "position").get(pk=employee.pk)
    require_in_scope(actor, Capability.CHANGE_EMPLOYEES, Employee.objects.all(), employee)
    if "department" in changes and changes["department"].pk != employee.department_id:
        require_in_scope(actor, Capability.CHANGE_EMPLOYEES, Department.objects.all(), changes["department"], **DEPARTMENT_SCOPE_FIELDS)
    original = Employee.objects.select_related("department", "position").get(pk=employee.pk)
    before = employee_snapshot(employee)
    id_number = changes.pop("id_number", None)
    if "phone" in changes:
        changes["phone"] = normalize_phone(changes["phone"])
    for field, value in changes.items():
        setattr(employee, field, value)
    _validate(employee, id_number=id_number or None)
    _apply_id_number(employee, id_number or None)
    employee.save()
    event_type = _event_type_for(original, employee)
    if event_type:
        EmploymentEvent.objects.create(
            employee=employee,
            event_type=event_type,
            effective_date=effective_date or timezone.localdate(),
            from_department=original.department,
            to_department=employee.department,
            from_position=original.position,
            to_position=employee.position,
            from_manager_id=original.manager_id,
            to_manager_id=employee.manager_id,
            note=reason,
            recorded_by=actor,
        )
    _audit_employee(actor=actor, action="employee.update", employee=employee, before=before, reason=reason)
    return employee


def _status_change(
    *,
    actor: Any,
    employee: Employee,
    new_status: str,
    event_type: str,
    effective_date: date,
    reason: str,
    action: str,
    allowed_from: set[str],
) -> Employee:
    employee = Employee.objects.select_for_update().select_related("department").get(pk=employee.pk)
    require_in_scope(actor, Capability.CHANGE_EMPLOYEES, Employee.objects.all(), employee)
    if employee.status not in allowed_from:
        raise DomainError(
            _("Not possible while the employee is %(status)s.") % {"status": employee.get_status_display()}, code="invalid_status"
        )
    if not reason.strip() and event_type == EmploymentEventType.TERMINATION:
        raise DomainError(_("A reason is required."), field_errors={"reason": [_("This field is required.")]})
    before = employee_snapshot(employee)
    employee.status = new_status
    if event_type == EmploymentEventType.TERMINATION:
        if effective_date < employee.hire_date:
            raise DomainError(_("Termination cannot be before the hire date."), field_errors={"effective_date": [_("Too early.")]})
        employee.termination_date = effective_date
    elif event_type == EmploymentEventType.REHIRE:
        employee.termination_date = None
        employee.hire_date = effective_date
    employee.save()
    EmploymentEvent.objects.create(
        employee=employee,
        event_type=event_type,
        effective_date=effective_date,
        from_department=employee.department,
        to_department=employee.department,
        note=reason,
        recorded_by=actor,
    )
    if event_type == EmploymentEventType.TERMINATION:
        Employee.objects.filter(manager=employee).update(manager=employee.manager)
        if employee.user_id:
            type(employee.user).objects.filter(pk=employee.user_id).update(is_active=False)
    _audit_employee(actor=actor, action=action, employee=employee, before=before, reason=reason)
    return employee


@transaction.atomic
def employee_confirm_probation(*, actor: Any, employee: Employee, effective_date: date, reason: str = "") -> Employee:
    return _status_change(
        actor=actor,
        employee=employee,
        new_status=EmployeeStatus.ACTIVE,
        event_type=EmploymentEventType.PROBATION_PASSED,
        effective_date=effective_date,
        reason=reason,
        action="employee.confirm_probation",
        allowed_from={EmployeeStatus.PROBATION},
    )


@transaction.atomic
def employee_start_leave(*, actor: Any, employee: Employee, effective_date: date, reason: str = "") -> Employee:
    return _status_change(
        actor=actor,
        employee=employee,
        new_status=EmployeeStatus.ON_LEAVE,
        event_type=EmploymentEventType.LEAVE_START,
        effective_date=effective_date,
        reason=reason,
        action="employee.start_leave",
        allowed_from={EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION},
    )


@transaction.atomic
def employee_end_leave(*, actor: Any, employee: Employee, effective_date: date, reason: str = "") -> Employee:
    return _status_change(
        actor=actor,
        employee=employee,
        new_status=EmployeeStatus.ACTIVE,
        event_type=EmploymentEventType.LEAVE_END,
        effective_date=effective_date,
        reason=reason,
        action="employee.end_leave",
        allowed_from={EmployeeStatus.ON_LEAVE},
    )


@transaction.atomic
def employee_terminate(*, actor: Any, employee: Employee, effective_date: date, reason: str) -> Employee:
    """Terminate; direct reports move up to the leaver's own manager, the login is disabled."""
    return _status_change(
        actor=actor,
        employee=employee,
        new_status=EmployeeStatus.TERMINATED,
        event_type=EmploymentEventType.TERMINATION,
        effective_date=effective_date,
        reason=reason,
        action="employee.terminate",
        allowed_from={EmployeeStatus.ACTIVE, EmployeeStatus.PROBATION, EmployeeStatus.ON_LEAVE},
    )


@transaction.atomic
def employee_rehire(*, actor: Any, employee: Employee, effective_date: date, reason: str = "") -> Employee:
    return _status_change(
        actor=actor,
        employee=employee,
        new_status=EmployeeStatus.ACTIVE,
        event_type=EmploymentEventType.REHIRE,
        effective_date=effective_date,
        reason=reason,
        action="employee.rehire",
        allowed_from={EmployeeStatus.TERMINATED},
    )


@transaction.atomic
def contract_add(
    *,
    actor: Any,
    employee: Employee,
    contract_number: str,
    contract_type: str,
    start_date: date,
    end_date: date | None = None,
    signed_on: date | None = None,
    notes: str = "",
) -> Contract:
    require_in_scope(actor, Capability.CHANGE_EMPLOYEES, Employee.objects.all(), employee)
    contract = Contract(
        employee=employee,
        contract_number=contract_number,
        contract_type=contract_type,
        start_date=start_date,
        end_date=end_date,
        signed_on=signed_on,
        notes=notes,
    )
    contract.full_clean()
    contract.save()
    audit_record(
        actor=actor,
        action="contract.create",
        target=contract,
        after={"contract_number": contract_number, "contract_type": contract_type, "start_date": start_date, "end_date": end_date},
        company_id=employee.company_id,
        department_path=employee.department.path,
        subject_employee_id=employee.pk,
    )
    return contract


@transaction.atomic
def employee_reveal_id_number(*, actor: Any, employee: Employee, reason: str) -> str:
    """Show the full ID number to someone whose role needs it; always audited with a reason."""
    if not reason.strip():
        raise DomainError(_("A reason is required."), field_errors={"reason": [_("This field is required.")]})
    if actor is None or (
        employee.user_id != actor.pk and not employees_visible_to(actor, Capability.VIEW_SENSITIVE).filter(pk=employee.pk).exists()
    ):
        raise PermissionDenied(_("You are not allowed to see this ID number."))
    audit_record(
        actor=actor,
        action="employee.reveal_id_number",
        target=employee,
        reason=reason,
        company_id=employee.company_id,
        department_path=employee.department.path,
        subject_employee_id=employee.pk,
    )
    return decrypt_text(employee.id_number_encrypted)
