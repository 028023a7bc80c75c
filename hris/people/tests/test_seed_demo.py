"""The demo company of `manage.py seed_demo` has the documented shape.

Seeding takes a few seconds, so it runs once for the module inside a transaction that
is rolled back at the end; every test reads the same company.
"""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from hris.accounts.models import RoleAssignment, User
from hris.accounts.roles import Role, ScopeType
from hris.audit.models import AuditEvent
from hris.audit.verification import verify_audit_chain
from hris.core.protected import decrypt_text
from hris.org.models import Branch, Company, Department
from hris.people.choices import EmployeeStatus, EmploymentEventType, Gender
from hris.people.demo.seeding import plan_people, seed_demo_company
from hris.people.demo.structure import DEMO_PASSWORD
from hris.people.models import Contract, Employee, EmploymentEvent
from hris.people.selectors import employees_visible_to
from hris.people.validation import email_error, id_number_error, phone_error

FUNCTIONAL_DEPARTMENTS = {"生产部", "质检部", "设备部", "销售部", "研发部", "采购部", "行政人事部", "财务部"}
PLANT_DEPARTMENTS = {"生产部", "质检部", "设备部"}
# username → (role, scope type, scope target name or None, department of the linked employee)
DEMO_USERS = {
    "hr": (Role.HR_ADMIN, ScopeType.COMPANY, None, "人事组"),
    "hrbp": (Role.HRBP, ScopeType.BRANCH, "苏州工厂", "工厂人事行政组"),
    "ceo": (Role.EXECUTIVE, ScopeType.COMPANY, None, "总经办"),
    "manager": (Role.DEPARTMENT_MANAGER, ScopeType.DEPARTMENT, "生产部", "生产部"),
    "employee": (Role.EMPLOYEE, ScopeType.SELF, None, "车削班"),
    "recruiter": (Role.RECRUITER, ScopeType.COMPANY, None, "人事组"),
    "interviewer": (Role.INTERVIEWER, ScopeType.SELF, None, "机械设计组"),
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    """Seed once for the module; roll everything back afterwards."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            result = seed_demo_company()
            assert result is not None
            yield result
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def company(seeded, db) -> Company:  # noqa: ANN001
    return Company.objects.get(code="jnjg")


@pytest.fixture
def general_manager(company) -> Employee:  # noqa: ANN001
    return Employee.objects.get(company=company, position__code="general-manager")


def test_about_500_employees_of_whom_a_dozen_have_left(company):  # noqa: ANN001
    employees = Employee.objects.filter(company=company)
    current = employees.exclude(status=EmployeeStatus.TERMINATED).count()
    assert 480 <= current <= 520
    assert 5 <= employees.filter(status=EmployeeStatus.TERMINATED, termination_date__isnull=False).count() <= 20


def test_two_branches_and_the_eight_functional_departments_at_the_top(company):  # noqa: ANN001
    assert set(Branch.objects.filter(company=company).values_list("name", flat=True)) == {"上海总部", "苏州工厂"}
    top_level = {department.name: department for department in Department.objects.filter(company=company, depth=1).select_related("branch")}
    assert set(top_level) - {"总经办"} == FUNCTIONAL_DEPARTMENTS
    for name in FUNCTIONAL_DEPARTMENTS:
        assert top_level[name].branch.name == ("苏州工厂" if name in PLANT_DEPARTMENTS else "上海总部"), name
    production = top_level["生产部"]
    workshops = Department.objects.filter(path__startswith=production.path, depth=2, name__contains="车间")
    assert workshops.count() == 3
    assert all(workshop.numchild >= 2 for workshop in workshops)  # each with its teams
    sales_groups = set(Department.objects.filter(path__startswith=top_level["销售部"].path, depth=2).values_list("name", flat=True))
    assert sales_groups == {"华东销售组", "华南销售组", "海外销售组"}


def test_every_department_has_a_head_who_works_in_it(company):  # noqa: ANN001
    for department in Department.objects.filter(company=company).select_related("head__department"):
        assert department.head is not None, department
        assert department.head.department_id == department.pk, department


def test_managers_and_reporting_lines_end_at_the_general_manager(company, general_manager):  # noqa: ANN001
    manager_of = dict(Employee.objects.filter(company=company).values_list("pk", "manager_id"))
    managers_with_reports = {
        manager_id for employee_id, manager_id in Employee.objects.filter(company=company)
        .exclude(status=EmployeeStatus.TERMINATED).values_list("pk", "manager_id") if manager_id
    }
    assert len(managers_with_reports) >= 18
    assert manager_of[general_manager.pk] is None
    for employee_id in manager_of:
        seen = {employee_id}
        current = employee_id
        while manager_of[current] is not None:
            current = manager_of[current]
            assert current not in seen, f"cycle through employee {current}"
            seen.add(current)
        assert current == general_manager.pk


def test_personal_data_is_valid(company):  # noqa: ANN001
    employees = list(Employee.objects.filter(company=company))
    for employee in employees:
        id_number = decrypt_text(employee.id_number_encrypted)
        assert phone_error(employee.phone) is None, employee.phone
        assert email_error(employee.email) is None, employee.email
        assert employee.email.endswith("@jnjg.example.cn")
        assert id_number_error(id_number) is None, id_number
        assert id_number[6:14] == employee.birth_date.strftime("%Y%m%d")
        assert int(id_number[16]) % 2 == (1 if employee.gender == Gender.MALE else 0)
        assert (employee.hire_date - employee.birth_date).days >= 18 * 365
    assert len({employee.phone for employee in employees}) == len(employees)
    assert len({employee.id_number_digest for employee in employees}) == len(employees)


def test_statuses_contracts_and_history_look_like_a_real_company(company):  # noqa: ANN001
    today = timezone.localdate()
    employees = Employee.objects.filter(company=company)
    on_probation = employees.filter(status=EmployeeStatus.PROBATION)
    assert on_probation.count() >= 10
    assert not on_probation.filter(probation_end_date__lte=today).exists()
    assert employees.filter(status=EmployeeStatus.ON_LEAVE).count() >= 3
    assert employees.filter(employment_type="dispatched").count() >= 10
    assert employees.filter(employment_type="intern").exists()
    assert employees.filter(hire_date__lt=date(today.year - 10, 1, 1)).count() >= 20  # hire dates spread over years
    assert not employees.filter(contracts__isnull=True).exists()
    contracts = Contract.objects.filter(employee__company=company)
    assert contracts.filter(contract_type="fixed_term").count() > contracts.count() / 2
    events = EmploymentEvent.objects.filter(employee__company=company)
    assert events.filter(event_type=EmploymentEventType.PROMOTION).count() >= 5
    assert events.filter(event_type=EmploymentEventType.TRANSFER).count() >= 3


def test_each_demo_user_has_the_documented_role_and_scope(company):  # noqa: ANN001
    for username, (role, scope_type, scope_target, department) in DEMO_USERS.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.employee.department.name == department, username
        grants = list(RoleAssignment.objects.filter(user=user).select_related("branch", "department"))
        assert [(grant.role, grant.scope_type) for grant in grants] == [(role, scope_type)], username
        grant = grants[0]
        assert grant.company_id == company.pk
        target = grant.branch or grant.department
        assert (target.name if target else None) == scope_target, username
    manager = User.objects.get(username="manager")
    assert manager.employee.headed_departments.get().name == "生产部"  # the manager IS the head of 生产部
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)


def test_every_department_head_manages_their_subtree(company):  # noqa: ANN001
    for department in Department.objects.filter(company=company).exclude(name="总经办").select_related("head__user"):
        assert department.head.user is not None, department
        assert RoleAssignment.objects.filter(
            user=department.head.user, role=Role.DEPARTMENT_MANAGER, scope_type=ScopeType.DEPARTMENT, department=department
        ).exists(), department


def test_demo_scopes_show_the_right_people(company):  # noqa: ANN001
    production = Department.objects.get(company=company, name="生产部")
    in_production = Employee.objects.filter(department__path__startswith=production.path)
    assert _ids(employees_visible_to(User.objects.get(username="manager"))) == _ids(in_production)
    plant_and_self = Employee.objects.filter(department__branch__name="苏州工厂") | Employee.objects.filter(user__username="hrbp")
    assert _ids(employees_visible_to(User.objects.get(username="hrbp"))) == _ids(plant_and_self)
    assert list(employees_visible_to(User.objects.get(username="employee"))) == [User.objects.get(username="employee").employee]


def _ids(queryset) -> set[int]:  # noqa: ANN001
    return set(queryset.values_list("pk", flat=True))


def test_everything_was_written_through_the_audited_services(company):  # noqa: ANN001
    report = verify_audit_chain()
    assert report.ok, report.problem
    assert AuditEvent.objects.filter(action="employee.create").count() == Employee.objects.filter(company=company).count()
    assert AuditEvent.objects.filter(action="contract.create").count() == Contract.objects.filter(employee__company=company).count()
    assert AuditEvent.objects.filter(action="role.grant").count() == RoleAssignment.objects.filter(company=company).count()


def test_seeding_again_changes_nothing(company):  # noqa: ANN001
    counts = (Employee.objects.count(), Department.objects.count(), User.objects.count(), AuditEvent.objects.count())
    assert seed_demo_company() is None
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert "already seeded" in output.getvalue()
    assert (Employee.objects.count(), Department.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts


def test_demo_logins_lists_every_demo_user(company):  # noqa: ANN001
    output = StringIO()
    call_command("demo_logins", stdout=output)
    text = output.getvalue()
    for username in [*DEMO_USERS, "admin"]:
        assert f" {username} " in text
    assert DEMO_PASSWORD in text and "department 生产部 (subtree)" in text and "branch 苏州工厂" in text


def test_the_plan_is_reproducible():
    today = date(2026, 3, 2)
    first, second = plan_people(today=today), plan_people(today=today)
    assert [(plan.name, plan.employee_number, plan.id_number, plan.hire_date) for plan in first] == [
        (plan.name, plan.employee_number, plan.id_number, plan.hire_date) for plan in second
    ]
