"""Decimal conversion and the single rounding point for scores (DESIGN.md §5.6)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

# A private context so the global decimal context (which any library may change) cannot alter scores.
SCORE_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
HUNDRED = Decimal(100)
_TWO_PLACES = Decimal("0.01")


class NotANumber(ValueError):
    """Raised by `to_decimal`; callers turn it into a field message."""


def to_decimal(value: object) -> Decimal:
    # bool is an int subclass, but `true` in a rule spec is always a mistake.
    if isinstance(value, bool) or value is None:
        raise NotANumber(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # repr gives the shortest text that round-trips, i.e. what the JSON author wrote.
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise NotANumber(f"expected a number, got {value!r}")
    else:
        raise NotANumber(f"expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise NotANumber(f"expected a finite number, got {value!r}")
    return result


def round_score(value: Decimal) -> Decimal:
    """The one defined rounding point for scores and points: 2 places, halves away from zero."""
    return value.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP, context=SCORE_CONTEXT)


def clamp(value: Decimal, lowest: Decimal | None, highest: Decimal | None) -> Decimal:
    if lowest is not None and value < lowest:
        return lowest
    if highest is not None and value > highest:
        return highest
    return value


def plain(value: Decimal) -> str:
    """Human text for a Decimal: no exponent, no trailing zeros (100, 2.5, 0.01)."""
    text = format(value.normalize(context=SCORE_CONTEXT), "f")
    return "0" if text in ("-0", "") else text
