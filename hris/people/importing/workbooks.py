"""XLSX files we hand out: import templates and the error file of a validated upload."""

from __future__ import annotations

import io
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hris.people.importing.columns import DEPARTMENT_COLUMNS, EMPLOYEE_COLUMNS, Column
from hris.people.importing.reading import FileProblem
from hris.people.importing.values import CHINESE_LABELS
from hris.people.models_import import ImportJob, ImportKind

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")
ERROR_FONT = Font(color="9C0006")
DATE_FORMAT = "yyyy-mm-dd"


def write_only_cell(worksheet, value: object, **style: object) -> WriteOnlyCell:  # noqa: ANN001
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text from a file or a person never becomes a formula
    if isinstance(value, date | datetime):
        cell.number_format = DATE_FORMAT
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _accepted_values(column: Column) -> str:
    if column.key in CHINESE_LABELS:
        return "、".join(CHINESE_LABELS[column.key].values())
    return {
        "hire_date": "2024-03-01 / 2024/3/1 / 2024年3月1日",
        "probation_end_date": "2024-06-01",
        "birth_date": "1995-08-15",
        "department": _("department code, name, or path such as 生产部/一车间"),
        "position": _("position code or title"),
        "manager": _("the manager's employee number (in this file or already in the system)"),
        "parent_code": _("code of an existing department or of another row of this file; empty for a top-level department"),
        "branch": _("branch code or name"),
        "code": _("letters, digits, hyphens and underscores"),
    }.get(column.key, "")


def import_template(kind: str) -> bytes:
    """A workbook with the Chinese headers, one example row and a notes sheet."""
    columns = DEPARTMENT_COLUMNS if kind == ImportKind.DEPARTMENTS else EMPLOYEE_COLUMNS
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "部门" if kind == ImportKind.DEPARTMENTS else "员工"
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.chinese)
        cell.font = HEADER_FONT
        if column.required:
            cell.fill = REQUIRED_FILL
        cell.comment = Comment(f"{column.english}{' *' if column.required else ''}", "Renshi")
        example = column.example
        if column.key.endswith("_date") and example:
            example = date.fromisoformat(str(example))
        value_cell = sheet.cell(row=2, column=index, value=example)
        if isinstance(example, date):
            value_cell.number_format = DATE_FORMAT
        else:
            value_cell.number_format = "@"  # text: keeps leading zeros of numbers and phone numbers
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.chinese) * 3 + 4)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("Notes"))
    notes.append([_("Column"), _("English header"), _("Required"), _("Accepted values")])
    for cell in notes[1]:
        cell.font = HEADER_FONT
    for column in columns:
        notes.append([column.chinese, column.english, _("yes") if column.required else "", _accepted_values(column)])
    notes.append([])
    notes.append([_("Row 2 is an example: replace or delete it before importing.")])
    notes.append([_("Headers may also be written in English; unknown columns are ignored with a warning.")])
    if kind == ImportKind.EMPLOYEES:
        notes.append([_("When updating employees, an empty cell leaves the stored value unchanged.")])
    for letter, width in zip("ABCD", (16, 20, 10, 70), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_workbook(job: ImportJob, *, read_file) -> bytes:  # noqa: ANN001
    """The uploaded rows as they were, plus an errors column saying what to fix."""
    from openpyxl import Workbook as WriteOnlyWorkbook

    warning_label = _("Warning")
    messages_by_row: dict[int, list[str]] = {}
    for row_number, _action, _label, errors, warnings in job.rows:
        if errors or warnings:
            messages_by_row[row_number] = [*errors, *(f"{warning_label}: {warning}" for warning in warnings)]
    workbook = WriteOnlyWorkbook(write_only=True)
    sheet = workbook.create_sheet(_("Errors"))
    errors_header = _("Errors")
    try:
        data = read_file(job)
    except FileProblem as problem:
        sheet.append([write_only_cell(sheet, errors_header, font=HEADER_FONT)])
        sheet.append([write_only_cell(sheet, str(problem), font=ERROR_FONT)])
    else:
        headers = [str(header) if header is not None else "" for header in data.headers]
        while headers and not headers[-1]:
            headers.pop()
        width = len(headers)
        sheet.append(
            [
                *(write_only_cell(sheet, header, font=HEADER_FONT) for header in headers),
                write_only_cell(sheet, errors_header, font=HEADER_FONT),
            ]
        )
        for file_error in job.file_error_messages:
            sheet.append([*([None] * width), write_only_cell(sheet, file_error, font=ERROR_FONT, fill=ERROR_FILL)])
        for row_number, values in data.rows:
            messages = messages_by_row.get(row_number)
            cells = [write_only_cell(sheet, value) for value in values[:width]]
            cells.append(write_only_cell(sheet, "\n".join(messages), font=ERROR_FONT, fill=ERROR_FILL) if messages else None)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
