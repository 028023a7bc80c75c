"""Safe formula language for `formula` rules.

User text is parsed with `ast.parse(mode="eval")` and every node is checked against a
whitelist; nothing is ever passed to eval/exec/compile. Validation also type-checks the
tree (number vs. true/false), so both evaluators — the scalar Decimal one here and the
Polars compiler in `vectorised.py` — can walk a tree whose shape is already guaranteed.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, DecimalException, localcontext

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from .errors import RuleError, single_field_error
from .numbers import SCORE_CONTEXT

FUNCTIONS = ("abs", "max", "min", "round")
BASE_NAMES = ("actual", "target")
MAX_EXPRESSION_LENGTH = 1000
MAX_EXPONENT = 10  # bounded so `actual ** 1000000` cannot burn CPU or overflow silently
MAX_ROUND_DIGITS = 10

NUMBER, BOOLEAN = "number", "true/false"  # kinds of value, not shown to users
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARISONS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)
# Lazy: translated when an error message is formatted, so in the language active then. The context keeps
# short words such as "text" apart from the same words elsewhere in the catalogue.
_CONSTRUCT_NAMES = {
    ast.Attribute: pgettext_lazy("formula construct", "attribute access (.)"),
    ast.Subscript: pgettext_lazy("formula construct", "indexing ([])"),
    ast.Lambda: pgettext_lazy("formula construct", "lambda"),
    ast.ListComp: pgettext_lazy("formula construct", "comprehensions"),
    ast.GeneratorExp: pgettext_lazy("formula construct", "comprehensions"),
    ast.List: pgettext_lazy("formula construct", "lists"),
    ast.Tuple: pgettext_lazy("formula construct", "tuples"),
    ast.Dict: pgettext_lazy("formula construct", "dictionaries"),
    ast.Set: pgettext_lazy("formula construct", "sets"),
    ast.JoinedStr: pgettext_lazy("formula construct", "text"),
    ast.NamedExpr: pgettext_lazy("formula construct", "assignment (:=)"),
    ast.Starred: pgettext_lazy("formula construct", "star arguments"),
}


def _error(message: str) -> RuleError:
    return single_field_error("expression", message)


def _column(node: ast.AST) -> int:
    return getattr(node, "col_offset", 0) + 1


def parse_formula(expression: str, input_names: tuple[str, ...]) -> ast.expr:
    """Parse and validate; returns the expression node. Raises RuleError on any problem."""
    if not isinstance(expression, str) or not expression.strip():
        raise _error(_("Enter a formula, e.g. actual / target * 100."))
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise _error(_("The formula is too long (at most %(limit)s characters).") % {"limit": MAX_EXPRESSION_LENGTH})
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        # error.msg is Python's own (English) description, e.g. "'(' was never closed".
        raise _error(_("Syntax error at column %(column)s: %(problem)s.") % {"column": error.offset or 0, "problem": error.msg})
    except (RecursionError, MemoryError, ValueError):
        raise _error(_("The formula is nested too deeply or contains invalid characters."))
    checker = _Checker(expression.strip(), BASE_NAMES + tuple(input_names))
    try:
        kind = checker.kind_of(tree.body)
    except RecursionError:
        raise _error(_("The formula is nested too deeply."))
    if kind != NUMBER:
        raise _error(_("The formula must produce a number, not a true/false condition; use `a if condition else b`."))
    return tree.body


class _Checker:
    def __init__(self, source: str, names: tuple[str, ...]):
        self.source = source
        self.names = names

    def kind_of(self, node: ast.AST) -> str:
        method = getattr(self, f"_check_{type(node).__name__}", None)
        if method is None:
            construct = _CONSTRUCT_NAMES.get(type(node), type(node).__name__)
            message = _("Unsupported construct at column %(column)s: %(construct)s.")
            raise _error(message % {"column": _column(node), "construct": construct})
        return method(node)

    def _expect(self, node: ast.AST, kind: str, message: str, **values: str) -> None:
        """`message` (marked with gettext_noop) is the whole sentence for a wrong kind; there are only two kinds."""
        if self.kind_of(node) != kind:
            raise _error(_(message) % {"column": _column(node), **values})

    def _check_Constant(self, node: ast.Constant) -> str:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            message = _("Unsupported construct at column %(column)s: only numbers are allowed as literals.")
            raise _error(message % {"column": _column(node)})
        if isinstance(node.value, float) and not math.isfinite(node.value):  # 1e999 parses as infinity
            raise _error(_("At column %(column)s: the number is too large.") % {"column": _column(node)})
        return NUMBER

    def _check_Name(self, node: ast.Name) -> str:
        if node.id in self.names:
            return NUMBER
        if node.id in FUNCTIONS:
            message = _("At column %(column)s: '%(name)s' is a function; call it like %(name)s(…).")
            raise _error(message % {"column": _column(node), "name": node.id})
        message = _("Unknown name '%(name)s' at column %(column)s. Allowed names: %(allowed)s.")
        raise _error(message % {"name": node.id, "column": _column(node), "allowed": ", ".join(self.names)})

    def _check_BinOp(self, node: ast.BinOp) -> str:
        if type(node.op) not in _ARITHMETIC:
            raise _error(_("Unsupported operator at column %(column)s; allowed: + - * / **.") % {"column": _column(node)})
        arithmetic = gettext_noop("At column %(column)s: each side of an arithmetic operator must be a number, not a true/false.")
        self._expect(node.left, NUMBER, arithmetic)
        if isinstance(node.op, ast.Pow):
            exponent_literal(node.right)
        else:
            self._expect(node.right, NUMBER, arithmetic)
        return NUMBER

    def _check_UnaryOp(self, node: ast.UnaryOp) -> str:
        if isinstance(node.op, ast.Not):
            self._expect(
                node.operand, BOOLEAN, gettext_noop("At column %(column)s: the operand of `not` must be a true/false, not a number.")
            )
            return BOOLEAN
        if isinstance(node.op, ast.USub | ast.UAdd):
            self._expect(
                node.operand, NUMBER, gettext_noop("At column %(column)s: the operand of unary minus must be a number, not a true/false.")
            )
            return NUMBER
        raise _error(_("Unsupported operator at column %(column)s.") % {"column": _column(node)})

    def _check_Compare(self, node: ast.Compare) -> str:
        if not all(isinstance(op, _COMPARISONS) for op in node.ops):
            raise _error(_("Unsupported comparison at column %(column)s; allowed: < <= > >= == !=.") % {"column": _column(node)})
        for operand in (node.left, *node.comparators):
            self._expect(
                operand, NUMBER, gettext_noop("At column %(column)s: each side of a comparison must be a number, not a true/false.")
            )
        return BOOLEAN

    def _check_BoolOp(self, node: ast.BoolOp) -> str:
        for operand in node.values:
            self._expect(
                operand, BOOLEAN, gettext_noop("At column %(column)s: each side of `and`/`or` must be a true/false, not a number.")
            )
        return BOOLEAN

    def _check_IfExp(self, node: ast.IfExp) -> str:
        self._expect(node.test, BOOLEAN, gettext_noop("At column %(column)s: the condition after `if` must be a true/false, not a number."))
        self._expect(node.body, NUMBER, gettext_noop("At column %(column)s: the value before `if` must be a number, not a true/false."))
        self._expect(node.orelse, NUMBER, gettext_noop("At column %(column)s: the value after `else` must be a number, not a true/false."))
        return NUMBER

    def _check_Call(self, node: ast.Call) -> str:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is None:
            self.kind_of(node.func)  # names the real problem first, e.g. attribute access in `os.system(…)`
        if name not in FUNCTIONS:
            values = {"name": name, "column": _column(node), "allowed": ", ".join(FUNCTIONS)}
            if name:
                message = _("Calling '%(name)s' at column %(column)s is not allowed; allowed functions: %(allowed)s.")
            else:
                message = _("Calling this expression at column %(column)s is not allowed; allowed functions: %(allowed)s.")
            raise _error(message % values)
        values = {"column": _column(node), "name": name}
        if node.keywords:
            raise _error(_("At column %(column)s: %(name)s() takes no keyword arguments.") % values)
        arguments = node.args
        if name in ("min", "max") and len(arguments) < 2:
            raise _error(_("At column %(column)s: %(name)s() needs at least two values.") % values)
        if name == "abs" and len(arguments) != 1:
            raise _error(_("At column %(column)s: abs() takes exactly one value.") % values)
        if name == "round":
            if len(arguments) not in (1, 2):
                raise _error(_("At column %(column)s: round() takes a value and optionally a number of decimal places.") % values)
            if len(arguments) == 2:
                round_digits(arguments[1])
        for argument in arguments[:1] if name == "round" else arguments:
            self._expect(
                argument,
                NUMBER,
                gettext_noop("At column %(column)s: each argument of %(name)s() must be a number, not a true/false."),
                name=name,
            )
        return NUMBER


def _integer_literal(node: ast.AST) -> int | None:
    negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
    inner = node.operand if negative else node
    if isinstance(inner, ast.Constant) and type(inner.value) is int:
        return -inner.value if negative else inner.value
    return None


def exponent_literal(node: ast.AST) -> int:
    value = _integer_literal(node)
    if value is None or abs(value) > MAX_EXPONENT:
        message = _("At column %(column)s: the exponent must be a whole number between -%(limit)s and %(limit)s.")
        raise _error(message % {"column": _column(node), "limit": MAX_EXPONENT})
    return value


def round_digits(node: ast.AST) -> int:
    value = _integer_literal(node)
    if value is None or not 0 <= value <= MAX_ROUND_DIGITS:
        message = _("At column %(column)s: round() places must be a whole number from 0 to %(limit)s.")
        raise _error(message % {"column": _column(node), "limit": MAX_ROUND_DIGITS})
    return value


def number_literal(node: ast.Constant) -> Decimal:
    # str() of an int/float literal is exact for ints and the shortest round-trip text for floats.
    return Decimal(node.value) if isinstance(node.value, int) else Decimal(repr(node.value))


def evaluate_formula(node: ast.expr, values: Mapping[str, Decimal | None]) -> Decimal:
    """Evaluate a validated formula with exact Decimal arithmetic.

    A missing input or a division by zero makes its sub-expression *unknown* rather than
    failing at once, and `and`/`or`/`if` use three-valued (Kleene) logic: `x > 0 and y / x > 1`
    is simply false when x is 0. Only an unknown final result is an error. These are exactly
    the semantics of the Polars path, where unknown is null, so both paths agree row by row.
    """
    evaluator = _ScalarEvaluator(values)
    with localcontext(SCORE_CONTEXT):
        try:
            result = evaluator.value(node)
        except DecimalException:
            raise _error(_("The formula result is too large to compute."))
        except RecursionError:
            raise _error(_("The formula is nested too deeply."))
    if result is None:
        raise evaluator.first_problem or _error(_("The formula has no value for these inputs."))
    return result


class _ScalarEvaluator:
    def __init__(self, values: Mapping[str, Decimal | None]):
        self.values = values
        self.first_problem: RuleError | None = None

    def _unknown(self, problem: RuleError) -> None:
        self.first_problem = self.first_problem or problem

    def value(self, node: ast.expr):  # -> Decimal | bool | None (None: unknown)
        if isinstance(node, ast.Constant):
            return number_literal(node)
        if isinstance(node, ast.Name):
            found = self.values.get(node.id)
            if found is None:
                message = _("The formula needs a value for '%(name)s'.") % {"name": node.id}
                self._unknown(RuleError(message, {node.id: [_("This value is required by the formula.")]}))
            return found
        if isinstance(node, ast.BinOp):
            return self._arithmetic(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            if operand is None:
                return None
            if isinstance(node.op, ast.Not):
                return not operand
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            return self._kleene(node)
        if isinstance(node, ast.IfExp):
            test = self.value(node.test)
            if test is None:
                return None
            return self.value(node.body) if test else self.value(node.orelse)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _error(_("Unsupported construct at column %(column)s.") % {"column": _column(node)})  # unreachable after validation

    def _arithmetic(self, node: ast.BinOp) -> Decimal | None:
        left = self.value(node.left)
        if isinstance(node.op, ast.Pow):
            exponent = exponent_literal(node.right)
            if exponent == 0:
                return Decimal(1)  # as in the Polars path; Decimal refuses 0 ** 0
            if left is not None and left == 0 and exponent < 0:
                self._unknown(_error(_("Division by zero at column %(column)s: 0 raised to a negative power.") % {"column": _column(node)}))
                return None
            return None if left is None else left**exponent
        right = self.value(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div):
            if right == 0:
                self._unknown(_error(_("Division by zero at column %(column)s: the divisor is 0.") % {"column": _column(node)}))
                return None
            return left / right
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        return left * right

    def _compare(self, node: ast.Compare) -> bool | None:
        # Chains (0 < a <= b) are the Kleene `and` of each pair, as in the Polars path.
        left, results = self.value(node.left), []
        for operator, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.value(comparator)
            results.append(None if left is None or right is None else compare(operator, left, right))
            left = right
        return _kleene_and(results)

    def _kleene(self, node: ast.BoolOp) -> bool | None:
        results = [self.value(operand) for operand in node.values]
        if isinstance(node.op, ast.And):
            return _kleene_and(results)
        if any(result is True for result in results):
            return True
        return None if None in results else False

    def _call(self, node: ast.Call) -> Decimal | None:
        name = node.func.id  # type: ignore[attr-defined]
        if name == "round":
            places = round_digits(node.args[1]) if len(node.args) == 2 else 0
            number = self.value(node.args[0])
            return None if number is None else number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        arguments = [self.value(argument) for argument in node.args]
        if None in arguments:
            return None
        if name == "abs":
            return abs(arguments[0])
        return min(arguments) if name == "min" else max(arguments)


def _kleene_and(results: list) -> bool | None:
    if any(result is False for result in results):
        return False
    return None if None in results else True


def compare(operator: ast.cmpop, left, right):
    """Shared by both evaluators: works on Decimals and on Polars expressions."""
    if isinstance(operator, ast.Lt):
        return left < right
    if isinstance(operator, ast.LtE):
        return left <= right
    if isinstance(operator, ast.Gt):
        return left > right
    if isinstance(operator, ast.GtE):
        return left >= right
    if isinstance(operator, ast.Eq):
        return left == right
    return left != right


def compare_values(comparison: str, left, right):
    """Rule-level comparisons ('le', 'ge', 'eq'); works on Decimals and on Polars expressions."""
    if comparison == "le":
        return left <= right
    if comparison == "ge":
        return left >= right
    return left == right
