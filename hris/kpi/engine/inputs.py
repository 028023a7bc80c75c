"""Everything one computation reads, loaded in a fixed number of queries whatever the cycle size."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl

from hris.kpi.choices import MetricLevel
from hris.kpi.models import (
    Assessment,
    Cycle,
    CycleWeightOverride,
    EmployeeWeightOverride,
    Indicator,
    MetricRecord,
    Rating,
    Target,
    TemplateItem,
)
from hris.kpi.rules import Rule, parse_rule

from .reading import frame_from_rows, read_frame

NUMBER = pl.Decimal(38, 18)


@dataclass(frozen=True)
class PlanRule:
    """A distinct scoring rule used by some template item; parsed once per computation."""

    key: int
    spec: dict
    rule: Rule


@dataclass
class EngineInputs:
    cycle_id: int
    score_floor: Decimal
    score_cap: Decimal
    assessments: pl.DataFrame  # assessment_id, employee_id, department_id, template_version_id, adjustment_total
    plan: pl.DataFrame  # template_version_id, indicator_id, position, weight, target, rule_id
    indicators: pl.DataFrame  # indicator_id, aggregation, metric_key, denominator_key, owner_level, zero_when_empty
    weight_overrides: pl.DataFrame  # template_version_id, indicator_id, cycle_weight
    employee_weights: pl.DataFrame  # employee_id, indicator_id, employee_weight
    targets: pl.DataFrame  # employee_id, indicator_id, employee_target
    records: pl.DataFrame  # record_id, employee_id, department_id, metric_key, value, period_end, recorded_at
    ratings: pl.DataFrame  # assessment_id, indicator_id, rater_role, value
    rules: dict[int, PlanRule] = field(default_factory=dict)
    actual_overrides: pl.DataFrame | None = None  # assessment_id, indicator_id, actual (what-if)


def rule_key(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def load_inputs(cycle: Cycle, *, employee_ids: Sequence[int] | None = None, as_of: date | None = None) -> EngineInputs:
    """Inputs for the whole cycle, or only for the given employees' assessments.

    `as_of` limits metric records to those whose period ended by that date (live progress).
    """
    assessments = _assessments(cycle, employee_ids)
    version_ids = assessments.get_column("template_version_id").unique().to_list()
    plan, rules = _plan(version_ids)
    indicator_ids = plan.get_column("indicator_id").unique().to_list()
    indicators = _indicators(indicator_ids)
    metric_keys = _metric_keys(indicators, rules)
    return EngineInputs(
        cycle_id=cycle.pk,
        score_floor=cycle.score_floor,
        score_cap=cycle.score_cap,
        assessments=assessments,
        plan=plan,
        indicators=indicators,
        weight_overrides=_orm_frame(
            CycleWeightOverride.objects.filter(cycle=cycle, template_version_id__in=version_ids),
            {"template_version_id": pl.Int64, "indicator_id": pl.Int64, "weight": NUMBER},
            rename={"weight": "cycle_weight"},
        ),
        employee_weights=_orm_frame(
            _for_employees(EmployeeWeightOverride.objects.filter(cycle=cycle), employee_ids),
            {"employee_id": pl.Int64, "indicator_id": pl.Int64, "weight": NUMBER},
            rename={"weight": "employee_weight"},
        ),
        targets=_orm_frame(
            _for_employees(Target.objects.filter(cycle=cycle), employee_ids),
            {"employee_id": pl.Int64, "indicator_id": pl.Int64, "value": NUMBER},
            rename={"value": "employee_target"},
        ),
        records=_records(cycle, metric_keys, assessments, employee_ids, as_of),
        ratings=_ratings(cycle, employee_ids),
        rules=rules,
    )


def _for_employees(queryset, employee_ids):
    return queryset if employee_ids is None else queryset.filter(employee_id__in=list(employee_ids))


def _assessments(cycle: Cycle, employee_ids: Sequence[int] | None) -> pl.DataFrame:
    table = Assessment._meta.db_table
    sql = f"SELECT id, employee_id, department_id, template_version_id, adjustment_total FROM {table} WHERE cycle_id = %s"
    params: list = [cycle.pk]
    if employee_ids is not None:
        ids = [int(value) for value in employee_ids] or [0]
        sql += f" AND employee_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    schema = {
        "assessment_id": pl.Int64,
        "employee_id": pl.Int64,
        "department_id": pl.Int64,
        "template_version_id": pl.Int64,
        "adjustment_total": NUMBER,
    }
    return read_frame(sql + " ORDER BY id", params, schema)


def _plan(version_ids: list[int]) -> tuple[pl.DataFrame, dict[int, PlanRule]]:
    """Template items of the versions in use; equal rules share one parsed rule (one id)."""
    ids_by_text: dict[str, int] = {}
    rules: dict[int, PlanRule] = {}
    rows = []
    items = TemplateItem.objects.filter(version_id__in=version_ids).order_by("version_id", "order", "id")
    for item in items.values("version_id", "indicator_id", "order", "weight", "target", "rule"):
        text = rule_key(item["rule"])
        if text not in ids_by_text:
            ids_by_text[text] = len(ids_by_text)
            rules[ids_by_text[text]] = PlanRule(key=ids_by_text[text], spec=item["rule"], rule=parse_rule(item["rule"]))
        rows.append((item["version_id"], item["indicator_id"], item["order"], str(item["weight"]), _str(item["target"]), ids_by_text[text]))
    schema = {
        "template_version_id": pl.Int64,
        "indicator_id": pl.Int64,
        "position": pl.Int64,
        "weight": pl.String,
        "target": pl.String,
        "rule_id": pl.Int32,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row").with_columns(pl.col("weight", "target").cast(NUMBER))
    # Position within the version, so items order the same way on every page.
    frame = frame.with_columns((pl.int_range(pl.len()).over("template_version_id") + 1).alias("position"))
    return frame, rules


def _indicators(indicator_ids: list[int]) -> pl.DataFrame:
    rows = [
        (row["id"], row["aggregation"], row["metric_key"], row["denominator_key"], row["metric_level"], row["when_no_data"] == "zero")
        for row in Indicator.objects.filter(pk__in=indicator_ids).values(
            "id", "aggregation", "metric_key", "denominator_key", "metric_level", "when_no_data"
        )
    ]
    schema = {
        "indicator_id": pl.Int64,
        "aggregation": pl.String,
        "metric_key": pl.String,
        "denominator_key": pl.String,
        "owner_level": pl.String,
        "zero_when_empty": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _metric_keys(indicators: pl.DataFrame, rules: dict[str, PlanRule]) -> list[str]:
    keys = set(indicators.get_column("metric_key").to_list()) | set(indicators.get_column("denominator_key").to_list())
    for plan_rule in rules.values():
        keys |= set(getattr(plan_rule.rule, "inputs", ()))
    return sorted(key for key in keys if key)


def _records(cycle, metric_keys, assessments: pl.DataFrame, employee_ids, as_of: date | None) -> pl.DataFrame:
    schema = {
        "record_id": pl.Int64,
        "employee_id": pl.Int64,
        "department_id": pl.Int64,
        "metric_key": pl.String,
        "value": NUMBER,
        "period_end": pl.String,
        "recorded_at": pl.String,
    }
    if not metric_keys or assessments.is_empty():
        return pl.DataFrame(schema=schema)
    table = MetricRecord._meta.db_table
    true = "TRUE" if _vendor() == "postgresql" else "1"
    sql = (
        f"SELECT id, employee_id, department_id, metric_key, value, period_end, recorded_at FROM {table} "
        f"WHERE company_id = %s AND is_current = {true} AND period_start >= %s AND period_end <= %s "
        f"AND metric_key IN ({', '.join(['%s'] * len(metric_keys))})"
    )
    params: list = [cycle.company_id, cycle.period_start, min(cycle.period_end, as_of) if as_of else cycle.period_end, *metric_keys]
    if employee_ids is not None:
        employees = assessments.get_column("employee_id").to_list() or [0]
        departments = assessments.get_column("department_id").unique().to_list() or [0]
        sql += f" AND (employee_id IN ({', '.join(['%s'] * len(employees))}) OR department_id IN ({', '.join(['%s'] * len(departments))}))"
        params += employees + departments
    return read_frame(sql, params, schema)


def _ratings(cycle: Cycle, employee_ids) -> pl.DataFrame:
    queryset = Rating.objects.filter(assessment__cycle=cycle)
    if employee_ids is not None:
        queryset = queryset.filter(assessment__employee_id__in=list(employee_ids))
    schema = {"assessment_id": pl.Int64, "indicator_id": pl.Int64, "rater_role": pl.String, "value": NUMBER}
    return _orm_frame(queryset, schema, rename={})


def _orm_frame(queryset, schema: dict[str, pl.DataType], *, rename: dict[str, str]) -> pl.DataFrame:
    return frame_from_rows(list(queryset.values_list(*schema)), schema).rename(rename)


def _str(value) -> str | None:
    return None if value is None else str(value)


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


OWNER_EMPLOYEE = MetricLevel.EMPLOYEE.value
OWNER_DEPARTMENT = MetricLevel.DEPARTMENT.value
