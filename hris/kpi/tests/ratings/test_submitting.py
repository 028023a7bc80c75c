"""Assigned raters give their ratings: only they, only until the due date (unless HR extends
it); HR may still enter a rating on a rater's behalf; the engine combines raters by weight."""

from datetime import timedelta
from decimal import Decimal

import pytest

from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.models import AssessmentItem, ComputationRun, Rating, RatingRequest
from hris.kpi.services.computation import computation_run_execute
from hris.kpi.services.rating_requests import peer_rater_add, rating_request_extend, rating_requests_generate, rating_settings_set
from hris.kpi.services.ratings import rating_request_submit, rating_submit
from hris.kpi.tests.engine.scenario import manufacturing

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(world, rated, due):  # noqa: ANN001, ANN201
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=due)
    peer_rater_add(actor=hr, cycle=rated.cycle, employee=world.employee("w1_worker"), rater=world.user("w2_worker"))
    rating_requests_generate(actor=hr, cycle=rated.cycle)
    return RatingRequest.objects.select_related("assessment__cycle", "assessment__employee", "assessment__department", "indicator")


def test_the_assigned_rater_rates_and_the_request_is_submitted(world, rated, requests, django_capture_on_commit_callbacks):
    request = requests.get(assessment=rated.assessments["w1_worker"], rater_role="manager")

    with django_capture_on_commit_callbacks(execute=True):
        rating = rating_request_submit(actor=world.user("w1_lead"), request=request, value="4.5", comment=" 配合很好 ")

    request.refresh_from_db()
    assert (request.state, request.rating_id, request.submitted_at is not None) == ("submitted", rating.pk, True)
    assert (rating.rater_role, rating.value, rating.comment, rating.rater.username) == ("manager", Decimal("4.50"), "配合很好", "w1_lead")
    # the recompute ran: only the manager rated so far, so the manager's weight counts alone: (4.5 − 1) / 4 × 100
    item = AssessmentItem.objects.get(assessment=rated.assessments["w1_worker"], indicator=rated.teamwork)
    assert (item.score, item.status) == (Decimal("87.50"), "scored")


def test_a_peer_outside_the_employees_scope_may_rate_through_the_request(world, rated, requests):
    request = requests.get(assessment=rated.assessments["w1_worker"], rater_role="peer")

    rating_request_submit(actor=world.user("w2_worker"), request=request, value=3)

    assert Rating.objects.get().rater.username == "w2_worker"


@pytest.mark.parametrize("user", ["prod_head", "hr_admin", "w1_worker", "w2_worker"])
def test_nobody_else_may_answer_a_request_and_nothing_changes(world, rated, requests, user):
    request = requests.get(assessment=rated.assessments["w1_worker"], rater_role="manager")

    with pytest.raises(PermissionDenied):
        rating_request_submit(actor=world.user(user), request=request, value=4)

    assert Rating.objects.count() == 0
    assert requests.get(pk=request.pk).state == "pending"


def test_values_outside_the_scale_are_refused_per_field(world, rated, requests):
    request = requests.get(assessment=rated.assessments["w1_worker"], rater_role="self")
    with pytest.raises(DomainError) as refused:
        rating_request_submit(actor=world.user("w1_worker"), request=request, value="5.5")
    assert refused.value.field_errors == {"value": ["Rate between 1 and 5."]}
    assert Rating.objects.count() == 0


def test_after_the_due_date_ratings_are_refused_until_hr_extends_it(world, rated, requests, today):
    request = requests.get(assessment=rated.assessments["w1_worker"], rater_role="manager")
    RatingRequest.objects.filter(pk=request.pk).update(due_date=today - timedelta(days=1))
    request.refresh_from_db()

    with pytest.raises(DomainError) as refused:
        rating_request_submit(actor=world.user("w1_lead"), request=request, value=4)
    assert refused.value.code == "deadline_passed"
    assert Rating.objects.count() == 0

    with pytest.raises(PermissionDenied):
        rating_request_extend(actor=world.user("prod_head"), request=request, due_date=today + timedelta(days=2))
    extended = rating_request_extend(actor=world.user("hr_admin"), request=request, due_date=today + timedelta(days=2))
    rating_request_submit(actor=world.user("w1_lead"), request=extended, value=4)

    assert requests.get(pk=request.pk).state == "submitted"


def test_a_rating_is_due_through_its_due_date_inclusive(world, rated, requests, today):
    request = requests.get(assessment=rated.assessments["w1_worker"], rater_role="manager")
    RatingRequest.objects.filter(pk=request.pk).update(due_date=today)
    request.refresh_from_db()

    rating_request_submit(actor=world.user("w1_lead"), request=request, value=4)

    assert Rating.objects.count() == 1


def test_hr_entering_a_rating_on_behalf_marks_the_rater_request_submitted(world, rated, requests):
    request = requests.get(assessment=rated.assessments["w1_worker"], rater_role="manager")

    rating_submit(
        actor=world.user("hr_admin"),
        assessment=rated.assessments["w1_worker"],
        indicator=rated.teamwork,
        rater_role="manager",
        value=4,
        rater=world.user("w1_lead"),
    )

    assert requests.get(pk=request.pk).state == "submitted"
    assert requests.filter(state="pending").count() == 14


@pytest.mark.parametrize(
    ("manager", "peers", "score", "points"),
    [
        # 70 % × 4 + 30 % × avg(3, 5) = 4 on the 1–5 scale → (4 − 1) / 4 × 100 = 75; 15 % weight → 11.25 points
        ("4", ("3", "5"), Decimal("75.00"), Decimal("11.25")),
        # 70 % × 4.5 + 30 % × avg(3, 4) = 3.15 + 1.05 = 4.2 → 80; → 12 points
        ("4.5", ("3", "4"), Decimal("80.00"), Decimal("12.00")),
    ],
)
def test_several_raters_are_combined_by_rater_weight(world, manager, peers, score, points):
    scenario = manufacturing(world)  # teamwork: manager 70 %, peer 30 %, weight 15 %
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=scenario.cycle, due_date=scenario.cycle.period_end + timedelta(days=3650))
    worker = world.employee("w1_worker")
    for peer in ("w2_worker", "sales_rep"):
        peer_rater_add(actor=hr, cycle=scenario.cycle, employee=worker, rater=world.user(peer))
    rating_requests_generate(actor=hr, cycle=scenario.cycle)
    mine = RatingRequest.objects.filter(assessment=scenario.assessments["w1_worker"]).select_related("assessment__cycle", "indicator")
    rating_request_submit(actor=world.user("w1_lead"), request=mine.get(rater_role="manager"), value=manager)
    rating_request_submit(actor=world.user("w2_worker"), request=mine.get(rater__username="w2_worker"), value=peers[0])
    rating_request_submit(actor=world.user("sales_rep"), request=mine.get(rater__username="sales_rep"), value=peers[1])

    computation_run_execute(run_id=ComputationRun.objects.create(cycle=scenario.cycle, kind="full").pk)

    item = AssessmentItem.objects.get(assessment=scenario.assessments["w1_worker"], indicator=scenario.indicators["teamwork"])
    assert (item.score, item.points, item.status) == (score, points, "scored")
    assert not mine.filter(state="pending").exists()
