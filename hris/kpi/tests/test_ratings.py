"""Ratings of qualitative indicators: validation, who may rate, one rating per rater, recompute."""

from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.models import Rating
from hris.kpi.services.ratings import rating_submit
from hris.kpi.tests.engine.scenario import manufacturing

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(world):
    return manufacturing(world)


def test_a_manager_rates_and_a_second_rating_replaces_the_first(world, scenario):
    assessment, teamwork = scenario.assessments["w1_worker"], scenario.indicators["teamwork"]

    rating_submit(actor=world.user("prod_head"), assessment=assessment, indicator=teamwork, rater_role="manager", value="4")
    rating_submit(actor=world.user("prod_head"), assessment=assessment, indicator=teamwork, rater_role="manager", value="4.5")

    assert list(Rating.objects.values_list("rater_role", "value")) == [("manager", Decimal("4.50"))]
    events = AuditEvent.objects.filter(action="kpi.rating_submitted").order_by("sequence")
    assert [event.after["value"] for event in events] == ["4", "4.5"]
    assert events[1].before == {"rater_role": "manager", "value": "4.00"}


@pytest.mark.parametrize(
    ("role", "value", "field"),
    [("manager", "6", "value"), ("manager", "abc", "value"), ("customer", "4", "rater_role")],
)
def test_invalid_ratings_are_refused_with_the_field_and_nothing_is_stored(world, scenario, role, value, field):
    with pytest.raises(DomainError) as refused:
        rating_submit(
            actor=world.user("prod_head"),
            assessment=scenario.assessments["w1_worker"],
            indicator=scenario.indicators["teamwork"],
            rater_role=role,
            value=value,
        )
    assert field in refused.value.field_errors
    assert Rating.objects.count() == 0


def test_measured_indicators_cannot_be_rated(world, scenario):
    with pytest.raises(DomainError, match="measured, not rated"):
        rating_submit(
            actor=world.user("prod_head"),
            assessment=scenario.assessments["w1_worker"],
            indicator=scenario.indicators["efficiency"],
            rater_role="manager",
            value="4",
        )


@pytest.mark.parametrize(
    ("user", "employee", "role"),
    [
        ("w1_worker", "w2_worker", "peer"),
        ("sales_head", "w1_worker", "manager"),
        ("other_hr", "w1_worker", "manager"),
        ("w1_worker", "w1_worker", "manager"),
    ],
)
def test_raters_outside_scope_or_rating_themselves_as_manager_are_refused(world, scenario, user, employee, role):
    with pytest.raises(PermissionDenied):
        rating_submit(
            actor=world.user(user),
            assessment=scenario.assessments[employee],
            indicator=scenario.indicators["teamwork"],
            rater_role=role,
            value="4",
        )
    assert Rating.objects.count() == 0


def test_a_rating_requests_a_recompute_of_that_employee(world, scenario, monkeypatch):
    requested = []
    monkeypatch.setattr("hris.kpi.recompute.request_recompute", lambda **kwargs: requested.append(kwargs))
    assessment = scenario.assessments["w1_worker"]

    rating_submit(
        actor=world.user("prod_head"), assessment=assessment, indicator=scenario.indicators["teamwork"], rater_role="manager", value=4
    )

    assert [(call["cycle_id"], call["employee_ids"]) for call in requested] == [(scenario.cycle.pk, [assessment.employee_id])]
