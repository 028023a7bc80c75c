from datetime import date

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.core.protected import decrypt_text
from hris.people.choices import EmployeeStatus, EmploymentEventType
from hris.people.models import Employee, EmploymentEvent
from hris.people.services import (
    employee_create,
    employee_reveal_id_number,
    employee_terminate,
    employee_update,
)

VALID_ID = "11010519491231002X"


def _create(world, actor_key="hr_admin", **overrides):  # noqa: ANN001, ANN003, ANN202
    fields = {
        "company": world.company,
        "employee_number": "N0001",
        "name": "何新人",
        "department": world.workshop1,
        "hire_date": date(2026, 3, 2),
        "phone": "139 1234 5678",
        "email": "hexinren@acme.example.cn",
        "id_number": VALID_ID,
        "manager": world.employee("w1_lead"),
    }
    fields.update(overrides)
    return employee_create(actor=world.user(actor_key), **fields)


def test_create_stores_normalised_data_encrypted_id_hire_event_and_audit(world):  # noqa: ANN001
    audit_before = AuditEvent.objects.count()

    employee = _create(world)

    employee.refresh_from_db()
    assert employee.phone == "13912345678"
    assert VALID_ID not in employee.id_number_encrypted
    assert decrypt_text(employee.id_number_encrypted) == VALID_ID
    assert employee.status == EmployeeStatus.ACTIVE
    hire = EmploymentEvent.objects.get(employee=employee)
    assert (hire.event_type, hire.effective_date, hire.to_department_id) == ("hire", date(2026, 3, 2), world.workshop1.pk)
    event = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == audit_before + 1
    assert (event.action, event.target_id, event.actor_id) == ("employee.create", str(employee.pk), world.users["hr_admin"].pk)
    assert event.after["name"] == "何新人" and "id_number" not in event.after
    assert event.department_path == world.workshop1.path


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"employee_number": "E000001"}, "employee_number"),
        ({"probation_end_date": date(2026, 1, 1)}, "probation_end_date"),
    ],
)
def test_create_rejects_bad_field_and_writes_nothing(world, overrides, field):  # noqa: ANN001
    existing_number = world.employee("ceo").employee_number
    if overrides.get("employee_number") == "E000001":
        overrides = {"employee_number": existing_number}
    employees_before, audit_before = Employee.objects.count(), AuditEvent.objects.count()

    with pytest.raises(DomainError) as raised:
        _create(world, **overrides)

    assert field in raised.value.field_errors
    assert Employee.objects.count() == employees_before
    assert AuditEvent.objects.count() == audit_before


def test_duplicate_id_number_in_same_company_is_refused(world):  # noqa: ANN001
    _create(world)
    with pytest.raises(DomainError) as raised:
        _create(world, employee_number="N0002")
    assert raised.value.field_errors["id_number"] == ["Another employee already has this ID number."]


def test_manager_cycle_is_refused_and_nothing_changes(world):  # noqa: ANN001
    # Given prod_head → ceo and w1_lead → prod_head, when prod_head would report to w1_lead: a cycle.
    prod_head = world.employee("prod_head")
    with pytest.raises(DomainError) as raised:
        employee_update(actor=world.user("hr_admin"), employee=prod_head, manager=world.employee("w1_lead"))
    assert raised.value.field_errors["manager"] == ["This reporting line would form a cycle."]
    assert world.employee("prod_head").manager_id == world.employees["ceo"].pk


def test_transfer_records_event_with_from_and_to(world):  # noqa: ANN001
    worker = world.employee("w1_worker")
    employee_update(
        actor=world.user("hr_admin"), employee=worker, department=world.workshop2, effective_date=date(2026, 11, 1), reason="产线调整"
    )
    event = EmploymentEvent.objects.filter(employee=worker, event_type=EmploymentEventType.TRANSFER).get()
    assert (event.from_department_id, event.to_department_id, event.effective_date, event.note) == (
        world.workshop1.pk, world.workshop2.pk, date(2026, 11, 1), "产线调整",
    )


def test_promotion_is_detected_from_level(world):  # noqa: ANN001
    worker = world.employee("w1_worker")  # P1 operator → M1 team lead
    employee_update(actor=world.user("hr_admin"), employee=worker, position=world.lead_position)
    assert EmploymentEvent.objects.filter(employee=worker).latest("id").event_type == EmploymentEventType.PROMOTION


def test_manager_cannot_change_employees_and_nothing_changes(world):  # noqa: ANN001
    audit_before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        employee_update(actor=world.user("prod_head"), employee=world.employee("w1_worker"), name="改名")
    assert world.employee("w1_worker").name == "李工人"
    assert AuditEvent.objects.count() == audit_before


def test_hrbp_cannot_move_employee_out_of_their_branch(world):  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        employee_update(actor=world.user("hrbp"), employee=world.employee("w1_worker"), department=world.sales)
    assert world.employee("w1_worker").department_id == world.workshop1.pk


def test_terminate_requires_reason_moves_reports_up_and_disables_login(world):  # noqa: ANN001
    lead = world.employee("w1_lead")
    with pytest.raises(DomainError):
        employee_terminate(actor=world.user("hr_admin"), employee=lead, effective_date=date(2026, 11, 30), reason="  ")

    employee_terminate(actor=world.user("hr_admin"), employee=lead, effective_date=date(2026, 11, 30), reason="个人原因离职")

    lead.refresh_from_db()
    assert (lead.status, lead.termination_date) == (EmployeeStatus.TERMINATED, date(2026, 11, 30))
    assert world.employee("w1_worker").manager_id == world.employees["prod_head"].pk
    assert world.user("w1_lead").is_active is False


def test_reveal_id_number_is_audited_and_limited(world):  # noqa: ANN001
    employee = _create(world)
    with pytest.raises(PermissionDenied):
        employee_reveal_id_number(actor=world.user("prod_head"), employee=employee, reason="核对")
    audit_before = AuditEvent.objects.count()

    revealed = employee_reveal_id_number(actor=world.user("hr_admin"), employee=employee, reason="办理社保")

    assert revealed == VALID_ID
    event = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == audit_before + 1
    assert (event.action, event.reason) == ("employee.reveal_id_number", "办理社保")
