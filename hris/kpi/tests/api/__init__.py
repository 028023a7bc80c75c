"""Helpers shared by the KPI API tests: the pinned manufacturing cycle, computed, and what
a refused or read-only request must leave untouched."""

from __future__ import annotations

from hris.audit.models import AuditEvent
from hris.kpi.models import Assessment, AssessmentItem, ComputationRun
from hris.kpi.services.computation import compute_assessments_now
from hris.kpi.tests.engine.scenario import Scenario, give_worker_data, manufacturing
from hris.tests.world import World

BASE = "/api/v1/kpi"
ASSESSED = ("w1_lead", "w1_worker", "w2_worker")

# Whose assessments of the pinned cycle each world user sees (DESIGN.md §2): all three sit in production.
VISIBLE_ASSESSMENTS = {
    "admin": set(ASSESSED),
    "hr_admin": set(ASSESSED),
    "ceo": set(ASSESSED),
    "prod_head": set(ASSESSED),
    "hrbp": set(ASSESSED),  # the plant branch holds production
    "w1_lead": {"w1_lead"},
    "w1_worker": {"w1_worker"},
    "w2_worker": {"w2_worker"},
    "sales_head": set(),
    "recruiter": set(),
    "other_hr": set(),
}
# A service account holds only its grant, no employee record of its own.
TOKEN_VISIBLE_ASSESSMENTS = {"hr_admin": set(ASSESSED), "ceo": set(ASSESSED), "prod_head": set(ASSESSED), "sales_head": set()}


def scored_cycle(world: World) -> Scenario:
    """The pinned manufacturing cycle with w1_worker's data, every assessment computed."""
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    compute_assessments_now(cycle=scenario.cycle, employee_ids=[world.employees[key].pk for key in ASSESSED])
    return scenario


def assessment_url(scenario: Scenario, key: str, suffix: str = "") -> str:
    return f"{BASE}/assessments/{scenario.assessments[key].pk}/{suffix}"


def keys_of(scenario: Scenario, rows: list[dict]) -> set[str]:
    by_id = {assessment.pk: key for key, assessment in scenario.assessments.items()}
    return {by_id[row["id"]] for row in rows}


def scores_fingerprint() -> tuple:
    """Everything a what-if or a refused computation could have written."""
    return (
        list(Assessment.objects.order_by("pk").values()),
        list(AssessmentItem.objects.order_by("assessment_id", "indicator_id").values()),
        ComputationRun.objects.count(),
        AuditEvent.objects.count(),
    )
