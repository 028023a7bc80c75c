"""The commit is all-or-nothing, re-validates against the data as it is then, runs in a
Celery task for large files with progress counters, and the error file shows what to fix."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from hris.core.errors import DomainError
from hris.people.importing import employees as employee_importing
from hris.people.models import Employee
from hris.people.models_import import ImportStatus
from hris.people.tasks import commit_import_job, validate_import_job
from hris.people.tests.importing.helpers import EMPLOYEE_HEADERS_ZH, commit, csv_bytes, latest_job, snapshot, upload, xlsx_bytes
from hris.tests.factories import EmployeeFactory

HIRE = date(2024, 3, 1)


def _rows(count: int, *, prefix: str = "N") -> list[list[object]]:
    return [[f"{prefix}{number:05d}", f"员工{number}", "一车间", HIRE] for number in range(1, count + 1)]


def test_row_that_became_invalid_after_the_preview_makes_the_commit_write_nothing(world, hr_client):
    # Given a clean preview of three rows
    upload(hr_client, xlsx_bytes([EMPLOYEE_HEADERS_ZH, *_rows(3)]))
    job = latest_job()
    assert job.can_commit
    # and, before the commit, someone else hires N00003
    EmployeeFactory(department=world.workshop1, employee_number="N00003", name="抢先")
    before = snapshot()

    # When the preview is committed
    commit(hr_client, job)

    # Then the re-validation catches it, the job failed and nothing was written
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.failure_message == "The data changed since the preview and some rows are no longer valid. Nothing was imported."
    assert job.errors["rows"] == [
        [4, ["工号: The employee number “N00003” already exists (抢先). To change existing employees, import in an update mode."]]
    ]
    assert not job.can_commit
    assert snapshot() == before
    assert not Employee.objects.filter(employee_number__in=["N00001", "N00002"]).exists()


def test_service_refusing_a_row_midway_rolls_back_the_rows_already_saved(world, hr_client, monkeypatch):
    # Given a clean preview of five rows, and a service that refuses the third row it is given
    upload(hr_client, xlsx_bytes([EMPLOYEE_HEADERS_ZH, *_rows(5)]))
    job = latest_job()
    real_create = employee_importing.employee_create
    calls = []

    def refusing_create(**kwargs):  # noqa: ANN003, ANN202
        calls.append(kwargs["employee_number"])
        if len(calls) == 3:
            raise DomainError("The employee data is not valid.", field_errors={"hire_date": ["Refused for the test."]})
        return real_create(**kwargs)

    monkeypatch.setattr(employee_importing, "employee_create", refusing_create)
    before = snapshot()

    commit(hr_client, job)

    # Then the two rows saved before were rolled back with it
    job.refresh_from_db()
    assert calls == ["N00001", "N00002", "N00003"]
    assert job.status == ImportStatus.FAILED
    assert job.failure_message == "Row 4 could not be saved, so nothing was imported: 入职日期: Refused for the test."
    assert [row for row in job.rows if row[0] == 4] == [[4, "error", "N00003 员工3", ["入职日期: Refused for the test."], []]]
    assert snapshot() == before
    assert not Employee.objects.filter(employee_number__startswith="N0").exists()


def test_commit_of_a_committed_job_does_nothing(world, hr_client):
    upload(hr_client, xlsx_bytes([EMPLOYEE_HEADERS_ZH, *_rows(2)]))
    job = latest_job()
    commit(hr_client, job)
    after_first = snapshot()
    commit(hr_client, job)
    commit_import_job(job.pk)  # a redelivered task
    assert snapshot() == after_first
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED


def test_large_file_is_validated_and_committed_in_the_background_with_progress(
    world, hr_client, settings, django_capture_on_commit_callbacks
):
    # Given a threshold below the file's size
    settings.RENSHI_IMPORT_ASYNC_THRESHOLD = 5
    content = xlsx_bytes([EMPLOYEE_HEADERS_ZH, *_rows(12)])

    # When it is uploaded, the job is queued (the task runs once the request's transaction commits)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(hr_client, content)
    job = latest_job()
    assert job.run_in_background
    assert job.status == ImportStatus.VALIDATING
    assert len(callbacks) == 1
    page = hr_client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="/people/import/{job.pk}/progress/"' in page
    progress = hr_client.get(f"/people/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    assert "HX-Refresh" not in progress

    # and the worker runs it
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert (job.processed_rows, job.total_rows) == (12, 12)
    assert job.summary["counts"]["create"] == 12
    validate_import_job(job.pk)  # a redelivered task changes nothing
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED

    # Then polling tells the page to reload, and the commit is queued the same way
    finished = hr_client.get(f"/people/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        commit(hr_client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED
    assert (job.processed_rows, job.total_rows) == (12, 12)
    assert snapshot()["employees"] == before["employees"] + 12


def test_error_file_has_the_original_rows_and_an_errors_column(world, hr_client):
    content = xlsx_bytes(
        [
            [*EMPLOYEE_HEADERS_ZH, "手机"],
            ["A1001", "张三", "一车间", HIRE, "13800138000"],
            ["A1002", "李四", "研发部", "2024-02-30", "12345"],
        ]
    )
    upload(hr_client, content)
    job = latest_job()

    response = hr_client.get(f"/people/import/{job.pk}/errors.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="employees-errors.xlsx"'
    rows = [list(row) for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)]
    assert rows == [
        ["工号", "姓名", "部门", "入职日期", "手机", "Errors"],
        ["A1001", "张三", "一车间", datetime(2024, 3, 1), "13800138000", None],
        [
            "A1002",
            "李四",
            "研发部",
            "2024-02-30",
            "12345",
            "部门: Unknown department “研发部”: no department has this code, name or path.\n"
            "入职日期: “2024-02-30” is not a valid date.\n"
            "手机: “12345” is not a valid mobile number (11 digits starting with 1, or +country code).",
        ],
    ]


def test_error_file_never_turns_uploaded_text_into_formulas(world, hr_client):
    upload(hr_client, csv_bytes([[*EMPLOYEE_HEADERS_ZH, "英文名"], ["A1001", "张三", "研发部", "2024-03-01", '=HYPERLINK("x")']]), "e.csv")
    response = hr_client.get(f"/people/import/{latest_job().pk}/errors.xlsx")
    cell = load_workbook(io.BytesIO(response.content)).worksheets[0].cell(row=2, column=5)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")


def test_corrected_error_file_can_be_uploaded_again(world, hr_client):
    upload(hr_client, xlsx_bytes([EMPLOYEE_HEADERS_ZH, ["A1001", "张三", "研发部", HIRE]]))
    error_file = hr_client.get(f"/people/import/{latest_job().pk}/errors.xlsx").content
    workbook = load_workbook(io.BytesIO(error_file))
    workbook.worksheets[0].cell(row=2, column=3).value = "一车间"
    buffer = io.BytesIO()
    workbook.save(buffer)

    upload(hr_client, buffer.getvalue(), "employees-errors.xlsx")

    job = latest_job()
    assert job.summary["warnings"] == []  # the errors column is recognised, not "unknown"
    assert job.can_commit


@pytest.mark.parametrize("kind", ["employees", "departments"])
def test_templates_have_chinese_headers_and_an_example_row(world, hr_client, kind):
    response = hr_client.get(f"/people/import/template/{kind}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    expected = (
        [
            "工号",
            "姓名",
            "英文名",
            "部门",
            "职位",
            "直属上级",
            "入职日期",
            "转正日期",
            "用工类型",
            "状态",
            "手机",
            "邮箱",
            "身份证号",
            "性别",
            "出生日期",
            "工作地点",
        ]
        if kind == "employees"
        else ["部门编码", "部门名称", "上级部门编码", "英文名称", "分支机构"]
    )
    assert rows[0] == expected
    assert len(rows) == 2
    assert rows[1][0] == ("A1001" if kind == "employees" else "assembly")
