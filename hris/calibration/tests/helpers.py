"""A cycle whose assessments carry scores the tests choose (straight through the ORM)."""

from __future__ import annotations

from decimal import Decimal

from hris.calibration.models import GradeBand, GradeScale
from hris.kpi.choices import CycleState, ItemStatus
from hris.kpi.models import Assessment, AssessmentItem
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template


def D(value) -> Decimal | None:  # noqa: ANN001, N802
    return None if value is None else Decimal(str(value))


def make_population(world, scores: dict, *, state: str = CycleState.CALIBRATION, name: str = "2025年3月"):  # noqa: ANN001
    """``scores``: employee key → final score, or (final, computed, adjustment). Returns (cycle, {key: assessment})."""
    cycle = make_cycle(world.company, name, state=state)
    output = make_indicator(world.company, f"output-{cycle.pk}", name_zh="产量", name_en="Output", unit="件")
    quality = make_indicator(world.company, f"quality-{cycle.pk}", name_zh="合格率", name_en="Quality rate", unit="%")
    version = make_template(world.company, f"tpl-{cycle.pk}", [(output, 60, None, 100), (quality, 40, None, 98)])
    assessments = {}
    for key, value in scores.items():
        final, computed, adjustment = value if isinstance(value, tuple) else (value, value, 0)
        employee = world.employee(key)
        assessments[key] = Assessment.objects.create(
            cycle=cycle,
            employee=employee,
            department=employee.department,
            template_version=version,
            final_score=D(final),
            computed_total=D(computed),
            adjustment_total=D(adjustment),
        )
    return cycle, assessments, (version, output, quality)


def add_items(assessment, version, rows) -> None:  # noqa: ANN001
    """rows: (indicator, target, actual, score, weight, points)."""
    for position, (indicator, target, actual, score, weight, points) in enumerate(rows):
        AssessmentItem.objects.create(
            assessment=assessment,
            indicator=indicator,
            template_version=version,
            position=position,
            target=D(target),
            actual=D(actual),
            score=D(score),
            weight=D(weight),
            points=D(points),
            status=ItemStatus.SCORED,
        )


def make_scale(company, *, cycle=None, bands, size: int = 5) -> GradeScale:  # noqa: ANN001
    """bands: (letter, min_score, max_percent, min_percent)."""
    scale = GradeScale.objects.create(company=company, cycle=cycle, min_department_size=size)
    for position, (letter, minimum, most, least) in enumerate(bands):
        GradeBand.objects.create(
            scale=scale, position=position, letter=letter, min_score=D(minimum), max_percent=D(most), min_percent=D(least)
        )
    return scale
