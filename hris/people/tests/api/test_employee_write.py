"""Writes to /api/v1/employees/: the same services as the UI; refused writes change nothing."""

from datetime import date

import pytest

from hris.audit.models import AuditEvent
from hris.core.protected import encrypt_text, keyed_digest
from hris.core.tests.api.support import (
    TOKEN_CHANGEABLE_EMPLOYEES,
    TOKEN_VISIBLE_EMPLOYEES,
    data_fingerprint,
    error_body,
    session_client,
    token_client,
)
from hris.people.models import Employee, EmploymentEvent
from hris.tests.world import CHANGEABLE_EMPLOYEES, VISIBLE_EMPLOYEES

LIST = "/api/v1/employees/"
EVERYONE = sorted(VISIBLE_EMPLOYEES["admin"])
VALID_ID_NUMBER = "11010519491231002X"


def detail(world, key: str, suffix: str = "") -> str:  # noqa: ANN001
    return f"{LIST}{world.employees[key].pk}/{suffix}"


def new_hire(world, **overrides) -> dict:  # noqa: ANN001, ANN003
    return {
        "employee_number": "N0001",
        "name": "新同事",
        "department": world.workshop1.pk,
        "hire_date": "2026-03-02",
        "position": world.worker_position.pk,
        "manager": world.employees["w1_lead"].pk,
        "phone": "139 1234 5678",
        "email": "xin@acme.example.cn",
        "id_number": VALID_ID_NUMBER,
        **overrides,
    }


def expected_write_status(actor: str, target: str, visible: dict, changeable: dict) -> int:
    if target in changeable.get(actor, set()):
        return 200
    return 403 if target in visible[actor] else 404


# ---- the role × scope matrix -----------------------------------------------------------


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_session_user_changes_exactly_its_scope_and_nothing_else(world, actor):  # noqa: ANN001
    client = session_client(world, actor)
    for target in EVERYONE:
        before = data_fingerprint()
        response = client.patch(detail(world, target), {"work_location": "苏州二号楼"}, format="json")
        expected = expected_write_status(actor, target, VISIBLE_EMPLOYEES, CHANGEABLE_EMPLOYEES)
        assert response.status_code == expected, target
        if expected == 200:
            assert response.json()["work_location"] == "苏州二号楼"
            assert Employee.objects.get(pk=world.employees[target].pk).work_location == "苏州二号楼"
        else:
            # Out of scope looks like missing (404); in sight but not allowed is 403.
            assert error_body(response)["code"] == ("permission_denied" if expected == 403 else "not_found")
            assert data_fingerprint() == before, target


@pytest.mark.parametrize("like", sorted(TOKEN_VISIBLE_EMPLOYEES))
def test_token_client_changes_exactly_its_service_accounts_scope(world, like):  # noqa: ANN001
    client = token_client(world, like, "employees:read employees:write")
    for target in EVERYONE:
        before = data_fingerprint()
        response = client.patch(detail(world, target), {"work_location": "苏州二号楼"}, format="json")
        expected = expected_write_status(like, target, TOKEN_VISIBLE_EMPLOYEES, TOKEN_CHANGEABLE_EMPLOYEES)
        assert response.status_code == expected, target
        if expected != 200:
            assert data_fingerprint() == before, target


@pytest.mark.parametrize(
    ("actor", "expected_status"),
    [
        ("admin", 201),
        ("hr_admin", 201),
        ("hrbp", 201),
        ("ceo", 403),
        ("prod_head", 403),
        ("sales_head", 403),
        ("w1_lead", 403),
        ("w1_worker", 403),
        ("recruiter", 403),
        ("interviewer", 403),
        ("other_hr", 400),
    ],
)
def test_hiring_into_workshop1_needs_change_rights_over_it(world, actor, expected_status):  # noqa: ANN001
    before = data_fingerprint()
    response = session_client(world, actor).post(LIST, new_hire(world, manager=None), format="json")
    assert response.status_code == expected_status
    if expected_status == 201:
        assert Employee.objects.filter(employee_number="N0001", department=world.workshop1).count() == 1
        return
    if expected_status == 400:
        # Another company's users cannot even name the department.
        assert error_body(response)["errors"] == {
            "department": [f'Invalid pk "{world.workshop1.pk}" - object does not exist.'],
            "position": [f'Invalid pk "{world.worker_position.pk}" - object does not exist.'],
        }
    assert data_fingerprint() == before


def test_hire_returns_the_new_employee_through_the_service(world):  # noqa: ANN001
    # Given HR, when it hires through the API,
    response = session_client(world, "hr_admin").post(LIST, new_hire(world, probation_end_date="2099-09-01"), format="json")
    # then the answer shows the record as stored by employee_create,
    assert response.status_code == 201
    body = response.json()
    employee = Employee.objects.get(pk=body["id"])
    assert {key: body[key] for key in ("employee_number", "name", "status", "phone", "email", "id_number", "hire_date")} == {
        "employee_number": "N0001",
        "name": "新同事",
        "status": "probation",
        "phone": "13912345678",
        "email": "xin@acme.example.cn",
        "id_number": "110105********002X",
        "hire_date": "2026-03-02",
    }
    assert (body["department"]["id"], body["position"]["id"], body["manager"]["id"]) == (
        world.workshop1.pk,
        world.worker_position.pk,
        world.employees["w1_lead"].pk,
    )
    # with the ID number encrypted, a hire event and an audit event.
    assert employee.id_number_digest == keyed_digest(VALID_ID_NUMBER)
    assert VALID_ID_NUMBER not in employee.id_number_encrypted
    assert list(employee.employment_events.values_list("event_type", flat=True)) == ["hire"]
    assert AuditEvent.objects.filter(action="employee.create", target_id=str(employee.pk)).count() == 1


def test_a_manager_outside_the_callers_scope_cannot_be_named(world):  # noqa: ANN001
    # Given an HRBP of the plant, who cannot see the CEO, when they name the CEO as manager,
    before = data_fingerprint()
    response = session_client(world, "hrbp").post(LIST, new_hire(world, manager=world.employees["ceo"].pk), format="json")
    # then the CEO reads as unknown, like any id outside the caller's scope.
    assert response.status_code == 400
    assert error_body(response)["errors"] == {"manager": [f'Invalid pk "{world.employees["ceo"].pk}" - object does not exist.']}
    assert data_fingerprint() == before


def test_manager_can_be_named_by_employee_number(world):  # noqa: ANN001
    payload = new_hire(world, manager_employee_number=world.employees["prod_head"].employee_number)
    del payload["manager"]
    response = session_client(world, "hr_admin").post(LIST, payload, format="json")
    assert response.status_code == 201
    assert response.json()["manager"]["id"] == world.employees["prod_head"].pk


# ---- bad input: 400 with per-field errors, nothing written ------------------------------


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"phone": "12345"}, {"phone": ["“12345” is not a valid mobile number (11 digits starting with 1, or +country code)."]}),
        ({"email": "not-an-email"}, {"email": ["“not-an-email” is not a valid email address."]}),
        ({"id_number": "110105194912310021"}, {"id_number": ["The ID number's check digit is wrong."]}),
        ({"id_number": "ABC"}, {"id_number": ["An ID number has 17 digits followed by a digit or X."]}),
        ({"department": 999_999}, {"department": ['Invalid pk "999999" - object does not exist.']}),
        ({"department": "production"}, {"department": ["Incorrect type. Expected pk value, received str."]}),
        ({"position": 999_999}, {"position": ['Invalid pk "999999" - object does not exist.']}),
        ({"manager_employee_number": "NOBODY"}, {"manager_employee_number": ["No employee with this number."]}),
        ({"hire_date": "2026-02-30"}, {"hire_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
        ({"gender": "robot"}, {"gender": ['"robot" is not a valid choice.']}),
        ({"status": "terminated"}, {"status": ['"terminated" is not a valid choice.']}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"name": "名" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
        ({"probation_end_date": "2026-01-01"}, {"probation_end_date": ["Probation cannot end before the hire date."]}),
    ],
)
def test_invalid_hire_is_refused_field_by_field(world, overrides, errors):  # noqa: ANN001
    before = data_fingerprint()
    payload = new_hire(world, **overrides)
    if "manager_employee_number" in overrides:
        del payload["manager"]
    response = session_client(world, "hr_admin").post(LIST, payload, format="json")
    assert response.status_code == 400
    assert error_body(response)["errors"] == errors
    assert error_body(response)["code"] == "validation_error"
    assert data_fingerprint() == before


def test_duplicate_employee_number_and_id_number_are_refused(world):  # noqa: ANN001
    Employee.objects.filter(pk=world.employees["w2_worker"].pk).update(
        id_number_encrypted=encrypt_text(VALID_ID_NUMBER), id_number_digest=keyed_digest(VALID_ID_NUMBER)
    )
    before = data_fingerprint()
    taken_number = world.employees["w1_worker"].employee_number
    response = session_client(world, "hr_admin").post(LIST, new_hire(world, employee_number=taken_number), format="json")
    assert response.status_code == 400
    assert error_body(response)["errors"] == {
        "employee_number": ["This employee number is already taken."],
        "id_number": ["Another employee already has this ID number."],
    }
    assert data_fingerprint() == before


def test_missing_fields_are_all_named(world):  # noqa: ANN001
    response = session_client(world, "hr_admin").post(LIST, {}, format="json")
    assert response.status_code == 400
    required = ["This field is required."]
    assert error_body(response)["errors"] == {"name": required, "department": required, "hire_date": required, "employee_number": required}


def test_manager_cycle_is_refused(world):  # noqa: ANN001
    # Given w1_worker reports to w1_lead, when w1_lead is made to report to w1_worker,
    before = data_fingerprint()
    response = session_client(world, "hr_admin").patch(
        detail(world, "w1_lead"), {"manager": world.employees["w1_worker"].pk}, format="json"
    )
    # then the reporting line is refused and nothing changes.
    assert response.status_code == 400
    assert error_body(response)["errors"] == {"manager": ["This reporting line would form a cycle."]}
    assert data_fingerprint() == before


def test_both_manager_and_manager_number_is_ambiguous(world):  # noqa: ANN001
    payload = {"manager": world.employees["ceo"].pk, "manager_employee_number": world.employees["ceo"].employee_number}
    response = session_client(world, "hr_admin").patch(detail(world, "prod_head"), payload, format="json")
    assert response.status_code == 400
    assert error_body(response)["errors"] == {"manager_employee_number": ["Send either manager or manager_employee_number, not both."]}


def test_employee_number_and_status_are_not_editable_fields(world):  # noqa: ANN001
    # Unknown fields are ignored like in any DRF API; they must not slip through to the model.
    response = session_client(world, "hr_admin").patch(
        detail(world, "w1_worker"), {"employee_number": "X1", "status": "terminated"}, format="json"
    )
    assert response.status_code == 200
    worker = Employee.objects.get(pk=world.employees["w1_worker"].pk)
    assert (worker.employee_number, worker.status) == (world.employees["w1_worker"].employee_number, "active")


# ---- update semantics ------------------------------------------------------------------


def test_patch_transfer_records_an_employment_event_with_reason(world):  # noqa: ANN001
    payload = {"department": world.workshop2.pk, "effective_date": "2026-04-01", "reason": "产线调整"}
    response = session_client(world, "hrbp").patch(detail(world, "w1_worker"), payload, format="json")
    assert response.status_code == 200
    assert response.json()["department"] == {"id": world.workshop2.pk, "code": "workshop2", "name": "二车间"}
    event = EmploymentEvent.objects.filter(employee=world.employees["w1_worker"]).order_by("-id").first()
    assert (event.event_type, event.effective_date, event.note, event.to_department_id) == (
        "transfer",
        date(2026, 4, 1),
        "产线调整",
        world.workshop2.pk,
    )


def test_put_replaces_every_editable_field(world):  # noqa: ANN001
    # Given an employee with a phone and an English name,
    Employee.objects.filter(pk=world.employees["w1_worker"].pk).update(english_name="Li", work_location="A")
    payload = {"name": "李工人", "department": world.workshop1.pk, "hire_date": "2022-03-01"}
    # when HR replaces the record without them, then they are cleared (the ID number stays).
    response = session_client(world, "hr_admin").put(detail(world, "w1_worker"), payload, format="json")
    assert response.status_code == 200
    worker = Employee.objects.get(pk=world.employees["w1_worker"].pk)
    assert (worker.english_name, worker.work_location, worker.phone, worker.position_id, worker.manager_id) == ("", "", "", None, None)


def test_put_needs_the_required_fields(world):  # noqa: ANN001
    before = data_fingerprint()
    response = session_client(world, "hr_admin").put(detail(world, "w1_worker"), {"name": "李工人"}, format="json")
    assert response.status_code == 400
    assert error_body(response)["errors"] == {"department": ["This field is required."], "hire_date": ["This field is required."]}
    assert data_fingerprint() == before


def test_moving_an_employee_outside_the_callers_scope_is_refused(world):  # noqa: ANN001
    # Given an HRBP of the plant, when they move a plant worker to sales (headquarters),
    before = data_fingerprint()
    response = session_client(world, "hrbp").patch(detail(world, "w1_worker"), {"department": world.sales.pk}, format="json")
    # then it is refused: the target department is outside their scope.
    assert response.status_code == 403
    assert data_fingerprint() == before


# ---- status actions --------------------------------------------------------------------


@pytest.mark.parametrize("actor", sorted(VISIBLE_EMPLOYEES))
def test_terminate_matrix(world, actor):  # noqa: ANN001
    client = session_client(world, actor)
    for target in ("w2_worker", "sales_rep", "other_worker"):
        before = data_fingerprint()
        response = client.post(detail(world, target, "terminate/"), {"effective_date": "2026-06-30", "reason": "合同到期"}, format="json")
        expected = expected_write_status(actor, target, VISIBLE_EMPLOYEES, CHANGEABLE_EMPLOYEES)
        assert response.status_code == expected, target
        if expected == 200:
            assert (response.json()["status"], response.json()["termination_date"]) == ("terminated", "2026-06-30")
        else:
            assert data_fingerprint() == before, target


def test_terminate_needs_a_reason_and_a_date(world):  # noqa: ANN001
    before = data_fingerprint()
    response = session_client(world, "hr_admin").post(detail(world, "w2_worker", "terminate/"), {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert error_body(response)["errors"] == {"effective_date": ["This field is required."], "reason": ["This field may not be blank."]}
    assert data_fingerprint() == before


def test_terminating_twice_is_an_invalid_status(world):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    payload = {"effective_date": "2026-06-30", "reason": "合同到期"}
    assert client.post(detail(world, "w2_worker", "terminate/"), payload, format="json").status_code == 200
    before = data_fingerprint()
    again = client.post(detail(world, "w2_worker", "terminate/"), payload, format="json")
    assert (again.status_code, error_body(again)["code"]) == (400, "invalid_status")
    assert data_fingerprint() == before


def test_confirm_probation(world):  # noqa: ANN001
    Employee.objects.filter(pk=world.employees["w2_worker"].pk).update(status="probation")
    client = session_client(world, "hrbp")
    response = client.post(
        detail(world, "w2_worker", "confirm_probation/"), {"effective_date": "2026-05-01", "reason": "考核合格"}, format="json"
    )
    assert (response.status_code, response.json()["status"]) == (200, "active")
    event = EmploymentEvent.objects.filter(employee=world.employees["w2_worker"]).order_by("-id").first()
    assert (event.event_type, event.note) == ("probation_passed", "考核合格")
    # An active employee has no probation left to confirm.
    again = client.post(detail(world, "w2_worker", "confirm_probation/"), {}, format="json")
    assert (again.status_code, error_body(again)["code"]) == (400, "invalid_status")


def test_confirm_probation_by_a_manager_without_change_rights_is_403(world):  # noqa: ANN001
    Employee.objects.filter(pk=world.employees["w2_worker"].pk).update(status="probation")
    before = data_fingerprint()
    response = session_client(world, "prod_head").post(detail(world, "w2_worker", "confirm_probation/"), {}, format="json")
    assert response.status_code == 403
    assert data_fingerprint() == before
