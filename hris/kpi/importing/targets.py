"""Targets files: 工号 / 指标编码 / 目标值 (or English headers), one target per row, checked set-based.

`targets_file_check` is the preview; the commit is hris.kpi.services.targets.targets_bulk_set,
which runs the same check again and writes every row or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.kpi.importing.common import chunked, error_workbook, parse_number, read_upload, row_reader
from hris.kpi.models import Cycle, Target, TemplateItem
from hris.kpi.permissions import EMPLOYEE_SCOPE_FIELDS
from hris.kpi.selectors_population import template_versions_of
from hris.kpi.services.cycles import INPUT_EDITABLE_STATES
from hris.people.importing.columns import Column
from hris.people.importing.results import CREATE, UNCHANGED, UPDATE, Outcome, RowResult
from hris.people.importing.values import CellError, cell_text
from hris.people.models import Employee

TARGET_COLUMNS: tuple[Column, ...] = (
    Column(
        "employee_number",
        "工号",
        "Employee number",
        ("员工编号", "员工号", "employee number", "employee_number", "employee no", "employee id"),
        required=True,
        example="A1001",
    ),
    Column(
        "indicator_code",
        "指标编码",
        "Indicator code",
        ("指标代码", "指标", "indicator", "indicator code", "indicator_code"),
        required=True,
        example="output-volume",
    ),
    Column("target", "目标值", "Target", ("目标", "target", "target value", "target_value"), required=True, example="1200"),
)


@dataclass
class _Known:
    """What the rows are checked against, loaded in a few queries for the whole file."""

    employees: dict[str, tuple[int, str]] = field(default_factory=dict)  # number → (id, label)
    in_scope: set[int] = field(default_factory=set)
    version_of: dict[int, int] = field(default_factory=dict)  # employee id → template version id
    indicators_of_version: dict[int, dict[str, int]] = field(default_factory=dict)  # version → code (lower) → indicator id
    current_targets: dict[tuple[int, int], Decimal] = field(default_factory=dict)

    @classmethod
    def load(cls, actor: Any, cycle: Cycle, numbers: list[str]) -> _Known:
        known = cls()
        for chunk in chunked(numbers):
            rows = Employee.objects.filter(company_id=cycle.company_id, employee_number__in=chunk)
            for employee_id, number, name in rows.values_list("id", "employee_number", "name"):
                known.employees[number] = (employee_id, f"{name} ({number})")
        ids = [employee_id for employee_id, _label in known.employees.values()]
        for chunk in chunked(ids):
            scoped = Employee.objects.filter(pk__in=chunk)
            if actor is not None:
                scoped = scoped.filter(scope_q(actor, Capability.WRITE_METRICS, **EMPLOYEE_SCOPE_FIELDS))
            known.in_scope.update(scoped.values_list("id", flat=True))
            rows = Target.objects.filter(cycle=cycle, employee_id__in=chunk).values_list("employee_id", "indicator_id", "value")
            known.current_targets.update({(employee_id, indicator_id): value for employee_id, indicator_id, value in rows})
        known.version_of = template_versions_of(cycle, ids)
        items = TemplateItem.objects.filter(version_id__in=set(known.version_of.values()))
        for version_id, code, indicator_id in items.values_list("version_id", "indicator__code", "indicator_id"):
            known.indicators_of_version.setdefault(version_id, {})[code.lower()] = indicator_id
        return known


def _check_row(row_number: int, values: list[object], mapping, known: _Known, seen: dict) -> RowResult:  # noqa: ANN001
    result = RowResult(row_number)
    raw, text, problem = row_reader(values, mapping, result)
    number, code = text("employee_number"), text("indicator_code")
    result.key, result.label = number, f"{number} · {code}"
    employee = known.employees.get(number)
    if not number:
        problem("employee_number", _("Give the employee number."))
    elif employee is None:
        problem("employee_number", _("No employee has the number “%(number)s”.") % {"number": number})
    elif employee[0] not in known.in_scope:
        problem("employee_number", _("You are not allowed to set targets for %(employee)s.") % {"employee": employee[1]})
    elif employee[0] not in known.version_of:
        problem("employee_number", _("%(employee)s is not assessed in this cycle.") % {"employee": employee[1]})
    indicator_id = None
    if not code:
        problem("indicator_code", _("Give the indicator code."))
    elif employee is not None and employee[0] in known.version_of:
        indicator_id = known.indicators_of_version.get(known.version_of[employee[0]], {}).get(code.lower())
        if indicator_id is None:
            problem(
                "indicator_code",
                _("The indicator “%(code)s” is not in the template of %(employee)s.") % {"code": code, "employee": employee[1]},
            )
    try:
        value = parse_number(raw("target")) if text("target") else None
        if value is None:
            problem("target", _("Give the target."))
    except CellError as error:
        value = None
        problem("target", str(error))
    if employee is not None and indicator_id is not None:
        earlier = seen.setdefault((employee[0], indicator_id), row_number)
        if earlier != row_number:
            problem("indicator_code", _("Row %(row)s already sets this target.") % {"row": earlier})
    if result.ok:
        result.plan = {"employee_id": employee[0], "indicator_id": indicator_id, "value": value, "label": employee[1], "code": code}
        current = known.current_targets.get((employee[0], indicator_id))
        result.finish(CREATE if current is None else (UNCHANGED if current == value else UPDATE))
    else:
        result.finish(CREATE)
    return result


def targets_file_check(*, actor: Any, cycle: Cycle, content: bytes, filename: str) -> Outcome:
    """Every row's errors, or what it would do (create / update / unchanged); nothing is written."""
    upload = read_upload(content, filename, TARGET_COLUMNS)
    outcome = upload.outcome
    if cycle.state not in INPUT_EDITABLE_STATES:
        outcome.file_errors.append(_("Targets can no longer change: the cycle is %(state)s.") % {"state": cycle.get_state_display()})
    if not upload.readable:
        return outcome
    column = upload.mapping.by_key["employee_number"]
    numbers = sorted({cell_text(values[column]) for _row, values in upload.sheet.rows} - {""})
    known = _Known.load(actor, cycle, numbers)
    seen: dict[tuple[int, int], int] = {}
    outcome.rows = [_check_row(row_number, values, upload.mapping, known, seen) for row_number, values in upload.sheet.rows]
    return outcome


def targets_error_file(*, content: bytes, filename: str, outcome: Outcome) -> bytes:
    """The upload plus an errors column saying what to fix in each row."""
    return error_workbook(content, filename, outcome)
