"""Computation runs: progress, skipping unchanged results, serialising runs of one cycle, failures."""

from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.kpi.models import Assessment, ComputationRun, MetricRecord
from hris.kpi.services.computation import CycleBusy, computation_run_execute, computation_run_queue, compute_assessments_now
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing, record

pytestmark = pytest.mark.django_db


def _run_full(cycle) -> ComputationRun:
    run = ComputationRun.objects.create(cycle=cycle, kind="full", reason="test")
    return computation_run_execute(run_id=run.pk)


def test_a_full_run_records_progress_and_a_summary(world):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)

    run = _run_full(scenario.cycle)

    assert (run.state, run.total, run.done, run.items_written, run.progress_percent) == ("succeeded", 3, 3, 15, 100)
    assert set(run.timings) == {"read_s", "score_s", "write_s"}
    assert run.started_at <= run.finished_at
    scenario.cycle.refresh_from_db()
    assert scenario.cycle.last_computed_at == run.finished_at


def test_a_recompute_rewrites_only_assessments_whose_result_changed(world):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    _run_full(scenario.cycle)

    unchanged = _run_full(scenario.cycle)
    assert unchanged.items_written == 0

    record(world.company, "production_efficiency", "99", employee=world.employee("w2_worker"), day=12)
    changed = _run_full(scenario.cycle)

    assert changed.items_written == 5
    counts = dict(Assessment.objects.filter(cycle=scenario.cycle).values_list("employee__name", "computation_count"))
    assert counts == {"李工人": 1, "孙班长": 1, "周工人": 2}
    w2 = Assessment.objects.get(cycle=scenario.cycle, employee=world.employee("w2_worker"))
    assert w2.items.get(indicator__code="production_efficiency").score == Decimal("99.00")


def test_requests_merge_into_the_queued_run(world):
    scenario = manufacturing(world)
    first = computation_run_queue(cycle_id=scenario.cycle.pk, employee_ids=[1, 2], reason="a", actor=None)
    second = computation_run_queue(cycle_id=scenario.cycle.pk, employee_ids=[2, 3], reason="b", actor=None)
    assert second.pk == first.pk
    assert ComputationRun.objects.get(pk=first.pk).employee_ids == [1, 2, 3]
    whole = computation_run_queue(cycle_id=scenario.cycle.pk, employee_ids=None, reason="c", actor=None)
    assert whole.pk == first.pk
    assert (ComputationRun.objects.get(pk=first.pk).kind, ComputationRun.objects.count()) == ("full", 1)


def test_a_second_run_waits_while_another_of_the_same_cycle_is_running(world):
    scenario = manufacturing(world)
    from django.utils import timezone

    ComputationRun.objects.create(cycle=scenario.cycle, kind="full", state="running", started_at=timezone.now())
    waiting = ComputationRun.objects.create(cycle=scenario.cycle, kind="full")

    with pytest.raises(CycleBusy):
        computation_run_execute(run_id=waiting.pk)

    assert ComputationRun.objects.get(pk=waiting.pk).state == "queued"


def test_a_finished_run_is_not_executed_again(world):
    scenario = manufacturing(world)
    run = _run_full(scenario.cycle)
    again = computation_run_execute(run_id=run.pk)
    assert (again.state, again.finished_at) == ("succeeded", run.finished_at)


def test_small_recomputes_audit_each_changed_total(world):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    worker = world.employee("w1_worker")

    compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk], reason="new data")
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk], reason="same data")

    events = AuditEvent.objects.filter(action="kpi.assessment_computed", subject_employee_id=worker.pk)
    assert [(event.before, event.after, event.reason) for event in events] == [
        ({"computed_total": None}, {"computed_total": "90.71"}, "new data")
    ]


def test_single_recompute_query_count_does_not_grow_with_records(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    worker = world.employee("w1_worker")
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])
    record(world.company, "late", "1", employee=worker, day=1, external_id="late-extra-1")
    with CaptureQueriesContext(connection) as few:
        compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])
    for day in range(2, 29):
        record(world.company, "late", "1", employee=worker, day=day, external_id=f"late-extra-{day}")

    with CaptureQueriesContext(connection) as many:
        compute_assessments_now(cycle=scenario.cycle, employee_ids=[worker.pk])

    assert MetricRecord.objects.filter(metric_key="late").count() == 30
    assert len(many) == len(few) <= 20
