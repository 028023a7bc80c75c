"""Published result versions: snapshot an assessment and diff it against its previous version."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from hris.kpi.models import Assessment, AssessmentItem, Cycle
from hris.reviews.models import ResultVersion, ScoreAdjustment


def grade_of(cycle: Cycle, score: Decimal | None) -> str:
    """The grade band of a final score (grade bands belong to hris.calibration)."""
    if score is None:
        return ""
    try:
        from hris.calibration.grading import grade_for_score
    except ImportError:  # the calibration app is not installed yet: results publish without a grade
        return ""
    return grade_for_score(cycle=cycle, score=score) or ""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _measure(value: Any) -> str | None:
    """A measured value as people write it: 93.0000 → 93, 1.5000 → 1.5, no exponent."""
    if value is None:
        return None
    return f"{Decimal(value).normalize():f}"


def _items_by_assessment(assessment_ids: list[int]) -> dict[int, list[dict]]:
    rows = AssessmentItem.objects.filter(assessment_id__in=assessment_ids).select_related("indicator").order_by("assessment_id", "position")
    result: dict[int, list[dict]] = defaultdict(list)
    for item in rows:
        result[item.assessment_id].append(
            {
                "indicator_id": item.indicator_id,
                "code": item.indicator.code,
                "name": item.indicator.display_name,
                "unit": item.indicator.unit,
                "weight": _text(item.weight),
                "target": _measure(item.target),
                "actual": _measure(item.actual),
                "score": _text(item.score),
                "points": _text(item.points),
                "status": item.status,
            }
        )
    return result


def adjustment_row(adjustment: ScoreAdjustment) -> dict:
    return {
        "id": adjustment.pk,
        "indicator_id": adjustment.indicator_id,
        "indicator": adjustment.indicator.display_name if adjustment.indicator_id else "",
        "delta": str(adjustment.delta),
        "reason": adjustment.reason,
        "actor": adjustment.actor.display_name,
        "role": adjustment.role,
        "created_at": adjustment.created_at.isoformat(),
        "appeal_id": adjustment.appeal_id,
    }


def _adjustments_by_assessment(assessment_ids: list[int]) -> dict[int, list[dict]]:
    rows = (
        ScoreAdjustment.objects.filter(assessment_id__in=assessment_ids)
        .select_related("indicator", "actor__employee")
        .order_by("assessment_id", "created_at", "id")
    )
    result: dict[int, list[dict]] = defaultdict(list)
    for adjustment in rows:
        result[adjustment.assessment_id].append(adjustment_row(adjustment))
    return result


def snapshots(cycle: Cycle, assessments: list[Assessment]) -> list[dict]:
    """What a version stores for each assessment; three queries for any number of assessments."""
    ids = [assessment.pk for assessment in assessments]
    items, adjustments = _items_by_assessment(ids), _adjustments_by_assessment(ids)
    result = []
    for assessment in assessments:
        indicator_adjustments: dict[int, Decimal] = defaultdict(Decimal)
        for row in adjustments.get(assessment.pk, []):
            if row["indicator_id"]:
                indicator_adjustments[row["indicator_id"]] += Decimal(row["delta"])
        rows = items.get(assessment.pk, [])
        for row in rows:
            row["adjustment"] = _text(indicator_adjustments.get(row["indicator_id"]))
        result.append(
            {
                "assessment": assessment,
                "final_score": assessment.final_score,
                "computed_total": assessment.computed_total,
                "adjustment_total": assessment.adjustment_total,
                "grade": grade_of(cycle, assessment.final_score),
                "items": rows,
                "adjustments": adjustments.get(assessment.pk, []),
            }
        )
    return result


DIFF_TOTALS = ("final_score", "computed_total", "adjustment_total", "grade")
DIFF_ITEM_FIELDS = ("target", "actual", "score", "points", "adjustment")


def diff(previous: ResultVersion, snapshot: dict) -> dict:
    """Before → after of the totals and of every indicator field that changed."""
    totals = {}
    for name in DIFF_TOTALS:
        before, after = _text(getattr(previous, name)) or "", _text(snapshot[name]) or ""
        if before != after:
            totals[name] = {"before": before, "after": after}
    old_items = {row["indicator_id"]: row for row in previous.items}
    indicators = []
    for row in snapshot["items"]:
        old = old_items.pop(row["indicator_id"], {})
        changes = {name: {"before": old.get(name), "after": row.get(name)} for name in DIFF_ITEM_FIELDS if old.get(name) != row.get(name)}
        if changes:
            indicators.append({"indicator_id": row["indicator_id"], "name": row["name"], "changes": changes})
    for row in old_items.values():
        indicators.append(
            {"indicator_id": row["indicator_id"], "name": row["name"], "changes": {"removed": {"before": True, "after": None}}}
        )
    new_adjustments = [row for row in snapshot["adjustments"] if row["id"] not in {old["id"] for old in previous.adjustments}]
    return {"totals": totals, "indicators": indicators, "new_adjustments": new_adjustments}


def version_create_next(*, assessment: Assessment, actor: Any, reason: str) -> ResultVersion:
    """After publication: the next version with its diff. The caller holds the assessment's lock."""
    previous = ResultVersion.objects.filter(assessment=assessment).order_by("-number").first()
    snapshot = snapshots(assessment.cycle, [assessment])[0]
    number = 1 if previous is None else previous.number + 1
    return ResultVersion.objects.create(
        assessment=assessment,
        number=number,
        final_score=snapshot["final_score"],
        computed_total=snapshot["computed_total"],
        adjustment_total=snapshot["adjustment_total"],
        grade=snapshot["grade"],
        items=snapshot["items"],
        adjustments=snapshot["adjustments"],
        diff={} if previous is None else diff(previous, snapshot),
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
