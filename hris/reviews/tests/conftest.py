"""A computed manufacturing cycle, ready for review, and helpers to move it along."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hris.audit.models import AuditEvent
from hris.kpi.models import Assessment, Cycle
from hris.kpi.services.computation import compute_assessments_now
from hris.kpi.tests.engine.scenario import Scenario, give_worker_data, manufacturing
from hris.reviews.models import Appeal, ApprovalRequest, DepartmentReview, ResultVersion, ScoreAdjustment
from hris.reviews.services import transitions
from hris.reviews.services.publication import results_publish


@dataclass
class Review:
    world: object
    scenario: Scenario

    @property
    def cycle(self) -> Cycle:
        return Cycle.objects.get(pk=self.scenario.cycle.pk)

    def assessment(self, name: str) -> Assessment:
        return Assessment.objects.select_related("cycle", "employee", "department").get(pk=self.scenario.assessments[name].pk)

    def to_review(self) -> None:
        transitions.review_start(actor=self.world.user("hr_admin"), cycle=self.cycle)

    def to_calibration(self) -> None:
        self.to_review()
        transitions.calibration_start(actor=self.world.user("hr_admin"), cycle=self.cycle)

    def to_approved(self) -> None:
        self.to_calibration()
        transitions.approval_request(actor=self.world.user("hr_admin"), cycle=self.cycle)
        transitions.approval_decide(actor=self.world.user("ceo"), cycle=self.cycle, approve=True, comment="OK")

    def to_published(self) -> None:
        self.to_approved()
        results_publish(actor=self.world.user("hr_admin"), cycle=self.cycle)


def computed_scenario(world) -> Scenario:
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    employee_ids = [assessment.employee_id for assessment in scenario.assessments.values()]
    compute_assessments_now(cycle=scenario.cycle, employee_ids=employee_ids, reason="test")
    return scenario


@pytest.fixture
def review(world) -> Review:
    return Review(world=world, scenario=computed_scenario(world))


def counts() -> dict:
    """Rows a denied action must not touch."""
    return {
        "audit": AuditEvent.objects.count(),
        "adjustments": ScoreAdjustment.objects.count(),
        "approvals": ApprovalRequest.objects.count(),
        "versions": ResultVersion.objects.count(),
        "appeals": Appeal.objects.count(),
        "department_reviews": DepartmentReview.objects.count(),
        "states": list(Cycle.objects.order_by("pk").values_list("state", flat=True)),
        "finals": list(Assessment.objects.order_by("pk").values_list("final_score", "adjustment_total")),
    }
