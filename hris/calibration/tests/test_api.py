import pytest

from hris.calibration.tests.helpers import make_population
from hris.core.tests.api.support import _fresh_throttle_counters, error_body, session_client, token_client  # noqa: F401

pytestmark = pytest.mark.django_db

SCORES = {"w1_lead": 96, "w1_worker": 88, "w2_worker": 72, "prod_head": 50, "sales_head": 97, "hr_admin": None}


def url(cycle, **params):
    query = "".join(f"?{k}={v}" for k, v in params.items())
    return f"/api/v1/calibration/cycles/{cycle.pk}/distribution/{query}"


def test_distribution_for_hr(world):
    cycle, _a, _t = make_population(world, SCORES)
    response = session_client(world, "hr_admin").get(url(cycle))
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["unscored"], body["mean"]) == (5, 1, "80.60")
    assert [(g["letter"], g["count"], g["percent"], g["status"]) for g in body["grades"]] == [
        ("S", 2, "40.0", "over"), ("A", 1, "20.0", "ok"), ("B", 1, "20.0", "ok"), ("C", 0, "0.0", "ok"), ("D", 1, "20.0", "ok")
    ]  # fmt: skip
    assert body["warnings"] == ["S: 40 % (target ≤ 10 %) — 2 people above target"]
    assert [d["name"] for d in body["departments"]] == ["生产部", "一车间", "二车间", "销售部", "人事行政部"]


def test_distribution_scope_and_refusals(world):
    cycle, _a, _t = make_population(world, SCORES)
    manager = session_client(world, "prod_head").get(url(cycle)).json()
    assert manager["total"] == 4
    narrowed = session_client(world, "hr_admin").get(url(cycle, department=world.workshop1.pk)).json()
    assert narrowed["total"] == 2
    assert session_client(world, "w1_worker").get(url(cycle)).status_code == 403
    assert session_client(world, "other_hr").get(url(cycle)).status_code == 404
    missing = session_client(world, "hr_admin").get(url(cycle, department="abc"))
    assert missing.status_code == 404 and error_body(missing)["message"] == "Department not found."
    assert token_client(world, "hr_admin", scopes="kpi:read").get(url(cycle)).status_code == 200
    assert token_client(world, "hr_admin", scopes="employees:read").get(url(cycle)).status_code == 403
