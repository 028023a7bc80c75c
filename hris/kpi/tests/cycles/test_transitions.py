"""cycle_open / cycle_start_scoring / cycle_reopen / cycle_sync_population."""

from datetime import date

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.choices import AssignmentKind, CycleState
from hris.kpi.models import Assessment, Cycle, CycleAssignment, Target
from hris.kpi.services.cycle_transitions import cycle_open, cycle_reopen, cycle_start_scoring, cycle_sync_population
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template
from hris.people.choices import EmployeeStatus
from hris.people.models import Employee
from hris.tests.factories import EmployeeFactory

DENIED = ["prod_head", "w1_worker", "other_hr", "hrbp"]


@pytest.fixture
def setup(world):  # noqa: ANN001
    output = make_indicator(world.company, "output")
    company_version = make_template(world.company, "company", [(output, 100, None, 10)])
    production_version = make_template(world.company, "production", [(output, 100, None, 20)])
    cycle = make_cycle(world.company)
    CycleAssignment.objects.create(cycle=cycle, template_version=company_version, kind=AssignmentKind.DEPARTMENT, department=world.root)
    production = CycleAssignment.objects.create(
        cycle=cycle, template_version=production_version, kind=AssignmentKind.DEPARTMENT, department=world.production
    )
    return {
        "cycle": cycle,
        "output": output,
        "company": company_version,
        "production": production_version,
        "production_assignment": production,
    }


def kpi_events() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="kpi.").order_by("sequence").values_list("action", flat=True))


def test_open_creates_one_assessment_per_assigned_employee(world, setup, recompute_requests):  # noqa: ANN001
    # Given a draft cycle covering ACME (11 current employees), production on its own template
    cycle = setup["cycle"]
    # When HR opens it
    cycle_open(actor=world.user("hr_admin"), cycle=cycle)
    # Then the cycle is open with one assessment per employee, snapshotting department and version
    cycle = Cycle.objects.get(pk=cycle.pk)
    assert cycle.state == CycleState.OPEN
    assert cycle.opened_at is not None
    assert Assessment.objects.filter(cycle=cycle).count() == 11
    w1_worker = Assessment.objects.get(cycle=cycle, employee=world.employees["w1_worker"])
    assert (w1_worker.department_id, w1_worker.template_version_id, w1_worker.assignment_id) == (
        world.workshop1.pk,
        setup["production"].pk,
        setup["production_assignment"].pk,
    )
    assert Assessment.objects.get(cycle=cycle, employee=world.employees["sales_rep"]).template_version_id == setup["company"].pk
    event = AuditEvent.objects.get(action="kpi.cycle_opened")
    assert (event.before, event.after) == ({"state": "draft"}, {"state": "open", "assessments": 11})
    assert recompute_requests.cycles == [{"cycle_id": cycle.pk, "employee_ids": None, "reason": "Cycle opened"}]


def test_open_is_refused_without_assignments(world):  # noqa: ANN001
    cycle = make_cycle(world.company)

    with pytest.raises(DomainError) as refused:
        cycle_open(actor=world.user("hr_admin"), cycle=cycle)

    assert refused.value.code == "no_assignments"
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.DRAFT


def test_open_is_refused_with_conflicts_naming_the_employees(world, setup):  # noqa: ANN001
    # Given workshop 1 assigned twice with different versions
    cycle = setup["cycle"]
    for version in (setup["company"], setup["production"]):
        CycleAssignment.objects.create(cycle=cycle, template_version=version, kind=AssignmentKind.DEPARTMENT, department=world.workshop1)
    # When HR tries to open the cycle
    with pytest.raises(DomainError) as refused:
        cycle_open(actor=world.user("hr_admin"), cycle=cycle)
    # Then the message names both workshop employees, and nothing changed
    lead, worker = world.employee("w1_lead"), world.employee("w1_worker")
    first, second = sorted([lead, worker], key=lambda employee: employee.employee_number)
    assert refused.value.code == "assignment_conflicts"
    assert refused.value.message == (
        f"2 employees match assignments of the same specificity with different template versions: {first}, {second}. "
        "Remove one of the tied assignments or add a more specific one."
    )
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.DRAFT
    assert not Assessment.objects.exists()


def test_a_conflict_message_names_at_most_ten_employees(world, setup):  # noqa: ANN001
    cycle = setup["cycle"]
    for number in range(12):
        EmployeeFactory(department=world.workshop2, employee_number=f"W2-{number:02d}", name=f"工人{number:02d}")
    CycleAssignment.objects.create(
        cycle=cycle, template_version=setup["company"], kind=AssignmentKind.DEPARTMENT, department=world.workshop2
    )
    CycleAssignment.objects.create(
        cycle=cycle, template_version=setup["production"], kind=AssignmentKind.DEPARTMENT, department=world.workshop2
    )

    with pytest.raises(DomainError) as refused:
        cycle_open(actor=world.user("hr_admin"), cycle=cycle)

    assert refused.value.message.startswith("13 employees match")
    assert refused.value.message.split(": ", 1)[1].count(", ") == 9
    assert " and 3 more. " in refused.value.message


@pytest.mark.parametrize("key", DENIED)
def test_transitions_need_company_wide_kpi_configuration(world, setup, key):  # noqa: ANN001
    cycle = setup["cycle"]

    with pytest.raises(PermissionDenied):
        cycle_open(actor=world.user(key), cycle=cycle)

    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.DRAFT
    assert not Assessment.objects.exists()
    assert kpi_events() == []


@pytest.mark.parametrize("key", DENIED)
def test_scoring_and_reopening_need_company_wide_kpi_configuration(world, key):  # noqa: ANN001
    open_cycle = make_cycle(world.company, "open", state=CycleState.OPEN)
    scoring_cycle = make_cycle(world.company, "scoring", state=CycleState.SCORING)

    with pytest.raises(PermissionDenied):
        cycle_start_scoring(actor=world.user(key), cycle=open_cycle)
    with pytest.raises(PermissionDenied):
        cycle_reopen(actor=world.user(key), cycle=scoring_cycle)

    assert list(Cycle.objects.order_by("name").values_list("state", flat=True)) == [CycleState.OPEN, CycleState.SCORING]
    assert kpi_events() == []


def test_open_scoring_and_reopen_in_order(world, setup, recompute_requests):  # noqa: ANN001
    actor, cycle = world.user("hr_admin"), setup["cycle"]

    cycle_open(actor=actor, cycle=cycle)
    cycle_start_scoring(actor=actor, cycle=cycle)
    assert Cycle.objects.get(pk=cycle.pk).scoring_started_at is not None
    cycle_reopen(actor=actor, cycle=cycle, reason="ERP data late")

    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.OPEN
    assert kpi_events() == ["kpi.cycle_opened", "kpi.cycle_scoring_started", "kpi.cycle_reopened"]
    assert AuditEvent.objects.get(action="kpi.cycle_reopened").reason == "ERP data late"
    assert [request["reason"] for request in recompute_requests.cycles] == ["Cycle opened", "Scoring started", "Cycle reopened"]
    assert {request["employee_ids"] for request in recompute_requests.cycles} == {None}


@pytest.mark.parametrize(
    ("state", "transition"),
    [
        (CycleState.DRAFT, cycle_start_scoring),
        (CycleState.DRAFT, cycle_reopen),
        (CycleState.OPEN, cycle_open),
        (CycleState.OPEN, cycle_reopen),
        (CycleState.SCORING, cycle_start_scoring),
        (CycleState.PUBLISHED, cycle_reopen),
        (CycleState.CLOSED, cycle_open),
        (CycleState.DRAFT, cycle_sync_population),
    ],
)
def test_invalid_transitions_are_refused(world, state, transition):  # noqa: ANN001
    cycle = make_cycle(world.company, state=state)

    with pytest.raises(DomainError) as refused:
        transition(actor=world.user("hr_admin"), cycle=cycle)

    assert refused.value.code == "invalid_transition"
    assert Cycle.objects.get(pk=cycle.pk).state == state
    assert kpi_events() == []


def test_sync_adds_new_hires_drops_leavers_without_data_and_keeps_those_with_data(world, setup, recompute_requests):  # noqa: ANN001
    # Given an open cycle, then a new hire in sales and two leavers, one of whom has a target
    actor, cycle = world.user("hr_admin"), setup["cycle"]
    cycle_open(actor=actor, cycle=cycle)
    recompute_requests.cycles.clear()
    new_hire = EmployeeFactory(department=world.sales, name="新同事")
    leavers = [world.employees["w2_worker"].pk, world.employees["sales_rep"].pk]
    Employee.objects.filter(pk__in=leavers).update(status=EmployeeStatus.TERMINATED, termination_date=date(2025, 3, 10))
    Target.objects.create(cycle=cycle, employee=world.employees["sales_rep"], indicator=setup["output"], value=5)
    # When HR synchronises the population
    report = cycle_sync_population(actor=actor, cycle=cycle)
    # Then the new hire is added, the leaver without data removed, the one with data kept and reported
    assert (report.added, report.removed, report.kept) == (
        [new_hire.pk],
        [world.employees["w2_worker"].pk],
        [world.employees["sales_rep"].pk],
    )
    assert (report.retemplated, report.retemplate_blocked, report.conflicts) == ([], [], [])
    assessed = set(Assessment.objects.filter(cycle=cycle).values_list("employee_id", flat=True))
    assert new_hire.pk in assessed and world.employees["sales_rep"].pk in assessed and world.employees["w2_worker"].pk not in assessed
    assert AuditEvent.objects.get(action="kpi.cycle_population_synced").after["kept"] == [world.employees["sales_rep"].pk]
    assert recompute_requests.cycles == [{"cycle_id": cycle.pk, "employee_ids": [new_hire.pk], "reason": "Population synchronised"}]


def test_sync_moves_employees_without_data_to_a_new_more_specific_assignment(world, setup):  # noqa: ANN001
    # Given an open cycle, then a named-employee assignment for w1_worker and w1_lead (who has a target)
    actor, cycle = world.user("hr_admin"), setup["cycle"]
    cycle_open(actor=actor, cycle=cycle)
    for key in ("w1_worker", "w1_lead"):
        CycleAssignment.objects.create(
            cycle=cycle, template_version=setup["company"], kind=AssignmentKind.EMPLOYEE, employee=world.employees[key]
        )
    Target.objects.create(cycle=cycle, employee=world.employees["w1_lead"], indicator=setup["output"], value=5)
    # When the population is synchronised
    report = cycle_sync_population(actor=actor, cycle=cycle)
    # Then w1_worker follows the new assignment; w1_lead keeps the old version and is reported
    assert (report.retemplated, report.retemplate_blocked) == ([world.employees["w1_worker"].pk], [world.employees["w1_lead"].pk])
    versions = dict(Assessment.objects.filter(cycle=cycle).values_list("employee_id", "template_version_id"))
    assert versions[world.employees["w1_worker"].pk] == setup["company"].pk
    assert versions[world.employees["w1_lead"].pk] == setup["production"].pk
