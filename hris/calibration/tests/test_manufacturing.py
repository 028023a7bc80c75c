"""The pinned manufacturing scenario, computed by the engine, through the export and the result sheet."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hris.calibration.grading import grade_for_score
from hris.kpi.services.computation import compute_assessments_now
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing

pytestmark = pytest.mark.django_db


def test_computed_cycle_exports_and_prints(client, world):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[world.employee("w1_worker").pk])
    worker = scenario.assessments["w1_worker"]
    worker.refresh_from_db()
    assert worker.final_score == Decimal("90.71") and grade_for_score(cycle=scenario.cycle, score=worker.final_score) == "A"

    client.force_login(world.user("hr_admin"))
    workbook = load_workbook(io.BytesIO(client.get(reverse("calibration:export_results", args=[scenario.cycle.pk])).content))
    rows = [r for r in workbook["By indicator"].iter_rows(values_only=True)][1:]
    assert [(r[3], r[6], r[7], r[8], r[9], r[10]) for r in rows] == [
        ("production_efficiency", 100, 93, 93, 30, 27.9),
        ("defect_rate", 1, 1.5, 80, 25, 20),
        ("sales_amount", 500000, 550000, 110, 20, 22),
        ("late_count", None, 2, 90, 10, 9),
        ("teamwork", None, 4.15, 78.75, 15, 11.81),
    ]
    employees = {r[1]: r[3:] for r in workbook["By employee"].iter_rows(values_only=True)}
    assert employees["李工人"] == (90.71, 0, 90.71, "A")

    client.force_login(world.user("w1_worker"))
    html = client.get(reverse("calibration:result_sheet", args=[worker.pk])).content.decode()
    assert 'id="sheet-computed">90.71<' in html and 'id="sheet-grade">A<' in html and "550000" in html
