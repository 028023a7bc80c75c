"""Reading a shared library file (JSON or XLSX) into records, with every problem located by sheet, row and field.

Values are passed on as read: the library services validate them, so a file and a form
are checked by the same rules. Only what the services cannot see is checked here: the
file's shape, the headers, JSON text in rule cells and yes/no cells.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from hris.kpi.services.library import INDICATOR_FIELDS

# Exported headers are Chinese; an import also accepts the English field names.
INDICATOR_HEADERS = {
    "code": "指标编码", "name_zh": "中文名称", "name_en": "英文名称", "description": "说明", "unit": "单位",
    "direction": "方向", "aggregation": "汇总方式", "metric_key": "数据键", "denominator_key": "分母数据键",
    "metric_level": "数据层级", "when_no_data": "无数据时", "category": "类别", "measurement": "衡量方式",
    "data_source": "数据来源", "default_rule": "默认评分规则", "default_target": "默认目标值", "tags": "标签", "is_active": "启用",
}  # fmt: skip
TEMPLATE_HEADERS = {
    "code": "模板编码", "name_zh": "模板中文名称", "name_en": "模板英文名称", "description": "模板说明", "industry": "行业",
    "job_family": "职类", "is_active": "模板启用", "indicator": "指标编码", "weight": "权重", "target": "目标值", "rule": "评分规则",
}  # fmt: skip
TEMPLATE_FIELDS = ("code", "name_zh", "name_en", "description", "industry", "job_family", "is_active")
ITEM_FIELDS = ("indicator", "weight", "target", "rule")
SHEET_NAMES = {"indicators": ("indicators", "指标"), "templates": ("templates", "模板")}
# A blank cell here means "not given": the default for a new row, unchanged for an existing one.
DEFAULTED_WHEN_BLANK = {"is_active", "direction", "aggregation", "metric_level", "when_no_data", "category", "measurement"}
TRUE_WORDS, FALSE_WORDS = {"true", "yes", "y", "1", "是", "启用"}, {"false", "no", "n", "0", "否", "停用"}


@dataclass(frozen=True)
class ImportProblem:
    sheet: str  # "indicators", "templates", or "" for the file as a whole
    row: int | None  # the spreadsheet row, or the position in the JSON list (from 1)
    field: str
    message: str


@dataclass
class LibraryRecord:
    """One indicator, or one template with its items, as read from the file."""

    sheet: str
    row: int
    values: dict[str, Any]
    item_rows: list[int] | None = None  # XLSX: each item's row, so item problems point at it
    # (row, field) of cells that could not be read: left out of `values`, their problems already reported
    unreadable: set[tuple[int, str]] = field(default_factory=set)


def read_library_json(content: bytes, problems: list[ImportProblem]) -> tuple[list[LibraryRecord], list[LibraryRecord]]:
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problems.append(ImportProblem("", None, "", _("The file is not valid JSON: %(error)s") % {"error": error}))
        return [], []
    if not isinstance(document, dict) or not ({"indicators", "templates"} & set(document)):
        problems.append(ImportProblem("", None, "", _("The file has neither “indicators” nor “templates”.")))
        return [], []
    allowed = {"indicators": set(INDICATOR_FIELDS), "templates": {*TEMPLATE_FIELDS, "items"}}
    sheets: dict[str, list[LibraryRecord]] = {"indicators": [], "templates": []}
    for sheet, records in sheets.items():
        for position, values in enumerate(document.get(sheet) or [], start=1):
            if not isinstance(values, dict):
                problems.append(ImportProblem(sheet, position, "", _("Each entry must be an object.")))
                continue
            unknown = sorted(set(values) - allowed[sheet])
            problems.extend(ImportProblem(sheet, position, name, _("Unknown field.")) for name in unknown)
            records.append(LibraryRecord(sheet, position, {name: value for name, value in values.items() if name not in unknown}))
    return sheets["indicators"], sheets["templates"]


def read_library_xlsx(content: bytes, problems: list[ImportProblem]) -> tuple[list[LibraryRecord], list[LibraryRecord]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        message = _("The file could not be read as an Excel workbook (.xlsx): %(error)s") % {"error": error}
        problems.append(ImportProblem("", None, "", message))
        return [], []
    try:
        by_name = {worksheet.title.strip().lower(): worksheet for worksheet in workbook.worksheets}
        sheets = {key: next((by_name[name] for name in names if name in by_name), None) for key, names in SHEET_NAMES.items()}
        if not any(sheets.values()):
            problems.append(ImportProblem("", None, "", _("The workbook has neither an “indicators” nor a “templates” sheet.")))
            return [], []
        indicator_rows = _sheet_rows(sheets["indicators"], "indicators", INDICATOR_HEADERS, problems)
        template_rows = _sheet_rows(sheets["templates"], "templates", TEMPLATE_HEADERS, problems)
    finally:
        workbook.close()
    indicators = [LibraryRecord("indicators", number, values, unreadable=unreadable) for number, values, unreadable in indicator_rows]
    return indicators, _group_templates(template_rows, problems)


def _header_key(header: Any, headers: dict[str, str]) -> str | None:
    text = str(header or "").strip().lower().replace(" ", "_")
    return next((key for key, label in headers.items() if text in (key, label.lower())), None)


def _sheet_rows(worksheet: Any, sheet: str, headers: dict[str, str], problems: list[ImportProblem]) -> list[tuple[int, dict, set]]:
    """(row number, values by field, unreadable cells) of each non-blank row below the header row."""
    if worksheet is None:
        return []
    worksheet.reset_dimensions()  # some writers store a wrong sheet size
    columns: list[str | None] | None = None
    rows = []
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        if columns is None:
            columns = [_header_key(cell, headers) for cell in cells]
            unknown = [str(cell) for cell, key in zip(cells, columns, strict=True) if key is None and cell not in (None, "")]
            problems.extend(ImportProblem(sheet, number, name, _("Unknown column.")) for name in unknown)
            continue
        values, unreadable = {}, set()
        for key, cell in zip(columns, cells, strict=False):
            if key is None:
                continue
            problems_before = len(problems)
            value = _cell_value(key, cell, sheet, number, problems)
            if len(problems) > problems_before:
                unreadable.add((number, key))
            elif not (key in DEFAULTED_WHEN_BLANK and value in (None, "")):
                values[key] = value
        rows.append((number, values, unreadable))
    return rows


def _cell_value(key: str, cell: Any, sheet: str, row: int, problems: list[ImportProblem]) -> Any:
    text = cell.strip() if isinstance(cell, str) else cell
    if key == "is_active":
        if isinstance(text, bool) or text in (None, ""):
            return text if isinstance(text, bool) else None
        if str(text).lower() in TRUE_WORDS | FALSE_WORDS:
            return str(text).lower() in TRUE_WORDS
        problems.append(ImportProblem(sheet, row, key, _("Enter 是 or 否 (true or false).")))
    elif key in ("default_rule", "rule") and text not in (None, ""):
        try:
            return json.loads(str(text))
        except json.JSONDecodeError as error:
            problems.append(ImportProblem(sheet, row, key, _("The rule is not valid JSON: %(error)s") % {"error": error}))
    elif key in ("default_target", "weight", "target"):
        return None if text in (None, "") else text
    elif key not in ("default_rule", "rule"):
        return "" if text is None else str(text)
    return None


def _group_templates(rows: list[tuple[int, dict, set]], problems: list[ImportProblem]) -> list[LibraryRecord]:
    """One record per template code; its fields come from its first row, later rows may repeat them."""
    records: dict[str, LibraryRecord] = {}
    for number, values, unreadable in rows:
        code = str(values.get("code") or "")
        record = records.get(code)
        if record is None:
            fields = {name: value for name, value in values.items() if name in TEMPLATE_FIELDS}
            record = records[code] = LibraryRecord("templates", number, fields | {"items": []}, item_rows=[])
        else:
            for name in TEMPLATE_FIELDS:
                if values.get(name) not in (None, "") and values.get(name) != record.values.get(name):
                    message = _("Differs from the template's first row (%(row)s).") % {"row": record.row}
                    problems.append(ImportProblem("templates", number, name, message))
        record.values["items"].append({name: values[name] for name in ITEM_FIELDS if name in values})
        record.item_rows.append(number)  # type: ignore[union-attr]
        record.unreadable |= unreadable
    return list(records.values())
