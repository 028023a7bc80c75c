"""Every error case of an employees file: the preview names the row and the problem, the
commit button stays disabled, and nothing is written — not by the upload, not by a
commit attempt."""

from datetime import date, datetime

import pytest

from hris.accounts.models import RoleAssignment
from hris.accounts.roles import Role, ScopeType
from hris.people.models_import import ImportJob, ImportStatus
from hris.people.tests.importing.helpers import (
    EMPLOYEE_HEADERS_ZH,
    commit,
    csv_bytes,
    latest_job,
    row_errors,
    snapshot,
    upload,
    with_check_digit,
    xlsx_bytes,
)
from hris.tests.factories import make_department

HIRE = date(2024, 3, 1)


def _rejected(client, content: bytes, filename: str = "employees.xlsx", *, mode: str = "create") -> ImportJob:  # noqa: ANN001
    """Upload, expect a preview that cannot be committed, try to commit anyway; nothing written."""
    before = snapshot()
    response = upload(client, content, filename, mode=mode)
    assert response.status_code == 302
    job = latest_job()
    assert job.status == ImportStatus.VALIDATED
    assert not job.can_commit
    assert client.get(response["Location"]).status_code == 200
    assert commit(client, job).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    assert job.committed_at is None
    assert snapshot() == before
    return job


def test_missing_required_column_is_a_file_error_before_any_row_check(world, hr_client):
    # Given a file without the hire date column
    content = xlsx_bytes([["工号", "姓名", "部门"], ["A1001", "张三", "一车间"]])

    # When it is uploaded
    job = _rejected(hr_client, content)

    # Then the file as a whole is refused and no row was checked
    assert job.errors["file"] == ["The required column “入职日期” (Hire date) is missing."]
    assert job.rows == []
    page = hr_client.get(f"/people/import/{job.pk}/").content.decode()
    assert "The required column “入职日期” (Hire date) is missing." in page
    assert 'id="import-commit" disabled' in page


def test_bad_date_is_a_row_error(world, hr_client):
    content = xlsx_bytes(
        [
            EMPLOYEE_HEADERS_ZH,
            ["A1001", "张三", "一车间", "2024-02-30"],
            ["A1002", "李四", "一车间", "next monday"],
            ["A1003", "王五", "一车间", HIRE],
        ]
    )
    job = _rejected(hr_client, content)
    assert row_errors(job) == {
        2: ["入职日期: “2024-02-30” is not a valid date."],
        3: ["入职日期: “next monday” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日."],
    }
    assert job.summary["counts"] == {"create": 1, "update": 0, "unchanged": 0, "error": 2, "total": 3, "warnings": 0}


def test_unknown_department_is_a_row_error(world, hr_client):
    content = xlsx_bytes([EMPLOYEE_HEADERS_ZH, ["A1001", "张三", "研发部", HIRE]])
    job = _rejected(hr_client, content)
    assert row_errors(job) == {2: ["部门: Unknown department “研发部”: no department has this code, name or path."]}


def test_ambiguous_department_name_lists_the_candidates(world, hr_client):
    # Given two departments called 一车间
    make_department(company=world.company, name="一车间", code="sales-w1", parent=world.sales)
    content = xlsx_bytes([EMPLOYEE_HEADERS_ZH, ["A1001", "张三", "一车间", HIRE], ["A1002", "李四", "生产部/一车间", HIRE]])

    job = _rejected(hr_client, content)

    # Then the bare name is ambiguous and the path is not
    assert row_errors(job) == {
        2: [
            "部门: “一车间” matches several departments: 总经办/生产部/一车间 (workshop1); 总经办/销售部/一车间 (sales-w1). "
            "Write the department code or its path, e.g. “生产部/一车间”."
        ]
    }
    assert [row[1] for row in job.rows] == ["error", "create"]


def test_duplicate_employee_number_in_the_file_marks_every_copy(world, hr_client):
    content = xlsx_bytes(
        [
            EMPLOYEE_HEADERS_ZH,
            ["A1001", "张三", "一车间", HIRE],
            ["A1002", "李四", "一车间", HIRE],
            [None, None, None, None],  # a blank row: later rows keep their spreadsheet numbers
            ["A1001", "王五", "二车间", HIRE],
        ]
    )
    job = _rejected(hr_client, content)
    message = "工号: The employee number “A1001” appears more than once in this file (rows 2, 5)."
    assert row_errors(job) == {2: [message], 5: [message]}


def test_employee_number_of_an_existing_employee_is_an_error_when_only_adding(world, hr_client):
    existing = world.employee("w1_worker")
    content = xlsx_bytes([EMPLOYEE_HEADERS_ZH, [existing.employee_number, "李工人", "一车间", HIRE]])
    job = _rejected(hr_client, content, mode="create")
    assert row_errors(job) == {
        2: [
            f"工号: The employee number “{existing.employee_number}” already exists (李工人). "
            "To change existing employees, import in an update mode."
        ]
    }


def test_reporting_cycle_inside_the_file_marks_each_row_of_the_cycle(world, hr_client):
    content = xlsx_bytes(
        [
            [*EMPLOYEE_HEADERS_ZH, "直属上级"],
            ["A1001", "张三", "一车间", HIRE, "A1002"],
            ["A1002", "李四", "一车间", HIRE, "A1003"],
            ["A1003", "王五", "一车间", HIRE, "A1001"],
            ["A1004", "赵六", "一车间", HIRE, "A1001"],  # reports into the cycle, is not part of it
        ]
    )
    job = _rejected(hr_client, content)
    assert row_errors(job) == {
        2: ["直属上级: This reporting line forms a cycle: A1001 → A1002 → A1003 → A1001."],
        3: ["直属上级: This reporting line forms a cycle: A1002 → A1003 → A1001 → A1002."],
        4: ["直属上级: This reporting line forms a cycle: A1003 → A1001 → A1002 → A1003."],
    }


def test_own_manager_is_an_error(world, hr_client):
    content = xlsx_bytes([[*EMPLOYEE_HEADERS_ZH, "直属上级"], ["A1001", "张三", "一车间", HIRE, "A1001"]])
    job = _rejected(hr_client, content)
    assert row_errors(job) == {2: ["直属上级: An employee cannot be their own manager."]}


def test_reporting_cycle_through_existing_employees_marks_the_rows_in_the_file(world, hr_client):
    # Given the stored line prod_head → ceo, a file that puts the ceo under a new hire who
    # reports to prod_head closes the cycle ceo → A2001 → prod_head → ceo
    ceo, prod_head = world.employee("ceo").employee_number, world.employee("prod_head").employee_number
    content = xlsx_bytes(
        [
            [*EMPLOYEE_HEADERS_ZH, "直属上级"],
            [ceo, "赵总", "root", date(2022, 3, 1), "A2001"],
            ["A2001", "新经理", "生产部", HIRE, prod_head],
        ]
    )
    job = _rejected(hr_client, content, mode="upsert")
    assert row_errors(job) == {
        2: [f"直属上级: This reporting line forms a cycle: {ceo} → A2001 → {prod_head} → {ceo}."],
        3: [f"直属上级: This reporting line forms a cycle: A2001 → {prod_head} → {ceo} → A2001."],
    }


def test_unknown_manager_is_an_error_with_a_hint_when_a_name_was_written(world, hr_client):
    lead = world.employee("w1_lead")
    content = xlsx_bytes(
        [
            [*EMPLOYEE_HEADERS_ZH, "直属上级"],
            ["A1001", "张三", "一车间", HIRE, "Z9999"],
            ["A1002", "李四", "一车间", HIRE, "孙班长"],
        ]
    )
    job = _rejected(hr_client, content)
    assert row_errors(job) == {
        2: ["直属上级: Unknown manager “Z9999”: no employee has this number, in this file or in the company."],
        3: [
            "直属上级: Unknown manager “孙班长”: no employee has this number, in this file or in the company. "
            f"“孙班长” is the name of {lead.employee_number}; write the employee number."
        ],
    }


def test_bad_phone_is_a_row_error(world, hr_client):
    content = xlsx_bytes([[*EMPLOYEE_HEADERS_ZH, "手机"], ["A1001", "张三", "一车间", HIRE, "12345"]])
    job = _rejected(hr_client, content)
    assert row_errors(job) == {2: ["手机: “12345” is not a valid mobile number (11 digits starting with 1, or +country code)."]}


def test_bad_email_is_a_row_error(world, hr_client):
    content = xlsx_bytes([[*EMPLOYEE_HEADERS_ZH, "邮箱"], ["A1001", "张三", "一车间", HIRE, "zhang@"]])
    job = _rejected(hr_client, content)
    assert row_errors(job) == {2: ["邮箱: “zhang@” is not a valid email address."]}


def test_bad_id_number_is_a_row_error(world, hr_client):
    valid = with_check_digit("11010519900307123")
    wrong_check_digit = valid[:-1] + ("1" if valid[-1] != "1" else "2")
    content = xlsx_bytes(
        [
            [*EMPLOYEE_HEADERS_ZH, "身份证号"],
            ["A1001", "张三", "一车间", HIRE, wrong_check_digit],
            ["A1002", "李四", "一车间", HIRE, "12345"],
            ["A1003", "王五", "一车间", HIRE, valid],
            ["A1004", "赵六", "一车间", HIRE, valid],
            ["A1005", "钱七", "一车间", HIRE, 110105199003071234],  # a number cell: Excel kept 15 digits
        ]
    )
    job = _rejected(hr_client, content)
    assert row_errors(job) == {
        2: ["身份证号: The ID number's check digit is wrong."],
        3: ["身份证号: An ID number has 17 digits followed by a digit or X."],
        4: ["身份证号: The same ID number appears in rows 4, 5."],
        5: ["身份证号: The same ID number appears in rows 4, 5."],
        6: ["身份证号: The ID number is stored as a number, which loses its last digits; format the column as text and type it again."],
    }


def test_department_outside_the_importers_scope_is_a_row_error(world, client):
    # Given the plant's HRBP, also granted HR admin over the plant branch so that they may
    # import (the plain HRBP role holds no import capability), the sales department (HQ) is
    # outside the scope in which they may add employees
    RoleAssignment.objects.create(
        user=world.users["hrbp"], role=Role.HR_ADMIN, scope_type=ScopeType.BRANCH, company=world.company, branch=world.plant
    )
    client.force_login(world.user("hrbp"))
    content = xlsx_bytes([EMPLOYEE_HEADERS_ZH, ["A1001", "张三", "销售部", HIRE], ["A1002", "李四", "一车间", HIRE]])

    job = _rejected(client, content)

    assert row_errors(job) == {2: ["部门: You are not allowed to add employees to “总经办/销售部”."]}
    assert [row[1] for row in job.rows] == ["error", "create"]


def test_updating_an_employee_outside_the_scope_is_a_row_error(world, client):
    RoleAssignment.objects.create(
        user=world.users["hrbp"], role=Role.HR_ADMIN, scope_type=ScopeType.BRANCH, company=world.company, branch=world.plant
    )
    client.force_login(world.user("hrbp"))
    rep, worker = world.employee("sales_rep"), world.employee("w1_worker")
    content = xlsx_bytes(
        [
            ["工号", "手机", "部门"],
            [rep.employee_number, "13900000001", ""],
            [worker.employee_number, "", "销售部"],
        ]
    )
    job = _rejected(client, content, mode="update")
    assert row_errors(job) == {
        2: [f"工号: You are not allowed to change {rep.employee_number} 郑业务."],
        3: ["部门: You are not allowed to move employees to “总经办/销售部”."],
    }


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("people.txt", "“people.txt” is not a supported file type; upload an Excel workbook (.xlsx) or a CSV file (.csv)."),
        ("people.xls", "“people.xls” is an old Excel 97–2003 workbook; open it in Excel and save it as .xlsx."),
    ],
)
def test_unsupported_file_type_is_refused_on_the_upload_form(world, hr_client, filename, message):
    before = snapshot()
    response = upload(hr_client, b"some bytes", filename)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert snapshot() == before


def test_empty_file_is_refused_on_the_upload_form(world, hr_client):
    before = snapshot()
    response = upload(hr_client, b"", "employees.csv")
    assert response.status_code == 400
    assert "The file is empty." in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert snapshot() == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "The file is empty: it has no header row and no data."),
        ([EMPLOYEE_HEADERS_ZH], "The file has a header row but no data rows."),
    ],
)
def test_workbook_without_data_is_a_file_error(world, hr_client, rows, message):
    job = _rejected(hr_client, xlsx_bytes(rows))
    assert job.errors["file"] == [message]


def test_file_that_is_not_really_a_workbook_is_a_file_error(world, hr_client):
    job = _rejected(hr_client, csv_bytes([EMPLOYEE_HEADERS_ZH]), "employees.xlsx")
    assert len(job.errors["file"]) == 1
    assert job.errors["file"][0].startswith("The file could not be read as an Excel workbook (.xlsx):")


def test_gbk_csv_is_decoded_and_its_rows_checked(world, hr_client):
    # Given a CSV saved by Chinese Excel (GBK, no BOM) with one bad row
    content = csv_bytes(
        [
            [*EMPLOYEE_HEADERS_ZH, "用工类型"],
            ["A1001", "张三", "一车间", "2024年3月1日", "全职"],
            ["A1002", "李四", "一车间", "2024/3/1", "临时工"],
        ],
        encoding="gbk",
    )
    job = _rejected(hr_client, content, "员工.csv")
    assert row_errors(job) == {
        3: [
            "用工类型: “临时工” is not one of: 全职, 兼职, 实习, 劳务派遣, 外包, 退休返聘 "
            "(or full_time, part_time, intern, dispatched, contractor, retiree_rehire)."
        ]
    }
    assert job.rows[0][:3] == [2, "create", "A1001 张三"]


def test_excel_date_cells_are_read_and_bad_cells_in_a_date_column_are_errors(world, hr_client):
    # Given real date cells, a date cell Excel stored as a serial number, and two bad cells
    content = xlsx_bytes(
        [
            EMPLOYEE_HEADERS_ZH,
            ["A1001", "张三", "一车间", datetime(2024, 3, 1)],
            ["A1002", "李四", "一车间", 45352],  # Excel's day number of 2024-03-01
            ["A1003", "王五", "一车间", True],
            ["A1004", "赵六", "一车间", 3_000_000],
        ],
        number_formats={(2, 4): "yyyy-mm-dd"},
    )
    job = _rejected(hr_client, content)
    assert row_errors(job) == {
        4: ["入职日期: “TRUE” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日."],
        5: ["入职日期: “3000000” is not a date."],
    }
    assert [row[1] for row in job.rows] == ["create", "create", "error", "error"]


def test_terminated_status_is_not_importable_for_a_new_employee(world, hr_client):
    content = xlsx_bytes([[*EMPLOYEE_HEADERS_ZH, "状态"], ["A1001", "张三", "一车间", HIRE, "离职"]])
    job = _rejected(hr_client, content)
    assert row_errors(job) == {2: ["状态: A new employee cannot be imported as terminated."]}


def test_missing_required_values_and_update_of_unknown_numbers_are_errors(world, hr_client):
    content = xlsx_bytes([EMPLOYEE_HEADERS_ZH, ["A1001", "", "一车间", None], ["", "李四", "一车间", HIRE]])
    job = _rejected(hr_client, content)
    assert row_errors(job) == {
        2: ["姓名: This field is required.", "入职日期: This field is required."],
        3: ["工号: This field is required."],
    }
    job = _rejected(hr_client, xlsx_bytes([["工号", "手机"], ["Z0001", "13900000001"]]), mode="update")
    assert row_errors(job) == {2: ["工号: No employee has the number “Z0001”; this mode only updates existing employees."]}


def test_import_cannot_change_an_employees_status(world, hr_client):
    worker = world.employee("w1_worker")
    job = _rejected(hr_client, xlsx_bytes([["工号", "状态"], [worker.employee_number, "休假"]]), mode="update")
    assert row_errors(job) == {
        2: ["状态: An import cannot change the status (now “Active”); confirm probation, leave or termination on the employee's page."]
    }
