"""HR creates a login for an employee without one; the employee logs in with it."""

from datetime import date

import pytest
from django.urls import reverse

from hris.accounts.models import RoleAssignment, User
from hris.audit.models import AuditEvent
from hris.people.models import Employee
from hris.tests.factories import EmployeeFactory


@pytest.fixture
def newcomer(world):  # noqa: ANN001, ANN201
    return EmployeeFactory(name="新同事", employee_number="N7001", department=world.workshop2, hire_date=date(2026, 11, 2))


def _state() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEvent.objects.count()


def test_hr_admin_creates_a_login_that_works(world, client, newcomer):  # noqa: ANN001
    client.force_login(world.user("hr_admin"))
    assert client.get(reverse("people:detail", args=[newcomer.pk])).content.decode().count('id="create-login"') == 1

    response = client.post(reverse("people:create_login", args=[newcomer.pk]), {"username": ""})

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    password = response.context["password"]
    user = User.objects.get(username="n7001")
    assert Employee.objects.get(pk=newcomer.pk).user_id == user.pk
    assert list(user.role_assignments.values_list("role", "scope_type")) == [("employee", "self")]
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.after["username"], event.subject_employee_id) == ("employee.create_login", "n7001", newcomer.pk)
    assert password not in str(event.after)
    client.logout()
    login = client.post(reverse("accounts:login"), {"username": "n7001", "password": password})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(("actor", "status"), [("hrbp", 403), ("prod_head", 403), ("ceo", 403), ("w2_worker", 404), ("other_hr", 404)])
def test_others_cannot_create_logins_and_nothing_changes(world, client, newcomer, actor, status):  # noqa: ANN001
    client.force_login(world.user(actor))
    before = _state()
    assert client.post(reverse("people:create_login", args=[newcomer.pk]), {"username": "hack"}).status_code == status
    assert _state() == before
    assert Employee.objects.get(pk=newcomer.pk).user_id is None


def test_taken_username_is_a_field_error_and_nothing_changes(world, client, newcomer):  # noqa: ANN001
    client.force_login(world.user("hr_admin"))
    before = _state()
    response = client.post(reverse("people:create_login", args=[newcomer.pk]), {"username": "w1_worker"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["This username is taken."]
    assert _state() == before


def test_employee_with_a_login_gets_no_second_one(world, client):  # noqa: ANN001
    client.force_login(world.user("hr_admin"))
    worker = world.employee("w1_worker")
    assert 'id="create-login"' not in client.get(reverse("people:detail", args=[worker.pk])).content.decode()
    before = _state()
    response = client.post(reverse("people:create_login", args=[worker.pk]), {"username": "second"})
    assert response.status_code == 200
    assert "This employee already has a login." in response.content.decode()
    assert _state() == before


def test_user_changes_own_password(world, client):  # noqa: ANN001
    client.force_login(world.user("w1_worker"))
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Renshi-Test-2026", "new_password1": "Zhongwen-Mima-2027", "new_password2": "Zhongwen-Mima-2027"},
    )
    assert response.status_code == 302
    assert world.user("w1_worker").check_password("Zhongwen-Mima-2027")


def test_wrong_old_password_changes_nothing(world, client):  # noqa: ANN001
    client.force_login(world.user("w1_worker"))
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "Zhongwen-Mima-2027", "new_password2": "Zhongwen-Mima-2027"},
    )
    assert response.status_code == 200
    assert world.user("w1_worker").check_password("Renshi-Test-2026")
