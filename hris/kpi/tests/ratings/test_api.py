"""/api/v1/kpi/my-ratings/: the caller's requests, one request, submitting; others' are 404."""

from datetime import timedelta

import pytest

from hris.core.tests.api.support import _fresh_throttle_counters, error_body, session_client, token_client  # noqa: F401
from hris.kpi.models import Rating, RatingRequest
from hris.kpi.services.rating_requests import rating_requests_generate, rating_settings_set

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hris.kpi.tests.ratings.api_urls")]
URL = "/api/v1/kpi/my-ratings/"


@pytest.fixture
def requests(world, rated, due):  # noqa: ANN001, ANN201
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=due)
    rating_requests_generate(actor=hr, cycle=rated.cycle)
    return RatingRequest.objects.all()


def test_my_pending_requests_are_listed_with_scale_and_due_date(world, rated, requests, due):
    response = session_client(world, "w1_lead").get(URL)

    assert response.status_code == 200
    body = response.json()
    rows = sorted((row["employee"]["name"], row["rater_role"]) for row in body["results"])
    assert rows == [("孙班长", "self"), ("李工人", "manager"), ("钱生产", "subordinate")]
    first = body["results"][0]
    assert (first["scale_min"], first["scale_max"], first["due_date"], first["overdue"], first["rating"]) == (
        "1",
        "5",
        due.isoformat(),
        False,
        None,
    )
    assert first["indicator"]["code"] == "teamwork" and first["cycle"]["id"] == rated.cycle.pk


def test_submitting_through_the_api_then_listing_given_ones(world, rated, requests):
    request = requests.get(rater=world.user("w1_lead"), rater_role="manager")
    client = session_client(world, "w1_lead")

    response = client.post(f"{URL}{request.pk}/submit/", {"value": "4.5", "comment": "稳定"}, format="json")

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["rating"]) == ("submitted", {"value": "4.5", "comment": "稳定"})
    given = client.get(URL, {"state": "submitted"}).json()["results"]
    assert [row["id"] for row in given] == [request.pk]
    assert len(client.get(URL).json()["results"]) == 2


def test_bad_values_and_passed_deadlines_are_400_with_field_errors(world, rated, requests, today):
    request = requests.get(rater=world.user("w1_lead"), rater_role="manager")
    client = session_client(world, "w1_lead")

    out_of_scale = client.post(f"{URL}{request.pk}/submit/", {"value": "7"}, format="json")
    assert out_of_scale.status_code == 400 and "value" in error_body(out_of_scale)["errors"]

    RatingRequest.objects.filter(pk=request.pk).update(due_date=today - timedelta(days=1))
    late = client.post(f"{URL}{request.pk}/submit/", {"value": "4"}, format="json")
    assert late.status_code == 400 and error_body(late)["code"] == "deadline_passed"
    assert Rating.objects.count() == 0


@pytest.mark.parametrize("user", ["hr_admin", "w1_worker", "prod_head"])
def test_someone_elses_request_is_not_found_and_nothing_changes(world, rated, requests, user):
    request = requests.get(rater=world.user("w1_lead"), rater_role="manager")
    client = session_client(world, user)

    assert client.get(f"{URL}{request.pk}/").status_code == 404
    assert client.post(f"{URL}{request.pk}/submit/", {"value": "4"}, format="json").status_code == 404
    assert Rating.objects.count() == 0


def test_a_read_only_token_cannot_submit(world, rated, requests):
    client = token_client(world, "hr_admin", scopes="kpi:read")

    assert client.get(URL).status_code == 200
    response = client.post(f"{URL}1/submit/", {"value": "4"}, format="json")
    assert response.status_code == 403 and error_body(response)["code"] == "insufficient_scope"
