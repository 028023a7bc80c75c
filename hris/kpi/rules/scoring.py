"""Scalar scoring: exact Decimal arithmetic, rounded once to 2 places half-up (DESIGN.md §5.6, §6)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _

from .errors import RuleError, single_field_error
from .formula import compare_values, evaluate_formula
from .numbers import HUNDRED, SCORE_CONTEXT, NotANumber, clamp, round_score, to_decimal
from .spec import BandsRule, BinaryRule, DeductionRule, FormulaRule, LinearRule, ManualRule, PiecewiseRule, Rule

Number = Decimal | int | float | str
Ratings = Mapping[str, Number | Sequence[Number]]


def score(
    rule: Rule,
    *,
    actual: Number | None,
    target: Number | None,
    inputs: Mapping[str, Number | None] | None = None,
    ratings: Ratings | None = None,
) -> Decimal:
    """The indicator score for one row; raises RuleError (never another exception) on bad inputs."""
    try:
        return _score(rule, actual=actual, target=target, inputs=inputs, ratings=ratings)
    except ArithmeticError as error:  # Overflow, InvalidOperation on absurd magnitudes such as 1e999999
        raise _too_large("actual", error)


def _too_large(field: str, error: ArithmeticError) -> RuleError:
    return single_field_error(field, _("The numbers are too large to score (%(problem)s).") % {"problem": type(error).__name__})


def _score(rule: Rule, *, actual, target, inputs, ratings) -> Decimal:  # noqa: ANN001
    with localcontext(SCORE_CONTEXT):
        if isinstance(rule, ManualRule):
            return round_score(_score_manual(rule, ratings))
        actual_value = _optional_number("actual", actual)
        target_value = _optional_number("target", target)
        if isinstance(rule, FormulaRule):
            values = {"actual": actual_value, "target": target_value}
            values.update({name: _optional_number(name, value) for name, value in (inputs or {}).items()})
            return round_score(clamp(evaluate_formula(rule.tree, values), rule.floor, rule.cap))
        if actual_value is None:
            raise single_field_error("actual", _("An actual value is required to score this indicator."))
        return round_score(_RAW_SCORERS[type(rule)](rule, actual_value, target_value))


def weighted_points(weight_percent: Number, score_value: Number) -> Decimal:
    """weight% × score / 100, rounded once (DESIGN.md §6 'Weighted points'); raises RuleError on bad inputs."""
    with localcontext(SCORE_CONTEXT):
        weight, score_number = _required_number("weight", weight_percent), _required_number("score", score_value)
        try:
            return round_score(weight * score_number / HUNDRED)
        except ArithmeticError as error:  # e.g. 1e40 × 1e40 cannot be rounded to 2 places within the precision
            raise _too_large("weight", error)


def _optional_number(field: str, value: object) -> Decimal | None:
    return None if value is None else _required_number(field, value)


def _required_number(field: str, value: object) -> Decimal:
    try:
        return to_decimal(value)
    except NotANumber as error:
        raise single_field_error(field, _("Enter a number for %(field)s (%(problem)s).") % {"field": field, "problem": error})


def positive_target(target: Decimal | None, rule: LinearRule | PiecewiseRule) -> Decimal:
    if target is not None and target > 0:
        return target
    # Whole sentences per rule type and case, so translators never assemble "a … rule" or "missing".
    if isinstance(rule, LinearRule):
        if target is None:
            message = _("A linear rule needs a target greater than 0 (the target is missing).")
        else:
            message = _("A linear rule needs a target greater than 0 (the target is %(target)s).")
    elif target is None:
        message = _("A piecewise (attainment) rule needs a target greater than 0 (the target is missing).")
    else:
        message = _("A piecewise (attainment) rule needs a target greater than 0 (the target is %(target)s).")
    raise single_field_error("target", message % {"target": target})


def _score_linear(rule: LinearRule, actual: Decimal, target: Decimal | None) -> Decimal:
    # Multiply before dividing so there is a single inexact step (mirrored by the Polars path).
    return clamp(actual * HUNDRED / positive_target(target, rule), rule.floor, rule.cap)


def _score_piecewise(rule: PiecewiseRule, actual: Decimal, target: Decimal | None) -> Decimal:
    position = actual if rule.basis == "actual" else actual * HUNDRED / positive_target(target, rule)
    knots = rule.knots
    if position <= knots[0][0]:
        return knots[0][1]
    for (left_value, left_score), (right_value, right_score) in zip(knots, knots[1:], strict=False):
        if position <= right_value:
            return left_score + (position - left_value) * (right_score - left_score) / (right_value - left_value)
    return knots[-1][1]


def _score_bands(rule: BandsRule, actual: Decimal, _target: Decimal | None) -> Decimal:
    for band in rule.bands:
        if compare_values(rule.comparison, actual, band.threshold):
            return band.score
    return rule.otherwise


def _score_binary(rule: BinaryRule, actual: Decimal, target: Decimal | None) -> Decimal:
    threshold = rule.threshold if rule.threshold is not None else target
    if threshold is None:
        raise single_field_error("target", _("This binary rule compares against the target, but the target is missing."))
    return rule.full if compare_values(rule.comparison, actual, threshold) else Decimal(0)


def _score_deduction(rule: DeductionRule, actual: Decimal, _target: Decimal | None) -> Decimal:
    if actual < 0:
        raise single_field_error("actual", _("The number of occurrences cannot be negative."))
    return max(rule.full - rule.per_occurrence * actual, rule.floor)


def _score_manual(rule: ManualRule, ratings: Ratings | None) -> Decimal:
    weights = dict(rule.rater_weights)
    role_averages: dict[str, Decimal] = {}
    for role, given in (ratings or {}).items():
        if role not in weights:
            message = _("'%(role)s' is not a rater role of this rule; roles: %(roles)s.")
            raise single_field_error("ratings", message % {"role": role, "roles": ", ".join(weights)})
        values = [_rating(rule, role, value) for value in (given if isinstance(given, list | tuple) else [given])]
        if values:
            role_averages[role] = sum(values, Decimal(0)) / len(values)
    if not role_averages:
        raise single_field_error("ratings", _("No ratings yet: at least one rater must rate this indicator."))
    # Weights are renormalised over the roles that actually rated, so a missing peer does not drag the score down.
    rated_weight = sum(weights[role] for role in role_averages)
    weighted_rating = sum(weights[role] * average for role, average in role_averages.items()) / rated_weight
    return (weighted_rating - rule.scale_min) * HUNDRED / (rule.scale_max - rule.scale_min)


def _rating(rule: ManualRule, role: str, value: object) -> Decimal:
    rating = _required_number("ratings", value)
    if not rule.scale_min <= rating <= rule.scale_max:
        message = _("A %(role)s rating of %(value)s is outside the scale %(low)s–%(high)s.")
        raise single_field_error("ratings", message % {"role": role, "value": value, "low": rule.scale_min, "high": rule.scale_max})
    return rating


_RAW_SCORERS = {
    LinearRule: _score_linear,
    PiecewiseRule: _score_piecewise,
    BandsRule: _score_bands,
    BinaryRule: _score_binary,
    DeductionRule: _score_deduction,
}
