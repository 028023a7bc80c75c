"""Hypothesis strategies for rule specs and row values (2-place decimals, as metric records store them)."""

from decimal import Decimal

from hypothesis import strategies as st

from hris.kpi.rules import parse_rule


def amounts(low="-1000", high="100000"):
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def linear_specs(draw):
    floor = draw(amounts("0", "50"))
    cap = draw(amounts(str(floor), "150"))
    return {"type": "linear", "floor": str(floor), "cap": str(cap)}


@st.composite
def piecewise_specs(draw, monotone_increasing=False):
    values = sorted(draw(st.sets(amounts("-100", "1000"), min_size=2, max_size=5)))
    scores = draw(st.lists(amounts("0", "120"), min_size=len(values), max_size=len(values)))
    if monotone_increasing:
        scores = sorted(scores)
    basis = draw(st.sampled_from(["actual", "attainment"]))
    return {"type": "piecewise", "knots": [[str(value), str(score)] for value, score in zip(values, scores, strict=True)], "basis": basis}


@st.composite
def bands_specs(draw):
    comparison = draw(st.sampled_from(["le", "ge"]))
    thresholds = sorted(draw(st.sets(amounts("-100", "1000"), min_size=1, max_size=4)), reverse=comparison == "ge")
    bands = [{"threshold": str(threshold), "score": str(draw(amounts("0", "100")))} for threshold in thresholds]
    return {"type": "bands", "comparison": comparison, "bands": bands, "otherwise": str(draw(amounts("0", "50")))}


@st.composite
def binary_specs(draw):
    threshold = draw(st.one_of(st.none(), amounts("-100", "1000")))
    return {
        "type": "binary",
        "comparison": draw(st.sampled_from(["le", "ge", "eq"])),
        "threshold": None if threshold is None else str(threshold),
    }


@st.composite
def deduction_specs(draw):
    return {"type": "deduction", "per_occurrence": str(draw(amounts("0.01", "50"))), "floor": str(draw(amounts("0", "40")))}


FORMULAS = [
    "min(actual / target * 100, 120)",
    "actual * 100 / target",
    "100 if actual >= target else actual / target * 80",
    "max(100 - (actual - target) ** 2 / 7, 0)",
    "round(actual / 3, 1) + bonus",
    "50 if 0 < actual <= target and not bonus == 0 or actual > 500 else abs(actual - bonus) / 9",
    "(actual - bonus) ** -1 * 1000",
    "-actual / 7 + 100",
]


@st.composite
def formula_specs(draw):
    floor = draw(amounts("-50", "50"))
    return {
        "type": "formula",
        "expression": draw(st.sampled_from(FORMULAS)),
        "inputs": ["bonus"],
        "floor": str(floor),
        "cap": str(floor + 100),
    }


any_vectorisable_rule = st.one_of(linear_specs(), piecewise_specs(), bands_specs(), binary_specs(), deduction_specs(), formula_specs()).map(
    parse_rule
)
