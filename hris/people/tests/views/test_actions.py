"""Writes from the people pages: create, edit, status changes, contracts.

Allowed users change exactly their scope; everyone else gets 403 (or 404 outside their
view scope) and the database is left exactly as it was, audit trail included."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from hris.audit.models import AuditEvent
from hris.people.models import Contract, Employee, EmploymentEvent
from hris.people.tests.views.helpers import VALID_ID_NUMBER, database_state, edit_data, field_errors
from hris.tests.world import CHANGEABLE_EMPLOYEES, VISIBLE_EMPLOYEES

WORLD_EMPLOYEES = sorted(set().union(*VISIBLE_EMPLOYEES.values()))
ACTORS = sorted(CHANGEABLE_EMPLOYEES)
TODAY = timezone.localdate()


def url(world, name, key):
    return reverse(f"people:{name}", args=[world.employees[key].pk])


def refused_status(actor, target):
    return 403 if target in VISIBLE_EMPLOYEES[actor] else 404


def assert_refused_and_unchanged(response, state, expected_status):
    assert response.status_code == expected_status
    assert database_state() == state


# --- role × scope matrices ------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("target", WORLD_EMPLOYEES)
def test_edit_matrix(world, client_for, actor, target):
    # Given an actor and a target employee, when the actor posts a new phone number
    employee = world.employee(target)
    state, audit_before = database_state(), AuditEvent.objects.count()
    response = client_for(actor).post(url(world, "edit", target), edit_data(employee, phone="13912345678"))
    # then it is saved and audited exactly when the target is in the actor's change scope.
    if target in CHANGEABLE_EMPLOYEES[actor]:
        assert response.status_code == 302
        assert response["Location"] == url(world, "detail", target)
        assert world.employee(target).phone == "13912345678"
        assert list(AuditEvent.objects.filter(sequence__gt=audit_before).values_list("action", flat=True)) == ["employee.update"]
    else:
        assert_refused_and_unchanged(response, state, refused_status(actor, target))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("target", WORLD_EMPLOYEES)
def test_terminate_matrix(world, client_for, actor, target):
    state = database_state()
    response = client_for(actor).post(url(world, "terminate", target), {"effective_date": TODAY.isoformat(), "reason": "个人原因离职"})
    if target in CHANGEABLE_EMPLOYEES[actor]:
        assert response.status_code == 302
        employee = world.employee(target)
        assert (employee.status, employee.termination_date) == ("terminated", TODAY)
        assert AuditEvent.objects.filter(action="employee.terminate", target_id=str(employee.pk), reason="个人原因离职").count() == 1
    else:
        assert_refused_and_unchanged(response, state, refused_status(actor, target))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("target", WORLD_EMPLOYEES)
def test_contract_add_matrix(world, client_for, actor, target):
    state = database_state()
    data = {"contract_number": "HT-2026-001", "contract_type": "fixed_term", "start_date": "2026-01-01", "end_date": "2028-12-31"}
    response = client_for(actor).post(url(world, "contract_add", target), data)
    if target in CHANGEABLE_EMPLOYEES[actor]:
        assert response.status_code == 302
        contracts = list(Contract.objects.filter(employee=world.employees[target]).values_list("contract_number", "start_date", "end_date"))
        assert contracts == [("HT-2026-001", date(2026, 1, 1), date(2028, 12, 31))]
        assert AuditEvent.objects.filter(action="contract.create").count() == 1
    else:
        assert_refused_and_unchanged(response, state, refused_status(actor, target))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("target", WORLD_EMPLOYEES)
@pytest.mark.parametrize("action", ["edit", "terminate", "contract_add"])
def test_action_forms_are_shown_exactly_within_change_scope(world, client_for, actor, target, action):
    response = client_for(actor).get(url(world, action, target))
    assert response.status_code == (200 if target in CHANGEABLE_EMPLOYEES[actor] else refused_status(actor, target))


DEPARTMENT_MEMBERS = {
    "root": {"ceo"},
    "production": {"prod_head"},
    "workshop1": {"w1_lead", "w1_worker"},
    "workshop2": {"w2_worker"},
    "sales": {"sales_head", "sales_rep", "interviewer"},
    "hr": {"hr_admin", "hrbp", "recruiter"},
    "other_root": {"other_hr", "other_worker"},
}


def create_data(department, **overrides):
    data = {
        "employee_number": "N-0001", "name": "新同事", "english_name": "", "gender": "female", "birth_date": "1995-06-01",
        "department": department.pk, "position": "", "manager": "", "employment_type": "full_time", "hire_date": "2026-03-02",
        "probation_end_date": "", "work_location": "苏州", "phone": "13600001111", "email": "new@acme.example.cn", "id_number": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("department_key", sorted(DEPARTMENT_MEMBERS))
def test_create_matrix(world, client_for, actor, department_key):
    # A department is open to an actor exactly when the actor may change the people working in it.
    department = getattr(world, department_key)
    allowed = bool(DEPARTMENT_MEMBERS[department_key] & CHANGEABLE_EMPLOYEES[actor])
    state = database_state()
    response = client_for(actor).post(reverse("people:create"), create_data(department))
    if allowed:
        created = Employee.objects.get(employee_number="N-0001")
        assert response.status_code == 302
        assert response["Location"] == reverse("people:detail", args=[created.pk])
        assert (created.company_id, created.department_id, created.name) == (department.company_id, department.pk, "新同事")
        assert list(EmploymentEvent.objects.filter(employee=created).values_list("event_type", flat=True)) == ["hire"]
        assert AuditEvent.objects.filter(action="employee.create", target_id=str(created.pk)).count() == 1
    else:
        assert_refused_and_unchanged(response, state, 403)


@pytest.mark.parametrize(
    "actor, status", [("hr_admin", 200), ("hrbp", 200), ("other_hr", 200), ("ceo", 403), ("prod_head", 403), ("w1_worker", 403)]
)
def test_create_form_is_shown_only_to_those_who_may_add(world, client_for, actor, status):
    assert client_for(actor).get(reverse("people:create")).status_code == status


def test_create_form_offers_only_changeable_departments(world, client_for):
    response = client_for("hrbp").get(reverse("people:create"))
    offered = set(response.context["form"].fields["department"].queryset.values_list("code", flat=True))
    assert offered == {"production", "workshop1", "workshop2"}


@pytest.mark.parametrize("action", ["edit", "terminate", "contract_add", "confirm_probation", "start_leave", "create"])
def test_anonymous_posts_change_nothing(world, client_for, action):
    state = database_state()
    target = reverse("people:create") if action == "create" else url(world, action, "w1_worker")
    response = client_for(None).post(target, {"effective_date": TODAY.isoformat(), "reason": "x", "phone": "13912345678"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert database_state() == state


# --- bad input: the form comes back with the error, nothing is written -------------------


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"phone": "12345"}, "phone", "“12345” is not a valid mobile number (11 digits starting with 1, or +country code)."),
        ({"email": "not-an-email"}, "email", "“not-an-email” is not a valid email address."),
        ({"probation_end_date": "2022-01-01"}, "probation_end_date", "Probation cannot end before the hire date."),
        ({"id_number": "110105194912310021"}, "id_number", "The ID number's check digit is wrong."),
        ({"hire_date": "yesterday"}, "hire_date", "Enter a valid date."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_edit_with_bad_input_shows_the_field_error_and_writes_nothing(world, client_for, overrides, field, message):
    state = database_state()
    response = client_for("hr_admin").post(url(world, "edit", "w1_worker"), edit_data(world.employee("w1_worker"), **overrides))
    assert response.status_code == 200
    assert field_errors(response, field) == [message]
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert database_state() == state


def test_manager_cycle_is_refused(world, client_for):
    # Given w1_worker reports to w1_lead, when HR makes w1_lead report to w1_worker
    state = database_state()
    lead = world.employee("w1_lead")
    response = client_for("hr_admin").post(
        url(world, "edit", "w1_lead"), edit_data(lead, manager=world.employees["w1_worker"].pk, effective_date=TODAY.isoformat())
    )
    # then the manager field says why, and nothing is written.
    assert response.status_code == 200
    assert field_errors(response, "manager") == ["This reporting line would form a cycle."]
    assert database_state() == state


def test_moving_to_a_department_outside_the_change_scope_is_forbidden(world, client_for):
    # The plant HRBP may change w1_worker, but not move them into HQ's sales department.
    state = database_state()
    response = client_for("hrbp").post(url(world, "edit", "w1_worker"), edit_data(world.employee("w1_worker"), department=world.sales.pk))
    assert_refused_and_unchanged(response, state, 403)


def test_create_with_bad_input_writes_nothing(world, client_for):
    state = database_state()
    existing_number = world.employees["w1_worker"].employee_number
    data = create_data(world.workshop1, employee_number=existing_number, phone="999", email="x@", probation_end_date="2026-01-01")
    response = client_for("hr_admin").post(reverse("people:create"), data)
    assert response.status_code == 200
    assert field_errors(response, "employee_number") == ["This employee number is already taken."]
    assert field_errors(response, "phone") == ["“999” is not a valid mobile number (11 digits starting with 1, or +country code)."]
    assert field_errors(response, "email") == ["“x@” is not a valid email address."]
    assert field_errors(response, "probation_end_date") == ["Probation cannot end before the hire date."]
    assert database_state() == state


def test_create_with_id_number_stores_it_protected(world, client_for):
    response = client_for("hr_admin").post(reverse("people:create"), create_data(world.workshop1, id_number=VALID_ID_NUMBER.lower()))
    assert response.status_code == 302
    created = Employee.objects.get(employee_number="N-0001")
    assert VALID_ID_NUMBER not in created.id_number_encrypted
    assert created.id_number_digest != ""
    duplicate = client_for("hr_admin").post(
        reverse("people:create"), create_data(world.workshop1, employee_number="N-0002", id_number=VALID_ID_NUMBER)
    )
    assert field_errors(duplicate, "id_number") == ["Another employee already has this ID number."]


def test_terminate_without_reason_or_before_hire_writes_nothing(world, client_for):
    state = database_state()
    client = client_for("hr_admin")
    no_reason = client.post(url(world, "terminate", "w1_worker"), {"effective_date": TODAY.isoformat(), "reason": ""})
    too_early = client.post(url(world, "terminate", "w1_worker"), {"effective_date": "2020-01-01", "reason": "回溯"})
    assert no_reason.status_code == too_early.status_code == 200
    assert field_errors(no_reason, "reason") == ["This field is required."]
    assert field_errors(too_early, "effective_date") == ["Too early."]
    assert database_state() == state


def test_contract_with_bad_dates_or_duplicate_number_writes_nothing(world, client_for):
    client = client_for("hr_admin")
    data = {"contract_number": "HT-1", "contract_type": "fixed_term", "start_date": "2026-01-01"}
    assert client.post(url(world, "contract_add", "w1_worker"), data).status_code == 302
    state = database_state()
    reversed_dates = client.post(url(world, "contract_add", "w1_worker"), {**data, "contract_number": "HT-2", "end_date": "2025-01-01"})
    duplicate = client.post(url(world, "contract_add", "w1_worker"), data)
    assert field_errors(reversed_dates, "end_date") == ["The contract cannot end before it starts."]
    assert reversed_dates.status_code == duplicate.status_code == 200
    assert duplicate.context["form"].errors  # the unique key is reported on the form, not as a 500
    assert database_state() == state


# --- the changes themselves -------------------------------------------------------------------


def test_transfer_records_an_employment_event_with_date_and_reason(world, client_for):
    worker = world.employee("w1_worker")
    data = edit_data(worker, department=world.workshop2.pk, effective_date="2026-04-01", reason="二车间缺人")
    response = client_for("hrbp").post(url(world, "edit", "w1_worker"), data)
    assert response.status_code == 302
    event = EmploymentEvent.objects.filter(employee=worker).order_by("-id").first()
    assert (event.event_type, event.effective_date, event.from_department_id, event.to_department_id, event.note) == (
        "transfer", date(2026, 4, 1), world.workshop1.pk, world.workshop2.pk, "二车间缺人",
    )
    assert world.employee("w1_worker").department_id == world.workshop2.pk


def test_assignment_change_needs_an_effective_date(world, client_for):
    state = database_state()
    worker = world.employee("w1_worker")
    response = client_for("hr_admin").post(url(world, "edit", "w1_worker"), edit_data(worker, department=world.workshop2.pk))
    assert field_errors(response, "effective_date") == ["Give the date the new assignment takes effect."]
    assert database_state() == state


def test_edit_without_changes_writes_nothing(world, client_for):
    state = database_state()
    response = client_for("hr_admin").post(url(world, "edit", "w1_worker"), edit_data(world.employee("w1_worker")))
    assert response.status_code == 302
    assert database_state() == state


def test_edit_keeps_a_manager_outside_the_editors_view(world, client_for):
    # prod_head's manager (the CEO) is outside the plant HRBP's scope; an unrelated edit keeps him.
    prod_head = world.employee("prod_head")
    response = client_for("hrbp").post(url(world, "edit", "prod_head"), edit_data(prod_head, work_location="苏州工业园区"))
    assert response.status_code == 302
    updated = world.employee("prod_head")
    assert (updated.manager_id, updated.work_location) == (world.employees["ceo"].pk, "苏州工业园区")


@pytest.mark.parametrize(
    "start_status, action, end_status, event_type",
    [
        ("probation", "confirm_probation", "active", "probation_passed"),
        ("active", "start_leave", "on_leave", "leave_start"),
        ("on_leave", "end_leave", "active", "leave_end"),
        ("terminated", "rehire", "active", "rehire"),
    ],
)
def test_status_changes(world, client_for, start_status, action, end_status, event_type):
    Employee.objects.filter(pk=world.employees["w2_worker"].pk).update(status=start_status, termination_date=date(2025, 1, 1))
    response = client_for("hrbp").post(url(world, action, "w2_worker"), {"effective_date": "2026-02-01", "reason": ""})
    assert response.status_code == 302
    assert world.employee("w2_worker").status == end_status
    assert EmploymentEvent.objects.filter(employee=world.employees["w2_worker"]).latest("id").event_type == event_type


def test_status_change_from_the_wrong_status_is_a_form_error(world, client_for):
    state = database_state()
    response = client_for("hr_admin").post(url(world, "end_leave", "w1_worker"), {"effective_date": TODAY.isoformat(), "reason": ""})
    assert response.status_code == 200
    assert [str(error) for error in response.context["form"].non_field_errors()] == ["Not possible while the employee is Active."]
    assert database_state() == state


@pytest.mark.parametrize("actor, status", [("ceo", 403), ("prod_head", 403), ("w1_worker", 403), ("sales_head", 404)])
@pytest.mark.parametrize("action", ["confirm_probation", "start_leave", "end_leave", "rehire"])
def test_status_changes_by_others_are_refused(world, client_for, actor, status, action):
    Employee.objects.filter(pk=world.employees["w1_worker"].pk).update(status="probation")
    state = database_state()
    response = client_for(actor).post(url(world, action, "w1_worker"), {"effective_date": TODAY.isoformat(), "reason": "x"})
    assert_refused_and_unchanged(response, state, status)


def test_modal_forms_use_htmx(world, client_for):
    client = client_for("hr_admin")
    form = client.get(url(world, "terminate", "w1_worker"), HTTP_HX_REQUEST="true")
    assert "<html" not in form.content.decode()
    assert 'hx-post="' + url(world, "terminate", "w1_worker") + '"' in form.content.decode()
    invalid = client.post(url(world, "terminate", "w1_worker"), {"effective_date": "", "reason": ""}, HTTP_HX_REQUEST="true")
    assert invalid.status_code == 200
    assert "<html" not in invalid.content.decode()
    data = {"effective_date": TODAY.isoformat(), "reason": "合同到期"}
    done = client.post(url(world, "terminate", "w1_worker"), data, HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    assert done["HX-Redirect"] == url(world, "detail", "w1_worker")


def test_unknown_status_action_is_404(world, client_for):
    assert client_for("hr_admin").get(f"/people/{world.employees['w1_worker'].pk}/explode/").status_code == 404


def test_edit_form_preselects_values_and_offers_managers_in_scope(world, client_for):
    # Given the plant HRBP editing prod_head, whose manager (the CEO) is outside the HRBP's scope
    response = client_for("hrbp").get(url(world, "edit", "prod_head"))
    content = response.content.decode()
    ceo = world.employees["ceo"]
    # then the current manager stays selected, and the other options are people the HRBP may see.
    assert f'<option value="{ceo.pk}" selected>赵总 ({ceo.employee_number})</option>' in content
    offered = {pk for pk, _label in response.context["form"].fields["manager"].choices if pk != ""}
    assert offered == {world.employees[key].pk for key in ("ceo", "w1_lead", "w1_worker", "w2_worker", "hrbp")}
