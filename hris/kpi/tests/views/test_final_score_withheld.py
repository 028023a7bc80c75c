"""While a cycle is in review the assessed employee sees the computed total, not the final score
(it carries adjustments not yet decided); reviewers see both; after publication everyone does."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hris.kpi.choices import CycleState
from hris.kpi.services.computation import compute_assessments_now
from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing


@pytest.fixture
def adjusted(world):
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[world.employee("w1_worker").pk])
    assessment = scenario.assessments["w1_worker"]
    assessment.refresh_from_db()
    # An adjustment recorded by the review workflow: the engine keeps it in every recompute.
    assessment.adjustment_total = Decimal("5")
    assessment.save(update_fields=["adjustment_total"])
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[world.employee("w1_worker").pk])
    assessment.refresh_from_db()
    assert (assessment.computed_total, assessment.final_score) == (Decimal("90.71"), Decimal("95.71"))
    return scenario, assessment


@pytest.mark.parametrize("state", [CycleState.REVIEW, CycleState.CALIBRATION, CycleState.APPROVED])
def test_the_employee_sees_no_final_score_while_in_review(world, client, adjusted, state):
    scenario, assessment = adjusted
    scenario.cycle.state = state
    scenario.cycle.save(update_fields=["state"])
    client.force_login(world.user("w1_worker"))
    detail = client.get(reverse("kpi:assessment_detail", args=[assessment.pk])).content.decode()
    mine = client.get(reverse("kpi:my_scores")).content.decode()
    api = client.get(f"/api/v1/kpi/assessments/{assessment.pk}/").json()
    assert 'data-withheld="true"' in detail and "95.71" not in detail and "90.71" in detail
    assert 'data-withheld="true"' in mine and "95.71" not in mine
    assert api["final_score"] is None and api["computed_total"] == "90.71"


@pytest.mark.parametrize("state", [CycleState.SCORING, CycleState.PUBLISHED, CycleState.CLOSED])
def test_the_employee_sees_the_final_score_outside_review(world, client, adjusted, state):
    scenario, assessment = adjusted
    scenario.cycle.state = state
    scenario.cycle.save(update_fields=["state"])
    client.force_login(world.user("w1_worker"))
    detail = client.get(reverse("kpi:assessment_detail", args=[assessment.pk])).content.decode()
    assert 'data-withheld="true"' not in detail and "95.71" in detail
    assert client.get(f"/api/v1/kpi/assessments/{assessment.pk}/").json()["final_score"] == "95.71"


def test_reviewers_see_the_final_score_in_review(world, client, adjusted):
    scenario, assessment = adjusted
    scenario.cycle.state = CycleState.REVIEW
    scenario.cycle.save(update_fields=["state"])
    for reviewer in ("prod_head", "ceo", "hr_admin"):
        client.force_login(world.user(reviewer))
        detail = client.get(reverse("kpi:assessment_detail", args=[assessment.pk])).content.decode()
        assert "95.71" in detail and 'data-withheld="true"' not in detail, reviewer
