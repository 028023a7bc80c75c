"""Cycle results as an XLSX workbook: by department, by employee, by indicator. Only the rows the
actor may see (assessments_visible_to); every export is audited with its row count."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hris.audit.services import audit_record
from hris.calibration.grading import scale_for_cycle
from hris.calibration.permissions import require_calibrate
from hris.calibration.selectors import TWO_PLACES, calibration_rows
from hris.kpi.models import AssessmentItem, Cycle

EXPORT_ACTION = "kpi.results_exported"
MAX_SHEET_TITLE = 31


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def results_workbook(actor: Any, cycle: Cycle) -> tuple[bytes, int]:
    """The workbook's bytes and how many employee rows it holds (four queries + the scale)."""
    scale = scale_for_cycle(cycle)
    rows = calibration_rows(actor, cycle, scale=scale)
    rows.sort(key=lambda r: (r.department_path, r.employee_number))
    bold = Font(bold=True)
    workbook = Workbook(write_only=True)

    def header(sheet: Any, titles: list[str]) -> None:
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    letters = scale.letters
    departments = workbook.create_sheet(_("By department")[:MAX_SHEET_TITLE])
    header(departments, [_("Department"), _("Headcount"), _("Mean final score"), *letters, _("Not scored")])
    by_department: dict[int, list] = defaultdict(list)
    for row in rows:
        by_department[row.department_id].append(row)
    for dept_rows in by_department.values():
        scores = [r.final_score for r in dept_rows if r.final_score is not None]
        mean = (sum(scores, Decimal(0)) / len(scores)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP) if scores else None
        counts = {letter: 0 for letter in letters}
        for r in dept_rows:
            if r.grade:
                counts[r.grade] += 1
        departments.append(
            [dept_rows[0].department_name, len(dept_rows), _number(mean), *(counts[x] for x in letters), len(dept_rows) - len(scores)]
        )

    employees = workbook.create_sheet(_("By employee")[:MAX_SHEET_TITLE])
    header(
        employees, [_("Employee number"), _("Name"), _("Department"), _("Computed total"), _("Adjustments"), _("Final score"), _("Grade")]
    )
    for r in rows:
        employees.append(
            [
                r.employee_number,
                r.employee_name,
                r.department_name,
                _number(r.computed_total),
                _number(r.adjustment_total),
                _number(r.final_score),
                r.grade,
            ]
        )

    indicators = workbook.create_sheet(_("By indicator")[:MAX_SHEET_TITLE])
    header(
        indicators,
        [
            _("Employee number"),
            _("Name"),
            _("Department"),
            _("Indicator code"),
            _("Indicator"),
            _("Unit"),
            _("Target"),
            _("Actual"),
            _("Score"),
            _("Weight (%)"),
            _("Points"),
        ],
    )
    by_id = {r.id: r for r in rows}
    items = (
        AssessmentItem.objects.filter(assessment_id__in=list(by_id))
        .select_related("indicator")
        .only(
            "assessment_id",
            "indicator_id",
            "position",
            "target",
            "actual",
            "score",
            "weight",
            "points",
            "indicator__code",
            "indicator__name_zh",
            "indicator__name_en",
            "indicator__unit",
        )
        .order_by("assessment_id", "position")
        if by_id
        else []
    )
    grouped: dict[int, list] = defaultdict(list)
    for item in items:
        grouped[item.assessment_id].append(item)
    for r in rows:
        for item in grouped.get(r.id, []):
            indicator = item.indicator
            indicators.append(
                [
                    r.employee_number,
                    r.employee_name,
                    r.department_name,
                    indicator.code,
                    indicator.display_name,
                    indicator.unit,
                    _number(item.target),
                    _number(item.actual),
                    _number(item.score),
                    _number(item.weight),
                    _number(item.points),
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), len(rows)


def results_export(*, actor: Any, cycle: Cycle) -> tuple[bytes, int]:
    """Build the workbook for the actor and audit the export (same transaction)."""
    require_calibrate(actor, cycle.company_id)
    with transaction.atomic():
        content, count = results_workbook(actor, cycle)
        audit_record(
            actor=actor,
            action=EXPORT_ACTION,
            target=cycle,
            target_label=cycle.name,
            after={"format": "xlsx", "rows": count},
            company_id=cycle.company_id,
        )
    return content, count
