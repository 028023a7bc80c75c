"""cycle_population: the most specific assignment wins, ties with different versions are conflicts."""

from datetime import date

import pytest

from hris.kpi.choices import AssignmentKind
from hris.kpi.models import CycleAssignment
from hris.kpi.selectors_population import cycle_population, template_versions_of
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template
from hris.people.choices import EmployeeStatus
from hris.people.models import Employee

ACME_CURRENT = {
    "ceo",
    "prod_head",
    "w1_lead",
    "w1_worker",
    "w2_worker",
    "sales_head",
    "sales_rep",
    "hr_admin",
    "hrbp",
    "recruiter",
    "interviewer",
}
PRODUCTION_SUBTREE = {"prod_head", "w1_lead", "w1_worker", "w2_worker"}


@pytest.fixture
def versions(world):  # noqa: ANN001
    output = make_indicator(world.company, "output")
    return {name: make_template(world.company, f"template-{name}", [(output, 100, None, 10)]) for name in "ABCDE"}


def assign(cycle, version, kind, **population) -> CycleAssignment:  # noqa: ANN001, ANN003
    return CycleAssignment.objects.create(cycle=cycle, template_version=version, kind=kind, **population)


def resolved_by_key(world, assigned) -> dict[str, int]:  # noqa: ANN001
    key_of = {employee.pk: key for key, employee in world.employees.items()}
    return {key_of[employee_id]: assignment.template_version_id for employee_id, assignment in assigned.items()}


def test_deepest_department_wins(world, versions):  # noqa: ANN001
    # Given the whole company on template A and the production subtree on template B
    cycle = make_cycle(world.company)
    assign(cycle, versions["A"], AssignmentKind.DEPARTMENT, department=world.root)
    assign(cycle, versions["B"], AssignmentKind.DEPARTMENT, department=world.production)
    # When the population is resolved
    assigned, conflicts = cycle_population(cycle)
    # Then production's subtree gets B (also the workshops below it), everyone else A
    expected = {key: versions["B" if key in PRODUCTION_SUBTREE else "A"].pk for key in ACME_CURRENT}
    assert resolved_by_key(world, assigned) == expected
    assert conflicts == []


def test_employee_beats_position_beats_job_family_beats_department(world, versions):  # noqa: ANN001
    # Given assignments of every kind (both positions of the world are in the production job family)
    cycle = make_cycle(world.company)
    assign(cycle, versions["A"], AssignmentKind.DEPARTMENT, department=world.root)
    assign(cycle, versions["B"], AssignmentKind.JOB_FAMILY, job_family="production")
    assign(cycle, versions["C"], AssignmentKind.POSITION, position=world.lead_position)
    assign(cycle, versions["D"], AssignmentKind.EMPLOYEE, employee=world.employee("w1_worker"))
    # When the population is resolved
    assigned, conflicts = cycle_population(cycle)
    # Then each employee gets the most specific match
    resolved = resolved_by_key(world, assigned)
    assert resolved["w1_worker"] == versions["D"].pk  # named employee
    assert resolved["w1_lead"] == versions["C"].pk  # position
    assert resolved["w2_worker"] == versions["B"].pk  # job family of the operator position
    assert resolved["prod_head"] == versions["A"].pk  # no position: department
    assert {key for key, version_id in resolved.items() if version_id == versions["A"].pk} == ACME_CURRENT - {
        "w1_worker",
        "w1_lead",
        "w2_worker",
    }
    assert conflicts == []


def test_ties_with_different_versions_are_conflicts(world, versions):  # noqa: ANN001
    # Given production assigned twice with different versions, the company once
    cycle = make_cycle(world.company)
    company_wide = assign(cycle, versions["C"], AssignmentKind.DEPARTMENT, department=world.root)
    first = assign(cycle, versions["A"], AssignmentKind.DEPARTMENT, department=world.production)
    second = assign(cycle, versions["B"], AssignmentKind.DEPARTMENT, department=world.production)
    # When the population is resolved
    assigned, conflicts = cycle_population(cycle)
    # Then production's people are conflicts listing both assignments, and are not assigned
    assert {employee.name for employee, _tied in conflicts} == {world.employees[key].name for key in PRODUCTION_SUBTREE}
    assert [employee.employee_number for employee, _tied in conflicts] == sorted(
        world.employees[key].employee_number for key in PRODUCTION_SUBTREE
    )
    assert all(tied == [first, second] for _employee, tied in conflicts)
    assert set(resolved_by_key(world, assigned)) == ACME_CURRENT - PRODUCTION_SUBTREE
    assert {assignment.pk for assignment in assigned.values()} == {company_wide.pk}


def test_the_same_version_twice_is_not_a_conflict(world, versions):  # noqa: ANN001
    cycle = make_cycle(world.company)
    first = assign(cycle, versions["A"], AssignmentKind.POSITION, position=world.worker_position)
    assign(cycle, versions["A"], AssignmentKind.JOB_FAMILY, job_family="production")
    assign(cycle, versions["A"], AssignmentKind.POSITION, position=world.worker_position)

    assigned, conflicts = cycle_population(cycle)

    assert conflicts == []
    assert set(resolved_by_key(world, assigned)) == {"w1_worker", "w2_worker", "w1_lead"}
    assert assigned[world.employees["w1_worker"].pk] == first


def test_terminated_employees_and_other_companies_are_not_assessed(world, versions):  # noqa: ANN001
    # Given w2_worker has left, and an assignment naming the whole of ACME
    Employee.objects.filter(pk=world.employees["w2_worker"].pk).update(status=EmployeeStatus.TERMINATED, termination_date=date(2025, 2, 28))
    cycle = make_cycle(world.company)
    assign(cycle, versions["A"], AssignmentKind.DEPARTMENT, department=world.root)
    # When the population is resolved
    assigned, _conflicts = cycle_population(cycle)
    # Then only ACME's current employees are in it
    assert set(resolved_by_key(world, assigned)) == ACME_CURRENT - {"w2_worker"}


def test_resolution_takes_the_same_few_queries_for_any_population(world, versions, django_assert_max_num_queries):  # noqa: ANN001
    cycle = make_cycle(world.company)
    assign(cycle, versions["A"], AssignmentKind.DEPARTMENT, department=world.root)
    assign(cycle, versions["B"], AssignmentKind.DEPARTMENT, department=world.production)
    assign(cycle, versions["C"], AssignmentKind.DEPARTMENT, department=world.production)

    with django_assert_max_num_queries(3):  # assignments, employees, the conflicting employees
        assigned, conflicts = cycle_population(cycle)

    assert (len(assigned), len(conflicts)) == (7, 4)


def test_template_versions_of_a_draft_follow_the_assignments(world, versions):  # noqa: ANN001
    cycle = make_cycle(world.company)
    assign(cycle, versions["A"], AssignmentKind.DEPARTMENT, department=world.production)
    ids = [world.employees[key].pk for key in ("w1_worker", "sales_rep")]

    assert template_versions_of(cycle, ids) == {world.employees["w1_worker"].pk: versions["A"].pk}
