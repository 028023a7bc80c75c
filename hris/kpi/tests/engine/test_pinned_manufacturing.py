"""The manufacturing template of the issue, computed end to end and checked by hand."""

from decimal import Decimal

import pytest

from hris.kpi.choices import ItemStatus
from hris.kpi.models import Assessment, AssessmentItem, MetricRecord, TemplateItem
from hris.kpi.services.computation import compute_assessments_now
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing

pytestmark = pytest.mark.django_db


def _items(assessment) -> dict[str, AssessmentItem]:
    return {item.indicator.code: item for item in AssessmentItem.objects.filter(assessment=assessment).select_related("indicator")}


def test_manufacturing_worker_scores_exactly_as_computed_by_hand(world):
    # given the pinned template and w1_worker's October data
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    worker = world.employee("w1_worker")

    # when the worker's assessment is computed
    result = compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])

    # then every item and the total match the hand calculation
    assert (result.assessments, result.items_written) == (1, 5)
    items = _items(scenario.assessments["w1_worker"])
    expected = {
        # code: (target, actual, score, weight, points)
        "production_efficiency": ("100", "93", "93.00", "30", "27.90"),
        "defect_rate": ("1", "1.5", "80.00", "25", "20.00"),
        "sales_amount": ("500000", "550000", "110.00", "20", "22.00"),
        "late_count": (None, "2", "90.00", "10", "9.00"),
        "teamwork": (None, "4.15", "78.75", "15", "11.81"),
    }
    for code, (target, actual, score, weight, points) in expected.items():
        item = items[code]
        assert (item.target, item.actual, item.score, item.weight, item.points) == (
            None if target is None else Decimal(target),
            Decimal(actual),
            Decimal(score),
            Decimal(weight),
            Decimal(points),
        ), code
        assert item.status == ItemStatus.SCORED
    assessment = Assessment.objects.get(pk=scenario.assessments["w1_worker"].pk)
    assert assessment.computed_total == Decimal("90.71")
    assert assessment.final_score == Decimal("90.71")
    assert assessment.is_complete is True
    assert assessment.computation_count == 1


def test_items_name_the_metric_records_behind_each_actual(world):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    worker = world.employee("w1_worker")

    compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])

    items = _items(scenario.assessments["w1_worker"])
    efficiency_ids = sorted(MetricRecord.objects.filter(metric_key="production_efficiency").values_list("pk", flat=True))
    quality_ids = sorted(MetricRecord.objects.filter(metric_key__in=["defects", "output"]).values_list("pk", flat=True))
    department_sales_ids = sorted(MetricRecord.objects.filter(metric_key="sales_amount").values_list("pk", flat=True))
    assert items["production_efficiency"].record_ids == efficiency_ids
    assert items["defect_rate"].record_ids == quality_ids
    assert items["sales_amount"].record_ids == department_sales_ids
    assert items["teamwork"].record_ids == []
    rule = TemplateItem.objects.get(version_id=items["sales_amount"].template_version_id, indicator__code="sales_amount").rule
    assert rule == {"cap": 120, "floor": 0, "type": "linear"}
    assert items["sales_amount"].template_version_id == scenario.version.pk


def test_missing_data_is_shown_as_missing_not_as_zero(world):
    # given w2_worker without any records or ratings
    scenario = manufacturing(world)
    worker = world.employee("w2_worker")

    compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])

    items = _items(scenario.assessments["w2_worker"])
    assert items["production_efficiency"].status == ItemStatus.NO_DATA
    assert items["production_efficiency"].score is None
    assert items["production_efficiency"].points == Decimal("0.00")
    assert items["teamwork"].status == ItemStatus.AWAITING_RATINGS
    # no late arrivals recorded counts as zero late arrivals: full score
    assert (items["late_count"].actual, items["late_count"].score, items["late_count"].points) == (Decimal(0), Decimal(100), Decimal(10))
    assessment = Assessment.objects.get(pk=scenario.assessments["w2_worker"].pk)
    assert assessment.computed_total == Decimal("10.00")
    assert assessment.is_complete is False


def test_whole_cycle_and_single_employee_give_identical_items(world, django_capture_on_commit_callbacks):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    worker = world.employee("w1_worker")
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])
    single = [
        (i.indicator_id, i.actual, i.score, i.points, i.record_ids) for i in AssessmentItem.objects.filter(assessment__employee=worker)
    ]

    from hris.kpi.services.computation import computation_run_queue

    with django_capture_on_commit_callbacks(execute=True):
        run = computation_run_queue(cycle_id=scenario.cycle.pk, employee_ids=None, reason="test", actor=None)
    whole = [
        (i.indicator_id, i.actual, i.score, i.points, i.record_ids) for i in AssessmentItem.objects.filter(assessment__employee=worker)
    ]

    assert whole == single
    run.refresh_from_db()
    assert (run.kind, run.state, run.total, run.done) == ("full", "succeeded", 3, 3)
    assert AssessmentItem.objects.filter(assessment__cycle=scenario.cycle).count() == 15
