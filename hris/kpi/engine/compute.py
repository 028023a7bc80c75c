"""The one computation path: the same function scores one employee, a department or a whole cycle.

Pure: frames in, frames out. Nothing here touches the database, so the what-if view,
live progress and the persisted recompute all share it.
"""

from __future__ import annotations

import polars as pl

from hris.kpi.choices import Aggregation, ItemStatus
from hris.kpi.rules import FormulaRule, ManualRule, RuleError, score, score_frame
from hris.kpi.rules.numbers import HUNDRED
from hris.kpi.rules.vectorised import _score_expression as score_expression  # the expression score_frame evaluates

from .actuals import NUMBER, attach_actuals, input_sums, key_ids, owner_aggregates, with_owner_keys
from .inputs import EngineInputs, PlanRule

SCORE = pl.Decimal(38, 2)
ITEM_COLUMNS = (
    "assessment_id",
    "employee_id",
    "indicator_id",
    "position",
    "weight",
    "target",
    "actual",
    "score",
    "points",
    "status",
    "message",
    "rule_id",
    "template_version_id",
    "record_ids",
)


def compute(inputs: EngineInputs) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(items, totals) for every assessment in `inputs`."""
    indicators = inputs.indicators
    names = [*indicators.get_column("metric_key").to_list(), *indicators.get_column("denominator_key").to_list()]
    names += [name for plan_rule in inputs.rules.values() for name in getattr(plan_rule.rule, "inputs", ())]
    codes = key_ids([name for name in names if name])
    aggregations = zip(indicators.get_column("aggregation").to_list(), indicators.get_column("metric_key").to_list(), strict=True)
    last_keys = {key for aggregation, key in aggregations if aggregation == Aggregation.LAST}
    aggregates = owner_aggregates(inputs.records, codes, last_keys)
    items = attach_actuals(with_owner_keys(_planned_items(inputs), codes), aggregates)
    if inputs.actual_overrides is not None and not inputs.actual_overrides.is_empty():
        items = _apply_what_if(items, inputs.actual_overrides)
    scored = _score_few(items, inputs, aggregates, codes) if 0 < items.height <= FEW_ITEMS else None
    if scored is None:
        groups = [
            _score_group(inputs.rules[key], group, aggregates, inputs.ratings, codes)
            for (key,), group in items.partition_by("rule_id", as_dict=True).items()
        ]
        scored = pl.concat(groups, how="vertical_relaxed") if groups else _empty_items()
    items = scored.with_columns(
        (pl.col("weight") * pl.col("score").cast(NUMBER) / 100)
        .round(2, mode="half_away_from_zero")
        .fill_null(0)
        .cast(SCORE)
        .alias("points")
    )
    return items.select(ITEM_COLUMNS), _totals(items, inputs)


def _planned_items(inputs: EngineInputs) -> pl.DataFrame:
    items = inputs.assessments.join(inputs.plan, on="template_version_id", how="inner")
    # Overrides usually are none (one employee's recompute): a left join with no rows adds only nulls.
    overrides = [
        (frame, keys, column)
        for frame, keys, column in (
            (inputs.weight_overrides, ["template_version_id", "indicator_id"], "cycle_weight"),
            (inputs.employee_weights, ["employee_id", "indicator_id"], "employee_weight"),
            (inputs.targets, ["employee_id", "indicator_id"], "employee_target"),
        )
        if not frame.is_empty()
    ]
    for frame, keys, _column in overrides:
        items = items.join(frame, on=keys, how="left")
    items = items.join(inputs.indicators, on="indicator_id", how="left")
    present = {column for _frame, _keys, column in overrides}
    if not present:
        return items
    weights = [column for column in ("employee_weight", "cycle_weight") if column in present]
    targets = ["employee_target"] if "employee_target" in present else []
    return items.with_columns(
        pl.coalesce(*weights, "weight").alias("weight"),
        pl.coalesce(*targets, "target").alias("target"),
    ).drop(*present)


def _apply_what_if(items: pl.DataFrame, overrides: pl.DataFrame) -> pl.DataFrame:
    overrides = overrides.select("assessment_id", "indicator_id", pl.col("actual").cast(NUMBER).alias("__hypothetical"))
    items = items.join(overrides, on=["assessment_id", "indicator_id"], how="left")
    hypothetical = pl.col("__hypothetical").is_not_null()
    return items.with_columns(
        pl.when(hypothetical).then(pl.col("__hypothetical")).otherwise(pl.col("actual")).alias("actual"),
        pl.when(hypothetical).then(pl.lit([], dtype=pl.List(pl.Int64))).otherwise(pl.col("record_ids")).alias("record_ids"),
    ).drop("__hypothetical")


FEW_ITEMS = 2_000  # up to this many items, the rules that read only actual and target are scored in one expression


def _score_few(items: pl.DataFrame, inputs: EngineInputs, aggregates: pl.DataFrame, codes: dict[str, int]) -> pl.DataFrame | None:
    """The result of scoring each rule's group with `_score_group`, in a few whole-frame operations.

    For one employee, per-operation overhead dominates: one expression choosing each row's rule
    replaces a handful of operations per rule. Each row gets the same expression as its rule's
    group would (every rule expression is row by row), and the rows come out in the same order
    (groups in order of first appearance). Whatever this path does not reproduce exactly (an
    unscorable row needing its reason, a Polars error, an invalid rule constant) returns None,
    and the caller scores group by group.
    """
    keys = items.get_column("rule_id").unique(maintain_order=True).to_list()
    rules = {key: inputs.rules[key].rule for key in keys}
    plain = [
        key for key in keys if not isinstance(rules[key], ManualRule) and not (isinstance(rules[key], FormulaRule) and rules[key].inputs)
    ]
    if not plain:
        return None
    floats = frozenset(name for name in ("actual", "target") if items.schema[name].is_float())
    rule_id = pl.col("rule_id")
    try:
        chosen = None
        for key in plain:
            expression = score_expression(rules[key], ("actual", "target"), floats)
            chosen = (pl.when(rule_id == key) if chosen is None else chosen.when(rule_id == key)).then(expression)
        formulas = [key for key in plain if isinstance(rules[key], FormulaRule)]
        status = (
            pl.when(pl.col("score").is_not_null())
            .then(pl.lit(ItemStatus.SCORED.value))
            .when(pl.col("actual").is_null() & ~rule_id.is_in(formulas))
            .then(pl.lit(ItemStatus.NO_DATA.value))
            .otherwise(pl.lit(ItemStatus.ERROR.value))
        )
        simple = items if len(plain) == len(keys) else items.filter(rule_id.is_in(plain))
        simple = simple.with_columns(chosen.otherwise(pl.lit(None, dtype=SCORE)).alias("score")).with_columns(
            status.alias("status"), pl.lit("", dtype=pl.String).alias("message")
        )
    except (pl.exceptions.PolarsError, RuleError):
        return None
    if (simple.get_column("status") == ItemStatus.ERROR.value).any():
        return None
    rest = items.filter(~rule_id.is_in(plain)) if len(plain) < len(keys) else items.clear()
    others = [
        _score_group(inputs.rules[key], group, aggregates, inputs.ratings, codes)
        for (key,), group in rest.partition_by("rule_id", as_dict=True).items()
    ]
    scored = pl.concat([simple, *others], how="vertical_relaxed") if others else simple
    if len(keys) == 1 or (not others and len(keys) == items.height):
        return scored  # one group, or one row per group all scored together: already in the groups' order
    order = {key: position for position, key in enumerate(keys)}
    return scored.sort(rule_id.replace_strict(order, return_dtype=pl.Int32), maintain_order=True)


def _score_group(
    plan_rule: PlanRule, group: pl.DataFrame, aggregates: pl.DataFrame, ratings: pl.DataFrame, codes: dict[str, int]
) -> pl.DataFrame:
    rule = plan_rule.rule
    if isinstance(rule, ManualRule):
        return _score_manual(rule, group, ratings)
    if isinstance(rule, FormulaRule) and rule.inputs:
        group = input_sums(aggregates, group, rule.inputs, codes)
    scores = score_frame(rule, group)
    missing_actual = group.get_column("actual").is_null() & (not isinstance(rule, FormulaRule))
    status = pl.Series("status", [ItemStatus.SCORED.value] * group.height, dtype=pl.String)
    unscored = scores.is_null()
    if unscored.any():
        status = pl.select(
            pl.when(~pl.lit(unscored))
            .then(pl.lit(ItemStatus.SCORED.value))
            .when(pl.lit(missing_actual))
            .then(pl.lit(ItemStatus.NO_DATA.value))
            .otherwise(pl.lit(ItemStatus.ERROR.value))
            .alias("status")
        ).to_series()
    group = group.with_columns(scores.alias("score"), status, pl.lit("", dtype=pl.String).alias("message"))
    if (status == ItemStatus.ERROR.value).any():
        return _explain_errors(rule, group)
    return group


def _explain_errors(rule, group: pl.DataFrame) -> pl.DataFrame:
    """Rows the vectorised path could not score get the scalar path's exact reason."""
    failed = group.filter(pl.col("status") == ItemStatus.ERROR.value)
    explained = []
    names = getattr(rule, "inputs", ())
    for row in failed.iter_rows(named=True):
        try:
            score(rule, actual=row["actual"], target=row["target"], inputs={name: row.get(name) for name in names})
            explained.append("")
        except RuleError as error:
            explained.append(error.message[:300])
    reasons = failed.select("assessment_id", "indicator_id").with_columns(pl.Series("__reason", explained, dtype=pl.String))
    group = group.join(reasons, on=["assessment_id", "indicator_id"], how="left")
    return group.with_columns(pl.coalesce("__reason", "message").alias("message")).drop("__reason")


def _score_manual(rule: ManualRule, group: pl.DataFrame, ratings: pl.DataFrame) -> pl.DataFrame:
    """Weighted average of each rater role's mean rating, renormalised over the roles that rated."""
    weights = pl.DataFrame(
        {"rater_role": [role for role, _ in rule.rater_weights], "role_weight": [str(weight) for _, weight in rule.rater_weights]}
    ).with_columns(pl.col("role_weight").cast(NUMBER))
    keys = group.select("assessment_id", "indicator_id")
    relevant = ratings.join(keys, on=["assessment_id", "indicator_id"], how="semi").join(weights, on="rater_role", how="inner")
    per_role = relevant.group_by("assessment_id", "indicator_id", "rater_role", "role_weight").agg(
        (pl.col("value").sum() / pl.len().cast(NUMBER)).alias("role_average")
    )
    weighted = per_role.group_by("assessment_id", "indicator_id").agg(
        ((pl.col("role_weight") * pl.col("role_average")).sum() / pl.col("role_weight").sum()).alias("weighted_rating")
    )
    span = rule.scale_max - rule.scale_min
    scored = weighted.with_columns(
        ((pl.col("weighted_rating") - pl.lit(rule.scale_min, dtype=NUMBER)) * HUNDRED / pl.lit(span, dtype=NUMBER))
        .round(2, mode="half_away_from_zero")
        .cast(SCORE)
        .alias("score")
    ).select("assessment_id", "indicator_id", "score", pl.col("weighted_rating").alias("__rating"))
    group = group.join(scored, on=["assessment_id", "indicator_id"], how="left")
    return group.with_columns(
        # The actual of a rated indicator is the weighted rating on the rule's scale.
        pl.col("__rating").round(4, mode="half_away_from_zero").alias("actual"),
        pl.when(pl.col("score").is_null())
        .then(pl.lit(ItemStatus.AWAITING_RATINGS.value))
        .otherwise(pl.lit(ItemStatus.SCORED.value))
        .alias("status"),
        pl.lit("", dtype=pl.String).alias("message"),
    ).drop("__rating")


def _totals(items: pl.DataFrame, inputs: EngineInputs) -> pl.DataFrame:
    floor, cap = pl.lit(inputs.score_floor, dtype=NUMBER), pl.lit(inputs.score_cap, dtype=NUMBER)
    fingerprint = pl.struct("indicator_id", "weight", "target", "actual", "score", "points", "status", "message", "record_ids").hash(
        seed=20261122
    )
    totals = items.group_by("assessment_id").agg(
        pl.col("points").cast(NUMBER).sum().alias("computed_total"),
        (pl.col("status") == ItemStatus.SCORED.value).all().alias("is_complete"),
        # XOR of the item hashes (each includes its indicator): independent of row order.
        fingerprint.bitwise_xor().reinterpret(signed=True).alias("result_digest"),
    )
    # Assessments whose template has no items still get a (zero, incomplete) total.
    totals = (
        inputs.assessments.select("assessment_id", "adjustment_total")
        .join(totals, on="assessment_id", how="left")
        .with_columns(pl.col("computed_total").fill_null(0), pl.col("is_complete").fill_null(False))
    )
    total = pl.col("computed_total")
    # Final score = computed total + review adjustments, within the cycle's bounds (DESIGN §6).
    adjusted = total + pl.col("adjustment_total").fill_null(0)
    final = pl.when(adjusted < floor).then(floor).when(adjusted > cap).then(cap).otherwise(adjusted)
    return totals.with_columns(total.cast(SCORE), final.cast(SCORE).alias("final_score")).drop("adjustment_total").sort("assessment_id")


def _empty_items() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "assessment_id": pl.Int64,
            "employee_id": pl.Int64,
            "indicator_id": pl.Int64,
            "position": pl.Int64,
            "weight": NUMBER,
            "target": NUMBER,
            "actual": NUMBER,
            "score": SCORE,
            "points": SCORE,
            "status": pl.String,
            "message": pl.String,
            "rule_id": pl.Int32,
            "template_version_id": pl.Int64,
            "record_ids": pl.List(pl.Int64),
        }
    )
