"""cycle_create / cycle_update / assignment_add / assignment_remove: rules, permissions, audit."""

from datetime import date
from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.kpi.choices import AssignmentKind, CycleState, PeriodType
from hris.kpi.models import Cycle, CycleAssignment
from hris.kpi.services.cycles import assignment_add, assignment_remove, cycle_create, cycle_update
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template

MARCH = {"period_type": PeriodType.MONTHLY, "period_start": date(2025, 3, 1), "period_end": date(2025, 3, 31)}
DENIED = ["prod_head", "w1_worker", "other_hr", "hrbp", "ceo"]


@pytest.fixture
def version(world):  # noqa: ANN001
    return make_template(world.company, "production", [(make_indicator(world.company, "output"), 100, None, 10)])


def test_create_stores_the_cycle_and_audits_it(world):  # noqa: ANN001
    actor = world.user("hr_admin")

    cycle = cycle_create(actor=actor, company=world.company, name=" 2025年3月 ", **MARCH, score_floor=10, score_cap=110)

    cycle = Cycle.objects.get(pk=cycle.pk)
    assert (cycle.name, cycle.state, cycle.score_floor, cycle.score_cap) == (
        "2025年3月",
        CycleState.DRAFT,
        Decimal("10.00"),
        Decimal("110.00"),
    )
    assert cycle.created_by_id == actor.pk
    event = AuditEvent.objects.get(action="kpi.cycle_created")
    assert (event.target_id, event.actor_id, event.company_id_ref) == (str(cycle.pk), actor.pk, world.company.pk)
    assert event.after["period_start"] == "2025-03-01"
    assert event.after["state"] == "draft"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"period_start": date(2025, 3, 31), "period_end": date(2025, 3, 1)},
            "period_end",
            "The period ends (2025-03-01) before it starts (2025-03-31).",
        ),
        ({"period_end": date(2025, 12, 31)}, "period_end", "A monthly cycle spans at most 31 days; 2025-03-01 – 2025-12-31 is 306 days."),
        ({"score_floor": 100, "score_cap": 100}, "score_cap", "The highest final score must be above the lowest."),
        ({"score_cap": "lots"}, "score_cap", "“lots” is not a number."),
    ],
)
def test_create_refuses_inconsistent_periods_and_bounds(world, changes, field, message):  # noqa: ANN001
    with pytest.raises(DomainError) as refused:
        cycle_create(actor=world.user("hr_admin"), company=world.company, name="2025年3月", **{**MARCH, **changes})

    assert refused.value.field_errors == {field: [message]}
    assert not Cycle.objects.exists()


def test_create_refuses_a_name_already_used_in_the_company(world):  # noqa: ANN001
    make_cycle(world.company, "2025年3月")

    with pytest.raises(Conflict) as refused:
        cycle_create(actor=world.user("hr_admin"), company=world.company, name="2025年3月", **MARCH)

    assert refused.value.field_errors == {"name": ["A cycle named “2025年3月” already exists."]}


@pytest.mark.parametrize("key", DENIED)
def test_only_company_wide_kpi_configurers_create_cycles(world, key):  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        cycle_create(actor=world.user(key), company=world.company, name="2025年3月", **MARCH)

    assert not Cycle.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="kpi.").exists()


def test_update_changes_a_draft_and_audits_only_what_changed(world):  # noqa: ANN001
    cycle = make_cycle(world.company)

    cycle_update(actor=world.user("hr_admin"), cycle=cycle, name="三月考核", score_cap=Decimal("120"))

    assert Cycle.objects.get(pk=cycle.pk).name == "三月考核"
    event = AuditEvent.objects.get(action="kpi.cycle_updated")
    assert (event.before, event.after) == ({"name": "2025年3月"}, {"name": "三月考核"})


def test_update_is_refused_once_the_cycle_is_open(world):  # noqa: ANN001
    cycle = make_cycle(world.company, state=CycleState.OPEN)

    with pytest.raises(DomainError) as refused:
        cycle_update(actor=world.user("hr_admin"), cycle=cycle, name="三月考核")

    assert refused.value.code == "invalid_state"
    assert Cycle.objects.get(pk=cycle.pk).name == "2025年3月"


def test_add_assignment_in_draft_and_remove_it(world, version):  # noqa: ANN001
    cycle = make_cycle(world.company)
    actor = world.user("hr_admin")

    assignment = assignment_add(
        actor=actor, cycle=cycle, template_version=version, kind=AssignmentKind.DEPARTMENT, department=world.production
    )
    assert (assignment.kind, assignment.department_id, assignment.position_id, assignment.job_family, assignment.employee_id) == (
        "department",
        world.production.pk,
        None,
        "",
        None,
    )
    assignment_remove(actor=actor, assignment=assignment)

    assert not CycleAssignment.objects.exists()
    assert list(AuditEvent.objects.filter(action__startswith="kpi.assignment").order_by("sequence").values_list("action", flat=True)) == [
        "kpi.assignment_added",
        "kpi.assignment_removed",
    ]


@pytest.mark.parametrize(
    ("population", "field", "message"),
    [
        ({"kind": AssignmentKind.DEPARTMENT}, "department", "Choose the department."),
        ({"kind": AssignmentKind.JOB_FAMILY, "job_family": "astronaut"}, "job_family", "Value 'astronaut' is not a valid choice."),
        ({"kind": "everyone"}, "kind", "Choose who the template is for: a department, a position, a job family or an employee."),
    ],
)
def test_add_assignment_refuses_an_unclear_population(world, version, population, field, message):  # noqa: ANN001
    with pytest.raises(DomainError) as refused:
        assignment_add(actor=world.user("hr_admin"), cycle=make_cycle(world.company), template_version=version, **population)

    assert refused.value.field_errors == {field: [message]}
    assert not CycleAssignment.objects.exists()


def test_add_assignment_refuses_another_companys_department_and_duplicates(world, version):  # noqa: ANN001
    cycle = make_cycle(world.company)
    actor = world.user("hr_admin")
    with pytest.raises(DomainError) as other_company:
        assignment_add(actor=actor, cycle=cycle, template_version=version, kind=AssignmentKind.DEPARTMENT, department=world.other_root)
    assignment_add(actor=actor, cycle=cycle, template_version=version, kind=AssignmentKind.EMPLOYEE, employee=world.employee("w1_worker"))
    with pytest.raises(Conflict) as duplicate:
        assignment_add(
            actor=actor, cycle=cycle, template_version=version, kind=AssignmentKind.EMPLOYEE, employee=world.employee("w1_worker")
        )

    assert other_company.value.field_errors == {"department": ["The department belongs to another company."]}
    assert duplicate.value.code == "duplicate_assignment"
    assert CycleAssignment.objects.count() == 1


def test_assignments_are_frozen_once_scoring_started(world, version):  # noqa: ANN001
    cycle = make_cycle(world.company, state=CycleState.SCORING)

    with pytest.raises(DomainError) as refused:
        assignment_add(
            actor=world.user("hr_admin"), cycle=cycle, template_version=version, kind=AssignmentKind.JOB_FAMILY, job_family="sales"
        )

    assert refused.value.code == "invalid_state"
    assert not CycleAssignment.objects.exists()


@pytest.mark.parametrize("key", DENIED)
def test_only_company_wide_kpi_configurers_assign(world, version, key):  # noqa: ANN001
    cycle = make_cycle(world.company)

    with pytest.raises(PermissionDenied):
        assignment_add(
            actor=world.user(key), cycle=cycle, template_version=version, kind=AssignmentKind.DEPARTMENT, department=world.production
        )

    assert not CycleAssignment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="kpi.").exists()
