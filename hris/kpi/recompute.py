"""Automatic recompute: services that change a score's inputs call `request_recompute`.

The computation is queued after the business transaction commits (DESIGN.md §5.4) and
only for cycles whose scores may still change (before publication).
"""

from __future__ import annotations

from collections.abc import Iterable

from hris.kpi.choices import RECOMPUTABLE_STATES


def request_recompute(*, cycle_id: int, employee_ids: Iterable[int] | None = None, reason: str = "") -> None:
    """Queue a recompute of the cycle (or of the given employees' assessments) after commit."""
    from hris.kpi.models import Cycle
    from hris.kpi.services.computation import computation_run_queue

    if not Cycle.objects.filter(pk=cycle_id, state__in=RECOMPUTABLE_STATES).exists():
        return
    ids = None if employee_ids is None else sorted(set(employee_ids))
    if ids == []:
        return
    computation_run_queue(cycle_id=cycle_id, employee_ids=ids, reason=reason, actor=None)


def request_recompute_for_records(
    *, company_id: int, employee_ids: Iterable[int], department_ids: Iterable[int], dates: tuple, reason: str
) -> None:
    """After metric records change: recompute every affected cycle whose period overlaps them."""
    from hris.kpi.models import Assessment, Cycle

    first, last = dates
    employee_ids, department_ids = set(employee_ids), set(department_ids)
    cycles = Cycle.objects.filter(
        company_id=company_id, state__in=RECOMPUTABLE_STATES, period_start__lte=last, period_end__gte=first
    ).values_list("pk", flat=True)
    for cycle_id in cycles:
        affected = set(employee_ids)
        if department_ids:
            # Department-level records are attributed to the members assessed in those departments.
            affected |= set(
                Assessment.objects.filter(cycle_id=cycle_id, department_id__in=department_ids).values_list("employee_id", flat=True)
            )
        if affected:
            request_recompute(cycle_id=cycle_id, employee_ids=affected, reason=reason)
