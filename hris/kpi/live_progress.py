"""Live progress during an open cycle: actuals to date against the target and the prorated target.

The same engine scores the records that ended by today, so "projected" scores are what the
employee would get if the period ended now. Sums and counts accumulate over the period, so
their target is prorated by elapsed days; averages, ratios and latest values are compared
with the full target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from django.utils import timezone

from hris.kpi.choices import Aggregation, Direction
from hris.kpi.engine.compute import compute
from hris.kpi.engine.inputs import load_inputs
from hris.kpi.models import Cycle, Indicator
from hris.kpi.selectors import assessments_visible_to

ACCUMULATING = (Aggregation.SUM, Aggregation.COUNT)


@dataclass(frozen=True)
class ProgressItem:
    indicator_id: int
    name: str
    unit: str
    target: Decimal | None
    prorated_target: Decimal | None
    actual: Decimal | None
    projected_score: Decimal | None
    points: Decimal
    on_track: bool | None


@dataclass(frozen=True)
class EmployeeProgress:
    assessment_id: int
    employee_id: int
    employee_name: str
    employee_number: str
    department_id: int
    department_name: str
    projected_total: Decimal
    items: list[ProgressItem]

    @property
    def on_track_count(self) -> int:
        return sum(1 for item in self.items if item.on_track)


@dataclass(frozen=True)
class DepartmentProgress:
    department_id: int
    name: str
    headcount: int
    average_projected_total: Decimal
    on_track_percent: Decimal | None


def elapsed_fraction(cycle: Cycle, as_of: date) -> Decimal:
    total_days = (cycle.period_end - cycle.period_start).days + 1
    elapsed = (min(max(as_of, cycle.period_start - _one_day()), cycle.period_end) - cycle.period_start).days + 1
    return Decimal(max(elapsed, 0)) / Decimal(total_days)


def live_progress(actor: Any, cycle: Cycle, *, department_path: str = "", as_of: date | None = None) -> dict:
    as_of = as_of or timezone.localdate()
    visible = assessments_visible_to(actor).filter(cycle=cycle)
    if department_path:
        visible = visible.filter(department__path__startswith=department_path)
    people = {
        row[0]: row
        for row in visible.values_list(
            "pk", "employee_id", "employee__name", "employee__employee_number", "department_id", "department__name"
        )
    }
    fraction = elapsed_fraction(cycle, as_of)
    if not people:
        return {"as_of": as_of, "elapsed_percent": _percent(fraction), "employees": [], "departments": []}
    inputs = load_inputs(cycle, employee_ids=[row[1] for row in people.values()], as_of=as_of)
    items, totals = compute(inputs)
    items = items.filter(pl.col("assessment_id").is_in(list(people)))
    indicators = {
        indicator.pk: indicator for indicator in Indicator.objects.filter(pk__in=items.get_column("indicator_id").unique().to_list())
    }
    per_assessment: dict[int, list[ProgressItem]] = {}
    for row in items.sort("assessment_id", "position").iter_rows(named=True):
        indicator = indicators[row["indicator_id"]]
        per_assessment.setdefault(row["assessment_id"], []).append(_progress_item(row, indicator, fraction))
    total_by_assessment = dict(totals.select("assessment_id", "computed_total").iter_rows())
    employees = [
        EmployeeProgress(
            assessment_id=pk,
            employee_id=employee_id,
            employee_name=name,
            employee_number=number,
            department_id=department_id,
            department_name=department_name,
            projected_total=total_by_assessment.get(pk) or Decimal("0.00"),
            items=per_assessment.get(pk, []),
        )
        for pk, (pk, employee_id, name, number, department_id, department_name) in people.items()
    ]
    employees.sort(key=lambda progress: (progress.department_name, progress.employee_number))
    return {"as_of": as_of, "elapsed_percent": _percent(fraction), "employees": employees, "departments": _departments(employees)}


def _progress_item(row: dict, indicator: Indicator, fraction: Decimal) -> ProgressItem:
    target, actual = row["target"], row["actual"]
    prorated = None
    if target is not None:
        prorated = (target * fraction if indicator.aggregation in ACCUMULATING else target).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    on_track = None
    if prorated is not None and actual is not None:
        if indicator.direction == Direction.HIGHER_BETTER:
            on_track = actual >= prorated
        elif indicator.direction == Direction.LOWER_BETTER:
            on_track = actual <= prorated
    return ProgressItem(
        indicator_id=indicator.pk,
        name=indicator.display_name,
        unit=indicator.unit,
        target=target,
        prorated_target=prorated,
        actual=actual,
        projected_score=row["score"],
        points=row["points"],
        on_track=on_track,
    )


def _departments(employees: list[EmployeeProgress]) -> list[DepartmentProgress]:
    groups: dict[int, list[EmployeeProgress]] = {}
    for progress in employees:
        groups.setdefault(progress.department_id, []).append(progress)
    rows = []
    for department_id, members in groups.items():
        judged = [item.on_track for member in members for item in member.items if item.on_track is not None]
        average = sum((member.projected_total for member in members), Decimal(0)) / len(members)
        rows.append(
            DepartmentProgress(
                department_id=department_id,
                name=members[0].department_name,
                headcount=len(members),
                average_projected_total=average.quantize(Decimal("0.01"), ROUND_HALF_UP),
                on_track_percent=_percent(Decimal(sum(judged)) / len(judged)) if judged else None,
            )
        )
    return sorted(rows, key=lambda row: row.name)


def _percent(fraction: Decimal) -> Decimal:
    return (fraction * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _one_day():
    from datetime import timedelta

    return timedelta(days=1)
