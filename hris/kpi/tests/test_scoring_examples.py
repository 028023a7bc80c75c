"""Hand-checked examples for every rule type (scalar path)."""

from decimal import Decimal

import pytest

from hris.kpi.rules import RuleError, parse_rule, score, weighted_points

BANDS_LE = {"type": "bands", "comparison": "le", "bands": [{"threshold": 3, "score": 100}, {"threshold": 5, "score": 60}], "otherwise": 0}
BANDS_GE = {
    "type": "bands",
    "comparison": "ge",
    "bands": [{"threshold": 90, "score": 100}, {"threshold": 80, "score": 60}],
    "otherwise": 10,
}
MANUAL = {"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 70, "peer": 30}}


@pytest.mark.parametrize(
    ("spec", "actual", "target", "expected"),
    [
        ({"type": "linear", "cap": 120}, 130, 100, "120.00"),
        ({"type": "linear", "floor": 20}, 10, 100, "20.00"),
        ({"type": "linear"}, 1, 3, "33.33"),
        ({"type": "linear"}, 2, 3, "66.67"),
        ({"type": "linear"}, "1.005", 100, "1.01"),  # half-up, not banker's rounding
        ({"type": "piecewise", "knots": [[60, 0], [100, 100]]}, 80, None, "50.00"),  # midpoint
        ({"type": "piecewise", "knots": [[60, 0], [100, 100]]}, 40, None, "0.00"),  # flat below
        ({"type": "piecewise", "knots": [[60, 0], [100, 100]]}, 150, None, "100.00"),  # flat above
        ({"type": "piecewise", "knots": [[0, 100], [2, 80], [10, 0]]}, 6, None, "40.00"),  # lower is better
        ({"type": "piecewise", "knots": [[80, 0], [100, 100], [120, 120]], "basis": "attainment"}, 55, 50, "110.00"),
        (BANDS_LE, 3, None, "100.00"),
        (BANDS_LE, "4.5", None, "60.00"),
        (BANDS_LE, 5, None, "60.00"),
        (BANDS_LE, "5.01", None, "0.00"),
        (BANDS_GE, 95, None, "100.00"),
        (BANDS_GE, 85, None, "60.00"),
        (BANDS_GE, 50, None, "10.00"),
        ({"type": "binary", "comparison": "ge", "threshold": None}, 100, 100, "100.00"),
        ({"type": "binary", "comparison": "ge", "threshold": None}, 99, 100, "0.00"),
        ({"type": "binary", "comparison": "le", "threshold": 0, "full": 80}, 0, None, "80.00"),
        ({"type": "binary", "comparison": "eq", "threshold": 1}, 1, None, "100.00"),
        ({"type": "deduction", "per_occurrence": 5}, 3, None, "85.00"),
        ({"type": "deduction", "per_occurrence": 15, "floor": 10}, 7, None, "10.00"),  # floor
        ({"type": "deduction", "per_occurrence": 30}, 4, None, "0.00"),
        ({"type": "formula", "expression": "min(actual / target * 100, 120)", "cap": 120}, 130, 100, "120.00"),
        ({"type": "formula", "expression": "100 if actual >= target else actual / target * 80"}, 50, 100, "40.00"),
        ({"type": "formula", "expression": "100 if actual >= target else actual / target * 80"}, 100, 100, "100.00"),
        ({"type": "formula", "expression": "round(actual / 3, 1) * 10"}, 10, None, "33.00"),
        ({"type": "formula", "expression": "abs(actual - target) ** 2"}, 7, 10, "9.00"),
        ({"type": "formula", "expression": "100 - 10 * actual ** -1"}, 4, None, "97.50"),
        ({"type": "formula", "expression": "50 if 0 < actual <= 10 and not target == 0 else 0"}, 5, 1, "50.00"),
    ],
)
def test_score_examples(spec, actual, target, expected):
    assert score(parse_rule(spec), actual=actual, target=target) == Decimal(expected)


def test_formula_reads_named_inputs():
    rule = parse_rule({"type": "formula", "expression": "(1 - defects / shipped) * 100", "inputs": ["defects", "shipped"]})
    assert score(rule, actual=None, target=None, inputs={"defects": 3, "shipped": 200}) == Decimal("98.50")


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ({"manager": 4, "peer": [3, 5]}, "75.00"),  # 0.7×4 + 0.3×4 = 4 → (4−1)/4 × 100
        ({"manager": [5], "peer": [1, 1]}, "70.00"),  # 0.7×5 + 0.3×1 = 3.8 → 70
        ({"manager": 3}, "50.00"),  # peers absent: manager's weight renormalised to 100 %
        ({"manager": 5, "peer": []}, "100.00"),
    ],
)
def test_manual_ratings_weighted_by_role_and_mapped_to_0_100(ratings, expected):
    assert score(parse_rule(MANUAL), actual=None, target=None, ratings=ratings) == Decimal(expected)


@pytest.mark.parametrize(
    ("spec", "actual", "target", "field", "fragment"),
    [
        ({"type": "linear"}, 80, 0, "target", "greater than 0"),
        ({"type": "linear"}, 80, None, "target", "missing"),
        ({"type": "linear"}, None, 100, "actual", "required"),
        ({"type": "linear"}, "eighty", 100, "actual", "number"),
        ({"type": "piecewise", "knots": [[0, 0], [1, 1]], "basis": "attainment"}, 1, 0, "target", "greater than 0"),
        ({"type": "binary", "comparison": "ge"}, 1, None, "target", "missing"),
        ({"type": "deduction", "per_occurrence": 5}, -1, None, "actual", "negative"),
        ({"type": "formula", "expression": "actual / target"}, 1, 0, "expression", "Division by zero"),
        ({"type": "formula", "expression": "actual ** -2"}, 0, None, "expression", "Division by zero"),
        ({"type": "formula", "expression": "actual / target"}, 1, None, "target", "required"),
    ],
)
def test_unscorable_inputs_raise_clear_rule_errors(spec, actual, target, field, fragment):
    with pytest.raises(RuleError) as raised:
        score(parse_rule(spec), actual=actual, target=target)
    assert raised.value.code == "invalid_rule"
    assert fragment in " ".join(raised.value.field_errors[field])


@pytest.mark.parametrize(
    ("ratings", "fragment"),
    [
        (None, "No ratings"),
        ({"peer": []}, "No ratings"),
        ({"customer": 3}, "not a rater role"),
        ({"manager": 6}, "outside the scale"),
        ({"manager": "good"}, "number"),
    ],
)
def test_manual_rating_errors(ratings, fragment):
    with pytest.raises(RuleError) as raised:
        score(parse_rule(MANUAL), actual=None, target=None, ratings=ratings)
    assert fragment in raised.value.field_errors["ratings"][0]


def test_weighted_points_rounds_half_up_once():
    assert weighted_points(15, "33.33") == Decimal("5.00")  # 4.9995 → 5.00
    assert weighted_points("12.5", "80.10") == Decimal("10.01")  # 10.0125 → 10.01


def test_absurd_magnitudes_raise_a_rule_error_not_an_arithmetic_error():
    from hris.kpi.rules import RuleError, parse_rule, score

    with pytest.raises(RuleError, match="too large"):
        score(parse_rule({"type": "linear"}), actual="1e999999", target="1e-999999")
