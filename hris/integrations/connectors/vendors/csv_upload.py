"""Excel/CSV upload: the first row names the columns; the mapping names which column is the
employee, the date, the row id and each metric's value (see mapping.py, with column names
instead of paths). Mappings are saved per company as presets and reused by name."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from hris.integrations.connectors.http import SyncError
from hris.integrations.connectors.mapping import column_getter, map_rows, validate_mapping
from hris.integrations.connectors.vendors.base import Adapter

MAX_ROWS = 20000


def read_table(name: str, content: bytes) -> list[dict]:
    """Rows of an .xlsx or .csv file as {column: value}; SyncError when unreadable."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise SyncError(_("The file could not be read as an Excel workbook (.xlsx)."))
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
    elif name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                raise SyncError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        values = [list(row) for row in csv.reader(io.StringIO(text))]
    else:
        raise SyncError(_("Upload an .xlsx or .csv file."))
    values = [row for row in values if any(cell not in (None, "") for cell in row)]
    if not values:
        raise SyncError(_("The file is empty."))
    header = [str(cell).strip() if cell is not None else "" for cell in values[0]]
    if len(values) - 1 > MAX_ROWS:
        raise SyncError(_("The file has more than %(limit)s rows; split it.") % {"limit": MAX_ROWS})
    return [dict(zip(header, row, strict=False)) for row in values[1:]]


def map_table(rows: list[dict], mapping: dict) -> tuple[list[dict], list[dict]]:
    """Row numbers are spreadsheet rows (the header is row 1)."""
    columns = set(rows[0]) if rows else set()
    used = [mapping.get("employee"), mapping.get("date"), mapping.get("external_id")]
    used += [metric.get("value") for metric in mapping.get("metrics", []) if not str(metric.get("value", "")).startswith("=")]
    missing = sorted({column for column in used if column and column not in columns})
    if rows and missing:
        raise SyncError(_("The file has no column %(columns)s.") % {"columns": ", ".join(f"“{column}”" for column in missing)})
    return map_rows(rows, mapping, getter=column_getter, row_label=lambda position: str(position + 2))


class CsvUploadAdapter(Adapter):
    pulls = False
    default_mapping = {
        "employee": "工号",
        "employee_system": "employee_number",
        "date": "日期",
        "metrics": [{"key": "sales_amount", "value": "金额"}],
    }

    def validate(self, *, base_url: str, mapping: dict, options: dict, credentials: Any) -> dict[str, list[str]]:
        problems = validate_mapping(mapping, needs_records_path=False, paths=False)
        return {"mapping": problems} if problems else {}
