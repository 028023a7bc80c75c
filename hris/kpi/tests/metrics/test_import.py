"""Metric data files: preview with per-row errors, error file, commit of the valid rows only."""

from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.kpi.importing.metrics import metrics_error_file, metrics_file_check, metrics_file_commit
from hris.kpi.models import MetricRecord
from hris.kpi.tests.builders import workbook_bytes
from hris.people.importing.reading import read_sheet

HEADERS = ["工号", "部门编码", "指标键", "日期", "数值", "来源", "外部编号", "备注"]


@pytest.fixture
def upload(world):  # noqa: ANN001
    w1, w2 = world.employees["w1_worker"].employee_number, world.employees["w2_worker"].employee_number
    return workbook_bytes(
        [
            HEADERS,
            [w1, None, "output", "2025-03-10", 12, "erp", "E-1", "首件"],
            [w2, None, "output", "2025/3/11", "8.5", None, None, None],
            ["NOPE", None, "output", "2025-03-10", 1, "erp", "E-2", None],
            [None, "workshop1", "defects", "2025年3月12日", 2, None, None, None],
            [w1, None, "output", "someday", "many", "erp", "E-3", None],
            [w1, "workshop1", "output", "2025-03-10", 1, "erp", "E-4", None],
        ]
    )


def check(world, content: bytes, filename: str = "metrics.xlsx", actor: str = "hr_admin"):  # noqa: ANN001, ANN201
    return metrics_file_check(actor=world.user(actor), company=world.company, content=content, filename=filename)


def test_the_preview_lists_every_rows_outcome_and_writes_nothing(world, upload):  # noqa: ANN001
    outcome = check(world, upload)

    assert outcome.file_errors == []
    assert [(row.row_number, row.action, row.errors) for row in outcome.rows] == [
        (2, "create", []),
        (3, "create", []),
        (4, "error", ["工号: No employee has the number “NOPE”."]),
        (5, "create", []),
        (6, "error", ["日期: “someday” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日.", "数值: “many” is not a number."]),
        (7, "error", ["部门编码: Give only one of employee_id, employee_number and department_code."]),
    ]
    assert not MetricRecord.objects.exists()


def test_commit_stores_the_valid_rows_and_reports_the_others(world, upload, recompute_requests):  # noqa: ANN001
    result = metrics_file_commit(actor=world.user("hr_admin"), company=world.company, content=upload, filename="metrics.xlsx")

    assert result.stored == 3
    assert [row.row_number for row in result.outcome.error_rows] == [4, 6, 7]
    stored = MetricRecord.objects.order_by("id")
    assert [
        (row.employee_id, row.department_id, row.metric_key, str(row.period_start), row.value, row.source, row.note) for row in stored
    ] == [
        (world.employees["w1_worker"].pk, None, "output", "2025-03-10", Decimal("12.0000"), "erp", "首件"),
        (world.employees["w2_worker"].pk, None, "output", "2025-03-11", Decimal("8.5000"), "manual", ""),
        (None, world.workshop1.pk, "defects", "2025-03-12", Decimal("2.0000"), "manual", ""),
    ]
    assert {row.batch_id for row in stored} == {result.batch_id}
    event = AuditEvent.objects.get(action="kpi.metric_records_submitted")
    assert (event.after["created"], event.after["rejected"]) == (3, 3)


def test_importing_the_same_file_again_stores_nothing_new(world, upload):  # noqa: ANN001
    metrics_file_commit(actor=world.user("hr_admin"), company=world.company, content=upload, filename="metrics.xlsx")

    again = metrics_file_commit(actor=world.user("hr_admin"), company=world.company, content=upload, filename="metrics.xlsx")

    assert again.stored == 0
    assert [row.action for row in again.outcome.rows] == ["unchanged", "unchanged", "error", "unchanged", "error", "error"]
    assert MetricRecord.objects.count() == 3


def test_the_error_file_is_the_upload_with_an_errors_column(world, upload):  # noqa: ANN001
    outcome = check(world, upload)

    sheet = read_sheet(metrics_error_file(content=upload, filename="metrics.xlsx", outcome=outcome), "errors.xlsx")

    assert sheet.headers == [*HEADERS, "Errors"]
    assert [values[0] for _row, values in sheet.rows][2] == "NOPE"
    assert [values[-1] for _row, values in sheet.rows] == [
        None,
        None,
        "工号: No employee has the number “NOPE”.",
        None,
        "日期: “someday” is not a date; write it as 2024-03-01, 2024/3/1 or 2024年3月1日.\n数值: “many” is not a number.",
        "部门编码: Give only one of employee_id, employee_number and department_code.",
    ]


def test_a_csv_file_with_english_headers_and_periods(world):  # noqa: ANN001
    number = world.employees["w1_worker"].employee_number
    header = "Employee number,Metric key,Period start,Period end,Value,External id"
    content = f'{header}\n{number},output,2025-03-01,2025-03-31,"1,200",M-1\n'.encode()

    result = metrics_file_commit(actor=world.user("hrbp"), company=world.company, content=content, filename="metrics.csv")

    assert (result.stored, result.outcome.error_rows) == (1, [])
    stored = MetricRecord.objects.get()
    assert (str(stored.period_start), str(stored.period_end), stored.value, stored.external_id) == (
        "2025-03-01",
        "2025-03-31",
        Decimal("1200.0000"),
        "M-1",
    )


def test_a_file_without_owner_or_date_columns_is_refused_whole(world):  # noqa: ANN001
    content = workbook_bytes([["指标键", "数值"], ["output", 1]])

    result = metrics_file_commit(actor=world.user("hr_admin"), company=world.company, content=content, filename="metrics.xlsx")

    assert result.outcome.file_errors == [
        "Add a column “工号” (Employee number) or “部门编码” (Department code).",
        "Add a column “日期” (Date), or both “开始日期” and “结束日期” (Period start and end).",
    ]
    assert (result.stored, result.batch_id) == (0, None)
    assert not MetricRecord.objects.exists()


def test_rows_outside_the_importers_scope_are_errors(world):  # noqa: ANN001
    content = workbook_bytes([HEADERS, [world.employees["sales_rep"].employee_number, None, "output", "2025-03-10", 1, None, None, None]])

    outcome = check(world, content, actor="hrbp")

    assert [row.errors for row in outcome.rows] == [[f"工号: You are not allowed to write metrics for {world.employee('sales_rep')}."]]
