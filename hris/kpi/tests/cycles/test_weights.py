"""Weight overrides: effective weights must add up to 100; an employee's own weights need a reason."""

from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.choices import AssignmentKind, CycleState
from hris.kpi.models import Assessment, CycleAssignment, CycleWeightOverride, EmployeeWeightOverride
from hris.kpi.services.weights import cycle_weight_overrides_set, employee_weights_set
from hris.kpi.tests.builders import make_cycle, make_indicator, make_template


@pytest.fixture
def setup(world):  # noqa: ANN001
    """An open production cycle: output 60 %, quality 40 %; w1_worker and w2_worker assessed."""
    output, quality = make_indicator(world.company, "output"), make_indicator(world.company, "quality")
    version = make_template(world.company, "production", [(output, 60, None, 100), (quality, 40, None, 98)])
    cycle = make_cycle(world.company, state=CycleState.OPEN)
    CycleAssignment.objects.create(cycle=cycle, template_version=version, kind=AssignmentKind.DEPARTMENT, department=world.production)
    for key, department in (("w1_worker", world.workshop1), ("w2_worker", world.workshop2)):
        Assessment.objects.create(cycle=cycle, employee=world.employees[key], department=department, template_version=version)
    return {"cycle": cycle, "version": version, "output": output, "quality": quality}


def test_cycle_overrides_that_add_up_to_100_are_stored(world, setup, recompute_requests):  # noqa: ANN001
    output, quality = setup["output"], setup["quality"]

    cycle_weight_overrides_set(
        actor=world.user("hr_admin"),
        cycle=setup["cycle"],
        template_version=setup["version"],
        weights={output.pk: Decimal("70"), quality.pk: Decimal("30")},
        reason="旺季",
    )

    assert dict(CycleWeightOverride.objects.values_list("indicator_id", "weight")) == {
        output.pk: Decimal("70.00"),
        quality.pk: Decimal("30.00"),
    }
    event = AuditEvent.objects.get(action="kpi.cycle_weights_set")
    assert (event.before["weights"], event.after["weights"], event.reason) == ({}, {"output": "70.00", "quality": "30.00"}, "旺季")
    assert recompute_requests.cycles == [
        {
            "cycle_id": setup["cycle"].pk,
            "employee_ids": sorted([world.employees["w1_worker"].pk, world.employees["w2_worker"].pk]),
            "reason": "Cycle weights changed",
        }
    ]


def test_cycle_overrides_not_adding_up_to_100_write_nothing(world, setup):  # noqa: ANN001
    with pytest.raises(DomainError) as refused:
        cycle_weight_overrides_set(
            actor=world.user("hr_admin"),
            cycle=setup["cycle"],
            template_version=setup["version"],
            weights={setup["output"].pk: 55},
            reason="",
        )

    assert refused.value.code == "weights_sum"
    assert refused.value.message == "The weights add up to 95.00 %; they must add up to 100 %."
    assert not CycleWeightOverride.objects.exists()


def test_cycle_overrides_refuse_indicators_outside_the_version(world, setup):  # noqa: ANN001
    stranger = make_indicator(world.company, "stranger")

    with pytest.raises(DomainError) as refused:
        cycle_weight_overrides_set(
            actor=world.user("hr_admin"), cycle=setup["cycle"], template_version=setup["version"], weights={stranger.pk: 0}, reason=""
        )

    assert refused.value.field_errors == {"weights": [f"Indicator #{stranger.pk} is not part of the template version."]}


def test_cycle_overrides_may_not_break_an_employees_own_weights(world, setup):  # noqa: ANN001
    # Given w1_worker's own output weight 50, which adds up with the cycle's quality override 50
    output, quality = setup["output"], setup["quality"]
    EmployeeWeightOverride.objects.create(
        cycle=setup["cycle"], employee=world.employees["w1_worker"], indicator=output, weight=50, reason="新人"
    )
    CycleWeightOverride.objects.create(cycle=setup["cycle"], template_version=setup["version"], indicator=quality, weight=50)
    # When HR sets cycle weights under which 50 + 30 ≠ 100
    with pytest.raises(DomainError) as refused:
        cycle_weight_overrides_set(
            actor=world.user("hr_admin"),
            cycle=setup["cycle"],
            template_version=setup["version"],
            weights={output.pk: 70, quality.pk: 30},
            reason="",
        )
    # Then the change is refused naming the employee, and the old override stays
    assert refused.value.code == "weights_sum"
    assert str(world.employee("w1_worker")) in refused.value.message
    assert list(CycleWeightOverride.objects.values_list("indicator_id", "weight")) == [(quality.pk, Decimal("50.00"))]


@pytest.mark.parametrize("key", ["prod_head", "w1_worker", "other_hr", "hrbp"])
def test_cycle_overrides_need_company_wide_kpi_configuration(world, setup, key):  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        cycle_weight_overrides_set(
            actor=world.user(key), cycle=setup["cycle"], template_version=setup["version"], weights={setup["output"].pk: 60}, reason=""
        )

    assert not CycleWeightOverride.objects.exists()


def test_employee_weights_with_a_reason_are_stored_and_recompute_the_employee(world, setup, recompute_requests):  # noqa: ANN001
    worker = world.employee("w1_worker")

    employee_weights_set(
        actor=world.user("hrbp"),
        cycle=setup["cycle"],
        employee=worker,
        weights={setup["output"].pk: 80, setup["quality"].pk: 20},
        reason="新设备调试期",
    )

    assert set(EmployeeWeightOverride.objects.values_list("employee_id", "indicator_id", "weight", "reason")) == {
        (worker.pk, setup["output"].pk, Decimal("80.00"), "新设备调试期"),
        (worker.pk, setup["quality"].pk, Decimal("20.00"), "新设备调试期"),
    }
    event = AuditEvent.objects.get(action="kpi.employee_weights_set")
    assert (event.subject_employee_id, event.reason, event.after) == (
        worker.pk,
        "新设备调试期",
        {"weights": {"output": "80.00", "quality": "20.00"}},
    )
    assert recompute_requests.cycles == [{"cycle_id": setup["cycle"].pk, "employee_ids": [worker.pk], "reason": "Employee weights changed"}]


@pytest.mark.parametrize("reason", ["", "   "])
def test_employee_weights_require_a_reason(world, setup, reason):  # noqa: ANN001
    with pytest.raises(DomainError) as refused:
        employee_weights_set(
            actor=world.user("hr_admin"),
            cycle=setup["cycle"],
            employee=world.employee("w1_worker"),
            weights={setup["output"].pk: 80, setup["quality"].pk: 20},
            reason=reason,
        )

    assert refused.value.code == "reason_required"
    assert refused.value.field_errors == {"reason": ["Say why this employee's weights differ from the template."]}
    assert not EmployeeWeightOverride.objects.exists()


def test_employee_weights_combine_with_cycle_weights_and_must_add_up_to_100(world, setup):  # noqa: ANN001
    # Given a cycle override quality 50 (output stays 60 → the employee's own output must be 50)
    CycleWeightOverride.objects.create(cycle=setup["cycle"], template_version=setup["version"], indicator=setup["quality"], weight=50)
    worker = world.employee("w1_worker")

    with pytest.raises(DomainError) as refused:
        employee_weights_set(
            actor=world.user("hr_admin"), cycle=setup["cycle"], employee=worker, weights={setup["output"].pk: 60}, reason="x"
        )
    employee_weights_set(actor=world.user("hr_admin"), cycle=setup["cycle"], employee=worker, weights={setup["output"].pk: 50}, reason="x")

    assert refused.value.message == f"{worker}: The weights add up to 110.00 %; they must add up to 100 %."
    assert list(EmployeeWeightOverride.objects.values_list("weight", flat=True)) == [Decimal("50.00")]


@pytest.mark.parametrize("key", ["prod_head", "w1_worker", "other_hr"])
def test_employee_weights_need_kpi_configuration_over_the_employee(world, setup, key):  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        employee_weights_set(
            actor=world.user(key), cycle=setup["cycle"], employee=world.employee("w1_worker"), weights={setup["output"].pk: 60}, reason="x"
        )

    assert not EmployeeWeightOverride.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="kpi.").exists()


def test_employee_weights_for_someone_not_in_the_cycle_are_refused(world, setup):  # noqa: ANN001
    with pytest.raises(DomainError) as refused:
        employee_weights_set(
            actor=world.user("hr_admin"), cycle=setup["cycle"], employee=world.employee("sales_rep"), weights={}, reason="x"
        )

    assert refused.value.code == "not_in_cycle"
