"""Who a cycle assesses with which template version: the most specific assignment wins.

Specificity: named employee > position > job family > department; among department
assignments the deepest department on the employee's path wins. Two winning assignments
with different template versions are a conflict HR must resolve before the cycle opens.
Resolved set-based: one query for the assignments, one for the employees, matching in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hris.kpi.choices import ASSIGNMENT_SPECIFICITY, AssignmentKind, CycleState
from hris.kpi.models import Assessment, Cycle, CycleAssignment
from hris.org.models import Department
from hris.people.choices import EmployeeStatus
from hris.people.models import Employee

LARGEST_ID_LIST = 5000
KINDS_MOST_SPECIFIC_FIRST = sorted(ASSIGNMENT_SPECIFICITY, key=ASSIGNMENT_SPECIFICITY.__getitem__, reverse=True)


@dataclass
class Population:
    assigned: dict[int, CycleAssignment] = field(default_factory=dict)
    # employee id → the tied assignments (different template versions)
    conflicts: dict[int, list[CycleAssignment]] = field(default_factory=dict)
    department_of: dict[int, int] = field(default_factory=dict)  # employee id → current department id


@dataclass(frozen=True)
class _Member:
    id: int
    department_id: int
    department_path: str
    position_id: int | None
    job_family: str


class _AssignmentIndex:
    def __init__(self, assignments: Iterable[CycleAssignment]):
        self.by_employee: dict[int, list[CycleAssignment]] = {}
        self.by_position: dict[int, list[CycleAssignment]] = {}
        self.by_job_family: dict[str, list[CycleAssignment]] = {}
        self.by_department_path: dict[str, list[CycleAssignment]] = {}
        for assignment in assignments:
            if assignment.kind == AssignmentKind.EMPLOYEE:
                self.by_employee.setdefault(assignment.employee_id, []).append(assignment)
            elif assignment.kind == AssignmentKind.POSITION:
                self.by_position.setdefault(assignment.position_id, []).append(assignment)
            elif assignment.kind == AssignmentKind.JOB_FAMILY:
                self.by_job_family.setdefault(assignment.job_family, []).append(assignment)
            elif assignment.kind == AssignmentKind.DEPARTMENT:
                self.by_department_path.setdefault(assignment.department.path, []).append(assignment)

    def winners(self, member: _Member) -> list[CycleAssignment]:
        """The assignments of the most specific tier that matches the member (deepest department first)."""
        matches = {
            AssignmentKind.EMPLOYEE: self.by_employee.get(member.id),
            AssignmentKind.POSITION: self.by_position.get(member.position_id) if member.position_id else None,
            AssignmentKind.JOB_FAMILY: self.by_job_family.get(member.job_family) if member.job_family else None,
            AssignmentKind.DEPARTMENT: self._deepest_department(member.department_path),
        }
        for kind in KINDS_MOST_SPECIFIC_FIRST:
            if matches[kind]:
                return matches[kind]
        return []

    def _deepest_department(self, path: str) -> list[CycleAssignment] | None:
        step = Department.steplen
        for end in range(len(path), 0, -step):
            found = self.by_department_path.get(path[:end])
            if found:
                return found
        return None


def _members(cycle: Cycle, employee_ids: Iterable[int] | None) -> list[_Member]:
    queryset = Employee.objects.filter(company_id=cycle.company_id).exclude(status=EmployeeStatus.TERMINATED)
    if employee_ids is not None:
        queryset = queryset.filter(pk__in=list(employee_ids))
    rows = queryset.values_list("id", "department_id", "department__path", "position_id", "position__job_family")
    return [_Member(pk, department_id, path, position_id, family or "") for pk, department_id, path, position_id, family in rows]


def resolve_population(cycle: Cycle, *, employee_ids: Iterable[int] | None = None) -> Population:
    """The population of the cycle (or of the given employees only), with conflicts apart."""
    assignments = list(CycleAssignment.objects.filter(cycle=cycle).select_related("department").order_by("id"))
    population = Population()
    if not assignments:
        return population
    index = _AssignmentIndex(assignments)
    for member in _members(cycle, employee_ids):
        winners = index.winners(member)
        if not winners:
            continue
        population.department_of[member.id] = member.department_id
        if len({assignment.template_version_id for assignment in winners}) > 1:
            population.conflicts[member.id] = winners
        else:
            population.assigned[member.id] = winners[0]
    return population


def cycle_population(cycle: Cycle) -> tuple[dict[int, CycleAssignment], list[tuple[Employee, list[CycleAssignment]]]]:
    """(employee id → winning assignment, [(employee, tied assignments), …] ordered by employee number)."""
    population = resolve_population(cycle)
    conflicting = Employee.objects.filter(pk__in=list(population.conflicts)).order_by("employee_number")
    return population.assigned, [(employee, population.conflicts[employee.pk]) for employee in conflicting]


def template_versions_of(cycle: Cycle, employee_ids: Iterable[int]) -> dict[int, int]:
    """employee id → the template version the cycle assesses them with (conflicting or unassigned: absent).

    A draft cycle has no assessments yet, so its assignments are resolved; later the assessments decide.
    """
    wanted = set(employee_ids)
    # Beyond a few thousand ids one query over the whole cycle beats an IN list (and its parameter limits).
    restrict = wanted if len(wanted) <= LARGEST_ID_LIST else None
    if cycle.state == CycleState.DRAFT:
        assigned = resolve_population(cycle, employee_ids=restrict).assigned
        rows = [(employee_id, assignment.template_version_id) for employee_id, assignment in assigned.items()]
    else:
        assessments = Assessment.objects.filter(cycle=cycle)
        if restrict is not None:
            assessments = assessments.filter(employee_id__in=restrict)
        rows = assessments.values_list("employee_id", "template_version_id")
    return {employee_id: version_id for employee_id, version_id in rows if employee_id in wanted}
