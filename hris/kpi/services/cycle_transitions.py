"""Cycle state transitions: open (creating the assessments), population sync, scoring and back.

Every transition needs the CONFIGURE_KPI capability over the whole company, locks the cycle
row, refuses a wrong starting state with the code "invalid_transition" and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import DomainError
from hris.kpi import recompute
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment, Cycle, EmployeeWeightOverride, Rating, Target
from hris.kpi.permissions import require_company
from hris.kpi.selectors_population import Population, resolve_population
from hris.kpi.services.cycles import lock_cycle
from hris.people.models import Employee

CONFLICTS_NAMED_AT_MOST = 10


@dataclass
class PopulationSync:
    """What a sync did; employee ids in each list. `kept` and `retemplate_blocked` need HR's attention."""

    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)  # no longer assessed, had no data: assessment deleted
    kept: list[int] = field(default_factory=list)  # no longer assessed but has data: assessment kept
    retemplated: list[int] = field(default_factory=list)  # now assessed with another template version
    retemplate_blocked: list[int] = field(default_factory=list)  # would change version but has data: unchanged
    conflicts: list[int] = field(default_factory=list)  # tied assignments: left as they are

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}


def _locked_in_state(actor: Any, cycle: Cycle, expected: str, action: str) -> Cycle:
    require_company(actor, Capability.CONFIGURE_KPI, cycle.company_id)
    cycle = lock_cycle(cycle)
    if cycle.state != expected:
        raise DomainError(
            _("A cycle that is %(state)s cannot be %(action)s; it must be %(expected)s.")
            % {"state": cycle.get_state_display().lower(), "action": action, "expected": CycleState(expected).label.lower()},
            code="invalid_transition",
        )
    return cycle


def _move(actor: Any, cycle: Cycle, new_state: str, action: str, *, reason: str = "", extra: dict | None = None, **stamps: Any) -> None:
    old_state = cycle.state
    cycle.state = new_state
    for name, value in stamps.items():
        setattr(cycle, name, value)
    cycle.save(update_fields=["state", *stamps, "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        target=cycle,
        before={"state": old_state},
        after={"state": new_state, **(extra or {})},
        reason=reason,
        company_id=cycle.company_id,
    )


def _conflict_message(conflicts: dict[int, list]) -> str:
    named = Employee.objects.filter(pk__in=list(conflicts)).order_by("employee_number")[:CONFLICTS_NAMED_AT_MOST]
    names = ", ".join(str(employee) for employee in named)
    more = len(conflicts) - len(named)
    message = ngettext(
        "%(count)s employee matches assignments of the same specificity with different template versions: %(names)s",
        "%(count)s employees match assignments of the same specificity with different template versions: %(names)s",
        len(conflicts),
    ) % {"count": len(conflicts), "names": names}
    if more:
        message += " " + _("and %(more)s more") % {"more": more}
    return message + ". " + _("Remove one of the tied assignments or add a more specific one.")


def _create_assessments(cycle: Cycle, population: Population, employee_ids: list[int]) -> int:
    Assessment.objects.bulk_create(
        [
            Assessment(
                cycle=cycle,
                employee_id=employee_id,
                department_id=population.department_of[employee_id],
                template_version_id=population.assigned[employee_id].template_version_id,
                assignment=population.assigned[employee_id],
            )
            for employee_id in employee_ids
        ],
        batch_size=2000,
    )
    return len(employee_ids)


@transaction.atomic
def cycle_open(*, actor: Any, cycle: Cycle) -> Cycle:
    """draft → open: one assessment per assigned employee; refused without assignments or with conflicts."""
    cycle = _locked_in_state(actor, cycle, CycleState.DRAFT, _("opened"))
    if not cycle.assignments.exists():
        raise DomainError(_("Assign at least one template version before opening the cycle."), code="no_assignments")
    population = resolve_population(cycle)
    if population.conflicts:
        raise DomainError(_conflict_message(population.conflicts), code="assignment_conflicts")
    if not population.assigned:
        raise DomainError(_("No current employee matches the cycle's assignments."), code="empty_population")
    created = _create_assessments(cycle, population, sorted(population.assigned))
    _move(actor, cycle, CycleState.OPEN, "kpi.cycle_opened", extra={"assessments": created}, opened_at=timezone.now())
    recompute.request_recompute(cycle_id=cycle.pk, employee_ids=None, reason=_("Cycle opened"))
    return cycle


def _employees_with_data(cycle: Cycle, employee_ids: set[int]) -> set[int]:
    """Employees with human input in this cycle (ratings, own targets or weights): never dropped silently."""
    if not employee_ids:
        return set()
    ids = list(employee_ids)
    rated = Rating.objects.filter(assessment__cycle=cycle, assessment__employee_id__in=ids)
    rated = rated.values_list("assessment__employee_id", flat=True)
    targeted = Target.objects.filter(cycle=cycle, employee_id__in=ids).values_list("employee_id", flat=True)
    weighted = EmployeeWeightOverride.objects.filter(cycle=cycle, employee_id__in=ids).values_list("employee_id", flat=True)
    return set(rated) | set(targeted) | set(weighted)


def _point_assessments(population: Population, assessment_of: dict[int, int]) -> None:
    """One update per assignment: the assessments take its template version and point to it."""
    by_assignment: dict[int, list[int]] = {}
    for employee_id, assessment_id in assessment_of.items():
        by_assignment.setdefault(population.assigned[employee_id].pk, []).append(assessment_id)
    assignments = {assignment.pk: assignment for assignment in population.assigned.values()}
    for assignment_id, assessment_ids in by_assignment.items():
        Assessment.objects.filter(pk__in=assessment_ids).update(
            assignment_id=assignment_id, template_version_id=assignments[assignment_id].template_version_id, updated_at=timezone.now()
        )


@transaction.atomic
def cycle_sync_population(*, actor: Any, cycle: Cycle) -> PopulationSync:
    """Open cycle: add assessments for newly matching employees, follow template changes, drop
    assessments without data of employees no longer matching; report everything else."""
    cycle = _locked_in_state(actor, cycle, CycleState.OPEN, _("synchronised"))
    population = resolve_population(cycle)
    existing = {
        employee_id: (assessment_id, version_id, assignment_id)
        for assessment_id, employee_id, version_id, assignment_id in Assessment.objects.filter(cycle=cycle).values_list(
            "id", "employee_id", "template_version_id", "assignment_id"
        )
    }
    report = PopulationSync(conflicts=sorted(population.conflicts))
    gone = {employee_id for employee_id in existing if employee_id not in population.assigned and employee_id not in population.conflicts}
    moved = {
        employee_id
        for employee_id, assignment in population.assigned.items()
        if employee_id in existing and existing[employee_id][1] != assignment.template_version_id
    }
    with_data = _employees_with_data(cycle, gone | moved)
    report.added = sorted(set(population.assigned) - set(existing))
    report.removed, report.kept = sorted(gone - with_data), sorted(gone & with_data)
    report.retemplated, report.retemplate_blocked = sorted(moved - with_data), sorted(moved & with_data)

    _create_assessments(cycle, population, report.added)
    Assessment.objects.filter(cycle=cycle, employee_id__in=report.removed).delete()
    # Retemplated assessments follow their new assignment; so do assessments whose assignment was
    # replaced by another one with the same version (e.g. the old one was removed).
    repointed = [
        employee_id
        for employee_id, assignment in population.assigned.items()
        if employee_id in existing and employee_id not in moved and existing[employee_id][2] != assignment.pk
    ]
    _point_assessments(population, {employee_id: existing[employee_id][0] for employee_id in [*report.retemplated, *repointed]})

    audit_record(
        actor=actor,
        action="kpi.cycle_population_synced",
        target=cycle,
        after={**report.counts(), "kept": report.kept, "retemplate_blocked": report.retemplate_blocked, "conflicts": report.conflicts},
        company_id=cycle.company_id,
    )
    recompute.request_recompute(cycle_id=cycle.pk, employee_ids=[*report.added, *report.retemplated], reason=_("Population synchronised"))
    return report


@transaction.atomic
def cycle_start_scoring(*, actor: Any, cycle: Cycle) -> Cycle:
    """open → scoring: data collection ends and the whole cycle is recomputed."""
    cycle = _locked_in_state(actor, cycle, CycleState.OPEN, _("moved to scoring"))
    _move(actor, cycle, CycleState.SCORING, "kpi.cycle_scoring_started", scoring_started_at=timezone.now())
    recompute.request_recompute(cycle_id=cycle.pk, employee_ids=None, reason=_("Scoring started"))
    return cycle


@transaction.atomic
def cycle_reopen(*, actor: Any, cycle: Cycle, reason: str = "") -> Cycle:
    """scoring → open: collect more data; scores become live progress again."""
    cycle = _locked_in_state(actor, cycle, CycleState.SCORING, _("reopened"))
    _move(actor, cycle, CycleState.OPEN, "kpi.cycle_reopened", reason=reason.strip())
    recompute.request_recompute(cycle_id=cycle.pk, employee_ids=None, reason=_("Cycle reopened"))
    return cycle
