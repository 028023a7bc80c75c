"""Scoring rules of DESIGN.md §6: parse a spec, score one row exactly, score a frame, describe in words."""

from .describe import describe
from .errors import RuleError
from .scoring import score, weighted_points
from .spec import (
    Band,
    BandsRule,
    BinaryRule,
    DeductionRule,
    FormulaRule,
    LinearRule,
    ManualRule,
    PiecewiseRule,
    Rule,
    parse_rule,
)
from .vectorised import score_frame

__all__ = [
    "Band",
    "BandsRule",
    "BinaryRule",
    "DeductionRule",
    "FormulaRule",
    "LinearRule",
    "ManualRule",
    "PiecewiseRule",
    "Rule",
    "RuleError",
    "describe",
    "parse_rule",
    "score",
    "score_frame",
    "weighted_points",
]
