"""The few-employee paths (one query for overrides/targets/ratings, rules scored in one expression,
plain INSERT/UPDATE, the plan kept per process) give exactly what the whole-cycle paths give."""

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings

from hris.kpi.engine import compute as compute_module
from hris.kpi.engine import inputs as inputs_module
from hris.kpi.engine import persist as persist_module
from hris.kpi.engine.compute import compute
from hris.kpi.engine.inputs import load_inputs
from hris.kpi.models import Assessment, AssessmentItem, CycleWeightOverride, EmployeeWeightOverride, Rating, Target, TemplateItem
from hris.kpi.services.computation import compute_assessments_now
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing
from hris.kpi.tests.engine.test_engine_properties import _inputs, records_strategy

FRAMES = ("assessments", "plan", "indicators", "weight_overrides", "employee_weights", "targets", "records", "ratings")


def _both_scorings(inputs) -> tuple[tuple[pl.DataFrame, pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]]:
    few = compute(inputs)
    saved = compute_module.FEW_ITEMS
    compute_module.FEW_ITEMS = 0  # every rule group on its own, as for a whole cycle
    try:
        grouped = compute(inputs)
    finally:
        compute_module.FEW_ITEMS = saved
    return few, grouped


@settings(max_examples=40, deadline=None)
@given(records=records_strategy)
def test_scoring_in_one_expression_equals_scoring_group_by_group(records):
    (few_items, few_totals), (grouped_items, grouped_totals) = _both_scorings(_inputs(records, [1, 2, 3, 4]))
    assert few_items.equals(grouped_items)
    assert few_totals.equals(grouped_totals)


def _with_overrides(world, scenario) -> None:
    """A cycle weight override, and w1_worker's own weight override and target."""
    worker, indicators = world.employee("w1_worker"), scenario.indicators
    cycle, version = scenario.cycle, scenario.version
    CycleWeightOverride.objects.create(
        cycle=cycle, template_version=version, indicator=indicators["efficiency"], weight=Decimal("35"), reason="产能调整"
    )
    EmployeeWeightOverride.objects.create(
        cycle=cycle, employee=worker, indicator=indicators["sales"], weight=Decimal("15"), reason="兼任销售"
    )
    Target.objects.create(cycle=cycle, employee=worker, indicator=indicators["efficiency"], value=Decimal("95.5"))


@pytest.mark.django_db
def test_few_employees_read_exactly_what_the_whole_cycle_path_reads(world):
    # given the manufacturing cycle with data, overrides, a target and ratings
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    _with_overrides(world, scenario)
    employees = [world.employee("w1_worker").pk, world.employee("w2_worker").pk]
    Assessment.objects.filter(pk=scenario.assessments["w1_worker"].pk).update(computed_total=Decimal("81.50"))

    # when the inputs are read by the few-employee path and by the general one
    few = load_inputs(scenario.cycle, employee_ids=employees)
    saved = inputs_module.FEW_EMPLOYEES
    inputs_module.FEW_EMPLOYEES = 0
    try:
        general = load_inputs(scenario.cycle, employee_ids=employees)
    finally:
        inputs_module.FEW_EMPLOYEES = saved

    # then every frame is the same, and the stored totals come with the assessments
    for name in FRAMES:
        assert getattr(few, name).equals(getattr(general, name)), name
    assert few.weight_overrides.height == few.employee_weights.height == few.targets.height == 1
    assert few.ratings.height == Rating.objects.filter(assessment__cycle=scenario.cycle).count() == 3
    expected = {
        pk: (total, employee, path)
        for pk, total, employee, path in Assessment.objects.filter(cycle=scenario.cycle, employee_id__in=employees).values_list(
            "pk", "computed_total", "employee_id", "department__path"
        )
    }
    assert few.previous == expected
    assert few.previous[scenario.assessments["w1_worker"].pk][0] == Decimal("81.50")
    # and scoring in one expression (with a manual rule scored apart) equals scoring group by group
    (few_items, few_totals), (grouped_items, grouped_totals) = _both_scorings(few)
    assert few_items.equals(grouped_items)
    assert few_totals.equals(grouped_totals)


def _stored(scenario) -> tuple[list, list]:
    items = list(
        AssessmentItem.objects.filter(assessment__cycle=scenario.cycle)
        .order_by("assessment_id", "indicator_id")
        .values_list("assessment_id", "indicator_id", "position", "weight", "target", "actual", "score", "points", "status", "message")
    )
    record_ids = sorted(
        AssessmentItem.objects.filter(assessment__cycle=scenario.cycle).values_list("assessment_id", "indicator_id", "record_ids")
    )
    totals = list(
        Assessment.objects.filter(cycle=scenario.cycle)
        .order_by("pk")
        .values_list("pk", "computed_total", "final_score", "is_complete", "result_digest")
    )
    return items + record_ids, totals


@pytest.mark.django_db
def test_plain_statements_write_what_bulk_writes(world):
    # given the cycle computed once through the bulk writers (COPY and a staging table on PostgreSQL)
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    _with_overrides(world, scenario)
    employees = [world.employee(name).pk for name in ("w1_worker", "w1_lead", "w2_worker")]
    saved = persist_module.FEW_ITEMS
    persist_module.FEW_ITEMS = 0
    try:
        compute_assessments_now(cycle=scenario.cycle, employee_ids=employees)
    finally:
        persist_module.FEW_ITEMS = saved
    bulk = _stored(scenario)
    AssessmentItem.objects.filter(assessment__cycle=scenario.cycle).delete()
    Assessment.objects.filter(cycle=scenario.cycle).update(computed_total=None, final_score=None, is_complete=False, result_digest=None)

    # when it is computed again with plain statements
    result = compute_assessments_now(cycle=scenario.cycle, employee_ids=employees)

    # then the same rows are stored
    assert result.items_written == 15
    assert _stored(scenario) == bulk
    assert bulk[1][0][1] is not None


@pytest.mark.django_db
def test_kept_plan_follows_a_changed_item_rule(world):
    # given w1_worker computed once (the plan is now kept for this template version)
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    worker = world.employee("w1_worker")
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])
    before = AssessmentItem.objects.get(assessment=scenario.assessments["w1_worker"], indicator=scenario.indicators["efficiency"])

    # when the efficiency item's rule and weight change (a draft template edited directly)
    TemplateItem.objects.filter(version=scenario.version, indicator=scenario.indicators["efficiency"]).update(
        rule={"type": "linear", "floor": 0, "cap": 90}, weight=Decimal("20")
    )
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])

    # then the new rule and weight are used: 93 % capped at 90, × 20 % = 18 points
    after = AssessmentItem.objects.get(assessment=scenario.assessments["w1_worker"], indicator=scenario.indicators["efficiency"])
    assert (before.score, before.points) == (Decimal("93.00"), Decimal("27.90"))
    assert (after.score, after.weight, after.points) == (Decimal("90.00"), Decimal("20.00"), Decimal("18.00"))
