"""The Polars path must give exactly the scalar Decimal scores, row by row."""

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hris.kpi.rules import RuleError, parse_rule, score, score_frame

from .strategies import amounts, any_vectorisable_rule

ROW = st.tuples(amounts(), st.one_of(st.none(), st.just(Decimal(0)), amounts("-10", "100000")), amounts("-100", "100"))


def scalar_or_none(rule, actual, target, bonus):
    try:
        return score(rule, actual=actual, target=target, inputs={"bonus": bonus})
    except RuleError:
        return None


@settings(max_examples=300, deadline=None)
@given(any_vectorisable_rule, st.lists(ROW, min_size=1, max_size=20))
def test_vectorised_equals_scalar_for_every_row(rule, rows):
    frame = pl.DataFrame(
        {"actual": [row[0] for row in rows], "target": [row[1] for row in rows], "bonus": [row[2] for row in rows]},
        schema={"actual": pl.Decimal(38, 2), "target": pl.Decimal(38, 2), "bonus": pl.Decimal(38, 2)},
    )
    expected = [scalar_or_none(rule, *row) for row in rows]
    assert score_frame(rule, frame).to_list() == expected


def test_pinned_examples_in_a_frame_with_float_and_integer_columns():
    frame = pl.DataFrame({"actual": [80.0, 0.1, 2.675], "target": [100, 3, 1]})
    linear = parse_rule({"type": "linear", "cap": 300})
    assert score_frame(linear, frame).to_list() == [Decimal("80.00"), Decimal("3.33"), Decimal("267.50")]


def test_unscorable_rows_are_null_not_errors():
    frame = pl.DataFrame({"actual": [1, 1, None], "target": [0, None, 100]})
    formula = parse_rule({"type": "formula", "expression": "actual / target * 100"})
    assert score_frame(formula, frame).to_list() == [None, None, None]


def test_constant_formula_fills_every_row():
    frame = pl.DataFrame({"actual": [1, 2, 3], "target": [1, 1, 1]})
    assert score_frame(parse_rule({"type": "formula", "expression": "100"}), frame).to_list() == [Decimal("100.00")] * 3


def test_missing_columns_and_manual_rules_are_rule_errors():
    with pytest.raises(RuleError) as raised:
        score_frame(
            parse_rule({"type": "formula", "expression": "bonus", "inputs": ["bonus"]}), pl.DataFrame({"actual": [1], "target": [1]})
        )
    assert raised.value.field_errors == {"bonus": ["Column is missing."]}
    manual = parse_rule({"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 100}})
    with pytest.raises(RuleError, match="scoring.score"):
        score_frame(manual, pl.DataFrame({"actual": [1], "target": [1]}))


def test_overflow_in_a_frame_is_a_rule_error():
    rule = parse_rule({"type": "formula", "expression": "actual ** 10"})
    with pytest.raises(RuleError, match="could not be computed"):
        score_frame(rule, pl.DataFrame({"actual": [Decimal("1000000")], "target": [Decimal(1)]}))
