"""Cycles under /api/v1/kpi/cycles/, their computation (202 + run) and the run status endpoint."""

from datetime import date

import pytest

from hris.core.tests.api.support import _fresh_throttle_counters, error_body, session_client, token_client  # noqa: F401
from hris.kpi.models import ComputationRun, Cycle
from hris.kpi.tests.api import BASE, VISIBLE_ASSESSMENTS, scored_cycle, scores_fingerprint

CYCLES = f"{BASE}/cycles/"
# Who may compute a whole cycle: company-wide COMPUTE_KPI (hrbp holds it only for a branch).
MAY_COMPUTE = {"admin", "hr_admin"}
# Who may read a run's status: those who may compute (other_hr's company does not own the cycle).
MAY_READ_RUNS = {"admin", "hr_admin"}


@pytest.fixture
def scenario(world):  # noqa: ANN001, ANN201
    return scored_cycle(world)


@pytest.fixture
def draft(world):  # noqa: ANN001, ANN201
    return Cycle.objects.create(
        company=world.company, name="2026年11月", period_type="monthly", period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)
    )


def _compute(client, cycle):  # noqa: ANN001, ANN202
    return client.post(f"{CYCLES}{cycle.pk}/compute/")


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("hr_admin", {"2026年10月": (3, 1), "2026年11月": (0, 0)}),
        ("admin", {"2026年10月": (3, 1), "2026年11月": (0, 0)}),
        ("ceo", {"2026年10月": (3, 1)}),
        ("prod_head", {"2026年10月": (3, 1)}),
        ("w1_worker", {"2026年10月": (1, 1)}),
        ("w1_lead", {"2026年10月": (1, 0)}),
        ("sales_head", {"2026年10月": (0, 0)}),
        ("other_hr", {}),
    ],
)
def test_cycles_of_the_callers_company_with_counts_in_its_scope(world, scenario, draft, actor, expected):  # noqa: ANN001
    # Drafts are shown only to those who configure KPIs; counts cover the caller's own data scope.
    body = session_client(world, actor).get(CYCLES).json()
    assert {row["name"]: (row["assessment_count"], row["complete_count"]) for row in body["results"]} == expected
    response = session_client(world, actor).get(f"{CYCLES}{draft.pk}/")
    assert response.status_code == (200 if "2026年11月" in expected else 404)


def test_cycle_detail_fields(world, scenario):  # noqa: ANN001
    response = session_client(world, "ceo").get(f"{CYCLES}{scenario.cycle.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("name", "period_type", "period_start", "period_end", "state", "score_floor", "score_cap")} == {
        "name": "2026年10月",
        "period_type": "monthly",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "state": "scoring",
        "score_floor": "0.00",
        "score_cap": "120.00",
    }
    assert (body["assessment_count"], body["complete_count"], body["last_computed_at"]) == (3, 1, None)


def test_token_clients_need_kpi_read_for_cycles(world, scenario):  # noqa: ANN001
    assert token_client(world, "ceo", "kpi:read").get(CYCLES).json()["count"] == 1
    response = token_client(world, "ceo", "employees:read").get(CYCLES)
    assert (response.status_code, error_body(response)["code"]) == (403, "insufficient_scope")


def test_hr_admin_computes_a_cycle_and_polls_the_run(world, scenario, django_capture_on_commit_callbacks):  # noqa: ANN001
    # Given HR, when they ask for a computation (the worker executes eagerly in tests),
    with django_capture_on_commit_callbacks(execute=True):
        response = _compute(session_client(world, "hr_admin"), scenario.cycle)
    # then the answer is 202 with the queued run and where to follow it,
    assert response.status_code == 202
    run = ComputationRun.objects.get()
    assert response["Location"] == f"{BASE}/computation-runs/{run.pk}/"
    assert {key: response.json()[key] for key in ("id", "cycle", "kind", "state", "done", "progress_percent")} == {
        "id": run.pk,
        "cycle": scenario.cycle.pk,
        "kind": "full",
        "state": "queued",
        "done": 0,
        "progress_percent": 0,
    }
    # and the status endpoint shows the finished run.
    status = session_client(world, "hr_admin").get(response["Location"]).json()
    assert {key: status[key] for key in ("state", "total", "done", "progress_percent", "items_written", "error")} == {
        "state": "succeeded",
        "total": 3,
        "done": 3,
        "progress_percent": 100,
        "items_written": 0,  # the results were computed already: nothing changed
        "error": "",
    }
    assert status["started_at"] is not None and status["finished_at"] is not None
    assert set(status["timings"]) >= {"read_s", "score_s"}
    assert session_client(world, "hr_admin").get(f"{CYCLES}{scenario.cycle.pk}/").json()["last_computed_at"] is not None


@pytest.mark.parametrize("actor", sorted(VISIBLE_ASSESSMENTS))
def test_compute_is_allowed_only_to_company_wide_hr_and_nothing_changes_otherwise(world, scenario, actor):  # noqa: ANN001
    before = scores_fingerprint()
    response = _compute(session_client(world, actor), scenario.cycle)
    if actor in MAY_COMPUTE:
        assert response.status_code == 202
        assert ComputationRun.objects.filter(cycle=scenario.cycle, state="queued").count() == 1
        return
    # other_hr's company does not own the cycle: not found; everyone else sees it but may not compute.
    assert response.status_code == (404 if actor == "other_hr" else 403)
    assert error_body(response)["code"] == ("not_found" if actor == "other_hr" else "permission_denied")
    assert scores_fingerprint() == before
    assert not ComputationRun.objects.exists()


def test_compute_needs_kpi_write_for_tokens(world, scenario):  # noqa: ANN001
    refused = _compute(token_client(world, "hr_admin", "kpi:read"), scenario.cycle)
    assert (refused.status_code, error_body(refused)["message"]) == (403, "The access token lacks the scope “kpi:write”.")
    assert not ComputationRun.objects.exists()
    assert _compute(token_client(world, "hr_admin", "kpi:write"), scenario.cycle).status_code == 202
    assert ComputationRun.objects.count() == 1


def test_compute_of_a_token_without_the_role_is_403(world, scenario):  # noqa: ANN001
    response = _compute(token_client(world, "ceo", "kpi:read kpi:write"), scenario.cycle)
    assert response.status_code == 403
    assert not ComputationRun.objects.exists()


def test_compute_of_a_draft_cycle_is_refused_with_its_state(world, draft):  # noqa: ANN001
    response = _compute(session_client(world, "hr_admin"), draft)
    assert (response.status_code, error_body(response)["code"]) == (400, "invalid_state")
    assert not ComputationRun.objects.exists()


def test_a_second_request_while_queued_joins_the_queued_run(world, scenario):  # noqa: ANN001
    client = session_client(world, "hr_admin")
    first, second = _compute(client, scenario.cycle).json(), _compute(client, scenario.cycle).json()
    assert first["id"] == second["id"]
    assert ComputationRun.objects.count() == 1


@pytest.mark.parametrize("actor", sorted(set(VISIBLE_ASSESSMENTS) - {"hrbp"}))
def test_run_status_is_for_those_who_compute_others_get_404(world, scenario, actor):  # noqa: ANN001
    run = ComputationRun.objects.create(cycle=scenario.cycle, kind="full", total=10, done=4)
    response = session_client(world, actor).get(f"{BASE}/computation-runs/{run.pk}/")
    if actor in MAY_READ_RUNS:
        assert response.status_code == 200
        assert (response.json()["state"], response.json()["progress_percent"]) == ("queued", 40)
    else:
        assert (response.status_code, error_body(response)["message"]) == (404, "Computation run not found.")


def test_run_status_for_tokens(world, scenario):  # noqa: ANN001
    run = ComputationRun.objects.create(cycle=scenario.cycle, kind="full")
    url = f"{BASE}/computation-runs/{run.pk}/"
    assert token_client(world, "hr_admin", "kpi:read").get(url).status_code == 200
    assert token_client(world, "hr_admin", "kpi:write").get(url).status_code == 403
    assert token_client(world, "other_hr", "kpi:read").get(url).status_code == 404
