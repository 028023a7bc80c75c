"""Every validation error of parse_rule names its field with a clear message."""

import pytest

from hris.core.errors import DomainError
from hris.kpi.rules import FormulaRule, LinearRule, RuleError, parse_rule


@pytest.mark.parametrize(
    ("spec", "field", "fragment"),
    [
        ({}, "type", "Choose one of"),
        ({"type": "sigmoid"}, "type", "Choose one of"),
        ({"type": "linear", "cap": "lots"}, "cap", "Enter a number"),
        ({"type": "linear", "floor": True}, "floor", "Enter a number"),
        ({"type": "linear", "floor": "NaN"}, "floor", "finite"),
        ({"type": "linear", "floor": 50, "cap": 40}, "cap", "must not be below the floor"),
        ({"type": "linear", "ceiling": 120}, "ceiling", "Unknown field"),
        ({"type": "piecewise", "knots": [[0, 0]]}, "knots", "at least two knots"),
        ({"type": "piecewise", "knots": [[0, 0], [0, 100]]}, "knots", "strictly increasing"),
        ({"type": "piecewise", "knots": [[10, 0], [5, 100]]}, "knots", "strictly increasing"),
        ({"type": "piecewise", "knots": [[0, 0], [1]]}, "knots", "Knot 2"),
        ({"type": "piecewise", "knots": [[0, 0], [1, 1]], "basis": "ratio"}, "basis", "actual, attainment"),
        ({"type": "bands", "bands": [{"threshold": 1, "score": 1}]}, "comparison", "required"),
        ({"type": "bands", "comparison": "lt", "bands": [{"threshold": 1, "score": 1}]}, "comparison", "le, ge"),
        ({"type": "bands", "comparison": "le", "bands": []}, "bands", "at least one band"),
        (
            {"type": "bands", "comparison": "le", "bands": [{"threshold": 5, "score": 1}, {"threshold": 3, "score": 0}]},
            "bands",
            "ascending",
        ),
        (
            {"type": "bands", "comparison": "ge", "bands": [{"threshold": 3, "score": 1}, {"threshold": 5, "score": 0}]},
            "bands",
            "descending",
        ),
        ({"type": "bands", "comparison": "le", "bands": [{"threshold": 3}]}, "bands", "Band 1"),
        ({"type": "bands", "comparison": "le", "bands": [{"threshold": 3, "score": 1}], "otherwise": "x"}, "otherwise", "number"),
        ({"type": "binary", "comparison": "gt"}, "comparison", "ge, le, eq"),
        ({"type": "binary", "comparison": "ge", "threshold": "x"}, "threshold", "number"),
        ({"type": "binary", "comparison": "ge", "full": 0}, "full", "greater than 0"),
        ({"type": "deduction"}, "per_occurrence", "required"),
        ({"type": "deduction", "per_occurrence": -5}, "per_occurrence", "greater than 0"),
        ({"type": "deduction", "per_occurrence": 5, "floor": 120}, "floor", "must not exceed the full score"),
        ({"type": "manual", "scale_max": 5, "rater_weights": {"manager": 100}}, "scale_min", "required"),
        ({"type": "manual", "scale_min": 5, "scale_max": 1, "rater_weights": {"manager": 100}}, "scale_max", "greater than scale_min"),
        ({"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {}}, "rater_weights", "at least one rater"),
        ({"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 70, "peer": 20}}, "rater_weights", "sum to 100"),
        (
            {"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 110, "peer": -10}},
            "rater_weights",
            "greater than 0",
        ),
        ({"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"manager": "x"}}, "rater_weights", "'manager'"),
        ({"type": "formula"}, "expression", "Enter a formula"),
        ({"type": "formula", "expression": "1", "inputs": "defects"}, "inputs", "list"),
        ({"type": "formula", "expression": "1", "inputs": ["__class__"]}, "inputs", "not a valid name"),
        ({"type": "formula", "expression": "1", "inputs": ["target"]}, "inputs", "reserved"),
        ({"type": "formula", "expression": "1", "inputs": ["a", "a"]}, "inputs", "unique"),
        ({"type": "formula", "expression": "1", "floor": 10, "cap": 5}, "cap", "must not be below the floor"),
    ],
)
def test_invalid_specs_report_the_field(spec, field, fragment):
    with pytest.raises(RuleError) as raised:
        parse_rule(spec)
    error = raised.value
    assert isinstance(error, DomainError)
    assert error.code == "invalid_rule"
    assert any(fragment in message for message in error.field_errors[field]), error.field_errors
    if spec.get("type") in ("linear", "piecewise", "bands", "binary", "deduction", "manual", "formula"):
        assert field in error.message


def test_all_problems_are_reported_together():
    with pytest.raises(RuleError) as raised:
        parse_rule({"type": "deduction", "per_occurrence": "x", "full": -1, "extra": 1})
    assert set(raised.value.field_errors) == {"per_occurrence", "full", "extra"}


def test_non_dict_spec_is_a_rule_error():
    with pytest.raises(RuleError):
        parse_rule(["linear"])  # type: ignore[arg-type]


def test_numbers_become_exact_decimals_and_defaults_apply():
    rule = parse_rule({"type": "linear", "cap": 120.5})
    assert rule == LinearRule(floor=0, cap=__import__("decimal").Decimal("120.5"))


def test_parsed_rules_are_immutable_and_comparable():
    first = parse_rule({"type": "formula", "expression": "actual"})
    second = parse_rule({"type": "formula", "expression": "actual"})
    assert isinstance(first, FormulaRule) and first == second
    with pytest.raises(AttributeError):
        first.cap = 1  # type: ignore[misc]
