"""Aggregate metric records into each item's actual (DESIGN.md §6 'aggregation over the period').

Joins use integer keys (an owner key and a metric key id) rather than strings: on a cycle
of 800,000 items the string joins cost more than all the scoring.
"""

from __future__ import annotations

import polars as pl

from hris.kpi.choices import Aggregation, MetricLevel

NUMBER = pl.Decimal(38, 18)
ACTUAL_PLACES = 4  # actuals are stored and shown with 4 places; scores are computed from that value
KEY_COLUMNS = ["owner_key", "key_id"]


def owner_key(owner_id: pl.Expr, is_department: pl.Expr) -> pl.Expr:
    """One integer for (owner level, owner id): employees even, departments odd."""
    return owner_id.cast(pl.Int64) * 2 + is_department.cast(pl.Int64)


def key_ids(names: list[str]) -> dict[str, int]:
    return {name: position for position, name in enumerate(sorted(set(names)))}


def encode(column: str, codes: dict[str, int]) -> pl.Expr:
    return pl.col(column).replace_strict(codes, default=None, return_dtype=pl.Int32)


def owner_aggregates(records: pl.DataFrame, codes: dict[str, int], last_keys: set[str]) -> pl.DataFrame:
    """One row per (owner, metric key) with every aggregate and the record ids.

    Only metric keys read with the `last` aggregation need the records in time order, so
    only those are sorted (sorting every record of a large cycle costs more than the rest).
    """
    owned = records.sort("record_id").with_columns(
        owner_key(pl.coalesce("employee_id", "department_id"), pl.col("employee_id").is_null()).alias("owner_key"),
        encode("metric_key", codes).alias("key_id"),
    )
    sums = owned.group_by(KEY_COLUMNS).agg(
        pl.col("value").sum().alias("value_sum"),
        pl.len().alias("value_count"),
        pl.col("value").max().alias("value_max"),
        pl.col("value").min().alias("value_min"),
        pl.col("record_id").alias("record_ids"),  # ascending: the records were sorted by id and groups keep order
    )
    timed = owned.filter(pl.col("metric_key").is_in(sorted(last_keys))).sort("period_end", "recorded_at", "record_id")
    latest = timed.group_by(KEY_COLUMNS).agg(pl.col("value").last().alias("value_last"))
    return sums.join(latest, on=KEY_COLUMNS, how="left")


def with_owner_keys(items: pl.DataFrame, codes: dict[str, int]) -> pl.DataFrame:
    is_department = pl.col("owner_level") == MetricLevel.DEPARTMENT.value
    return items.with_columns(
        owner_key(pl.when(is_department).then(pl.col("department_id")).otherwise(pl.col("employee_id")), is_department).alias("owner_key"),
        encode("metric_key", codes).alias("key_id"),
        encode("denominator_key", codes).alias("denominator_key_id"),
    ).drop("metric_key", "denominator_key", "owner_level")


def attach_actuals(items: pl.DataFrame, aggregates: pl.DataFrame) -> pl.DataFrame:
    """Adds `actual` and `record_ids` to items carrying aggregation, owner_key, key ids and zero_when_empty.

    A few whole-frame operations whatever the size: for one employee the per-operation cost
    dominates, and for a whole cycle these expressions are cheap next to the joins.
    """
    denominators = aggregates.select(
        "owner_key",
        pl.col("key_id").alias("denominator_key_id"),
        pl.col("value_sum").alias("denominator_sum"),
        pl.col("record_ids").alias("denominator_ids"),
    )
    joined = items.join(aggregates, on=KEY_COLUMNS, how="left").join(denominators, on=["owner_key", "denominator_key_id"], how="left")
    aggregation, count = pl.col("aggregation"), pl.col("value_count").cast(pl.Int64).fill_null(0)
    is_ratio = aggregation == Aggregation.RATIO
    denominator = pl.col("denominator_sum")
    actual = pl.when(is_ratio).then(pl.col("value_sum").fill_null(0) * 100 / pl.when(denominator != 0).then(denominator))
    for name, expression in _ACTUALS.items():
        actual = actual.when(aggregation == name).then(expression(count))
    # "Counts as zero" indicators (complaints, defects …) score no records as 0, not as missing.
    empty_is_zero = pl.col("zero_when_empty") & (count == 0) & ~is_ratio
    actual = pl.when(empty_is_zero).then(pl.lit(0, dtype=NUMBER)).otherwise(actual.otherwise(None))
    # Ratio rows list the numerator's records, then the denominator's (each ascending).
    ratio_ids = pl.concat_list(pl.col("record_ids").fill_null([]), pl.col("denominator_ids").fill_null([]))
    return joined.with_columns(
        actual.cast(NUMBER).round(ACTUAL_PLACES, mode="half_away_from_zero").alias("actual"),
        pl.when(is_ratio).then(ratio_ids).otherwise(pl.col("record_ids").fill_null([])).alias("record_ids"),
    ).drop(*_AGGREGATE_COLUMNS, "denominator_sum", "denominator_ids")


_AGGREGATE_COLUMNS = ("value_sum", "value_count", "value_max", "value_min", "value_last")
_ACTUALS = {
    Aggregation.SUM: lambda count: pl.col("value_sum"),
    Aggregation.AVG: lambda count: pl.col("value_sum") / pl.when(count > 0).then(count.cast(NUMBER)),
    Aggregation.LAST: lambda count: pl.col("value_last"),
    Aggregation.MAX: lambda count: pl.col("value_max"),
    Aggregation.MIN: lambda count: pl.col("value_min"),
    Aggregation.COUNT: lambda count: pl.when(count > 0).then(count.cast(NUMBER)),
}


def input_sums(aggregates: pl.DataFrame, items: pl.DataFrame, names: tuple[str, ...], codes: dict[str, int]) -> pl.DataFrame:
    """For formula rules: each input name is the period sum of that metric key for the item's owner."""
    frame = items
    for name in names:
        values = aggregates.filter(pl.col("key_id") == codes.get(name, -1)).select(
            "owner_key", pl.col("value_sum").alias(name), pl.col("record_ids").alias(f"__ids_{name}")
        )
        frame = frame.join(values, on="owner_key", how="left")
        frame = frame.with_columns(
            pl.concat_list(pl.col("record_ids"), pl.col(f"__ids_{name}").fill_null([])).list.unique(maintain_order=True).alias("record_ids")
        ).drop(f"__ids_{name}")
    return frame
