"""A connector's records reach the scores: the pinned manufacturing cycle is recomputed when a
pulled efficiency record arrives (the same figures as the KPI worker test)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import TestCase

from hris.integrations.connectors import engine
from hris.integrations.connectors.services import connector_create
from hris.integrations.connectors.tests.replay import Answer
from hris.kpi.models import Assessment

pytestmark = pytest.mark.django_db


def test_a_pulled_record_moves_the_score(world, replay):  # noqa: ANN001
    from hris.kpi.services.computation import computation_run_request
    from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing

    # Given w1_worker's computed October total of 90.71 (efficiency avg(90, 96) = 93)
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    worker = world.employee("w1_worker")
    with TestCase.captureOnCommitCallbacks(execute=True):
        computation_run_request(actor=world.user("hr_admin"), cycle=scenario.cycle)
    assert Assessment.objects.get(cycle=scenario.cycle, employee=worker).computed_total == Decimal("90.71")

    # When an MES connector pulls a third efficiency reading of 102
    body = {"rows": [{"id": "mes-1", "emp": worker.employee_number, "day": "2026-10-28", "eff": 102}]}
    replay.route("GET", "/mes/efficiency", [Answer(200, body)])
    connector = connector_create(
        actor=world.user("hr_admin"),
        company=world.company,
        name="MES",
        vendor="rest_json",
        source="mes",
        base_url=replay.url,
        credentials={"token": "t"},
        mapping={"records": "rows", "employee": "emp", "date": "day", "external_id": "id",
                 "metrics": [{"key": "production_efficiency", "value": "eff"}]},
        options={"path": "/mes/efficiency", "pagination": {"type": "none"}},
    )  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = engine.sync_run_request(actor=world.user("hr_admin"), connector=connector)

    # Then the score is recomputed: avg(90, 96, 102) = 96, × 30 % = 28.80 instead of 27.90
    run.refresh_from_db()
    assert (run.state, run.accepted) == ("succeeded", 1)
    assert Assessment.objects.get(cycle=scenario.cycle, employee=worker).computed_total == Decimal("91.61")
