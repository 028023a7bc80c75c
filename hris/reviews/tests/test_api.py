from decimal import Decimal

import pytest

from hris.core.tests.api.support import _fresh_throttle_counters, session_client, token_client  # noqa: F401
from hris.kpi.choices import CycleState
from hris.reviews.models import Appeal, ScoreAdjustment
from hris.reviews.tests.conftest import counts

pytestmark = pytest.mark.django_db


def adjustments_url(assessment) -> str:  # noqa: ANN001
    return f"/api/v1/reviews/assessments/{assessment.pk}/adjustments/"


def test_adjust_and_list_through_the_api(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    client = session_client(review.world, "ceo")
    response = client.post(adjustments_url(worker), {"delta": "4.5", "reason": "Audit bonus"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["final_before"], body["final_after"]) == (str(worker.final_score), str(worker.final_score + Decimal("4.5")))
    assert body["adjustment"]["role"] == "executive"
    listed = client.get(adjustments_url(worker)).json()
    assert [(row["delta"], row["reason"]) for row in listed] == [("4.50", "Audit bonus")]


def test_api_refusals_are_clear_and_change_nothing(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    before = counts()
    blank = session_client(review.world, "ceo").post(adjustments_url(worker), {"delta": "1", "reason": " "}, format="json")
    assert blank.status_code == 400 and blank.json()["code"] == "reason_required"
    over = session_client(review.world, "prod_head").post(adjustments_url(worker), {"delta": "6", "reason": "Too much"}, format="json")
    assert over.status_code == 400 and over.json()["code"] == "over_limit"
    hidden = session_client(review.world, "sales_head").post(adjustments_url(worker), {"delta": "1", "reason": "No"}, format="json")
    assert hidden.status_code == 404
    hr = session_client(review.world, "hr_admin").post(adjustments_url(worker), {"delta": "1", "reason": "No"}, format="json")
    assert hr.status_code == 403
    assert counts() == before
    own = session_client(review.world, "w1_worker").get(adjustments_url(worker))
    assert own.status_code == 404  # employees see adjustments only after publication


def test_token_scopes(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    read_only = token_client(review.world, "ceo", scopes="kpi:read")
    assert read_only.get(adjustments_url(worker)).status_code == 200
    refused = read_only.post(adjustments_url(worker), {"delta": "1", "reason": "Token"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    writer = token_client(review.world, "ceo", scopes="kpi:read kpi:write")
    assert writer.post(adjustments_url(worker), {"delta": "1", "reason": "Token"}, format="json").status_code == 201
    assert ScoreAdjustment.objects.count() == 1


def test_transitions_and_status_through_the_api(review):
    url = f"/api/v1/reviews/cycles/{review.cycle.pk}/transitions/"
    hr, ceo = session_client(review.world, "hr_admin"), session_client(review.world, "ceo")
    assert ceo.post(url, {"action": "review_start"}, format="json").status_code == 403
    for action, client in [("review_start", hr), ("calibration_start", hr), ("approval_request", hr)]:
        response = client.post(url, {"action": action}, format="json")
        assert response.status_code == 200, (action, response.json())
    returned = ceo.post(url, {"action": "return"}, format="json")
    assert returned.status_code == 400 and returned.json()["errors"]["comment"]
    hr.post(url, {"action": "calibration_start"}, format="json")  # still calibration: refused, nothing changes
    approved = ceo.post(url, {"action": "approve", "comment": "Fine"}, format="json")
    assert approved.json()["state"] == CycleState.APPROVED
    published = hr.post(url, {"action": "publish"}, format="json").json()
    assert (published["state"], published["published"]) == (CycleState.PUBLISHED, 3)
    status = hr.get(f"/api/v1/reviews/cycles/{review.cycle.pk}/status/").json()
    assert status["assessments"] == 3
    assert session_client(review.world, "other_hr").get(f"/api/v1/reviews/cycles/{review.cycle.pk}/status/").status_code == 404


def test_acknowledge_appeal_and_resolve_through_the_api(review):
    review.to_published()
    worker = review.assessment("w1_worker")
    employee = session_client(review.world, "w1_worker")
    assert employee.get(f"/api/v1/reviews/results/{worker.pk}/").json()[0]["number"] == 1
    assert session_client(review.world, "w2_worker").get(f"/api/v1/reviews/results/{worker.pk}/").status_code == 404
    assert employee.post(f"/api/v1/reviews/results/{worker.pk}/acknowledge/").status_code == 201
    assert employee.post(f"/api/v1/reviews/results/{worker.pk}/acknowledge/").status_code == 409
    assert employee.post(f"/api/v1/reviews/results/{worker.pk}/appeal/", {"reason": ""}, format="json").status_code == 400
    filed = employee.post(f"/api/v1/reviews/results/{worker.pk}/appeal/", {"reason": "Wrong QC data"}, format="json")
    assert filed.status_code == 201
    appeal_id = filed.json()["id"]
    ceo = session_client(review.world, "ceo")
    assert [row["id"] for row in ceo.get("/api/v1/reviews/appeals/").json()["results"]] == [appeal_id]
    assert (
        session_client(review.world, "w1_worker")
        .post(f"/api/v1/reviews/appeals/{appeal_id}/resolve/", {"upheld": True, "reason": "x y"}, format="json")
        .status_code
        == 404
    )
    resolved = ceo.post(
        f"/api/v1/reviews/appeals/{appeal_id}/resolve/", {"upheld": True, "reason": "Confirmed", "delta": "1.5"}, format="json"
    )
    assert resolved.status_code == 200 and resolved.json()["state"] == Appeal.State.UPHELD
    versions = employee.get(f"/api/v1/reviews/results/{worker.pk}/").json()
    assert [version["number"] for version in versions] == [2, 1]
    assert versions[0]["diff"]["totals"]["adjustment_total"] == {"before": "0.00", "after": "1.50"}
