"""POST /api/v1/kpi/assessments/{id}/what-if/: hypothetical actuals scored exactly; nothing written."""

import pytest

from hris.core.tests.api.support import _fresh_throttle_counters, error_body, session_client, token_client  # noqa: F401
from hris.kpi.tests.api import ASSESSED, TOKEN_VISIBLE_ASSESSMENTS, VISIBLE_ASSESSMENTS, assessment_url, scored_cycle, scores_fingerprint


@pytest.fixture
def scenario(world):  # noqa: ANN001, ANN201
    return scored_cycle(world)


def _ask(client, scenario, actuals: dict, key: str = "w1_worker"):  # noqa: ANN001, ANN202
    return client.post(assessment_url(scenario, key, "what-if/"), {"actuals": actuals}, format="json")


def test_full_efficiency_scores_exactly_and_writes_nothing(world, scenario):  # noqa: ANN001
    # Given the worker's computed assessment (90.71),
    before = scores_fingerprint()
    efficiency = scenario.indicators["efficiency"]
    # when they ask what 100 % efficiency would give,
    response = _ask(session_client(world, "w1_worker"), scenario, {str(efficiency.pk): "100"})
    # then that item scores 100.00 for 30.00 points, the total is 92.81, and nothing is saved.
    assert response.status_code == 200
    body = response.json()
    assert (body["computed_total"], body["final_score"], body["current_total"]) == ("92.81", "92.81", "90.71")
    assert [item["indicator"]["code"] for item in body["items"]] == [
        "production_efficiency",
        "defect_rate",
        "sales_amount",
        "late_count",
        "teamwork",
    ]
    assert body["items"][0] == {
        "indicator": {"id": efficiency.pk, "code": "production_efficiency", "name": "production_efficiency", "unit": "%"},
        "target": "100",
        "actual": "100",
        "hypothetical": True,
        "score": "100.00",
        "weight": "30.00",
        "points": "30.00",
        "status": "scored",
        "rule_in_words": "score = actual ÷ target × 100, at least 0 points, at most 120 points",
    }
    others = [(item["actual"], item["score"], item["points"], item["hypothetical"]) for item in body["items"][1:]]
    assert others == [("1.5", "80.00", "20.00", False), ("550000", "110.00", "22.00", False), ("2", "90.00", "9.00", False)] + [
        ("4.15", "78.75", "11.81", False)
    ]
    assert scores_fingerprint() == before


def test_several_values_numbers_and_blanks(world, scenario):  # noqa: ANN001
    # 120 efficiency is capped at 120 → 36 points; 3 % defects → otherwise 50 → 12.50; blank keeps the measured sales.
    indicators = scenario.indicators
    actuals = {str(indicators["efficiency"].pk): 150, str(indicators["quality"].pk): "3", str(indicators["sales"].pk): ""}
    body = _ask(session_client(world, "prod_head"), scenario, actuals).json()
    points = {item["indicator"]["code"]: (item["score"], item["points"], item["hypothetical"]) for item in body["items"]}
    assert points["production_efficiency"] == ("120.00", "36.00", True)
    assert points["defect_rate"] == ("50.00", "12.50", True)
    assert points["sales_amount"] == ("110.00", "22.00", False)
    assert body["computed_total"] == "91.31"  # 36 + 12.50 + 22 + 9 + 11.81


@pytest.mark.parametrize(
    ("actuals", "errors"),
    [
        ({"efficiency": "abc"}, {"actuals.efficiency": ["Enter a number."]}),
        ({"efficiency": True}, {"actuals.efficiency": ["Enter a number."]}),
        ({"efficiency": ["1"]}, {"actuals.efficiency": ["Enter a number."]}),
        ({"999999": "5"}, {"actuals.999999": ["This indicator is not part of the assessment."]}),
        ({"x": "5"}, {"actuals.x": ["Unknown indicator."]}),
        ({"efficiency": "1e20"}, {"actuals.efficiency": ["The number is too large."]}),
        ({"efficiency": "95", "quality": "n/a"}, {"actuals.quality": ["Enter a number."]}),
    ],
)
def test_bad_input_is_400_per_value_and_writes_nothing(world, scenario, actuals, errors):  # noqa: ANN001
    ids = {name: str(indicator.pk) for name, indicator in scenario.indicators.items()}

    def named(text: str) -> str:
        return text.replace("efficiency", ids["efficiency"]).replace("quality", ids["quality"])

    before = scores_fingerprint()
    response = _ask(session_client(world, "w1_worker"), scenario, {named(key): value for key, value in actuals.items()})
    assert response.status_code == 400
    assert error_body(response)["errors"] == {named(key): value for key, value in errors.items()}
    assert scores_fingerprint() == before


@pytest.mark.parametrize("body", [{}, {"actuals": "95"}, {"actuals": None}])
def test_missing_or_malformed_actuals_is_400(world, scenario, body):  # noqa: ANN001
    response = session_client(world, "w1_worker").post(assessment_url(scenario, "w1_worker", "what-if/"), body, format="json")
    assert (response.status_code, error_body(response)["code"], list(error_body(response)["errors"])) == (
        400,
        "validation_error",
        ["actuals"],
    )


@pytest.mark.parametrize("actor", sorted(VISIBLE_ASSESSMENTS))
def test_anyone_who_sees_an_assessment_may_ask_others_get_404(world, scenario, actor):  # noqa: ANN001
    client = session_client(world, actor)
    before = scores_fingerprint()
    for target in ASSESSED:
        response = _ask(client, scenario, {str(scenario.indicators["efficiency"].pk): "100"}, key=target)
        assert response.status_code == (200 if target in VISIBLE_ASSESSMENTS[actor] else 404), target
    assert scores_fingerprint() == before


@pytest.mark.parametrize("like", sorted(TOKEN_VISIBLE_ASSESSMENTS))
def test_token_client_needs_only_kpi_read(world, scenario, like):  # noqa: ANN001
    client = token_client(world, like, "kpi:read")
    for target in ASSESSED:
        response = _ask(client, scenario, {}, key=target)
        assert response.status_code == (200 if target in TOKEN_VISIBLE_ASSESSMENTS[like] else 404), target


def test_token_client_without_kpi_read_is_refused_even_with_kpi_write(world, scenario):  # noqa: ANN001
    response = _ask(token_client(world, "hr_admin", "kpi:write employees:read"), scenario, {})
    assert (response.status_code, error_body(response)["code"]) == (403, "insufficient_scope")
    assert error_body(response)["message"] == "The access token lacks the scope “kpi:read”."


def test_anonymous_caller_is_401(client, scenario):  # noqa: ANN001
    response = client.post(assessment_url(scenario, "w1_worker", "what-if/"), {"actuals": {}}, content_type="application/json")
    assert response.status_code == 401
