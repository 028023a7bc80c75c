"""Export of the directory's filtered list: scope, masking per role, headers per language,
audited, no query per row."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from hris.audit.models import AuditEvent
from hris.core.protected import encrypt_text, keyed_digest, mask_email, mask_phone
from hris.people.models import Employee
from hris.people.tests.importing.helpers import with_check_digit
from hris.tests.factories import EmployeeFactory
from hris.tests.world import VISIBLE_EMPLOYEES

ENGLISH_HEADERS = [
    "Employee number",
    "Name",
    "English name",
    "Gender",
    "Department",
    "Position",
    "Manager",
    "Hire date",
    "Probation end",
    "Employment type",
    "Status",
    "Mobile",
    "Email",
    "ID number",
    "Birth date",
    "Work location",
]


def _export(client, query: str = ""):  # noqa: ANN001, ANN202
    response = client.get(f"/people/export/{query}")
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith('attachment; filename="employees-')
    rows = [list(row) for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)]
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _numbers(world, keys) -> set[str]:  # noqa: ANN001
    return {world.employees[key].employee_number for key in keys}


def test_hr_admin_exports_the_whole_company_unmasked_and_it_is_audited(world, client):
    client.force_login(world.user("hr_admin"))
    worker = world.employee("w1_worker")
    id_number = with_check_digit("11010519900307123")
    Employee.objects.filter(pk=worker.pk).update(id_number_encrypted=encrypt_text(id_number), id_number_digest=keyed_digest(id_number))

    headers, rows = _export(client)

    assert headers == ENGLISH_HEADERS
    assert {row["Employee number"] for row in rows} == _numbers(world, VISIBLE_EMPLOYEES["hr_admin"])
    exported = next(row for row in rows if row["Employee number"] == worker.employee_number)
    assert exported["Name"] == "李工人"
    assert exported["Department"] == "总经办/生产部/一车间"
    assert exported["Position"] == "操作工"
    assert exported["Manager"] == world.employee("w1_lead").employee_number
    assert exported["Hire date"].date() == worker.hire_date
    assert (exported["Employment type"], exported["Status"]) == ("Full-time", "Active")
    assert (exported["Mobile"], exported["Email"]) == (worker.phone, worker.email)
    assert exported["ID number"] == id_number[:6] + "********" + id_number[-4:]  # never in clear
    event = AuditEvent.objects.get(action="employees.export")
    assert event.after == {"filter": {}, "rows": len(VISIBLE_EMPLOYEES["hr_admin"])}
    assert event.actor_id == world.users["hr_admin"].pk


def test_department_manager_gets_the_subtree_with_contacts_masked_except_their_own(world, client):
    client.force_login(world.user("prod_head"))
    _headers, rows = _export(client)
    assert {row["Employee number"] for row in rows} == _numbers(world, VISIBLE_EMPLOYEES["prod_head"])
    for row in rows:
        employee = Employee.objects.get(employee_number=row["Employee number"])
        if employee.pk == world.employees["prod_head"].pk:
            assert (row["Mobile"], row["Email"]) == (employee.phone, employee.email)
        else:
            assert (row["Mobile"], row["Email"]) == (mask_phone(employee.phone), mask_email(employee.email))
            assert "*" in row["Mobile"]
        assert row["ID number"] is None


def test_hrbp_export_is_the_branch_and_unmasked_there(world, client):
    client.force_login(world.user("hrbp"))
    _headers, rows = _export(client)
    # export is not a self capability: the HRBP's own record (HQ) is not in the plant export
    assert {row["Employee number"] for row in rows} == _numbers(world, {"prod_head", "w1_lead", "w1_worker", "w2_worker"})
    assert all("*" not in row["Mobile"] for row in rows)


def test_export_applies_the_directory_filters_and_records_them(world, client):
    client.force_login(world.user("hr_admin"))
    _headers, rows = _export(client, f"?department={world.workshop1.pk}&status=active&q=&page=3")
    assert {row["Employee number"] for row in rows} == _numbers(world, {"w1_lead", "w1_worker"})
    assert AuditEvent.objects.get(action="employees.export").after == {
        "filter": {"department": world.workshop1.pk, "status": "active"},
        "rows": 2,
    }
    _headers, rows = _export(client, "?q=李工")
    assert [row["Name"] for row in rows] == ["李工人"]


def test_export_headers_follow_the_active_language(world, client):
    client.force_login(world.user("hr_admin"))
    client.cookies["django_language"] = "zh-hans"
    headers, rows = _export(client, f"?department={world.workshop1.pk}")
    assert headers[:7] == ["工号", "姓名", "英文名", "性别", "部门", "职位", "直属上级"]
    assert {row["状态"] for row in rows} == {"在职"}
    assert {row["用工类型"] for row in rows} == {"全职"}


@pytest.mark.parametrize("user", ["w1_worker", "recruiter", "interviewer"])
def test_roles_without_export_are_refused_and_nothing_is_audited(world, client, user):
    client.force_login(world.user(user))
    assert client.get("/people/export/").status_code == 403
    assert not AuditEvent.objects.filter(action="employees.export").exists()


def test_export_makes_no_query_per_row(world, client):
    client.force_login(world.user("hr_admin"))
    client.get("/people/export/")  # the first request also sets up the session and the audit chain
    with CaptureQueriesContext(connection) as small:
        client.get("/people/export/")
    for number in range(40):
        EmployeeFactory(
            department=world.workshop2,
            manager=world.employees["prod_head"],
            position=world.worker_position,
            employee_number=f"X{number:03d}",
        )
    with CaptureQueriesContext(connection) as large:
        _headers, rows = _export(client)
    assert len(rows) == len(VISIBLE_EMPLOYEES["hr_admin"]) + 40
    assert len(large.captured_queries) == len(small.captured_queries)
