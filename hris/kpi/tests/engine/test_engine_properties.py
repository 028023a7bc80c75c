"""Engine properties (hypothesis): one employee alone scores exactly as inside the whole cycle,
totals are the sum of weight × score / 100 per item, and results do not depend on row order."""

from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from hris.kpi.engine.compute import compute
from hris.kpi.engine.inputs import NUMBER, EngineInputs, PlanRule
from hris.kpi.rules import parse_rule

RULES = [
    {"type": "linear", "floor": 0, "cap": 120},
    {"type": "bands", "comparison": "le", "bands": [{"threshold": 3, "score": 100}, {"threshold": 5, "score": 60}], "otherwise": 0},
    {"type": "deduction", "per_occurrence": 5},
    {"type": "piecewise", "basis": "attainment", "knots": [[0, 0], [60, 40], [100, 100], [130, 120]]},
]
# indicator id, aggregation, metric key, denominator, weight
PLAN = [
    (1, "sum", "output", "", "40"),
    (2, "ratio", "defects", "output", "25"),
    (3, "count", "late", "", "15"),
    (4, "avg", "eff", "", "20"),
]
KEYS = ["output", "defects", "late", "eff"]

records_strategy = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=4),  # employee
        st.sampled_from(KEYS),
        st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False),
        st.integers(min_value=1, max_value=28),
    ),
    max_size=40,
)


def _frame(rows, schema):
    text = {name: (pl.String if isinstance(dtype, pl.Decimal) else dtype) for name, dtype in schema.items()}
    frame = pl.DataFrame(rows, schema=text, orient="row")
    return frame.with_columns(pl.col(name).cast(dtype) for name, dtype in schema.items() if isinstance(dtype, pl.Decimal))


def _inputs(records, employees) -> EngineInputs:
    rules = {index: PlanRule(key=index, spec=spec, rule=parse_rule(spec)) for index, spec in enumerate(RULES)}
    return EngineInputs(
        cycle_id=1,
        score_floor=Decimal(0),
        score_cap=Decimal(120),
        assessments=_frame(
            [(100 + employee, employee, 10, 7, "0") for employee in employees],
            {
                "assessment_id": pl.Int64,
                "employee_id": pl.Int64,
                "department_id": pl.Int64,
                "template_version_id": pl.Int64,
                "adjustment_total": NUMBER,
            },
        ),
        plan=_frame(
            [(7, indicator, position, weight, "100", position) for position, (indicator, _a, _k, _d, weight) in enumerate(PLAN)],
            {
                "template_version_id": pl.Int64,
                "indicator_id": pl.Int64,
                "position": pl.Int64,
                "weight": NUMBER,
                "target": NUMBER,
                "rule_id": pl.Int32,
            },
        ),
        indicators=_frame(
            [
                (indicator, aggregation, key, denominator, "employee", aggregation == "count")
                for indicator, aggregation, key, denominator, _w in PLAN
            ],
            {
                "indicator_id": pl.Int64,
                "aggregation": pl.String,
                "metric_key": pl.String,
                "denominator_key": pl.String,
                "owner_level": pl.String,
                "zero_when_empty": pl.Boolean,
            },
        ),
        weight_overrides=_frame([], {"template_version_id": pl.Int64, "indicator_id": pl.Int64, "cycle_weight": NUMBER}),
        employee_weights=_frame([], {"employee_id": pl.Int64, "indicator_id": pl.Int64, "employee_weight": NUMBER}),
        targets=_frame([], {"employee_id": pl.Int64, "indicator_id": pl.Int64, "employee_target": NUMBER}),
        records=_frame(
            [
                (number, employee, None, key, str(value), f"2026-10-{day:02d}", f"2026-10-{day:02d} 09:00")
                for number, (employee, key, value, day) in enumerate(records, start=1)
                if employee in employees
            ],
            {
                "record_id": pl.Int64,
                "employee_id": pl.Int64,
                "department_id": pl.Int64,
                "metric_key": pl.String,
                "value": NUMBER,
                "period_end": pl.String,
                "recorded_at": pl.String,
            },
        ),
        ratings=_frame([], {"assessment_id": pl.Int64, "indicator_id": pl.Int64, "rater_role": pl.String, "value": NUMBER}),
        rules=rules,
    )


def _by_assessment(items: pl.DataFrame) -> dict:
    rows = items.sort("assessment_id", "indicator_id").select(
        "assessment_id", "indicator_id", "actual", "score", "points", "status", "record_ids"
    )
    result: dict = {}
    for row in rows.iter_rows():
        result.setdefault(row[0], []).append(row[1:])
    return result


@settings(max_examples=60, deadline=None)
@given(records=records_strategy)
def test_one_employee_alone_equals_the_whole_cycle(records):
    whole_items, whole_totals = compute(_inputs(records, [1, 2, 3, 4]))
    whole = _by_assessment(whole_items)
    totals = dict(whole_totals.select("assessment_id", "computed_total").iter_rows())
    for employee in (1, 2, 3, 4):
        items, single_totals = compute(_inputs(records, [employee]))
        assert _by_assessment(items)[100 + employee] == whole[100 + employee]
        assert single_totals.row(0)[1] == totals[100 + employee]


@settings(max_examples=60, deadline=None)
@given(records=records_strategy)
def test_totals_are_the_sum_of_weighted_points(records):
    items, totals = compute(_inputs(records, [1, 2, 3, 4]))
    weights = {indicator: Decimal(weight) for indicator, _a, _k, _d, weight in PLAN}
    for assessment_id, total in totals.select("assessment_id", "computed_total").iter_rows():
        rows = items.filter(pl.col("assessment_id") == assessment_id)
        expected = Decimal(0)
        for indicator_id, score, points in rows.select("indicator_id", "score", "points").iter_rows():
            exact = Decimal(0) if score is None else (weights[indicator_id] * score / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert points == exact
            expected += exact
        assert total == expected


@settings(max_examples=30, deadline=None)
@given(records=records_strategy)
def test_record_order_does_not_change_results(records):
    forward = _by_assessment(compute(_inputs(records, [1, 2, 3, 4]))[0])
    backward_inputs = _inputs(records, [1, 2, 3, 4])
    backward_inputs.records = backward_inputs.records.reverse()
    assert _by_assessment(compute(backward_inputs)[0]) == forward
