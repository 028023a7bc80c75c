"""Property tests: monotonicity, clamping, and the points arithmetic."""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from hris.kpi.rules import parse_rule, score, weighted_points

from .strategies import amounts, linear_specs, piecewise_specs


@given(linear_specs(), amounts(), amounts(), amounts("0.01"))
def test_linear_is_monotonic_in_actual_and_clamped(spec, first, second, target):
    rule = parse_rule(spec)
    low, high = sorted((first, second))
    low_score, high_score = score(rule, actual=low, target=target), score(rule, actual=high, target=target)
    assert low_score <= high_score
    for value in (low_score, high_score):
        assert rule.floor <= value <= rule.cap


@given(piecewise_specs(monotone_increasing=True), amounts(), amounts(), amounts("0.01"))
def test_monotone_piecewise_is_monotonic_and_stays_within_knot_scores(spec, first, second, target):
    rule = parse_rule(spec)
    low, high = sorted((first, second))
    low_score, high_score = score(rule, actual=low, target=target), score(rule, actual=high, target=target)
    assert low_score <= high_score
    scores = [knot_score for _value, knot_score in rule.knots]
    for value in (low_score, high_score):
        assert min(scores) <= value <= max(scores)


@given(st.lists(st.tuples(amounts("0", "100"), amounts("0", "120")), min_size=1, max_size=12))
def test_points_sum_equals_weighted_scores_within_rounding(weighted_scores):
    points = [weighted_points(weight, indicator_score) for weight, indicator_score in weighted_scores]
    exact = sum((weight * indicator_score / 100 for weight, indicator_score in weighted_scores), Decimal(0))
    # each indicator is rounded once to 0.01, so the sum is off by at most half a cent per indicator
    assert abs(sum(points) - exact) <= Decimal("0.005") * len(points)
    assert all(
        point == (weight * s / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for point, (weight, s) in zip(points, weighted_scores, strict=True)
    )
