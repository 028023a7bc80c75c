"""target_set and the targets file: scope, cycle membership, template items, all-or-nothing."""

from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.choices import AssignmentKind, CycleState
from hris.kpi.importing.targets import targets_error_file, targets_file_check
from hris.kpi.models import Cycle, CycleAssignment, Target
from hris.kpi.services.cycle_transitions import cycle_open
from hris.kpi.services.targets import target_set, targets_bulk_set
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template, workbook_bytes
from hris.people.importing.reading import read_sheet


@pytest.fixture
def setup(world, recompute_requests):  # noqa: ANN001
    """An open cycle: production on output + quality, sales on revenue; HR is not assessed."""
    output, quality, revenue = (make_indicator(world.company, code) for code in ("output", "quality", "revenue"))
    production = make_template(world.company, "production", [(output, 60, None, 100), (quality, 40, None, 98)])
    sales = make_template(world.company, "sales", [(revenue, 100, None, 50000)])
    cycle = make_cycle(world.company)
    for version, department in ((production, world.production), (sales, world.sales)):
        CycleAssignment.objects.create(cycle=cycle, template_version=version, kind=AssignmentKind.DEPARTMENT, department=department)
    cycle_open(actor=None, cycle=cycle)
    recompute_requests.cycles.clear()
    return {"cycle": Cycle.objects.get(pk=cycle.pk), "output": output, "quality": quality, "revenue": revenue}


def number(world, key: str) -> str:  # noqa: ANN001
    return world.employees[key].employee_number


def test_set_then_change_a_target(world, setup, recompute_requests):  # noqa: ANN001
    actor, worker = world.user("hrbp"), world.employee("w1_worker")

    target_set(actor=actor, cycle=setup["cycle"], employee=worker, indicator=setup["output"], value="120")
    target_set(actor=actor, cycle=setup["cycle"], employee=worker, indicator=setup["output"], value=Decimal("125.5"))
    target_set(actor=actor, cycle=setup["cycle"], employee=worker, indicator=setup["output"], value=125.5)  # unchanged: no event

    assert list(Target.objects.values_list("employee_id", "indicator_id", "value")) == [
        (worker.pk, setup["output"].pk, Decimal("125.5000"))
    ]
    events = AuditEvent.objects.filter(action="kpi.target_set").order_by("sequence")
    assert [(event.before, event.after) for event in events] == [
        (None, {"value": "120.0000", "indicator": "output"}),
        ({"value": "120.0000"}, {"value": "125.5000", "indicator": "output"}),
    ]
    assert {event.subject_employee_id for event in events} == {worker.pk}
    assert [request["employee_ids"] for request in recompute_requests.cycles] == [[worker.pk], [worker.pk]]


def test_set_target_refuses_outsiders_and_foreign_indicators(world, setup):  # noqa: ANN001
    actor = world.user("hr_admin")
    with pytest.raises(DomainError) as not_assessed:
        target_set(actor=actor, cycle=setup["cycle"], employee=world.employee("hrbp"), indicator=setup["output"], value=1)
    with pytest.raises(DomainError) as foreign_indicator:
        target_set(actor=actor, cycle=setup["cycle"], employee=world.employee("sales_rep"), indicator=setup["output"], value=1)

    assert not_assessed.value.code == "not_in_cycle"
    assert foreign_indicator.value.field_errors == {
        "indicator": [f"The indicator “output” is not in the template of {world.employee('sales_rep')}."]
    }
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("key", "employee"), [("w1_worker", "w1_worker"), ("prod_head", "w1_worker"), ("other_hr", "w1_worker"), ("hrbp", "sales_rep")]
)
def test_set_target_needs_write_metrics_over_the_employee(world, setup, key, employee):  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        target_set(actor=world.user(key), cycle=setup["cycle"], employee=world.employee(employee), indicator=setup["output"], value=1)

    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(action="kpi.target_set").exists()


def test_targets_are_frozen_after_calibration(world, setup):  # noqa: ANN001
    Cycle.objects.filter(pk=setup["cycle"].pk).update(state=CycleState.PUBLISHED)

    with pytest.raises(DomainError) as refused:
        target_set(
            actor=world.user("hr_admin"), cycle=setup["cycle"], employee=world.employee("w1_worker"), indicator=setup["output"], value=1
        )

    assert refused.value.code == "invalid_state"


def bad_targets_file(world) -> bytes:  # noqa: ANN001
    return workbook_bytes(
        [
            ["工号", "指标编码", "目标值"],
            [number(world, "w1_worker"), "output", 120],
            [number(world, "w2_worker"), "quality", "abc"],
            ["NOPE", "output", 5],
            [number(world, "hrbp"), "output", 5],
            [number(world, "sales_rep"), "output", 5],
            [number(world, "w1_worker"), "OUTPUT", 130],
        ]
    )


def test_a_targets_file_with_bad_rows_writes_nothing_and_says_why(world, setup):  # noqa: ANN001
    result = targets_bulk_set(actor=world.user("hr_admin"), cycle=setup["cycle"], content=bad_targets_file(world), filename="targets.xlsx")

    assert result.committed is False
    assert [(row.row_number, row.errors) for row in result.outcome.rows] == [
        (2, []),
        (3, ["目标值: “abc” is not a number."]),
        (4, ["工号: No employee has the number “NOPE”."]),
        (5, [f"工号: {world.employee('hrbp')} is not assessed in this cycle."]),
        (6, [f"指标编码: The indicator “output” is not in the template of {world.employee('sales_rep')}."]),
        (7, ["指标编码: Row 2 already sets this target."]),
    ]
    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(action="kpi.target_set").exists()


def test_the_targets_error_file_lists_each_rows_errors(world, setup):  # noqa: ANN001
    content = bad_targets_file(world)
    outcome = targets_file_check(actor=world.user("hr_admin"), cycle=setup["cycle"], content=content, filename="targets.xlsx")

    sheet = read_sheet(targets_error_file(content=content, filename="targets.xlsx", outcome=outcome), "errors.xlsx")

    assert sheet.headers == ["工号", "指标编码", "目标值", "Errors"]
    assert [values[3] for _row, values in sheet.rows] == [
        None,
        "目标值: “abc” is not a number.",
        "工号: No employee has the number “NOPE”.",
        *[message for row in outcome.rows[3:] for message in row.errors],
    ]


def test_a_clean_targets_file_is_written_whole(world, setup, recompute_requests):  # noqa: ANN001
    # Given an existing target and a CSV file with English headers
    Target.objects.create(cycle=setup["cycle"], employee=world.employees["w2_worker"], indicator=setup["quality"], value=97)
    Target.objects.create(cycle=setup["cycle"], employee=world.employees["sales_rep"], indicator=setup["revenue"], value=60000)
    rows = [
        "Employee number,Indicator code,Target",
        f"{number(world, 'w1_worker')},output,120",
        f"{number(world, 'w2_worker')},quality,99.5",
        f'{number(world, "sales_rep")},revenue,"60,000"',
    ]
    content = "\n".join(rows).encode()
    # When HR previews and then commits it
    preview = targets_file_check(actor=world.user("hr_admin"), cycle=setup["cycle"], content=content, filename="targets.csv")
    result = targets_bulk_set(actor=world.user("hr_admin"), cycle=setup["cycle"], content=content, filename="targets.csv")
    # Then one target is created, one updated, one left alone
    assert [row.action for row in preview.rows] == ["create", "update", "unchanged"]
    assert (result.committed, result.counts["create"], result.counts["update"], result.counts["unchanged"]) == (True, 1, 1, 1)
    stored = {
        (employee_id, indicator_id): value
        for employee_id, indicator_id, value in Target.objects.values_list("employee_id", "indicator_id", "value")
    }
    assert stored == {
        (world.employees["w1_worker"].pk, setup["output"].pk): Decimal("120.0000"),
        (world.employees["w2_worker"].pk, setup["quality"].pk): Decimal("99.5000"),
        (world.employees["sales_rep"].pk, setup["revenue"].pk): Decimal("60000.0000"),
    }
    assert AuditEvent.objects.filter(action="kpi.target_set").count() == 2
    assert recompute_requests.cycles == [
        {
            "cycle_id": setup["cycle"].pk,
            "employee_ids": [world.employees["w1_worker"].pk, world.employees["w2_worker"].pk],
            "reason": "Targets imported",
        }
    ]


def test_a_targets_file_only_reaches_the_actors_scope(world, setup):  # noqa: ANN001
    content = workbook_bytes(
        [["工号", "指标编码", "目标值"], [number(world, "w1_worker"), "output", 1], [number(world, "sales_rep"), "revenue", 1]]
    )

    result = targets_bulk_set(actor=world.user("hrbp"), cycle=setup["cycle"], content=content, filename="targets.xlsx")

    assert [row.errors for row in result.outcome.rows] == [
        [],
        [f"工号: You are not allowed to set targets for {world.employee('sales_rep')}."],
    ]
    assert not Target.objects.exists()


@pytest.mark.parametrize("key", ["w1_worker", "prod_head", "ceo"])
def test_a_targets_file_needs_the_write_metrics_capability(world, setup, key):  # noqa: ANN001
    content = workbook_bytes([["工号", "指标编码", "目标值"], [number(world, "w1_worker"), "output", 1]])

    with pytest.raises(PermissionDenied):
        targets_bulk_set(actor=world.user(key), cycle=setup["cycle"], content=content, filename="targets.xlsx")

    assert not Target.objects.exists()
