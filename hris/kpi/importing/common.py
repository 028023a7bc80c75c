"""Shared pieces of the KPI imports: reading an upload against known columns, numbers, error files.

Reading, header matching, cell parsing and the row results come from the people imports
(hris/people/importing), so both kinds of file behave the same for the user.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import Workbook

from hris.people.importing.columns import Column, ColumnMapping, map_columns
from hris.people.importing.reading import FileProblem, Sheet, read_sheet
from hris.people.importing.results import Outcome, RowResult
from hris.people.importing.values import CellError, cell_text
from hris.people.importing.workbooks import ERROR_FILL, ERROR_FONT, HEADER_FONT, write_only_cell

# Stored numbers have 4 decimals and at most 16 digits before the point (max_digits=20).
STORED_PLACES = Decimal("0.0001")
STORED_INTEGER_DIGITS = 16
LARGEST_STORED = Decimal(10) ** STORED_INTEGER_DIGITS
LOOKUP_CHUNK = 5000  # values per IN (...) list: far below SQLite's and PostgreSQL's parameter limits
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(\D|$))")


@dataclass
class ReadUpload:
    sheet: Sheet | None
    mapping: ColumnMapping | None
    outcome: Outcome

    @property
    def readable(self) -> bool:
        return self.sheet is not None and not self.outcome.file_errors


def read_upload(content: bytes, filename: str, columns: tuple[Column, ...], *, required: set[str] | None = None) -> ReadUpload:
    """The sheet and its column mapping; file-level problems land in outcome.file_errors."""
    outcome = Outcome()
    try:
        sheet = read_sheet(content, filename)
    except FileProblem as problem:
        outcome.file_errors.append(str(problem))
        return ReadUpload(None, None, outcome)
    mapping = map_columns(sheet.headers, columns, required=required)
    outcome.columns = dict(mapping.header_of)
    if mapping.unknown:
        outcome.warnings.append(
            _("These columns are not recognised and are ignored: %(columns)s.")
            % {"columns": ", ".join(f"“{name}”" for name in mapping.unknown)}
        )
    outcome.file_errors.extend(mapping.errors)
    return ReadUpload(sheet, mapping, outcome)


def row_reader(values: list[object], mapping: ColumnMapping, result: RowResult):  # noqa: ANN201
    """(raw(key), text(key), problem(key, message)) for one row; problems name the column as written in the file."""

    def raw(key: str) -> object:
        index = mapping.by_key.get(key)
        return values[index] if index is not None else None

    def text(key: str) -> str:
        return cell_text(raw(key))

    def problem(key: str, message: str) -> None:
        result.errors.append(f"{mapping.header_of.get(key, key)}: {message}")

    return raw, text, problem


def parse_number(value: object) -> Decimal:
    """A stored number (4 decimals, rounded half up) from a cell: 1234.5, "1,234.5", "１２"; raises CellError."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
    if isinstance(value, int | float | Decimal):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = _THOUSANDS.sub("", cell_text(value)).replace(" ", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
    too_large = CellError(
        _("“%(value)s” is not a number that fits: at most 16 digits before the decimal point.") % {"value": cell_text(value)}
    )
    if number.adjusted() >= STORED_INTEGER_DIGITS:  # before quantizing, which would overflow the decimal context
        raise too_large
    number = number.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)
    if abs(number) >= LARGEST_STORED:  # 9999999999999999.99999 rounds up to 17 digits
        raise too_large
    return number


def chunked(values: Sequence, size: int = LOOKUP_CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def error_workbook(content: bytes, filename: str, outcome: Outcome) -> bytes:
    """The uploaded rows as they were plus an errors column, so the user fixes and uploads it again."""
    messages_by_row = {row.row_number: [*row.errors, *(_("Warning") + ": " + warning for warning in row.warnings)] for row in outcome.rows}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Errors"))
    errors_header = _("Errors")
    try:
        data = read_sheet(content, filename)
    except FileProblem as problem:
        sheet.append([write_only_cell(sheet, errors_header, font=HEADER_FONT)])
        sheet.append([write_only_cell(sheet, str(problem), font=ERROR_FONT)])
    else:
        headers = [str(header) if header is not None else "" for header in data.headers]
        while headers and not headers[-1]:
            headers.pop()
        width = len(headers)
        header_cells = [write_only_cell(sheet, header, font=HEADER_FONT) for header in [*headers, errors_header]]
        sheet.append(header_cells)
        for file_error in outcome.file_errors:
            sheet.append([*([None] * width), write_only_cell(sheet, file_error, font=ERROR_FONT, fill=ERROR_FILL)])
        for row_number, values in data.rows:
            messages = messages_by_row.get(row_number)
            cells = [write_only_cell(sheet, value) for value in values[:width]]
            cells.append(write_only_cell(sheet, "\n".join(messages), font=ERROR_FONT, fill=ERROR_FILL) if messages else None)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
