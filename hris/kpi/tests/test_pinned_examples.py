"""The pinned examples of DESIGN.md §6."""

from decimal import Decimal

from hris.kpi.rules import parse_rule, score, weighted_points


def test_rd_progress_linear_weight_25_gives_20_points():
    # given R&D progress 80 against target 100 with a linear rule
    rule = parse_rule({"type": "linear", "floor": 0, "cap": 100})
    # when scored
    indicator_score = score(rule, actual=80, target=100)
    # then
    assert indicator_score == Decimal("80.00")
    assert weighted_points(25, indicator_score) == Decimal("20.00")


def test_equipment_failure_rate_bands_weight_10_gives_10_points():
    rule = parse_rule(
        {"type": "bands", "comparison": "le", "bands": [{"threshold": 3, "score": 100}, {"threshold": 5, "score": 60}], "otherwise": 0}
    )
    indicator_score = score(rule, actual=2, target=3)
    assert indicator_score == Decimal("100.00")
    assert weighted_points(10, indicator_score) == Decimal("10.00")


def test_computed_total_of_the_two_pinned_indicators_is_30_points():
    linear = parse_rule({"type": "linear"})
    bands = parse_rule({"type": "bands", "comparison": "le", "bands": [{"threshold": 3, "score": 100}, {"threshold": 5, "score": 60}]})
    total = weighted_points(25, score(linear, actual=80, target=100)) + weighted_points(10, score(bands, actual=2, target=3))
    assert total == Decimal("30.00")
