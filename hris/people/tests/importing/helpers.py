"""Spreadsheets built in memory and the upload → preview → commit steps, for import tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from hris.audit.models import AuditEvent
from hris.org.models import Department
from hris.people.models import Employee, EmploymentEvent
from hris.people.models_import import ImportJob

EMPLOYEE_HEADERS_ZH = ["工号", "姓名", "部门", "入职日期"]
EMPLOYEE_HEADERS_EN = ["Employee number", "Name", "Department", "Hire date"]


def xlsx_bytes(rows: Sequence[Sequence[object]], *, number_formats: dict[tuple[int, int], str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for (row, column), number_format in (number_formats or {}).items():
        sheet.cell(row=row, column=column).number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def snapshot() -> dict[str, int]:
    """What an import may write: when it must write nothing, all of these stay equal."""
    return {
        "employees": Employee.objects.count(),
        "departments": Department.objects.count(),
        "employment_events": EmploymentEvent.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def upload(
    client: Client, content: bytes, filename: str = "employees.xlsx", *, kind: str = "employees", mode: str = "create", company=None
):  # noqa: ANN001, ANN201
    data = {"kind": kind, "mode": mode, "file": _named(content, filename)}
    if company is not None:
        data["company"] = company.pk
    return client.post(reverse("people:import"), data)


def _named(content: bytes, filename: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = filename
    return handle


def latest_job() -> ImportJob:
    return ImportJob.objects.order_by("-id").first()


def commit(client: Client, job: ImportJob):  # noqa: ANN201
    return client.post(reverse("people:import_job_commit", kwargs={"job_id": job.pk}))


def row_errors(job: ImportJob) -> dict[int, list[str]]:
    job.refresh_from_db()
    return {row_number: messages for row_number, messages in job.errors.get("rows", [])}


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check_digit(first17: str) -> str:
    """A mainland ID number with the right GB 11643 check digit."""
    return first17 + "10X98765432"[sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True)) % 11]
