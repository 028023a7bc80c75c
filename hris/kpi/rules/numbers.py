"""Decimal conversion and the single rounding point for scores (DESIGN.md §5.6)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

from django.utils.translation import gettext as _

# A private context so the global decimal context (which any library may change) cannot alter scores.
SCORE_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
HUNDRED = Decimal(100)
_TWO_PLACES = Decimal("0.01")
# Beyond this many digits before or after the point `plain` gives 1E+999999, not a million zeros.
_PLAIN_DIGITS = 50


class NotANumber(ValueError):
    """Raised by `to_decimal`; callers turn it into a field message. The text is a translated clause, e.g.
    "expected a number, got 'x'", which the callers' sentences embed."""


def _not_a_number(shown: str) -> NotANumber:
    return NotANumber(_("expected a number, got %(value)s") % {"value": shown})


def to_decimal(value: object) -> Decimal:
    # bool is an int subclass, but `true` in a rule spec is always a mistake.
    if isinstance(value, bool) or value is None:
        raise _not_a_number(repr(value))
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
            raise _not_a_number(repr(value))
    else:
        raise _not_a_number(type(value).__name__)
    if not result.is_finite():
        raise NotANumber(_("expected a finite number, got %(value)s") % {"value": repr(value)})
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
    """Human text for a Decimal: no exponent, no trailing zeros (100, 2.5, 0.01); absurd magnitudes keep theirs."""
    if value and not -_PLAIN_DIGITS <= value.adjusted() <= _PLAIN_DIGITS:
        return str(value)  # an absurd magnitude: normalize would overflow, and "f" would spell out every zero
    text = format(value.normalize(context=SCORE_CONTEXT), "f")
    return "0" if text in ("-0", "") else text
