"""Rules in words, in Chinese and English."""

import pytest

from hris.kpi.rules import RuleError, describe, parse_rule

BANDS = {"type": "bands", "comparison": "le", "bands": [{"threshold": 3, "score": 100}, {"threshold": 5, "score": 60}], "otherwise": 0}


@pytest.mark.parametrize(
    ("spec", "chinese", "english"),
    [
        (BANDS, "≤ 3 得 100 分；3–5 得 60 分；否则 0 分", "≤ 3: 100 points; 3–5: 60 points; otherwise 0 points"),
        (
            {"type": "bands", "comparison": "ge", "bands": [{"threshold": 90, "score": 100}, {"threshold": 80, "score": 60}]},
            "≥ 90 得 100 分；80–90 得 60 分；否则 0 分",
            "≥ 90: 100 points; 80–90: 60 points; otherwise 0 points",
        ),
        (
            {"type": "linear", "floor": 0, "cap": 120},
            "得分 = 实际 ÷ 目标 × 100，最低 0 分，最高 120 分",
            "score = actual ÷ target × 100, at least 0 points, at most 120 points",
        ),
        (
            {"type": "piecewise", "knots": [[60, 0], [100, 100]]},
            "按实际值在节点间线性插值：60 → 0 分，100 → 100 分；低于 60 得 0 分，高于 100 得 100 分",
            "linear interpolation on the actual value between 60 → 0 points, 100 → 100 points; below 60: 0 points, above 100: 100 points",
        ),
        (
            {"type": "binary", "comparison": "ge", "threshold": None},
            "实际 ≥ 目标 得 100 分，否则 0 分",
            "actual ≥ target: 100 points; otherwise 0 points",
        ),
        (
            {"type": "binary", "comparison": "eq", "threshold": "0.50"},
            "实际 = 0.5 得 100 分，否则 0 分",
            "actual = 0.5: 100 points; otherwise 0 points",
        ),
        (
            {"type": "deduction", "per_occurrence": 5},
            "满分 100 分，每发生一次扣 5 分，最低 0 分",
            "100 points, minus 5 points per occurrence, at least 0 points",
        ),
        (
            {"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 70, "peer": 30}},
            "评分（1–5）线性换算为 0–100 分；评分人权重：上级 70%，同事 30%",
            "ratings on a 1–5 scale mapped linearly to 0–100 points; rater weights: manager 70%, peer 30%",
        ),
        (
            {"type": "formula", "expression": "min(actual / target * 100, 120)", "cap": 120},
            "得分 = min(actual / target * 100, 120)，最低 0 分，最高 120 分",
            "score = min(actual / target * 100, 120), at least 0 points, at most 120 points",
        ),
    ],
)
def test_describe_in_both_languages(spec, chinese, english):
    rule = parse_rule(spec)
    assert describe(rule) == chinese
    assert describe(rule, "en") == english


def test_unknown_language_is_a_rule_error():
    with pytest.raises(RuleError):
        describe(parse_rule(BANDS), "fr")  # type: ignore[arg-type]
