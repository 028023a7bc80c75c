from decimal import Decimal

import pytest

from hris.calibration.grading import grade_for_score, grades_for_assessments, scale_for_cycle
from hris.calibration.models import GradeBand, GradeScale
from hris.kpi.tests.builders import make_cycle

pytestmark = pytest.mark.django_db


def _scale(company, cycle=None, bands=(("X", "90"), ("Y", "50"), ("Z", "0")), size=5):
    scale = GradeScale.objects.create(company=company, cycle=cycle, min_department_size=size)
    for position, (letter, minimum) in enumerate(bands):
        GradeBand.objects.create(scale=scale, position=position, letter=letter, min_score=Decimal(minimum))
    return scale


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (Decimal("95"), "S"),
        (Decimal("94.99"), "A"),
        (Decimal("85.00"), "A"),
        (Decimal("84.99"), "B"),
        (Decimal("70"), "B"),
        (Decimal("69.99"), "C"),
        (Decimal("60"), "C"),
        (Decimal("59.99"), "D"),
        (Decimal("0"), "D"),
        (Decimal("-5"), "D"),
        (Decimal("120"), "S"),
        (None, ""),
    ],
)
def test_builtin_scale_boundaries(world, score, grade):
    cycle = make_cycle(world.company)
    assert grade_for_score(cycle=cycle, score=score) == grade


def test_company_default_then_cycle_override(world):
    cycle = make_cycle(world.company)
    other_cycle = make_cycle(world.company, name="2025年4月")
    _scale(world.company)
    assert grade_for_score(cycle=cycle, score=Decimal("90")) == "X"
    assert grade_for_score(cycle=cycle, score=Decimal("89.99")) == "Y"
    _scale(world.company, cycle=cycle, bands=(("优", "80"), ("良", "0")))
    assert grade_for_score(cycle=cycle, score=Decimal("80")) == "优"
    assert grade_for_score(cycle=cycle, score=Decimal("79.99")) == "良"
    assert grade_for_score(cycle=other_cycle, score=Decimal("79.99")) == "Y"
    assert scale_for_cycle(cycle).source == "cycle"
    assert scale_for_cycle(other_cycle).source == "company"


def test_other_company_scale_is_ignored(world):
    cycle = make_cycle(world.company)
    _scale(world.other_company)
    assert scale_for_cycle(cycle).source == "builtin"
    assert grade_for_score(cycle=cycle, score=Decimal("95")) == "S"


def test_bulk_variant_one_lookup_per_cycle(world, django_assert_num_queries):
    from hris.kpi.models import Assessment

    cycle = make_cycle(world.company)
    _scale(world.company, cycle=cycle)
    rows = [Assessment(pk=i, cycle_id=cycle.pk, final_score=Decimal(s)) for i, s in enumerate(["95", "50", "10"], start=1)]
    rows.append(Assessment(pk=9, cycle_id=cycle.pk, final_score=None))
    for row in rows:
        row.cycle = cycle
    with django_assert_num_queries(2):  # scales + their bands
        grades = grades_for_assessments(rows)
    assert grades == {1: "X", 2: "Y", 3: "Z", 9: ""}
