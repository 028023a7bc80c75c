"""Everything one computation reads, loaded in a fixed number of queries whatever the cycle size."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal

import polars as pl
from django.db import connection

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
    # Read with the given employees' assessments, for the audit of changed totals: assessment id →
    # (stored computed total, employee id, department path). None when the whole cycle was read.
    previous: dict[int, tuple] | None = None


WEIGHT_OVERRIDE_SCHEMA = {"template_version_id": pl.Int64, "indicator_id": pl.Int64, "weight": NUMBER}
EMPLOYEE_WEIGHT_SCHEMA = {"employee_id": pl.Int64, "indicator_id": pl.Int64, "weight": NUMBER}
TARGET_SCHEMA = {"employee_id": pl.Int64, "indicator_id": pl.Int64, "value": NUMBER}
RATING_SCHEMA = {"assessment_id": pl.Int64, "indicator_id": pl.Int64, "rater_role": pl.String, "value": NUMBER}
ASSESSMENT_SCHEMA = {
    "assessment_id": pl.Int64,
    "employee_id": pl.Int64,
    "department_id": pl.Int64,
    "template_version_id": pl.Int64,
    "adjustment_total": NUMBER,
}
RECORD_SCHEMA = {
    "record_id": pl.Int64,
    "employee_id": pl.Int64,
    "department_id": pl.Int64,
    "metric_key": pl.String,
    "value": NUMBER,
    "period_end": pl.String,
    "recorded_at": pl.String,
}
PLAN_SCHEMA = {
    "template_version_id": pl.Int64,
    "indicator_id": pl.Int64,
    "position": pl.Int64,
    "weight": pl.String,
    "target": pl.String,
    "rule_id": pl.Int32,
}
INDICATOR_SCHEMA = {
    "indicator_id": pl.Int64,
    "aggregation": pl.String,
    "metric_key": pl.String,
    "denominator_key": pl.String,
    "owner_level": pl.String,
    "zero_when_empty": pl.Boolean,
}


def rule_key(spec: dict) -> str:
    return json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def load_inputs(cycle: Cycle, *, employee_ids: Sequence[int] | None = None, as_of: date | None = None) -> EngineInputs:
    """Inputs for the whole cycle, or only for the given employees' assessments.

    `as_of` limits metric records to those whose period ended by that date (live progress).
    A few employees (a recompute after a correction or an adjustment) take four small queries:
    the assessments with their stored totals, the plan with its indicators, the weight
    overrides, targets and ratings together, and the metric records.
    """
    if employee_ids is None:
        assessments, previous = _assessments(cycle), None
    else:
        assessments, previous = _assessments_with_previous(cycle, employee_ids)
    version_ids = sorted(assessments.get_column("template_version_id").unique().to_list())
    plan, rules, indicators = _plan_and_indicators(version_ids)
    if employee_ids is not None and len(employee_ids) <= FEW_EMPLOYEES:
        weight_overrides, employee_weights, targets, ratings = _employees_overrides(cycle, employee_ids, version_ids)
    else:
        weight_overrides = _orm_frame(
            CycleWeightOverride.objects.filter(cycle=cycle, template_version_id__in=version_ids), WEIGHT_OVERRIDE_SCHEMA
        )
        employee_weights = _orm_frame(
            _for_employees(EmployeeWeightOverride.objects.filter(cycle=cycle), employee_ids), EMPLOYEE_WEIGHT_SCHEMA
        )
        targets = _orm_frame(_for_employees(Target.objects.filter(cycle=cycle), employee_ids), TARGET_SCHEMA)
        ratings = Rating.objects.filter(assessment__cycle=cycle)
        if employee_ids is not None:
            ratings = ratings.filter(assessment__employee_id__in=list(employee_ids))
        ratings = _orm_frame(ratings, RATING_SCHEMA)
    return EngineInputs(
        cycle_id=cycle.pk,
        score_floor=cycle.score_floor,
        score_cap=cycle.score_cap,
        assessments=assessments,
        plan=plan,
        indicators=indicators,
        weight_overrides=weight_overrides.rename({"weight": "cycle_weight"}),
        employee_weights=employee_weights.rename({"weight": "employee_weight"}),
        targets=targets.rename({"value": "employee_target"}),
        records=_records(cycle, _metric_keys(indicators, rules), assessments, employee_ids, as_of),
        ratings=ratings,
        rules=rules,
        previous=previous,
    )


FEW_EMPLOYEES = 500  # up to this many, the overrides, targets and ratings are read in one query (each list three times)


def _for_employees(queryset, employee_ids):
    return queryset if employee_ids is None else queryset.filter(employee_id__in=list(employee_ids))


def _ids(values: Sequence[int]) -> list[int]:
    return [int(value) for value in values] or [0]


def _placeholders(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _assessments(cycle: Cycle) -> pl.DataFrame:
    sql = (
        f"SELECT id, employee_id, department_id, template_version_id, adjustment_total FROM {Assessment._meta.db_table} "
        "WHERE cycle_id = %s ORDER BY id"
    )
    return read_frame(sql, [cycle.pk], ASSESSMENT_SCHEMA)


def _assessments_with_previous(cycle: Cycle, employee_ids: Sequence[int]) -> tuple[pl.DataFrame, dict[int, tuple]]:
    """The employees' assessments, and each one's stored total, employee and department path (for the audit)."""
    departments = Assessment._meta.get_field("department").related_model._meta.db_table
    ids = _ids(employee_ids)
    rows = _fetch(
        f"SELECT a.id, a.employee_id, a.department_id, a.template_version_id, a.adjustment_total, a.computed_total, d.path "
        f"FROM {Assessment._meta.db_table} AS a LEFT JOIN {departments} AS d ON d.id = a.department_id "
        f"WHERE a.cycle_id = %s AND a.employee_id IN ({_placeholders(ids)}) ORDER BY a.id",
        [cycle.pk, *ids],
    )
    previous = {row[0]: (_decimal(row[5], places=2), row[1], row[6]) for row in rows}
    return frame_from_rows([row[:5] for row in rows], ASSESSMENT_SCHEMA), previous


_SQLITE_DECIMAL = Context(prec=15)  # as Django's SQLite backend reads decimals stored as floats


def _decimal(value, *, places: int) -> Decimal | None:
    """A stored decimal exactly as the ORM returns it: SQLite's driver gives a float or an int."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return Decimal(value)
    return _SQLITE_DECIMAL.create_decimal_from_float(value).quantize(Decimal(1).scaleb(-places))


def _employees_overrides(cycle: Cycle, employee_ids: Sequence[int], version_ids: list[int]) -> tuple[pl.DataFrame, ...]:
    """Cycle weight overrides, the employees' weight overrides, targets and ratings, in one query."""
    ids, versions = _ids(employee_ids), version_ids or [0]
    employees = _placeholders(ids)
    rows = _fetch(
        f"SELECT 0, template_version_id, indicator_id, NULL, weight FROM {CycleWeightOverride._meta.db_table} "
        f"WHERE cycle_id = %s AND template_version_id IN ({_placeholders(versions)}) "
        f"UNION ALL SELECT 1, employee_id, indicator_id, NULL, weight FROM {EmployeeWeightOverride._meta.db_table} "
        f"WHERE cycle_id = %s AND employee_id IN ({employees}) "
        f"UNION ALL SELECT 2, employee_id, indicator_id, NULL, value FROM {Target._meta.db_table} "
        f"WHERE cycle_id = %s AND employee_id IN ({employees}) "
        f"UNION ALL SELECT 3, r.assessment_id, r.indicator_id, r.rater_role, r.value FROM {Rating._meta.db_table} AS r "
        f"JOIN {Assessment._meta.db_table} AS a ON a.id = r.assessment_id WHERE a.cycle_id = %s AND a.employee_id IN ({employees})",
        [cycle.pk, *versions, cycle.pk, *ids, cycle.pk, *ids, cycle.pk, *ids],
    )
    kinds: tuple[list, list, list, list] = ([], [], [], [])
    for kind, owner, indicator, role, value in rows:
        kinds[kind].append((owner, indicator, role, value) if kind == 3 else (owner, indicator, value))
    schemas = (WEIGHT_OVERRIDE_SCHEMA, EMPLOYEE_WEIGHT_SCHEMA, TARGET_SCHEMA, RATING_SCHEMA)
    return tuple(frame_from_rows(kind_rows, schema) for kind_rows, schema in zip(kinds, schemas, strict=True))


WEIGHT_PLACES = TemplateItem._meta.get_field("weight").decimal_places
TARGET_PLACES = TemplateItem._meta.get_field("target").decimal_places
_PLAN_CACHE: dict[tuple, tuple[pl.DataFrame, dict[int, PlanRule], pl.DataFrame]] = {}
_PLAN_CACHE_SIZE = 64


def _plan_and_indicators(version_ids: list[int]) -> tuple[pl.DataFrame, dict[int, PlanRule], pl.DataFrame]:
    """Template items of the versions in use with their indicators, in one query.

    Parsing the rules and building the frames costs more than the query, so the result is kept
    per process, keyed on every value read: whatever changed (an item, a rule, an indicator's
    aggregation or metric key), the key differs and the plan is built anew. Polars frames are
    never modified in place, so sharing them between computations is safe.
    """
    versions = version_ids or [0]
    rows = _fetch(
        f'SELECT t.version_id, t.indicator_id, t."order", t.id, t.weight, t.target, t.rule, '
        f"i.aggregation, i.metric_key, i.denominator_key, i.metric_level, i.when_no_data "
        f"FROM {TemplateItem._meta.db_table} AS t JOIN {Indicator._meta.db_table} AS i ON i.id = t.indicator_id "
        f'WHERE t.version_id IN ({_placeholders(versions)}) ORDER BY t.version_id, t."order", t.id',
        versions,
    )
    key = tuple(tuple(_hashable(value) for value in row) for row in rows)
    plan = _PLAN_CACHE.get(key)
    if plan is None:
        plan = _build_plan(key)
        if len(_PLAN_CACHE) >= _PLAN_CACHE_SIZE:
            _PLAN_CACHE.clear()
        _PLAN_CACHE[key] = plan
    return plan


def _hashable(value):
    """JSON read as Python objects (some drivers) becomes its text; floats (SQLite decimals) their exact repr."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value)
    return value


def _build_plan(rows: tuple[tuple, ...]) -> tuple[pl.DataFrame, dict[int, PlanRule], pl.DataFrame]:
    """The plan frame, the distinct rules (equal rules share one parsed rule, one id) and the indicators."""
    ids_by_text: dict[str, int] = {}
    rules: dict[int, PlanRule] = {}
    plan_rows, indicator_rows = [], {}
    for version_id, indicator_id, order, _pk, weight, target, rule_json, aggregation, metric_key, denominator, level, empty in rows:
        spec = json.loads(rule_json) if isinstance(rule_json, str) else rule_json
        text = rule_key(spec)
        if text not in ids_by_text:
            ids_by_text[text] = len(ids_by_text)
            rules[ids_by_text[text]] = PlanRule(key=ids_by_text[text], spec=spec, rule=parse_rule(spec))
        weight, target = _decimal(weight, places=WEIGHT_PLACES), _decimal(target, places=TARGET_PLACES)
        plan_rows.append((version_id, indicator_id, order, _str(weight), _str(target), ids_by_text[text]))
        indicator_rows[indicator_id] = (indicator_id, aggregation, metric_key, denominator, level, empty == "zero")
    frame = pl.DataFrame(plan_rows, schema=PLAN_SCHEMA, orient="row").with_columns(
        pl.col("weight", "target").cast(NUMBER),
        # Position within the version, so items order the same way on every page.
        (pl.int_range(pl.len()).over("template_version_id") + 1).cast(pl.Int64).alias("position"),
    )
    indicators = pl.DataFrame(list(indicator_rows.values()), schema=INDICATOR_SCHEMA, orient="row")
    return frame, rules, indicators


def _metric_keys(indicators: pl.DataFrame, rules: dict[str, PlanRule]) -> list[str]:
    keys = set(indicators.get_column("metric_key").to_list()) | set(indicators.get_column("denominator_key").to_list())
    for plan_rule in rules.values():
        keys |= set(getattr(plan_rule.rule, "inputs", ()))
    return sorted(key for key in keys if key)


def _records(cycle, metric_keys, assessments: pl.DataFrame, employee_ids, as_of: date | None) -> pl.DataFrame:
    if not metric_keys or assessments.is_empty():
        return pl.DataFrame(schema=RECORD_SCHEMA)
    table = MetricRecord._meta.db_table
    true = "TRUE" if connection.vendor == "postgresql" else "1"
    sql = (
        f"SELECT id, employee_id, department_id, metric_key, value, period_end, recorded_at FROM {table} "
        f"WHERE company_id = %s AND is_current = {true} AND period_start >= %s AND period_end <= %s "
        f"AND metric_key IN ({_placeholders(metric_keys)})"
    )
    params: list = [cycle.company_id, cycle.period_start, min(cycle.period_end, as_of) if as_of else cycle.period_end, *metric_keys]
    if employee_ids is None:
        return read_frame(sql, params, RECORD_SCHEMA)
    employees = assessments.get_column("employee_id").to_list() or [0]
    departments = assessments.get_column("department_id").unique().to_list() or [0]
    sql += f" AND (employee_id IN ({_placeholders(employees)}) OR department_id IN ({_placeholders(departments)}))"
    # A few employees' records: plain rows cost less than COPY and the CSV parser.
    return frame_from_rows(_fetch(sql, params + employees + departments), RECORD_SCHEMA)


def _orm_frame(queryset, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame_from_rows(list(queryset.values_list(*schema)), schema)


def _str(value) -> str | None:
    return None if value is None else str(value)


OWNER_EMPLOYEE = MetricLevel.EMPLOYEE.value
OWNER_DEPARTMENT = MetricLevel.DEPARTMENT.value
