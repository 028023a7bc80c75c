"""Share an indicator library and its templates between companies as JSON or XLSX.

An import is all-or-nothing: every row goes through the library services inside one
transaction; if any row is refused, everything is rolled back and every problem is
reported with its sheet, row and field. Existing codes are updated (a template's items
through template_set_items, so a version a cycle uses is never changed in place).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_batch, audit_record
from hris.core.errors import DomainError
from hris.kpi.library_files import (
    INDICATOR_HEADERS,
    ITEM_FIELDS,
    TEMPLATE_FIELDS,
    TEMPLATE_HEADERS,
    ImportProblem,
    LibraryRecord,
    read_library_json,
    read_library_xlsx,
)
from hris.kpi.models import Indicator, Template
from hris.kpi.permissions import require_company
from hris.kpi.services.library import (
    INDICATOR_FIELDS,
    indicator_create,
    indicator_snapshot,
    indicator_update,
    items_snapshot,
    latest_version,
    template_create,
    template_set_items,
    template_snapshot,
    template_update,
    version_items,
)
from hris.org.models import Company

FORMAT_NAME = "renshi-kpi-library"


@dataclass
class LibraryImportResult:
    problems: list[ImportProblem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # created / updated / unchanged, as tried
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    """Rolls the import back when any row was refused."""


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def library_export_data(company: Company) -> dict[str, Any]:
    indicators = []
    for indicator in Indicator.objects.filter(company=company).order_by("code"):
        indicators.append(
            {name: getattr(indicator, name) for name in INDICATOR_FIELDS} | {"default_target": _number(indicator.default_target)}
        )
    templates = []
    for template in Template.objects.filter(company=company).order_by("code"):
        items = [
            {"indicator": item.indicator.code, "weight": _number(item.weight), "target": _number(item.target), "rule": item.rule}
            for item in version_items(latest_version(template))
        ]
        templates.append({name: getattr(template, name) for name in TEMPLATE_FIELDS} | {"items": items})
    return {"format": FORMAT_NAME, "format_version": 1, "indicators": indicators, "templates": templates}


def library_export_json(company: Company) -> bytes:
    return json.dumps(library_export_data(company), ensure_ascii=False, indent=2).encode("utf-8")


def library_export_xlsx(company: Company) -> bytes:
    from openpyxl import Workbook

    data = library_export_data(company)
    workbook = Workbook()
    indicators_sheet = workbook.active
    indicators_sheet.title = "indicators"
    indicators_sheet.append(list(INDICATOR_HEADERS.values()))
    for indicator in data["indicators"]:
        indicators_sheet.append([_cell(name, indicator[name]) for name in INDICATOR_HEADERS])
    templates_sheet = workbook.create_sheet("templates")
    templates_sheet.append(list(TEMPLATE_HEADERS.values()))
    for template in data["templates"]:
        for item in template["items"]:
            templates_sheet.append([_cell(name, item[name] if name in ITEM_FIELDS else template[name]) for name in TEMPLATE_HEADERS])
    for sheet in (indicators_sheet, templates_sheet):
        sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _cell(name: str, value: Any) -> Any:
    if name in ("default_rule", "rule"):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def library_import(*, actor: Any, company: Company, file_name: str, content: bytes) -> LibraryImportResult:
    require_company(actor, Capability.CONFIGURE_KPI, company.pk)
    result = LibraryImportResult()
    extension = PurePath(file_name or "").suffix.lower()
    if extension == ".json":
        indicators, templates = read_library_json(content, result.problems)
    elif extension in (".xlsx", ".xlsm"):
        indicators, templates = read_library_xlsx(content, result.problems)
    else:
        message = _("“%(name)s” is not a library file; upload the .json or .xlsx file an export produced.") % {"name": file_name}
        result.problems.append(ImportProblem("", None, "", message))
        return result
    try:
        with transaction.atomic(), audit_batch():
            refused_codes: set[str] = set()
            result.counts = {"indicators": _import_indicators(actor, company, indicators, result.problems, refused_codes)}
            note = _("Imported from %(file_name)s") % {"file_name": file_name}
            result.counts["templates"] = _import_templates(actor, company, templates, result.problems, note, refused_codes)
            if result.problems:
                raise _Refused
            after = {"file_name": file_name, "counts": result.counts}
            audit_record(actor=actor, action="kpi.library_imported", target=company, after=after, company_id=company.pk)
    except _Refused:
        return result
    result.committed = True
    return result


def _tally(counts: dict[str, int], before: Any, after: Any) -> None:
    action = "created" if before is None else ("unchanged" if before == after else "updated")
    counts[action] += 1


def _report(error: DomainError, record: LibraryRecord, problems: list[ImportProblem]) -> None:
    if not error.field_errors:
        problems.append(ImportProblem(record.sheet, record.row, "", error.message))
    for key, messages in error.field_errors.items():
        row, name = record.row, "" if key in ("__all__", "non_field_errors") else key
        parts = key.split(".")
        if record.item_rows is not None and len(parts) >= 2 and parts[0] == "items" and parts[1].isdigit():
            row, name = record.item_rows[int(parts[1])], ".".join(parts[2:])
        if (row, name) not in record.unreadable:  # reported when the file was read
            problems.extend(ImportProblem(record.sheet, row, name, message) for message in messages)


def _pointing_at_refused_indicators(error: DomainError, items: Any, refused_codes: set[str]) -> DomainError:
    """Says so when an item's indicator is in the file but its row was refused: "no such code" would mislead."""
    for position, item in enumerate(items if isinstance(items, list) else []):
        code = item.get("indicator") if isinstance(item, dict) else None
        if f"items.{position}.indicator" in error.field_errors and isinstance(code, str) and code.strip() in refused_codes:
            message = _("The indicator “%(code)s” of this file was refused; see its row.") % {"code": code}
            error.field_errors[f"items.{position}.indicator"] = [message]
    return error


def _duplicate(record: LibraryRecord, first_rows: dict[str, int], problems: list[ImportProblem]) -> bool:
    code = _code(record)
    if code in first_rows:
        message = _("The code “%(code)s” is already in row %(row)s.") % {"code": code, "row": first_rows[code]}
        problems.append(ImportProblem(record.sheet, record.row, "code", message))
        return True
    first_rows[code] = record.row
    return False


def _code(record: LibraryRecord) -> str:
    return str(record.values.get("code") or "").strip()


def _import_indicators(
    actor: Any, company: Company, records: list[LibraryRecord], problems: list[ImportProblem], refused_codes: set[str]
) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {indicator.code: indicator for indicator in Indicator.objects.filter(company=company)}
    first_rows: dict[str, int] = {}
    for record in records:
        if _duplicate(record, first_rows, problems):
            refused_codes.add(_code(record))
            continue
        current = existing.get(_code(record))
        try:
            if current is None:
                indicator = indicator_create(actor=actor, company=company, **record.values)
            else:
                indicator = indicator_update(actor=actor, indicator=current, **record.values)
        except DomainError as error:
            refused_codes.add(_code(record))
            _report(error, record, problems)
            continue
        _tally(counts, current and indicator_snapshot(current), indicator_snapshot(indicator))
    return counts


def _template_state(template: Template) -> tuple[dict, list]:
    return template_snapshot(template), items_snapshot(version_items(latest_version(template)))


def _import_templates(
    actor: Any, company: Company, records: list[LibraryRecord], problems: list[ImportProblem], note: str, refused_codes: set[str]
) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {template.code: template for template in Template.objects.filter(company=company)}
    first_rows: dict[str, int] = {}
    for record in records:
        if _duplicate(record, first_rows, problems):
            continue
        fields = {name: value for name, value in record.values.items() if name != "items"}
        items = record.values.get("items")
        current = existing.get(_code(record))
        try:
            if current is None:
                fields.setdefault("name_zh", "")  # a missing name is reported like a blank one
                template = template_create(actor=actor, company=company, items=items, note=note, **fields)
                before = None
            else:
                before = _template_state(current)
                template = template_update(actor=actor, template=current, **fields)
                template_set_items(actor=actor, template=template, items=items, note=note)
        except DomainError as error:
            _report(_pointing_at_refused_indicators(error, items, refused_codes), record, problems)
            continue
        _tally(counts, before, _template_state(template))
    return counts
