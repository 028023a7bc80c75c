"""Reads for calibration: the grade distribution against the target, outliers, the 9-box.

Every read starts from ``assessments_visible_to(actor)``: a manager sees the subtree, HR and
executives their scope. Each function costs a fixed number of queries whatever the population.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language, gettext_lazy, ngettext

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.calibration.grading import Scale, scale_for_cycle
from hris.calibration.models import CalibrationNote, Performance, PotentialRating
from hris.kpi.models import Assessment, Cycle
from hris.kpi.selectors import assessments_visible_to

ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
LARGE_ADJUSTMENT = Decimal("5")
OUTLIER_SIGMAS = Decimal(2)

ROW_COLUMNS = (
    "id", "final_score", "computed_total", "adjustment_total", "department_id",
    "employee_id", "employee__name", "employee__employee_number", "employee__user_id",
    "department__name", "department__name_en", "department__path",
)  # fmt: skip


def department_label(name: str, name_en: str) -> str:
    return name_en if name_en and (get_language() or "").startswith("en") else name


def percent_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


@dataclass
class Row:
    """One assessment as calibration shows it."""

    id: int
    employee_id: int
    employee_name: str
    employee_number: str
    user_id: int | None
    department_id: int
    department_name: str
    department_path: str
    computed_total: Decimal | None
    adjustment_total: Decimal
    final_score: Decimal | None
    grade: str = ""
    potential: str = ""
    potential_comment: str = ""


@dataclass
class GradeCount:
    letter: str
    label: str
    count: int
    percent: Decimal
    max_percent: Decimal | None
    min_percent: Decimal | None
    status: str  # "ok" | "over" | "under"
    off_by: int = 0  # people above the maximum / missing to reach the minimum

    @property
    def target_text(self) -> str:
        parts = []
        if self.min_percent is not None:
            parts.append(f"≥ {percent_text(self.min_percent)} %")
        if self.max_percent is not None:
            parts.append(f"≤ {percent_text(self.max_percent)} %")
        return ", ".join(parts)


@dataclass
class Distribution:
    name: str
    total: int  # people with a final score
    unscored: int
    grades: list[GradeCount]
    warnings: list[str]
    checked: bool = True  # False: too few people to check against the target
    department_id: int | None = None
    mean: Decimal | None = None

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "total": self.total,
            "unscored": self.unscored,
            "checked": self.checked,
            "mean": self.mean,
            "grades": [
                {
                    "letter": g.letter,
                    "label": g.label,
                    "count": g.count,
                    "percent": g.percent,
                    "max_percent": g.max_percent,
                    "min_percent": g.min_percent,
                    "status": g.status,
                    "off_by": g.off_by,
                }
                for g in self.grades
            ],
            "warnings": list(self.warnings),
        }


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def distribution_of(
    name: str, scores: list[Decimal | None], scale: Scale, *, check: bool = True, department_id: int | None = None
) -> Distribution:
    """Counts and percentages per grade of ``scores`` (None = not scored yet) against the scale's targets."""
    scored = [s for s in scores if s is not None]
    total = len(scored)
    counts: dict[str, int] = defaultdict(int)
    for score in scored:
        counts[scale.grade(score)] += 1
    grades: list[GradeCount] = []
    warnings: list[str] = []
    for band in scale.bands:
        count = counts[band.letter]
        percent = (Decimal(count) * HUNDRED / total if total else Decimal(0)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
        status, off_by = "ok", 0
        if check and total:
            if band.max_percent is not None and count * HUNDRED > band.max_percent * total:
                status, off_by = "over", count - math.floor(band.max_percent * total / HUNDRED)
            elif band.min_percent is not None and count * HUNDRED < band.min_percent * total:
                status, off_by = "under", math.ceil(band.min_percent * total / HUNDRED) - count
        grade = GradeCount(band.letter, str(band.label), count, percent, band.max_percent, band.min_percent, status, off_by)
        grades.append(grade)
        if status == "over":
            warnings.append(
                ngettext(
                    "%(grade)s: %(percent)s %% (target ≤ %(target)s %%) — %(count)d person above target",
                    "%(grade)s: %(percent)s %% (target ≤ %(target)s %%) — %(count)d people above target",
                    off_by,
                )
                % {"grade": band.letter, "percent": percent_text(percent), "target": percent_text(band.max_percent), "count": off_by}
            )
        elif status == "under":
            warnings.append(
                ngettext(
                    "%(grade)s: %(percent)s %% (target ≥ %(target)s %%) — %(count)d person below target",
                    "%(grade)s: %(percent)s %% (target ≥ %(target)s %%) — %(count)d people below target",
                    off_by,
                )
                % {"grade": band.letter, "percent": percent_text(percent), "target": percent_text(band.min_percent), "count": off_by}
            )
    return Distribution(
        name=name,
        total=total,
        unscored=len(scores) - total,
        grades=grades,
        warnings=warnings,
        checked=check,
        department_id=department_id,
        mean=_mean(scored),
    )


def calibration_queryset(actor: Any, cycle: Cycle, *, department=None) -> QuerySet[Assessment]:  # noqa: ANN001
    queryset = assessments_visible_to(actor).filter(cycle=cycle)
    if department is not None:
        queryset = queryset.filter(department__path__startswith=department.path)
    return queryset


def calibration_rows(actor: Any, cycle: Cycle, *, department=None, scale: Scale | None = None) -> list[Row]:  # noqa: ANN001
    """The visible assessments of ``cycle`` with grade and potential rating (two queries)."""
    scale = scale or scale_for_cycle(cycle)
    values = (
        calibration_queryset(actor, cycle, department=department)
        .order_by("-final_score", "employee__employee_number")
        .values_list(*ROW_COLUMNS)
    )
    rows = []
    for a_id, final, computed, adjustment, dept_id, emp_id, emp_name, emp_number, user_id, dept_name, dept_name_en, dept_path in values:
        rows.append(
            Row(
                id=a_id,
                employee_id=emp_id,
                employee_name=emp_name,
                employee_number=emp_number,
                user_id=user_id,
                department_id=dept_id,
                department_name=department_label(dept_name, dept_name_en),
                department_path=dept_path,
                computed_total=computed,
                adjustment_total=adjustment,
                final_score=final,
                grade=scale.grade(final),
            )
        )
    if rows:
        potentials = {
            p["assessment_id"]: p
            for p in PotentialRating.objects.filter(assessment_id__in=[r.id for r in rows]).values("assessment_id", "potential", "comment")
        }
        for row in rows:
            rating = potentials.get(row.id)
            if rating:
                row.potential, row.potential_comment = rating["potential"], rating["comment"]
    return rows


def distributions_for(rows: list[Row], scale: Scale, *, overall_name: str) -> tuple[Distribution, list[Distribution]]:
    """The overall distribution and one per department; departments smaller than the scale's
    ``min_department_size`` are listed but not checked against the target."""
    overall = distribution_of(overall_name, [r.final_score for r in rows], scale)
    by_department: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_department[row.department_id].append(row)
    departments = []
    for dept_rows in sorted(by_department.values(), key=lambda rs: rs[0].department_path):
        headcount = len(dept_rows)
        departments.append(
            distribution_of(
                dept_rows[0].department_name,
                [r.final_score for r in dept_rows],
                scale,
                check=headcount >= scale.min_department_size,
                department_id=dept_rows[0].department_id,
            )
        )
    return overall, departments


def grade_distribution(actor: Any, cycle: Cycle, *, department=None) -> dict:  # noqa: ANN001
    """For dashboards: ``{"total", "unscored", "mean", "grades": [{letter, label, count, percent,
    max_percent, min_percent, status, off_by}], "warnings": [str], "departments": [same, per department]}``
    over the assessments of ``cycle`` the actor may see."""
    scale = scale_for_cycle(cycle)
    rows = calibration_rows(actor, cycle, department=department, scale=scale)
    name = department_label(department.name, department.name_en) if department else cycle.company.name
    overall, departments = distributions_for(rows, scale, overall_name=name)
    result = overall.as_dict()
    result["departments"] = [d.as_dict() for d in departments]
    return result


@dataclass
class Outliers:
    mean: Decimal | None
    std_dev: Decimal | None
    score_outliers: list[tuple[Row, Decimal]] = field(default_factory=list)  # (row, deviation from the mean)
    departments: list[dict] = field(default_factory=list)  # {name, headcount, mean, deviation}
    adjustments: list[Row] = field(default_factory=list)


def outliers_of(
    rows: list[Row], *, sigmas: Decimal = OUTLIER_SIGMAS, large_adjustment: Decimal = LARGE_ADJUSTMENT, top: int = 5
) -> Outliers:
    """Scores more than ``sigmas`` population standard deviations from the mean, the departments
    whose mean deviates most from the overall mean, and adjustments of at least ``large_adjustment`` points."""
    scored = [r for r in rows if r.final_score is not None]
    values = [r.final_score for r in scored]
    if not values:
        return Outliers(mean=None, std_dev=None)
    mean = sum(values, Decimal(0)) / len(values)
    variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / len(values)
    std_dev = variance.sqrt()
    score_outliers = []
    if std_dev > 0:
        for row in scored:
            deviation = row.final_score - mean
            if abs(deviation) > sigmas * std_dev:
                score_outliers.append((row, deviation.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)))
        score_outliers.sort(key=lambda pair: -abs(pair[1]))
    by_department: dict[int, list[Row]] = defaultdict(list)
    for row in scored:
        by_department[row.department_id].append(row)
    departments = []
    if len(by_department) > 1:
        for dept_rows in by_department.values():
            dept_mean = sum((r.final_score for r in dept_rows), Decimal(0)) / len(dept_rows)
            departments.append(
                {
                    "name": dept_rows[0].department_name,
                    "department_id": dept_rows[0].department_id,
                    "headcount": len(dept_rows),
                    "mean": dept_mean.quantize(TWO_PLACES, rounding=ROUND_HALF_UP),
                    "deviation": (dept_mean - mean).quantize(TWO_PLACES, rounding=ROUND_HALF_UP),
                }
            )
        departments.sort(key=lambda d: (-abs(d["deviation"]), d["name"]))
        departments = [d for d in departments[:top] if d["deviation"] != 0]
    adjustments = sorted(
        (r for r in rows if abs(r.adjustment_total) >= large_adjustment), key=lambda r: (-abs(r.adjustment_total), r.employee_number)
    )
    return Outliers(
        mean=mean.quantize(TWO_PLACES, rounding=ROUND_HALF_UP),
        std_dev=std_dev.quantize(TWO_PLACES, rounding=ROUND_HALF_UP),
        score_outliers=score_outliers,
        departments=departments,
        adjustments=adjustments,
    )


# --- 9-box ------------------------------------------------------------------------------------------

LEVELS = (Performance.LOW, Performance.MEDIUM, Performance.HIGH)
BOX_LABELS = {
    (Performance.HIGH, Performance.LOW): gettext_lazy("Rough diamond"),
    (Performance.HIGH, Performance.MEDIUM): gettext_lazy("Future star"),
    (Performance.HIGH, Performance.HIGH): gettext_lazy("Star"),
    (Performance.MEDIUM, Performance.LOW): gettext_lazy("Inconsistent player"),
    (Performance.MEDIUM, Performance.MEDIUM): gettext_lazy("Core player"),
    (Performance.MEDIUM, Performance.HIGH): gettext_lazy("High performer"),
    (Performance.LOW, Performance.LOW): gettext_lazy("Underperformer"),
    (Performance.LOW, Performance.MEDIUM): gettext_lazy("Effective employee"),
    (Performance.LOW, Performance.HIGH): gettext_lazy("Trusted professional"),
}  # (potential, performance) → name
LETTER_PERFORMANCE = {"S": Performance.HIGH, "A": Performance.HIGH, "B": Performance.MEDIUM, "C": Performance.LOW, "D": Performance.LOW}


def performance_of(grade: str, scale: Scale) -> str:
    """D/C low, B medium, A/S high; other letters by their place in the scale (top two fifths high, bottom two fifths low)."""
    if not grade:
        return ""
    if grade in LETTER_PERFORMANCE:
        return LETTER_PERFORMANCE[grade]
    letters = scale.letters
    if grade not in letters:
        return ""
    n, index = len(letters), letters.index(grade)
    if index < round(n * 2 / 5):
        return Performance.HIGH
    if index >= n - round(n * 2 / 5):
        return Performance.LOW
    return Performance.MEDIUM


@dataclass
class Box:
    potential: str
    performance: str
    label: str
    people: list[Row]

    @property
    def count(self) -> int:
        return len(self.people)


def nine_box_of(rows: list[Row], scale: Scale) -> dict:
    """``{"grid": [[Box]*3]*3 (potential high → low, performance low → high), "unrated": [Row], "unscored": [Row]}``."""
    boxes = {(p, q): Box(p, q, str(BOX_LABELS[(p, q)]), []) for p in LEVELS for q in LEVELS}
    unrated, unscored = [], []
    for row in rows:
        performance = performance_of(row.grade, scale)
        if not performance:
            unscored.append(row)
        elif not row.potential:
            unrated.append(row)
        else:
            boxes[(row.potential, performance)].people.append(row)
    grid = [[boxes[(potential, performance)] for performance in LEVELS] for potential in reversed(LEVELS)]
    return {"grid": grid, "unrated": unrated, "unscored": unscored}


def nine_box(actor: Any, cycle: Cycle, *, department=None) -> dict:  # noqa: ANN001
    scale = scale_for_cycle(cycle)
    return nine_box_of(calibration_rows(actor, cycle, department=department, scale=scale), scale)


# --- notes ------------------------------------------------------------------------------------------


NOTE_SCOPE_FIELDS = {
    "company_field": "cycle__company_id",
    "branch_field": "department__branch_id",
    "department_path_field": "department__path",
    "self_field": None,
}


def notes_visible_to(actor: Any, cycle: Cycle, *, department=None) -> list[CalibrationNote]:  # noqa: ANN001
    """Cycle-wide notes, plus notes on departments inside the actor's score scope (narrowed to
    ``department``'s subtree when given). Newest first; one query."""
    from django.db.models import Q

    queryset = CalibrationNote.objects.filter(cycle=cycle).filter(
        Q(department__isnull=True) | scope_q(actor, Capability.VIEW_SCORES, **NOTE_SCOPE_FIELDS)
    )
    if department is not None:
        queryset = queryset.filter(Q(department__isnull=True) | Q(department__path__startswith=department.path))
    return list(queryset.select_related("author__employee", "department"))


def department_choices(actor: Any, cycle: Cycle) -> list[tuple[int, str, str]]:
    """(id, name, path) of the departments (and their ancestors' subtrees) holding visible assessments of ``cycle``."""
    from hris.org.models import Department

    ids = calibration_queryset(actor, cycle).values("department_id")
    return [(d.pk, department_label(d.name, d.name_en), d.path) for d in Department.objects.filter(pk__in=ids).order_by("path")]
