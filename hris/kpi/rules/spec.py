"""Rule specs: immutable dataclasses parsed from the JSON-serialisable dicts stored with indicators."""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar, Literal

from django.utils.translation import gettext as _

from .errors import RuleError
from .formula import BASE_NAMES, FUNCTIONS, parse_formula
from .numbers import HUNDRED, NotANumber, plain, to_decimal

Comparison = Literal["le", "ge", "eq"]
ZERO = Decimal(0)


@dataclass(frozen=True)
class LinearRule:
    type: ClassVar[str] = "linear"
    floor: Decimal = ZERO
    cap: Decimal = HUNDRED


@dataclass(frozen=True)
class PiecewiseRule:
    type: ClassVar[str] = "piecewise"
    knots: tuple[tuple[Decimal, Decimal], ...]
    basis: Literal["actual", "attainment"] = "actual"


@dataclass(frozen=True)
class Band:
    threshold: Decimal
    score: Decimal


@dataclass(frozen=True)
class BandsRule:
    type: ClassVar[str] = "bands"
    comparison: Literal["le", "ge"]
    bands: tuple[Band, ...]
    otherwise: Decimal = ZERO


@dataclass(frozen=True)
class BinaryRule:
    type: ClassVar[str] = "binary"
    comparison: Comparison
    threshold: Decimal | None = None  # None: compare against the target
    full: Decimal = HUNDRED


@dataclass(frozen=True)
class DeductionRule:
    type: ClassVar[str] = "deduction"
    per_occurrence: Decimal
    full: Decimal = HUNDRED
    floor: Decimal = ZERO


@dataclass(frozen=True)
class ManualRule:
    type: ClassVar[str] = "manual"
    scale_min: Decimal
    scale_max: Decimal
    rater_weights: tuple[tuple[str, Decimal], ...]  # tuple of pairs keeps the dataclass hashable


@dataclass(frozen=True)
class FormulaRule:
    type: ClassVar[str] = "formula"
    expression: str
    inputs: tuple[str, ...] = ()
    floor: Decimal = ZERO
    cap: Decimal = HUNDRED
    tree: ast.expr = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


Rule = LinearRule | PiecewiseRule | BandsRule | BinaryRule | DeductionRule | ManualRule | FormulaRule
_MISSING = object()


class _Reader:
    """Reads fields from a spec dict, collecting every problem instead of stopping at the first."""

    def __init__(self, data: dict, allowed: tuple[str, ...]):
        self.data = data
        self.errors: dict[str, list[str]] = {}
        for key in data:
            if key != "type" and key not in allowed:
                self.add(key, _("Unknown field; allowed fields: %(allowed)s.") % {"allowed": ", ".join(allowed)})

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def number(self, name: str, default: object = _MISSING, *, positive: bool = False) -> Decimal | None:
        raw = self.data.get(name, default)
        if raw is _MISSING:
            self.add(name, _("This field is required."))
            return None
        if raw is None and default is None:
            return None
        try:
            value = to_decimal(raw)
        except NotANumber as error:
            self.add(name, _("Enter a number (%(problem)s).") % {"problem": error})
            return None
        if positive and value <= 0:
            self.add(name, _("Must be greater than 0."))
            return None
        return value

    def choice(self, name: str, options: tuple[str, ...], default: object = _MISSING) -> str | None:
        raw = self.data.get(name, default)
        if raw in options:
            return raw  # type: ignore[return-value]
        if raw is _MISSING:
            self.add(name, _("This field is required."))
        else:
            self.add(name, _("Choose one of: %(options)s.") % {"options": ", ".join(options)})
        return None

    def floor_and_cap(self) -> tuple[Decimal | None, Decimal | None]:
        floor, cap = self.number("floor", ZERO), self.number("cap", HUNDRED)
        if floor is not None and cap is not None and floor > cap:
            self.add("cap", _("The cap (%(cap)s) must not be below the floor (%(floor)s).") % {"cap": plain(cap), "floor": plain(floor)})
        return floor, cap


def parse_rule(data: dict) -> Rule:
    if not isinstance(data, dict):
        raise RuleError(_("A rule must be an object with a 'type'."), {"type": [_("This field is required.")]})
    rule_type = data.get("type")
    parser = _PARSERS.get(rule_type) if isinstance(rule_type, str) else None  # a list or dict type is not hashable
    if parser is None:
        message = _("Choose one of: %(options)s.") % {"options": ", ".join(_PARSERS)}
        raise RuleError(_("Unknown rule type %(type)s.") % {"type": repr(rule_type)}, {"type": [message]})
    try:
        reader, rule = parser(data)
    except ArithmeticError as error:  # Overflow on absurd magnitudes, e.g. weights of 9e999999 summed
        raise RuleError(_("The numbers in this rule are too large to check (%(problem)s).") % {"problem": type(error).__name__})
    if reader.errors:
        details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in reader.errors.items())
        raise RuleError(_("Invalid %(type)s rule — %(details)s") % {"type": rule_type, "details": details}, reader.errors)
    return rule  # type: ignore[return-value]


def _parse_linear(data: dict):
    reader = _Reader(data, ("floor", "cap"))
    floor, cap = reader.floor_and_cap()
    return reader, LinearRule(floor=floor, cap=cap)  # type: ignore[arg-type]


def _parse_piecewise(data: dict):
    reader = _Reader(data, ("knots", "basis"))
    basis = reader.choice("basis", ("actual", "attainment"), "actual")
    raw_knots = data.get("knots")
    knots: list[tuple[Decimal, Decimal]] = []
    if not isinstance(raw_knots, list) or len(raw_knots) < 2:
        reader.add("knots", _("Give at least two knots as [value, score] pairs."))
    else:
        for position, knot in enumerate(raw_knots, start=1):
            try:
                if not isinstance(knot, list | tuple) or len(knot) != 2:
                    raise NotANumber(_("expected a [value, score] pair"))
                knots.append((to_decimal(knot[0]), to_decimal(knot[1])))
            except NotANumber as error:
                reader.add("knots", _("Knot %(position)s: %(problem)s.") % {"position": position, "problem": error})
        values = [value for value, _score in knots]
        if len(knots) == len(raw_knots) and any(later <= earlier for earlier, later in zip(values, values[1:], strict=False)):
            reader.add("knots", _("Knot values must be strictly increasing."))
    return reader, PiecewiseRule(knots=tuple(knots), basis=basis)  # type: ignore[arg-type]


def _parse_bands(data: dict):
    reader = _Reader(data, ("comparison", "bands", "otherwise"))
    comparison = reader.choice("comparison", ("le", "ge"))
    otherwise = reader.number("otherwise", ZERO)
    raw_bands = data.get("bands")
    bands: list[Band] = []
    if not isinstance(raw_bands, list) or not raw_bands:
        reader.add("bands", _("Give at least one band as {threshold, score}."))
    else:
        for position, band in enumerate(raw_bands, start=1):
            try:
                if not isinstance(band, dict) or set(band) != {"threshold", "score"}:
                    raise NotANumber(_("expected an object with exactly 'threshold' and 'score'"))
                bands.append(Band(to_decimal(band["threshold"]), to_decimal(band["score"])))
            except NotANumber as error:
                reader.add("bands", _("Band %(position)s: %(problem)s.") % {"position": position, "problem": error})
        thresholds = [band.threshold for band in bands]
        pairs = list(zip(thresholds, thresholds[1:], strict=False))
        if comparison == "le" and any(later <= earlier for earlier, later in pairs):
            reader.add("bands", _("For 'le' the thresholds must be strictly ascending (first band is the best)."))
        if comparison == "ge" and any(later >= earlier for earlier, later in pairs):
            reader.add("bands", _("For 'ge' the thresholds must be strictly descending (first band is the best)."))
    return reader, BandsRule(comparison=comparison, bands=tuple(bands), otherwise=otherwise)  # type: ignore[arg-type]


def _parse_binary(data: dict):
    reader = _Reader(data, ("comparison", "threshold", "full"))
    comparison = reader.choice("comparison", ("ge", "le", "eq"))
    threshold = reader.number("threshold", None)
    full = reader.number("full", HUNDRED, positive=True)
    return reader, BinaryRule(comparison=comparison, threshold=threshold, full=full)  # type: ignore[arg-type]


def _parse_deduction(data: dict):
    reader = _Reader(data, ("full", "per_occurrence", "floor"))
    full = reader.number("full", HUNDRED, positive=True)
    per_occurrence = reader.number("per_occurrence", positive=True)
    floor = reader.number("floor", ZERO)
    if full is not None and floor is not None and floor > full:
        message = _("The floor (%(floor)s) must not exceed the full score (%(full)s).")
        reader.add("floor", message % {"floor": plain(floor), "full": plain(full)})
    return reader, DeductionRule(full=full, per_occurrence=per_occurrence, floor=floor)  # type: ignore[arg-type]


def _parse_manual(data: dict):
    reader = _Reader(data, ("scale_min", "scale_max", "rater_weights"))
    scale_min, scale_max = reader.number("scale_min"), reader.number("scale_max")
    if scale_min is not None and scale_max is not None and scale_max <= scale_min:
        reader.add("scale_max", _("Must be greater than scale_min."))
    raw_weights = data.get("rater_weights")
    weights: list[tuple[str, Decimal]] = []
    if not isinstance(raw_weights, dict) or not raw_weights:
        reader.add("rater_weights", _('Give at least one rater role with its weight, e.g. {"manager": 100}.'))
    else:
        for role, raw in raw_weights.items():
            try:
                weight = to_decimal(raw)
            except NotANumber as error:
                reader.add("rater_weights", _("'%(role)s': %(problem)s.") % {"role": role, "problem": error})
                continue
            if not isinstance(role, str) or not role.strip():
                reader.add("rater_weights", _("Rater roles must be non-empty names."))
            elif weight <= 0:
                reader.add("rater_weights", _("'%(role)s': weight must be greater than 0.") % {"role": role})
            else:
                weights.append((role, weight))
        total = sum((weight for _role, weight in weights), ZERO)
        if len(weights) == len(raw_weights) and total != HUNDRED:
            reader.add("rater_weights", _("Weights must sum to 100 (they sum to %(total)s).") % {"total": plain(total)})
    return reader, ManualRule(scale_min=scale_min, scale_max=scale_max, rater_weights=tuple(weights))  # type: ignore[arg-type]


def _parse_formula(data: dict):
    reader = _Reader(data, ("expression", "inputs", "floor", "cap"))
    floor, cap = reader.floor_and_cap()
    raw_inputs = data.get("inputs", [])
    inputs: tuple[str, ...] = ()
    reserved = set(BASE_NAMES) | set(FUNCTIONS)
    if not isinstance(raw_inputs, list) or not all(isinstance(name, str) for name in raw_inputs):
        reader.add("inputs", _("Give a list of input names."))
    else:
        for name in raw_inputs:
            if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
                message = _("'%(name)s' is not a valid name (letters, digits and _; not starting with _ or a digit).")
                reader.add("inputs", message % {"name": name})
            elif name in reserved:
                reader.add("inputs", _("'%(name)s' is reserved.") % {"name": name})
        if len(set(raw_inputs)) != len(raw_inputs):
            reader.add("inputs", _("Input names must be unique."))
        inputs = tuple(raw_inputs)
    expression = data.get("expression")
    tree = None
    if "inputs" not in reader.errors:
        try:
            tree = parse_formula(expression, inputs)  # type: ignore[arg-type]
        except RuleError as error:
            reader.add("expression", error.message)
    rule = FormulaRule(expression=expression, inputs=inputs, floor=floor, cap=cap, tree=tree)  # type: ignore[arg-type]
    return reader, rule


_PARSERS = {
    "linear": _parse_linear,
    "piecewise": _parse_piecewise,
    "bands": _parse_bands,
    "binary": _parse_binary,
    "deduction": _parse_deduction,
    "manual": _parse_manual,
    "formula": _parse_formula,
}
