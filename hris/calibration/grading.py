"""Grade letters for final scores under a cycle's grade scale.

Resolution: the cycle's own scale if configured, else the company default, else the built-in
default (S ≥ 95, A ≥ 85, B ≥ 70, C ≥ 60, D below). Used by other apps: keep the signatures stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Band:
    letter: str
    label: str
    min_score: Decimal
    max_percent: Decimal | None = None
    min_percent: Decimal | None = None


@dataclass(frozen=True)
class Scale:
    bands: tuple[Band, ...]  # highest threshold first
    min_department_size: int = 5
    source: str = "builtin"  # "cycle" | "company" | "builtin"
    scale_id: int | None = None

    def grade(self, score) -> str:
        if score is None:
            return ""
        value = Decimal(str(score))
        for band in self.bands:
            if value >= band.min_score:
                return band.letter
        return self.bands[-1].letter if self.bands else ""

    @property
    def letters(self) -> list[str]:
        return [b.letter for b in self.bands]


DEFAULT_BANDS: tuple[Band, ...] = (
    Band("S", _("Outstanding"), Decimal("95"), max_percent=Decimal("10")),
    Band("A", _("Exceeds expectations"), Decimal("85"), max_percent=Decimal("20")),
    Band("B", _("Meets expectations"), Decimal("70")),
    Band("C", _("Needs improvement"), Decimal("60")),
    Band("D", _("Unsatisfactory"), Decimal("0"), min_percent=Decimal("5")),
)
BUILTIN_SCALE = Scale(bands=DEFAULT_BANDS)


def _from_model(scale, source: str) -> Scale:
    bands = sorted(scale.bands.all(), key=lambda b: b.position)
    if not bands:
        return BUILTIN_SCALE
    return Scale(
        bands=tuple(Band(b.letter, b.label, b.min_score, b.max_percent, b.min_percent) for b in bands),
        min_department_size=scale.min_department_size,
        source=source,
        scale_id=scale.pk,
    )


def scale_for_cycle(cycle) -> Scale:
    """The effective scale for ``cycle`` (two queries at most)."""
    from hris.calibration.models import GradeScale

    rows = list(
        GradeScale.objects.filter(company_id=cycle.company_id).filter(models_q_cycle_or_default(cycle.pk)).prefetch_related("bands")
    )
    own = next((s for s in rows if s.cycle_id == cycle.pk), None)
    if own is not None and own.bands.all():
        return _from_model(own, "cycle")
    default = next((s for s in rows if s.cycle_id is None), None)
    if default is not None and default.bands.all():
        return _from_model(default, "company")
    if own is not None:  # override with no bands configured keeps its department size
        return Scale(bands=DEFAULT_BANDS, min_department_size=own.min_department_size, source="builtin", scale_id=own.pk)
    if default is not None:
        return Scale(bands=DEFAULT_BANDS, min_department_size=default.min_department_size, source="builtin", scale_id=default.pk)
    return BUILTIN_SCALE


def models_q_cycle_or_default(cycle_id):
    from django.db.models import Q

    return Q(cycle_id=cycle_id) | Q(cycle__isnull=True)


def company_default_scale(company_id) -> Scale:
    from hris.calibration.models import GradeScale

    scale = GradeScale.objects.filter(company_id=company_id, cycle__isnull=True).prefetch_related("bands").first()
    return _from_model(scale, "company") if scale is not None else BUILTIN_SCALE


def grade_for_score(*, cycle, score) -> str:
    """Grade letter for one final score under ``cycle``'s scale; ``""`` when score is None."""
    if score is None:
        return ""
    return scale_for_cycle(cycle).grade(score)


def grades_for_assessments(assessments: Iterable, *, scale: Scale | None = None) -> dict[int, str]:
    """``{assessment.pk: grade}`` for many assessments (any cycles), one scale lookup per distinct cycle.

    Each assessment needs ``cycle`` (or pass ``scale`` when they all share one cycle) and ``final_score``.
    """
    result: dict[int, str] = {}
    scales: dict[int, Scale] = {}
    for a in assessments:
        use = scale
        if use is None:
            use = scales.get(a.cycle_id)
            if use is None:
                use = scales[a.cycle_id] = scale_for_cycle(a.cycle)
        result[a.pk] = use.grade(a.final_score)
    return result
