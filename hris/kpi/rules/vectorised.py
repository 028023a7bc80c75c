"""Batch scoring with Polars expressions, for the KPI engine's per-cycle computation.

Numbers are `Decimal(38, 18)` columns: additions and multiplications are exact and each
division is rounded at the 18th decimal place, far below the 2-place rounding point, so
the rounded result equals the scalar Decimal path (the hypothesis tests pin this).
Values must stay below 10**20 in magnitude; larger ones raise RuleError, as do columns that
cannot be read as numbers. Messages for mistakes of the calling code (a manual rule, a missing
column) are left in English: users never see them.

Rows a rule cannot score (missing or non-positive target, division by zero in a formula,
negative occurrence count, missing input) get null; `scoring.score` explains why for one row.
Manual rules are not vectorised: ratings are per-rater lists, scored per assessment by `score`.
"""

from __future__ import annotations

import ast
from decimal import ROUND_HALF_EVEN, Context, Decimal
from functools import lru_cache

import polars as pl
from django.utils.translation import gettext as _

from .errors import RuleError
from .formula import compare, compare_values, exponent_literal, number_literal, round_digits
from .spec import BandsRule, BinaryRule, DeductionRule, FormulaRule, LinearRule, ManualRule, PiecewiseRule, Rule

WORKING_DTYPE = pl.Decimal(38, 18)
SCORE_DTYPE = pl.Decimal(38, 2)
_ROUNDING = "half_away_from_zero"  # the same as Decimal ROUND_HALF_UP
_WORKING_PLACES = Decimal(1).scaleb(-18)
_WORKING_LIMIT = Decimal(10) ** 20
# Rounds literals as Polars' cast to WORKING_DTYPE does; 40 digits hold any value below the limit.
_LITERAL_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN)


def score_frame(rule: Rule, frame: pl.DataFrame) -> pl.Series:
    """Scores for every row of `frame` (columns actual, target, and formula inputs), as Decimal(38, 2)."""
    if isinstance(rule, ManualRule):
        raise RuleError("Manual rules are scored per assessment with scoring.score(); they take ratings, not frame columns.")
    needed = ("actual", "target", *(rule.inputs if isinstance(rule, FormulaRule) else ()))
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise RuleError(f"The frame lacks columns: {', '.join(missing)}.", {name: ["Column is missing."] for name in missing})
    floats = frozenset(name for name in needed if frame.schema[name].is_float())
    rounded = _score_expression(rule, needed, floats)
    try:
        # with_columns broadcasts formulas that are constant (e.g. "100") to every row.
        return frame.with_columns(rounded.alias("__score")).get_column("__score").alias("score")
    except pl.exceptions.PolarsError as error:  # overflow, or a column that cannot be read as numbers
        # The detail is Polars' own (English) text, e.g. "decimal precision overflow".
        raise RuleError(_("The scores could not be computed: %(problem)s.") % {"problem": str(error).splitlines()[0]})


@lru_cache(maxsize=512)
def _score_expression(rule: Rule, needed: tuple[str, ...], floats: frozenset[str]) -> pl.Expr:
    """The rounded score expression of a rule; built once per rule and column types (a computation
    calls score_frame once per rule, and building the expression costs more than scoring a few rows)."""
    raw = _raw_score(rule, {name: _number_column(name, name in floats) for name in needed})
    return raw.round(2, mode=_ROUNDING).cast(SCORE_DTYPE)


def _number_column(name: str, is_float: bool) -> pl.Expr:
    column = pl.col(name)
    if is_float:
        # Through text, so 0.1 becomes 0.1 rather than its binary expansion 0.1000000000000000055…
        column = column.cast(pl.String)
    return column.cast(WORKING_DTYPE)


def _lit(value: Decimal | int) -> pl.Expr:
    """Every rule constant goes through here, so one Polars cannot hold is a RuleError, not a Polars error."""
    # Rounded here because Polars cannot even take a Decimal of more than 38 digits (e.g. 0.1 followed by 40 digits).
    rounded = Decimal(value).quantize(_WORKING_PLACES, context=_LITERAL_CONTEXT) if abs(value) < _WORKING_LIMIT else None
    if rounded is None or abs(rounded) >= _WORKING_LIMIT:
        raise RuleError(_("The rule's numbers are too large to score (at most 20 digits before the decimal point)."))
    return pl.lit(rounded, dtype=WORKING_DTYPE)


def _null() -> pl.Expr:
    return pl.lit(None, dtype=WORKING_DTYPE)


def _clamp(value: pl.Expr, floor: Decimal, cap: Decimal) -> pl.Expr:
    floor_value, cap_value = _lit(floor), _lit(cap)
    return pl.when(value < floor_value).then(floor_value).when(value > cap_value).then(cap_value).otherwise(value)


def _positive_or_null(value: pl.Expr) -> pl.Expr:
    # pl.when evaluates every branch, so a zero divisor must become null before dividing.
    return pl.when(value > 0).then(value).otherwise(_null())


def _raw_score(rule: Rule, columns: dict[str, pl.Expr]) -> pl.Expr:
    actual, target = columns["actual"], columns["target"]
    if isinstance(rule, LinearRule):
        return _clamp(actual * 100 / _positive_or_null(target), rule.floor, rule.cap)
    if isinstance(rule, PiecewiseRule):
        position = actual if rule.basis == "actual" else actual * 100 / _positive_or_null(target)
        return _piecewise(rule, position)
    if isinstance(rule, BandsRule):
        chain = pl.when(actual.is_null()).then(_null())
        for band in rule.bands:
            chain = chain.when(compare_values(rule.comparison, actual, _lit(band.threshold))).then(_lit(band.score))
        return chain.otherwise(_lit(rule.otherwise))
    if isinstance(rule, BinaryRule):
        threshold = _lit(rule.threshold) if rule.threshold is not None else target
        met = compare_values(rule.comparison, actual, threshold)
        return pl.when(met.is_null()).then(_null()).when(met).then(_lit(rule.full)).otherwise(_lit(0))
    if isinstance(rule, DeductionRule):
        remaining = _lit(rule.full) - actual * _lit(rule.per_occurrence)
        floor = _lit(rule.floor)
        return pl.when(actual < 0).then(_null()).when(remaining < floor).then(floor).otherwise(remaining)
    if isinstance(rule, FormulaRule):
        return _clamp(_FormulaCompiler(columns).compile(rule.tree), rule.floor, rule.cap)
    raise RuleError(f"Rule type {rule.type!r} cannot be scored in a frame.")


def _piecewise(rule: PiecewiseRule, position: pl.Expr) -> pl.Expr:
    (first_value, first_score), last_score = rule.knots[0], rule.knots[-1][1]
    chain = pl.when(position.is_null()).then(_null()).when(position <= _lit(first_value)).then(_lit(first_score))
    for (left_value, left_score), (right_value, right_score) in zip(rule.knots, rule.knots[1:], strict=False):
        # Same operation order as the scalar path: multiply, then one division.
        between = _lit(left_score) + (position - _lit(left_value)) * _lit(right_score - left_score) / _lit(right_value - left_value)
        chain = chain.when(position <= _lit(right_value)).then(between)
    return chain.otherwise(_lit(last_score))


class _FormulaCompiler:
    """Turns a validated formula tree into one Polars expression; nulls mark rows the scalar path rejects."""

    def __init__(self, columns: dict[str, pl.Expr]):
        self.columns = columns

    def compile(self, node: ast.expr) -> pl.Expr:
        if isinstance(node, ast.Constant):
            return _lit(number_literal(node))
        if isinstance(node, ast.Name):
            return self.columns[node.id]
        if isinstance(node, ast.BinOp):
            return self._arithmetic(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.compile(node.operand)
            if isinstance(node.op, ast.Not):
                return ~operand
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Compare):
            parts, left = [], self.compile(node.left)
            for operator, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.compile(comparator)
                parts.append(compare(operator, left, right))
                left = right
            return pl.all_horizontal(parts) if len(parts) > 1 else parts[0]
        if isinstance(node, ast.BoolOp):
            # Kleene logic matches short-circuiting: `False and <null>` is False, `True or <null>` is True.
            values = [self.compile(value) for value in node.values]
            return pl.all_horizontal(values) if isinstance(node.op, ast.And) else pl.any_horizontal(values)
        if isinstance(node, ast.IfExp):
            test = self.compile(node.test)
            return pl.when(test.is_null()).then(_null()).when(test).then(self.compile(node.body)).otherwise(self.compile(node.orelse))
        if isinstance(node, ast.Call):
            return self._call(node)
        raise RuleError(f"Unsupported construct {type(node).__name__}.")  # unreachable after validation

    def _arithmetic(self, node: ast.BinOp) -> pl.Expr:
        left = self.compile(node.left)
        if isinstance(node.op, ast.Pow):
            exponent = exponent_literal(node.right)
            power = _lit(1)
            for _ in range(abs(exponent)):
                power = power * left
            return power if exponent >= 0 else _lit(1) / _nonzero_or_null(power)
        right = self.compile(node.right)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return left / _nonzero_or_null(right)

    def _call(self, node: ast.Call) -> pl.Expr:
        name = node.func.id  # type: ignore[attr-defined]
        if name == "round":
            places = round_digits(node.args[1]) if len(node.args) == 2 else 0
            return self.compile(node.args[0]).round(places, mode=_ROUNDING)
        arguments = [self.compile(argument) for argument in node.args]
        if name == "abs":
            return arguments[0].abs()
        # min_horizontal skips nulls; the scalar path would have refused, so keep the row null.
        combined = pl.min_horizontal(arguments) if name == "min" else pl.max_horizontal(arguments)
        return pl.when(pl.any_horizontal([argument.is_null() for argument in arguments])).then(_null()).otherwise(combined)


def _nonzero_or_null(value: pl.Expr) -> pl.Expr:
    return pl.when(value != 0).then(value).otherwise(_null())
