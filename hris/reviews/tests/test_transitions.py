from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.kpi.choices import CycleState, RunState
from hris.kpi.models import ComputationRun
from hris.reviews.models import ApprovalRequest, ApprovalStep, CycleTransition, DepartmentReview, ResultVersion, ReviewState
from hris.reviews.selectors import cycle_review_status, department_review_status, review_tasks_for
from hris.reviews.services import transitions
from hris.reviews.services.publication import results_publish
from hris.reviews.tests.conftest import counts

pytestmark = pytest.mark.django_db


def denied(action, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    before = counts()
    with pytest.raises((PermissionDenied, DomainError)) as raised:
        action(*args, **kwargs)
    assert counts() == before
    return raised.value


@pytest.mark.parametrize("name", ["ceo", "prod_head", "w1_worker", "other_hr", "hrbp"])
def test_review_start_needs_company_hr(review, name):
    error = denied(transitions.review_start, actor=review.world.user(name), cycle=review.cycle)
    assert isinstance(error, PermissionDenied)


def test_review_start_moves_scoring_to_review(review):
    audits = AuditEvent.objects.count()
    transitions.review_start(actor=review.world.user("hr_admin"), cycle=review.cycle)
    assert review.cycle.state == CycleState.REVIEW
    assert AuditEvent.objects.count() == audits + 1
    assert AuditEvent.objects.latest("id").action == "kpi.review_started"
    assert list(CycleTransition.objects.values_list("from_state", "to_state")) == [("scoring", "review")]


def test_review_start_refused_while_a_computation_is_queued(review):
    ComputationRun.objects.create(cycle=review.cycle, kind="full", state=RunState.QUEUED)
    error = denied(transitions.review_start, actor=review.world.user("hr_admin"), cycle=review.cycle)
    assert isinstance(error, Conflict)
    assert error.code == "computation_running"


def test_review_start_refused_in_wrong_state(review):
    review.to_review()
    error = denied(transitions.review_start, actor=review.world.user("hr_admin"), cycle=review.cycle)
    assert error.code == "invalid_transition"


def test_department_review_by_its_manager_only(review):
    review.to_review()
    departments = department_review_status(review.cycle)
    assert [status.department.code for status in departments] == ["production"]
    assert departments[0].assessments == 3
    production = review.world.production
    error = denied(transitions.department_review_complete, actor=review.world.user("sales_head"), cycle=review.cycle, department=production)
    assert isinstance(error, PermissionDenied)
    denied(transitions.department_review_complete, actor=review.world.user("w1_worker"), cycle=review.cycle, department=production)
    tasks = review_tasks_for(review.world.user("prod_head"))
    assert [(task.kind, task.count) for task in tasks] == [("department_review", 1)]
    transitions.department_review_complete(
        actor=review.world.user("prod_head"), cycle=review.cycle, department=production, comment="All fine"
    )
    assert DepartmentReview.objects.get().completed_by == review.world.user("prod_head")
    assert review_tasks_for(review.world.user("prod_head")) == []
    status = cycle_review_status(review.cycle)
    assert (status["departments_done"], status["departments_total"]) == (1, 1)
    error = denied(transitions.department_review_complete, actor=review.world.user("prod_head"), cycle=review.cycle, department=production)
    assert error.code == "already_reviewed"


@pytest.mark.parametrize("name", ["ceo", "prod_head", "other_hr"])
def test_calibration_start_needs_hr(review, name):
    review.to_review()
    denied(transitions.calibration_start, actor=review.world.user(name), cycle=review.cycle)


def test_full_chain_to_approval_and_return(review):
    review.to_calibration()
    assert review.cycle.state == CycleState.CALIBRATION
    hr, ceo = review.world.user("hr_admin"), review.world.user("ceo")
    denied(transitions.approval_request, actor=ceo, cycle=review.cycle)
    denied(transitions.approval_decide, actor=ceo, cycle=review.cycle, approve=True)  # nothing requested yet
    transitions.approval_request(actor=hr, cycle=review.cycle, comment="Calibrated with the plant")
    assert review.cycle.review_settings.review_state == ReviewState.AWAITING_APPROVAL
    assert review.cycle.state == CycleState.CALIBRATION
    assert [(task.kind, task.count) for task in review_tasks_for(ceo)] == [("approval", 1)]
    error = denied(transitions.approval_request, actor=hr, cycle=review.cycle)
    assert error.code == "already_pending"
    # HR cannot approve its own submission; managers neither.
    for name in ("hr_admin", "prod_head", "hrbp", "other_hr"):
        error = denied(transitions.approval_decide, actor=review.world.user(name), cycle=review.cycle, approve=True)
        assert isinstance(error, PermissionDenied)
    error = denied(transitions.approval_decide, actor=ceo, cycle=review.cycle, approve=False, comment=" ")
    assert error.field_errors["comment"]
    transitions.approval_decide(actor=ceo, cycle=review.cycle, approve=False, comment="Sales results look too high")
    assert review.cycle.state == CycleState.REVIEW
    request = ApprovalRequest.objects.get()
    assert request.state == ApprovalRequest.State.RETURNED
    assert list(request.steps.values_list("kind", "comment")) == [
        (ApprovalStep.Kind.SUBMIT, "Calibrated with the plant"),
        (ApprovalStep.Kind.RETURN, "Sales results look too high"),
    ]
    transitions.calibration_start(actor=hr, cycle=review.cycle)
    transitions.approval_request(actor=hr, cycle=review.cycle)
    transitions.approval_decide(actor=ceo, cycle=review.cycle, approve=True, comment="")
    assert review.cycle.state == CycleState.APPROVED
    assert review.cycle.review_settings.review_state == ReviewState.NONE
    assert review_tasks_for(ceo) == []
    assert [(task.kind, task.count) for task in review_tasks_for(hr)] == [("publish", 1)]


def test_publish_snapshots_every_result_as_version_one(review):
    from hris.reviews.services.adjustments import adjustment_create

    review.to_calibration()
    adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="2", reason="Strong finish")
    transitions.approval_request(actor=review.world.user("hr_admin"), cycle=review.cycle)
    transitions.approval_decide(actor=review.world.user("ceo"), cycle=review.cycle, approve=True)
    denied(results_publish, actor=review.world.user("ceo"), cycle=review.cycle)
    assert results_publish(actor=review.world.user("hr_admin"), cycle=review.cycle) == 3
    assert review.cycle.state == CycleState.PUBLISHED
    worker = review.assessment("w1_worker")
    version = ResultVersion.objects.get(assessment=worker)
    assert version.number == 1
    assert version.final_score == worker.final_score
    assert version.computed_total == worker.computed_total
    assert version.adjustment_total == Decimal("2.00")
    assert [row["code"] for row in version.items] == ["production_efficiency", "defect_rate", "sales_amount", "late_count", "teamwork"]
    assert [(row["delta"], row["reason"], row["actor"]) for row in version.adjustments] == [("2.00", "Strong finish", "赵总")]
    assert [(task.kind, task.count) for task in review_tasks_for(review.world.user("w1_worker"))] == [("acknowledge", 1)]
