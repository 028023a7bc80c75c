"""Metric data files: one metric record per row, checked exactly like the ingestion API checks a batch.

`metrics_file_check` is the preview (every row: created / superseded / duplicate, or its
errors); `metrics_file_commit`, called once the user confirms, checks again and stores the
valid rows — the rows with errors come back listed, never silently dropped;
`metrics_error_file` is the upload plus an errors column.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from hris.kpi.importing.common import ReadUpload, error_workbook, read_upload
from hris.kpi.services.metric_plan import CREATED, DUPLICATE, SUPERSEDED, RecordOutcome, plan_metric_batch
from hris.kpi.services.metrics import metric_records_submit
from hris.org.models import Company
from hris.people.importing.columns import Column
from hris.people.importing.results import CREATE, ERROR, UNCHANGED, UPDATE, Outcome, RowResult
from hris.people.importing.values import cell_text

METRIC_COLUMNS: tuple[Column, ...] = (
    Column("employee_number", "工号", "Employee number", ("员工编号", "员工号", "employee number", "employee_number"), example="A1001"),
    Column("department_code", "部门编码", "Department code", ("部门代码", "department code", "department_code"), example=""),
    Column("metric_key", "指标键", "Metric key", ("指标键名", "metric key", "metric_key", "metric"), required=True, example="output"),
    Column("date", "日期", "Date", ("数据日期", "date"), example="2025-03-31"),
    Column("period_start", "开始日期", "Period start", ("开始", "起始日期", "period start", "period_start", "start"), example=""),
    Column("period_end", "结束日期", "Period end", ("结束", "截止日期", "period end", "period_end", "end"), example=""),
    Column("value", "数值", "Value", ("值", "数据", "value"), required=True, example="1200"),
    Column("source", "来源", "Source", ("数据来源", "source"), example="erp"),
    Column("external_id", "外部编号", "External id", ("外部id", "外部ID", "external id", "external_id"), example="ERP-2025-0001"),
    Column("note", "备注", "Note", ("说明", "note", "remark"), example=""),
)
TEXT_COLUMNS = ("employee_number", "department_code", "metric_key", "source", "external_id", "note")
VALUE_COLUMNS = ("value", "date", "period_start", "period_end")
ACTION_OF_STATUS = {CREATED: CREATE, SUPERSEDED: UPDATE, DUPLICATE: UNCHANGED}
# Errors about the owner in general are shown under the employee number column.
COLUMN_OF_FIELD = {"employee": "employee_number", "employee_id": "employee_number"}


@dataclass
class MetricsImportCommit:
    outcome: Outcome  # every row: what was stored, or its errors
    batch_id: uuid.UUID | None
    stored: int  # rows created or superseding a previous value


def _read(content: bytes, filename: str) -> ReadUpload:
    upload = read_upload(content, filename, METRIC_COLUMNS)
    if upload.mapping is None:
        return upload
    present = set(upload.mapping.by_key)
    if not present & {"employee_number", "department_code"}:
        upload.outcome.file_errors.append(_("Add a column “工号” (Employee number) or “部门编码” (Department code)."))
    if "date" not in present and not {"period_start", "period_end"} <= present:
        upload.outcome.file_errors.append(_("Add a column “日期” (Date), or both “开始日期” and “结束日期” (Period start and end)."))
    return upload


def _records(upload: ReadUpload) -> list[dict[str, Any]]:
    records = []
    for _row_number, values in upload.sheet.rows:
        record: dict[str, Any] = {}
        for key, index in upload.mapping.by_key.items():
            if key in TEXT_COLUMNS:
                record[key] = cell_text(values[index])
            elif values[index] is not None and cell_text(values[index]) != "":
                record[key] = values[index]
        records.append(record)
    return records


def _row_results(upload: ReadUpload, outcomes: list[RecordOutcome]) -> list[RowResult]:
    header_of = upload.mapping.header_of
    rows = []
    for (row_number, values), outcome in zip(upload.sheet.rows, outcomes, strict=True):
        result = RowResult(row_number)
        number = cell_text(values[upload.mapping.by_key["employee_number"]]) if "employee_number" in upload.mapping.by_key else ""
        metric = cell_text(values[upload.mapping.by_key["metric_key"]])
        result.key, result.label = outcome.external_id, " · ".join(part for part in (number, metric) if part)
        columns = {field_name: COLUMN_OF_FIELD.get(field_name, field_name) for field_name in outcome.errors}
        # in the file's column order, as the user reads the row
        for field_name in sorted(outcome.errors, key=lambda name: upload.mapping.by_key.get(columns[name], len(values))):
            label = header_of.get(columns[field_name], "")
            result.errors.extend(f"{label}: {message}" if label else message for message in outcome.errors[field_name])
        result.finish(ACTION_OF_STATUS.get(outcome.status, ERROR))
        rows.append(result)
    return rows


def metrics_file_check(*, actor: Any, company: Company, content: bytes, filename: str, source_default: str = "manual") -> Outcome:
    """The preview: each row's errors or what storing it would do; nothing is written."""
    upload = _read(content, filename)
    if not upload.readable:
        return upload.outcome
    plan = plan_metric_batch(actor=actor, company=company, records=_records(upload), source_default=source_default)
    upload.outcome.rows = _row_results(upload, plan.outcomes)
    return upload.outcome


def metrics_file_commit(
    *, actor: Any, company: Company, content: bytes, filename: str, source_default: str = "manual", batch_id: Any = None
) -> MetricsImportCommit:
    """Check the file again and store its valid rows through metric_records_submit (one batch, one audit event)."""
    upload = _read(content, filename)
    if not upload.readable:
        return MetricsImportCommit(upload.outcome, None, 0)
    result = metric_records_submit(actor=actor, company=company, records=_records(upload), source_default=source_default, batch_id=batch_id)
    upload.outcome.rows = _row_results(upload, result.outcomes)
    return MetricsImportCommit(upload.outcome, result.batch_id, result.counts[CREATED] + result.counts[SUPERSEDED])


def metrics_error_file(*, content: bytes, filename: str, outcome: Outcome) -> bytes:
    return error_workbook(content, filename, outcome)
