"""Rating requests from the org chart: who rates whom in which role, idempotency, what could not
be assigned, chosen and same-department peers, and who may organise it."""

from collections import Counter
from datetime import timedelta

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.models import PeerRater, Rating, RatingRequest, RatingSettings
from hris.kpi.services.rating_requests import peer_rater_add, peer_rater_remove, rating_requests_generate, rating_settings_set
from hris.kpi.tests.ratings.conftest import build_360

pytestmark = pytest.mark.django_db


def _prepare(world, rated, due):  # noqa: ANN001, ANN202
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=due)
    peer_rater_add(actor=hr, cycle=rated.cycle, employee=world.employee("w1_worker"), rater=world.user("w2_worker"))
    return hr


def test_requests_follow_the_reporting_lines_role_by_role(world, rated, due, emitted):
    hr = _prepare(world, rated, due)

    report = rating_requests_generate(actor=hr, cycle=rated.cycle)

    assert report.created == 15
    assert dict(report.by_role) == {"manager": 4, "skip_level": 3, "self": 4, "subordinate": 3, "peer": 1}
    requests = RatingRequest.objects.select_related("assessment__employee", "rater")
    worker_raters = {(request.rater.username, request.rater_role) for request in requests if request.assessment.employee.name == "李工人"}
    assert worker_raters == {("w1_lead", "manager"), ("prod_head", "skip_level"), ("w1_worker", "self"), ("w2_worker", "peer")}
    lead_raters = {(request.rater.username, request.rater_role) for request in requests if request.assessment.employee.name == "孙班长"}
    assert lead_raters == {("prod_head", "manager"), ("ceo", "skip_level"), ("w1_lead", "self"), ("w1_worker", "subordinate")}
    head_subordinates = {
        request.rater.username for request in requests.filter(assessment__employee__name="钱生产", rater_role="subordinate")
    }
    assert head_subordinates == {"w1_lead", "w2_worker"}
    assert set(requests.values_list("state", "due_date")) == {("pending", due)}
    assert dict(report.problem_rows) == {
        "钱生产": ["No skip-level manager with a user account.", "No peers chosen."],
        "孙班长": ["No peers chosen."],
        "李工人": ["No subordinates with a user account."],
        "周工人": ["No subordinates with a user account.", "No peers chosen."],
    }
    # one "rating requested" event per rater, counting their requests
    requested = {event.recipient_user_ids[0]: event.payload["requests"] for event in emitted if event.key == "kpi.rating_requested"}
    per_rater = Counter(RatingRequest.objects.values_list("rater_id", flat=True))
    assert requested == dict(per_rater)
    assert requested[world.user("prod_head").pk] == 4  # manager of two, skip-level of one, self


def test_running_it_again_creates_nothing_and_announces_nothing(world, rated, due, emitted):
    hr = _prepare(world, rated, due)
    rating_requests_generate(actor=hr, cycle=rated.cycle)
    emitted.clear()
    audits = AuditEvent.objects.count()

    again = rating_requests_generate(actor=hr, cycle=rated.cycle)

    assert again.created == 0 and RatingRequest.objects.count() == 15
    assert emitted == [] and AuditEvent.objects.count() == audits


def test_a_rating_given_before_the_request_existed_makes_it_submitted(world, rated, due):
    hr = _prepare(world, rated, due)
    Rating.objects.create(
        assessment=rated.assessments["w1_worker"], indicator=rated.teamwork, rater_role="manager", rater=world.user("w1_lead"), value=4
    )

    rating_requests_generate(actor=hr, cycle=rated.cycle)

    request = RatingRequest.objects.get(assessment=rated.assessments["w1_worker"], rater=world.user("w1_lead"))
    assert request.state == "submitted" and request.rating.value == 4
    assert RatingRequest.objects.filter(state="pending").count() == 14


def test_same_department_colleagues_are_asked_when_no_peer_was_chosen(world):
    rated = build_360(
        world, names=("sales_rep", "interviewer"), rule={"type": "manual", "scale_min": 1, "scale_max": 5, "rater_weights": {"peer": 100}}
    )
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=rated.cycle.period_end, department_peers=1)

    report = rating_requests_generate(actor=hr, cycle=rated.cycle)

    # sales has sales_head (the manager of both, never a peer), sales_rep and interviewer
    assert report.created == 2
    pairs = set(RatingRequest.objects.values_list("assessment__employee__name", "rater__username", "rater_role"))
    assert pairs == {("郑业务", "interviewer", "peer"), ("褚面试", "sales_rep", "peer")}


def test_settings_are_required_first(world, rated):
    with pytest.raises(DomainError) as refused:
        rating_requests_generate(actor=world.user("hr_admin"), cycle=rated.cycle)
    assert "due_date" in refused.value.field_errors
    assert RatingRequest.objects.count() == 0


@pytest.mark.parametrize("user", ["prod_head", "hrbp", "ceo", "w1_worker", "other_hr"])
def test_only_company_hr_generates_requests_and_a_refusal_changes_nothing(world, rated, due, user):
    _prepare(world, rated, due)
    with pytest.raises(PermissionDenied):
        rating_requests_generate(actor=world.user(user), cycle=rated.cycle)
    with pytest.raises(PermissionDenied):
        rating_settings_set(actor=world.user(user), cycle=rated.cycle, due_date=due + timedelta(days=1))
    assert RatingRequest.objects.count() == 0
    assert RatingSettings.objects.get().due_date == due


def test_a_new_deadline_moves_pending_requests_but_not_given_ones(world, rated, due):
    hr = _prepare(world, rated, due)
    rating_requests_generate(actor=hr, cycle=rated.cycle)
    RatingRequest.objects.filter(rater=world.user("w1_lead"), rater_role="manager").update(state="submitted")

    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=due + timedelta(days=3))

    assert Counter(RatingRequest.objects.values_list("due_date", flat=True)) == {due + timedelta(days=3): 14, due: 1}
    audit = AuditEvent.objects.filter(action="kpi.rating_settings_set").order_by("sequence").last()
    assert audit.after["pending_requests_moved"] == 14 and audit.before["due_date"] == due.isoformat()


def test_managers_choose_peers_of_their_reports_and_removal_withdraws_pending_requests(world, rated, due):
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=due)
    worker = world.employee("w1_worker")
    peer_rater_add(actor=world.user("w1_lead"), cycle=rated.cycle, employee=worker, rater=world.user("w2_worker"))
    peer_rater_add(actor=world.user("prod_head"), cycle=rated.cycle, employee=worker, rater=world.user("sales_rep"))
    rating_requests_generate(actor=hr, cycle=rated.cycle)
    assert RatingRequest.objects.filter(assessment__employee=worker, rater_role="peer").count() == 2

    removed = peer_rater_remove(actor=world.user("w1_lead"), cycle=rated.cycle, employee=worker, rater=world.user("sales_rep"))

    assert removed == 1
    assert list(PeerRater.objects.values_list("rater__username", flat=True)) == ["w2_worker"]
    assert list(RatingRequest.objects.filter(assessment__employee=worker, rater_role="peer").values_list("rater__username", flat=True)) == [
        "w2_worker"
    ]


@pytest.mark.parametrize("user", ["w2_worker", "w1_worker", "sales_head", "other_hr"])
def test_others_may_not_choose_peers(world, rated, user):
    with pytest.raises(PermissionDenied):
        peer_rater_add(actor=world.user(user), cycle=rated.cycle, employee=world.employee("w1_worker"), rater=world.user("w2_worker"))
    assert PeerRater.objects.count() == 0


def test_an_employee_is_not_their_own_peer(world, rated):
    with pytest.raises(DomainError) as refused:
        peer_rater_add(actor=world.user("hr_admin"), cycle=rated.cycle, employee=world.employee("w1_worker"), rater=world.user("w1_worker"))
    assert "rater" in refused.value.field_errors
    assert PeerRater.objects.count() == 0
