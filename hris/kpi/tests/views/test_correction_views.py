"""HR corrections by hand: one employee's weights with a reason, and a metric value correction."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hris.kpi.models import Assessment, EmployeeWeightOverride, MetricRecord
from hris.kpi.services.computation import compute_assessments_now
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(world):
    built = manufacturing(world)
    give_worker_data(world, built)
    compute_assessments_now(cycle=built.cycle, employee_ids=[world.employee("w1_worker").pk])
    return built


def _weights(scenario, **overrides) -> dict:
    weights = {"efficiency": "30", "quality": "25", "sales": "20", "attendance": "10", "teamwork": "15", **overrides}
    return {f"weight_{scenario.indicators[key].pk}": value for key, value in weights.items()}


def test_hr_sets_an_employees_weights_and_the_total_is_recomputed(world, scenario, client, django_capture_on_commit_callbacks):
    client.force_login(world.user("hr_admin"))
    assessment = scenario.assessments["w1_worker"]
    url = reverse("kpi:assessment_weights", args=[assessment.pk])
    assert "employee-weights-link" in client.get(reverse("kpi:assessment_detail", args=[assessment.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**_weights(scenario, efficiency="40", quality="15"), "reason": "旺季以产量为主"})

    assert response.status_code == 302
    assert EmployeeWeightOverride.objects.filter(employee=assessment.employee).count() == 5
    # efficiency 93 × 40 % = 37.20, quality 80 × 15 % = 12.00, sales 22.00, attendance 9.00, teamwork 11.81
    assert Assessment.objects.get(pk=assessment.pk).computed_total == Decimal("92.01")


@pytest.mark.parametrize(
    ("overrides", "reason", "message"),
    [({"efficiency": "40"}, "更多产量", "sum"), ({}, "", "reason"), ({"efficiency": "abc"}, "x", "Enter a number.")],
)
def test_bad_weights_are_refused_and_nothing_is_written(world, scenario, client, overrides, reason, message):
    client.force_login(world.user("hr_admin"))
    assessment = scenario.assessments["w1_worker"]

    response = client.post(reverse("kpi:assessment_weights", args=[assessment.pk]), {**_weights(scenario, **overrides), "reason": reason})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not EmployeeWeightOverride.objects.exists()
    assert Assessment.objects.get(pk=assessment.pk).computed_total == Decimal("90.71")


@pytest.mark.parametrize(("user", "status"), [("prod_head", 403), ("w1_worker", 403), ("sales_head", 404), ("other_hr", 404)])
def test_only_hr_may_set_weights(world, scenario, client, user, status):
    client.force_login(world.user(user))
    assessment = scenario.assessments["w1_worker"]
    response = client.post(reverse("kpi:assessment_weights", args=[assessment.pk]), {**_weights(scenario), "reason": "x"})
    assert response.status_code == status
    assert not EmployeeWeightOverride.objects.exists()


def test_hr_corrects_a_value_and_the_old_one_stays_in_the_history(world, scenario, client):
    client.force_login(world.user("hr_admin"))
    record = MetricRecord.objects.get(metric_key="production_efficiency", value=90)

    response = client.post(reverse("kpi:metric_record_correct", args=[record.pk]), {"value": "91.5", "reason": "ERP 数据补录"})

    assert response.status_code == 302
    current = MetricRecord.objects.get(source=record.source, external_id=record.external_id, is_current=True)
    assert current.value == Decimal("91.5")
    old = MetricRecord.objects.get(pk=record.pk)
    assert (old.is_current, old.superseded_by_id) == (False, current.pk)
    history = client.get(reverse("kpi:metric_record_history", args=[current.pk])).content.decode()
    assert "91.5" in history and "90" in history


def test_a_correction_needs_a_reason_and_a_number(world, scenario, client):
    client.force_login(world.user("hr_admin"))
    record = MetricRecord.objects.get(metric_key="production_efficiency", value=90)
    url = reverse("kpi:metric_record_correct", args=[record.pk])

    assert client.post(url, {"value": "95", "reason": ""}).status_code == 400
    assert client.post(url, {"value": "abc", "reason": "x"}).status_code == 400
    assert MetricRecord.objects.filter(metric_key="production_efficiency").count() == 2


@pytest.mark.parametrize("user", ["w1_worker", "prod_head", "other_hr"])
def test_others_cannot_correct_values(world, scenario, client, user):
    client.force_login(world.user(user))
    record = MetricRecord.objects.get(metric_key="production_efficiency", value=90)
    response = client.post(reverse("kpi:metric_record_correct", args=[record.pk]), {"value": "99", "reason": "x"})
    assert response.status_code in (403, 404)
    assert MetricRecord.objects.filter(metric_key="production_efficiency").count() == 2
