from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.kpi.choices import CycleState
from hris.kpi.tests.engine.scenario import record
from hris.reviews.models import Acknowledgement, Appeal, CycleReviewSettings, ResultVersion, ScoreAdjustment
from hris.reviews.selectors import review_tasks_for
from hris.reviews.services.adjustments import adjustment_create
from hris.reviews.services.appeals import appeal_file, appeal_resolve
from hris.reviews.services.policies import policy_update
from hris.reviews.services.publication import cycle_close, published_result_correct, result_acknowledge
from hris.reviews.services.settings import review_settings_update
from hris.reviews.services.transitions import review_start
from hris.reviews.tests.conftest import counts

pytestmark = pytest.mark.django_db


def denied(action, **kwargs):  # noqa: ANN001, ANN003, ANN201
    before = counts()
    with pytest.raises((PermissionDenied, DomainError)) as raised:
        action(**kwargs)
    assert counts() == before
    return raised.value


def expire_window(review) -> None:
    CycleReviewSettings.objects.filter(cycle=review.cycle).update(published_at=timezone.now() - timedelta(days=8))


def test_acknowledge_own_result_once(review):
    review.to_published()
    worker = review.assessment("w1_worker")
    denied(result_acknowledge, actor=review.world.user("w2_worker"), assessment=worker)
    denied(result_acknowledge, actor=review.world.user("hr_admin"), assessment=worker)
    acknowledgement = result_acknowledge(actor=review.world.user("w1_worker"), assessment=worker)
    assert acknowledgement.version.number == 1
    error = denied(result_acknowledge, actor=review.world.user("w1_worker"), assessment=worker)
    assert isinstance(error, Conflict)


def test_appeal_upheld_with_delta_makes_version_two_with_diff(review):
    review.to_published()
    worker = review.assessment("w1_worker")
    final = worker.final_score
    denied(appeal_file, actor=review.world.user("w1_worker"), assessment=worker, reason=" ")
    denied(appeal_file, actor=review.world.user("w2_worker"), assessment=worker, reason="Not mine")
    appeal = appeal_file(actor=review.world.user("w1_worker"), assessment=worker, reason="My teamwork rating ignores the audit")
    error = denied(appeal_file, actor=review.world.user("w1_worker"), assessment=worker, reason="Second one")
    assert error.code == "appeal_open"
    assert [(task.kind, task.count) for task in review_tasks_for(review.world.user("hr_admin"))] == [("appeal", 1)]
    assert review_tasks_for(review.world.user("prod_head")) == []
    # An employee or a manager cannot resolve it.
    denied(appeal_resolve, actor=review.world.user("prod_head"), appeal=appeal, upheld=True, reason="ok", delta="3")
    denied(appeal_resolve, actor=review.world.user("w1_worker"), appeal=appeal, upheld=True, reason="ok", delta="3")
    # A closing attempt while an appeal is open is refused.
    expire_window(review)
    error = denied(cycle_close, actor=review.world.user("hr_admin"), cycle=review.cycle)
    assert error.code == "cannot_close"
    appeal_resolve(actor=review.world.user("hr_admin"), appeal=appeal, upheld=True, reason="Audit confirmed", delta="3")
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.UPHELD
    adjustment = ScoreAdjustment.objects.get()
    assert (adjustment.appeal, adjustment.delta, adjustment.reason) == (appeal, Decimal("3.00"), "Audit confirmed")
    worker.refresh_from_db()
    assert worker.final_score == final + 3
    version = ResultVersion.objects.get(assessment=worker, number=2)
    assert version.diff["totals"]["final_score"] == {"before": str(final), "after": str(final + 3)}
    assert version.diff["totals"]["adjustment_total"] == {"before": "0.00", "after": "3.00"}
    assert [row["delta"] for row in version.diff["new_adjustments"]] == ["3.00"]
    # The new version needs its own acknowledgement.
    assert result_acknowledge(actor=review.world.user("w1_worker"), assessment=worker).version == version


def test_appeal_rejected_needs_a_reason_and_changes_no_score(review):
    review.to_published()
    worker = review.assessment("w1_worker")
    appeal = appeal_file(actor=review.world.user("w1_worker"), assessment=worker, reason="Too low")
    error = denied(appeal_resolve, actor=review.world.user("ceo"), appeal=appeal, upheld=False, reason="")
    assert error.field_errors["reason"]
    denied(appeal_resolve, actor=review.world.user("ceo"), appeal=appeal, upheld=False, reason="No", delta="2")
    appeal_resolve(actor=review.world.user("ceo"), appeal=appeal, upheld=False, reason="The data is correct")
    appeal.refresh_from_db()
    assert (appeal.state, appeal.resolution) == (Appeal.State.REJECTED, "The data is correct")
    assert ResultVersion.objects.filter(assessment=worker).count() == 1
    error = denied(appeal_resolve, actor=review.world.user("ceo"), appeal=appeal, upheld=True, reason="Changed mind")
    assert error.code == "appeal_resolved"


def test_appeal_refused_after_the_window(review):
    review.to_published()
    expire_window(review)
    error = denied(appeal_file, actor=review.world.user("w1_worker"), assessment=review.assessment("w1_worker"), reason="Late appeal")
    assert error.code == "appeal_window_closed"


def test_appeal_window_is_configurable(review):
    review_settings_update(actor=review.world.user("hr_admin"), cycle=review.cycle, appeal_window_days=14)
    review.to_published()
    CycleReviewSettings.objects.filter(cycle=review.cycle).update(published_at=timezone.now() - timedelta(days=10))
    assert appeal_file(actor=review.world.user("w1_worker"), assessment=review.assessment("w1_worker"), reason="Day ten")
    denied(review_settings_update, actor=review.world.user("ceo"), cycle=review.cycle, appeal_window_days=3)


def test_adjustment_after_publication_only_through_appeal(review):
    review.to_published()
    error = denied(adjustment_create, actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="1", reason="Late")
    assert error.code == "invalid_transition"


def test_correction_recomputes_and_makes_version_two_with_a_diff(review):
    review.to_published()
    worker = review.assessment("w1_worker")
    old_final = worker.final_score
    denied(published_result_correct, actor=review.world.user("ceo"), assessment=worker, reason="Corrected ERP data")
    error = denied(published_result_correct, actor=review.world.user("hr_admin"), assessment=worker, reason="Nothing changed")
    assert error.code == "no_change"
    # A late ERP record: efficiency avg(90, 96, 120) = 102 instead of 93.
    record(review.world.company, "production_efficiency", "120", employee=review.world.employee("w1_worker"), day=25)
    version = published_result_correct(actor=review.world.user("hr_admin"), assessment=worker, reason="Corrected ERP data")
    worker.refresh_from_db()
    assert version.number == 2
    assert worker.final_score > old_final
    assert version.diff["totals"]["final_score"] == {"before": str(old_final), "after": str(worker.final_score)}
    efficiency = next(row for row in version.diff["indicators"] if row["name"] == "production_efficiency")
    assert efficiency["changes"]["actual"] == {"before": "93", "after": "102"}
    assert version.reason == "Corrected ERP data"


def test_close_after_the_window_locks_everything(review):
    review.to_published()
    hr = review.world.user("hr_admin")
    error = denied(cycle_close, actor=hr, cycle=review.cycle)
    assert error.code == "cannot_close"  # window still open, not everyone acknowledged
    denied(cycle_close, actor=review.world.user("ceo"), cycle=review.cycle)
    expire_window(review)
    cycle_close(actor=hr, cycle=review.cycle)
    assert review.cycle.state == CycleState.CLOSED
    worker = review.assessment("w1_worker")
    for action, kwargs in [
        (adjustment_create, {"actor": review.world.user("ceo"), "assessment": worker, "delta": "1", "reason": "Closed"}),
        (result_acknowledge, {"actor": review.world.user("w1_worker"), "assessment": worker}),
        (appeal_file, {"actor": review.world.user("w1_worker"), "assessment": worker, "reason": "Closed"}),
        (published_result_correct, {"actor": hr, "assessment": worker, "reason": "Closed"}),
        (review_start, {"actor": hr, "cycle": review.cycle}),
        (review_settings_update, {"actor": hr, "cycle": review.cycle, "appeal_window_days": 5}),
        (cycle_close, {"actor": hr, "cycle": review.cycle}),
    ]:
        error = denied(action, **kwargs)
        assert error.code == "cycle_closed", action
    error = denied(policy_update, actor=hr, company_id=review.world.company.pk, cycle=review.cycle, hr_limit=Decimal("1"))
    assert error.code == "cycle_closed"


def test_close_early_when_everyone_acknowledged(review):
    review.to_published()
    for name in ("w1_worker", "w1_lead", "w2_worker"):
        result_acknowledge(actor=review.world.user(name), assessment=review.assessment(name))
    cycle_close(actor=review.world.user("hr_admin"), cycle=review.cycle)
    assert review.cycle.state == CycleState.CLOSED
    assert Acknowledgement.objects.count() == 3
