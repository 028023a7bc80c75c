"""What-if: hypothetical actuals scored by the same engine; nothing is written."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from hris.core.errors import DomainError
from hris.kpi.engine.compute import compute
from hris.kpi.engine.inputs import load_inputs
from hris.kpi.models import Assessment, Indicator
from hris.kpi.rules.numbers import NotANumber, to_decimal
from hris.kpi.selectors import rule_in_words

TWO_PLACES, FOUR_PLACES = Decimal("0.01"), Decimal("0.0001")


def what_if(*, assessment: Assessment, actuals: dict[Any, Any]) -> dict:
    """Scores with `actuals` ({indicator id: value}) in place of the measured ones.

    The caller has already checked the actor may see the assessment (assessment_get).
    Blank values keep the measured actual. Returns items and totals, like the breakdown.
    """
    inputs = load_inputs(assessment.cycle, employee_ids=[assessment.employee_id])
    planned = set(inputs.plan.filter(pl.col("template_version_id") == assessment.template_version_id).get_column("indicator_id").to_list())
    overrides, errors = {}, {}
    for raw_id, raw_value in actuals.items():
        try:
            indicator_id = int(raw_id)
        except (TypeError, ValueError):
            errors[str(raw_id)] = [_("Unknown indicator.")]
            continue
        if indicator_id not in planned:
            errors[str(raw_id)] = [_("This indicator is not part of the assessment.")]
            continue
        if raw_value is None or str(raw_value).strip() == "":
            continue
        try:
            value = to_decimal(raw_value)
        except NotANumber:
            errors[str(raw_id)] = [_("Enter a number.")]
            continue
        if abs(value) >= Decimal(10) ** 15:
            errors[str(raw_id)] = [_("The number is too large.")]
            continue
        overrides[indicator_id] = value
    if errors:
        raise DomainError(_("Some hypothetical values are not valid."), code="invalid", field_errors=errors)
    inputs.actual_overrides = pl.DataFrame(
        {
            "assessment_id": [assessment.pk] * len(overrides),
            "indicator_id": list(overrides),
            "actual": [str(value) for value in overrides.values()],
        },
        schema={"assessment_id": pl.Int64, "indicator_id": pl.Int64, "actual": pl.String},
    ).with_columns(pl.col("actual").cast(pl.Decimal(38, 18)))
    items, totals = compute(inputs)
    names = {indicator.pk: indicator for indicator in Indicator.objects.filter(pk__in=planned)}
    rows = [
        {
            "indicator_id": row["indicator_id"],
            "code": names[row["indicator_id"]].code,
            "name": names[row["indicator_id"]].display_name,
            "unit": names[row["indicator_id"]].unit,
            "target": _plain(row["target"], FOUR_PLACES),
            "actual": _plain(row["actual"], FOUR_PLACES),
            "hypothetical": row["indicator_id"] in overrides,
            "score": row["score"],
            "weight": _plain(row["weight"], TWO_PLACES),
            "points": row["points"],
            "status": row["status"],
            "rule_in_words": rule_in_words(_rule_of(inputs, row["rule_id"])),
        }
        for row in items.filter(pl.col("assessment_id") == assessment.pk).sort("position").iter_rows(named=True)
    ]
    total = totals.filter(pl.col("assessment_id") == assessment.pk).row(0, named=True) if totals.height else {}
    return {
        "items": rows,
        "computed_total": total.get("computed_total"),
        "final_score": total.get("final_score"),
        "current_total": assessment.computed_total,
    }


def _plain(value: Decimal | None, places: Decimal) -> Decimal | None:
    """Engine decimals carry 18 places; show them as stored (weights 2 places, targets and actuals 4)."""
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def _rule_of(inputs, key: int) -> dict:
    return inputs.rules[key].spec
