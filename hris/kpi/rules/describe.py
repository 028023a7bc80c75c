"""A rule in words, for indicator forms and employees' score explanations (Chinese first, then English)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _

from .errors import single_field_error
from .numbers import plain
from .spec import BandsRule, BinaryRule, DeductionRule, FormulaRule, LinearRule, ManualRule, PiecewiseRule, Rule

Language = Literal["zh-hans", "en"]
_SYMBOLS = {"le": "≤", "ge": "≥", "eq": "="}
_ROLE_NAMES_ZH = {"manager": "上级", "peer": "同事", "self": "本人", "subordinate": "下属", "customer": "客户"}


def describe(rule: Rule, language: Language = "zh-hans") -> str:
    if language not in ("zh-hans", "en"):
        raise single_field_error("language", _("Choose zh-hans or en."))
    chinese = language == "zh-hans"
    return _DESCRIBERS[type(rule)](rule, chinese)


def _points(value: Decimal, chinese: bool) -> str:
    return f"{plain(value)} 分" if chinese else f"{plain(value)} points"


def _bounds(floor: Decimal, cap: Decimal, chinese: bool) -> str:
    if chinese:
        return f"，最低 {_points(floor, True)}，最高 {_points(cap, True)}"
    return f", at least {_points(floor, False)}, at most {_points(cap, False)}"


def _linear(rule: LinearRule, chinese: bool) -> str:
    formula = "得分 = 实际 ÷ 目标 × 100" if chinese else "score = actual ÷ target × 100"
    return formula + _bounds(rule.floor, rule.cap, chinese)


def _piecewise(rule: PiecewiseRule, chinese: bool) -> str:
    separator = "；" if chinese else "; "
    knots = ("，" if chinese else ", ").join(f"{plain(value)} → {_points(score, chinese)}" for value, score in rule.knots)
    first, last = rule.knots[0], rule.knots[-1]
    if chinese:
        basis = "实际值" if rule.basis == "actual" else "完成率（实际 ÷ 目标 × 100）"
        ends = f"低于 {plain(first[0])} 得 {_points(first[1], True)}，高于 {plain(last[0])} 得 {_points(last[1], True)}"
        return f"按{basis}在节点间线性插值：{knots}{separator}{ends}"
    basis = "the actual value" if rule.basis == "actual" else "attainment (actual ÷ target × 100)"
    ends = f"below {plain(first[0])}: {_points(first[1], False)}, above {plain(last[0])}: {_points(last[1], False)}"
    return f"linear interpolation on {basis} between {knots}{separator}{ends}"


def _bands(rule: BandsRule, chinese: bool) -> str:
    parts = []
    previous = None
    for band in rule.bands:
        condition = f"{_SYMBOLS[rule.comparison]} {plain(band.threshold)}" if previous is None else _range(previous, band.threshold)
        parts.append(f"{condition} 得 {_points(band.score, True)}" if chinese else f"{condition}: {_points(band.score, False)}")
        previous = band.threshold
    parts.append(f"否则 {_points(rule.otherwise, True)}" if chinese else f"otherwise {_points(rule.otherwise, False)}")
    return ("；" if chinese else "; ").join(parts)


def _range(one: Decimal, other: Decimal) -> str:
    low, high = sorted((one, other))
    return f"{plain(low)}–{plain(high)}"


def _binary(rule: BinaryRule, chinese: bool) -> str:
    threshold = plain(rule.threshold) if rule.threshold is not None else ("目标" if chinese else "target")
    symbol = _SYMBOLS[rule.comparison]
    if chinese:
        return f"实际 {symbol} {threshold} 得 {_points(rule.full, True)}，否则 0 分"
    return f"actual {symbol} {threshold}: {_points(rule.full, False)}; otherwise 0 points"


def _deduction(rule: DeductionRule, chinese: bool) -> str:
    if chinese:
        return f"满分 {_points(rule.full, True)}，每发生一次扣 {_points(rule.per_occurrence, True)}，最低 {_points(rule.floor, True)}"
    return f"{_points(rule.full, False)}, minus {_points(rule.per_occurrence, False)} per occurrence, at least {_points(rule.floor, False)}"


def _manual(rule: ManualRule, chinese: bool) -> str:
    scale = f"{plain(rule.scale_min)}–{plain(rule.scale_max)}"
    # Heaviest rater first: PostgreSQL's jsonb does not keep the key order the rule was written in.
    ordered = sorted(rule.rater_weights, key=lambda pair: (-pair[1], pair[0]))
    if chinese:
        weights = "，".join(f"{_ROLE_NAMES_ZH.get(role, role)} {plain(weight)}%" for role, weight in ordered)
        return f"评分（{scale}）线性换算为 0–100 分；评分人权重：{weights}"
    weights = ", ".join(f"{role} {plain(weight)}%" for role, weight in ordered)
    return f"ratings on a {scale} scale mapped linearly to 0–100 points; rater weights: {weights}"


def _formula(rule: FormulaRule, chinese: bool) -> str:
    return f"{'得分' if chinese else 'score'} = {rule.expression.strip()}" + _bounds(rule.floor, rule.cap, chinese)


_DESCRIBERS = {
    LinearRule: _linear,
    PiecewiseRule: _piecewise,
    BandsRule: _bands,
    BinaryRule: _binary,
    DeductionRule: _deduction,
    ManualRule: _manual,
    FormulaRule: _formula,
}
