"""Formulas are parsed against a whitelist; every failure is a DomainError with a clear message."""

import pytest

from hris.core.errors import DomainError
from hris.kpi.rules import parse_rule, score


def formula_error(expression, inputs=()):
    with pytest.raises(DomainError) as raised:
        parse_rule({"type": "formula", "expression": expression, "inputs": list(inputs)})
    assert raised.value.code == "invalid_rule"
    return " ".join(raised.value.field_errors["expression"])


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("actual / (target", "Syntax error at column"),
        ("actual +", "Syntax error at column"),
        ("revenue / target", "Unknown name 'revenue' at column 1. Allowed names: actual, target"),
        ("__import__('os').system('true')", "Attribute access"),
        ("__import__('os')", "Calling '__import__' at column 1 is not allowed; allowed functions: abs, max, min, round"),
        ("actual.__class__", "attribute access (.)"),
        ("(lambda: 1)()", "lambda"),
        ("(1)(2)", "Calling this expression"),
        ("lambda: 1", "lambda"),
        ("actual ** 1000000", "exponent must be a whole number between -10 and 10"),
        ("actual ** target", "exponent must be a whole number"),
        ("actual ** 0.5", "exponent must be a whole number"),
        ("[actual][0]", "indexing"),
        ("'text'", "only numbers"),
        ("True", "only numbers"),
        ("actual // 2", "Unsupported operator"),
        ("actual % 2", "Unsupported operator"),
        ("actual in target", "Unsupported comparison"),
        ("actual > target", "must produce a number"),
        ("actual + (target > 1)", "must be a number, not a true/false"),
        ("1 if actual else 0", "condition after `if` must be a true/false"),
        ("not actual", "operand of `not`"),
        ("min(actual)", "at least two values"),
        ("abs(actual, target)", "exactly one value"),
        ("round(actual, target)", "places must be a whole number"),
        ("round(actual, ndigits=2)", "no keyword arguments"),
        ("min", "is a function"),
        ("(x := 1)", "assignment"),
        ("open('/etc/passwd')", "Calling 'open'"),
        ("  ", "Enter a formula"),
        ("1 +" * 400 + "1", "too long"),
    ],
)
def test_rejected_formulas(expression, fragment):
    assert fragment.lower() in formula_error(expression).lower()


def test_deeply_nested_formula_is_a_domain_error():
    message = formula_error("(" * 300 + "actual" + ")" * 300)
    assert "nested" in message or "Syntax" in message


def test_division_by_zero_at_scoring_time_names_the_column():
    rule = parse_rule({"type": "formula", "expression": "actual / (target - 100)"})
    with pytest.raises(DomainError) as raised:
        score(rule, actual=1, target=100)
    assert raised.value.field_errors["expression"] == ["Division by zero at column 1: the divisor is 0."]


def test_overflow_is_a_domain_error():
    rule = parse_rule({"type": "formula", "expression": "((actual ** 10) ** 10) ** 10"})
    with pytest.raises(DomainError) as raised:
        score(rule, actual="1e1000", target=None)
    assert "too large" in raised.value.message


@pytest.mark.parametrize(
    "expression",
    ["100 if target > 0 and actual / target > 1 else 0", "100 if actual / target > 1 and target > 0 else 0"],
)
def test_unknown_parts_follow_three_valued_logic_in_either_order(expression):
    # given a zero target the division is unknown, but `false and unknown` is false
    rule = parse_rule({"type": "formula", "expression": expression})
    assert score(rule, actual=5, target=0) == 0


def test_an_unknown_condition_reports_its_cause():
    rule = parse_rule({"type": "formula", "expression": "100 if actual / target > 1 else 0"})
    with pytest.raises(DomainError, match="Division by zero"):
        score(rule, actual=5, target=0)
