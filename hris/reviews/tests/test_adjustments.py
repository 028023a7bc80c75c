from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.services.computation import compute_assessments_now
from hris.reviews.models import AdjusterRole, AdjustmentTarget, ScoreAdjustment
from hris.reviews.services.adjustments import adjustment_create
from hris.reviews.services.policies import policy_update
from hris.reviews.tests.conftest import counts

pytestmark = pytest.mark.django_db


def test_computed_scenario_has_the_pinned_total(review):
    worker = review.assessment("w1_worker")
    assert worker.computed_total is not None
    assert worker.final_score == worker.computed_total
    assert worker.adjustment_total == Decimal("0.00")


def test_executive_may_adjust_up_to_ten_points(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    before = worker.final_score
    result = adjustment_create(actor=review.world.user("ceo"), assessment=worker, delta="10", reason="Outstanding delivery in October")
    worker.refresh_from_db()
    assert result.final_before == before
    assert result.final_after == before + Decimal("10.00")
    assert worker.adjustment_total == Decimal("10.00")
    assert worker.final_score == before + Decimal("10.00")
    adjustment = ScoreAdjustment.objects.get()
    assert (adjustment.role, adjustment.delta, adjustment.final_before, adjustment.final_after) == (
        AdjusterRole.EXECUTIVE,
        Decimal("10.00"),
        before,
        before + Decimal("10.00"),
    )
    audit = AuditEvent.objects.filter(action="kpi.score_adjusted").get()
    assert audit.reason == "Outstanding delivery in October"


def test_executive_over_limit_is_refused_and_changes_nothing(review):
    review.to_review()
    before = counts()
    with pytest.raises(DomainError) as raised:
        adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="10.01", reason="Too much")
    assert raised.value.code == "over_limit"
    assert counts() == before


def test_manager_limit_is_cumulative_per_role(review):
    review.to_review()
    manager = review.world.user("prod_head")
    adjustment_create(actor=manager, assessment=review.assessment("w1_worker"), delta="3", reason="Good teamwork")
    with pytest.raises(DomainError) as raised:
        adjustment_create(actor=manager, assessment=review.assessment("w1_worker"), delta="2.01", reason="More teamwork")
    assert raised.value.code == "over_limit"
    assert "+3.00" in raised.value.message
    adjustment_create(actor=manager, assessment=review.assessment("w1_worker"), delta="2", reason="More teamwork")
    before = counts()
    with pytest.raises(DomainError):
        adjustment_create(actor=manager, assessment=review.assessment("w1_worker"), delta="5", reason="Again")
    assert counts() == before
    assert review.assessment("w1_worker").adjustment_total == Decimal("5.00")


def test_manager_of_another_department_is_denied(review):
    review.to_review()
    before = counts()
    with pytest.raises(PermissionDenied):
        adjustment_create(actor=review.world.user("sales_head"), assessment=review.assessment("w1_worker"), delta="1", reason="No")
    assert counts() == before


def test_hr_has_no_adjustment_by_default_but_policy_can_allow(review):
    review.to_review()
    hr = review.world.user("hr_admin")
    before = counts()
    with pytest.raises(PermissionDenied) as raised:
        adjustment_create(actor=hr, assessment=review.assessment("w1_worker"), delta="1", reason="HR view")
    assert raised.value.code == "policy_denied"
    assert counts() == before
    policy_update(actor=hr, company_id=review.world.company.pk, cycle=review.cycle, hr_limit=Decimal("2"))
    result = adjustment_create(actor=hr, assessment=review.assessment("w1_worker"), delta="2", reason="HR view")
    assert result.adjustment.role == AdjusterRole.HR


@pytest.mark.parametrize("reason", ["", "   ", "x", None])
def test_reason_is_mandatory(review, reason):
    review.to_review()
    before = counts()
    with pytest.raises(DomainError) as raised:
        adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="1", reason=reason)
    assert raised.value.code == "reason_required"
    assert "reason" in raised.value.field_errors
    assert counts() == before


@pytest.mark.parametrize("delta", ["0", "abc", "1.234", "NaN"])
def test_delta_must_be_a_non_zero_two_place_number(review, delta):
    review.to_review()
    before = counts()
    with pytest.raises(DomainError) as raised:
        adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta=delta, reason="Because")
    assert "delta" in raised.value.field_errors
    assert counts() == before


def test_reason_is_trimmed(review):
    review.to_review()
    result = adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="-1.5", reason="  Late  ")
    assert result.adjustment.reason == "Late"
    assert result.adjustment.delta == Decimal("-1.50")


def test_no_adjustment_of_ones_own_assessment(review):
    """prod_head's own assessment lies in their subtree; they still cannot adjust it."""
    from hris.kpi.models import Assessment

    review.to_review()
    head = review.world.employee("prod_head")
    own = Assessment.objects.create(
        cycle=review.cycle,
        employee=head,
        department=head.department,
        template_version=review.scenario.version,
        computed_total=Decimal("80"),
    )
    own.final_score = Decimal("80")
    own.save()
    before = counts()
    with pytest.raises(PermissionDenied) as raised:
        adjustment_create(actor=review.world.user("prod_head"), assessment=own, delta="1", reason="Myself")
    assert raised.value.code == "self_adjustment"
    assert counts() == before


def test_indicator_level_adjustment_adds_to_the_total(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    quality = review.scenario.indicators["quality"]
    result = adjustment_create(actor=review.world.user("ceo"), assessment=worker, delta="4", reason="QC data was late", indicator=quality)
    assert result.adjustment.indicator == quality
    assert result.final_after == worker.final_score + Decimal("4")


def test_policy_restricts_targets(review):
    review.to_review()
    hr = review.world.user("hr_admin")
    policy_update(actor=hr, company_id=review.world.company.pk, targets=AdjustmentTarget.TOTAL)
    before = counts()
    with pytest.raises(DomainError) as raised:
        adjustment_create(
            actor=review.world.user("ceo"),
            assessment=review.assessment("w1_worker"),
            delta="1",
            reason="x y",
            indicator=review.scenario.indicators["quality"],
        )
    assert raised.value.code == "target_not_allowed"
    assert counts() == before


def test_adjustment_refused_outside_review_and_calibration(review):
    before = counts()  # the cycle is still scoring
    with pytest.raises(DomainError) as raised:
        adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="1", reason="Early")
    assert raised.value.code == "invalid_transition"
    assert counts() == before


def test_final_score_is_clamped_to_the_cycle_bounds(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    cycle = worker.cycle
    cycle.score_cap = worker.computed_total + Decimal("3")
    cycle.save()
    result = adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="10", reason="Cap it")
    assert result.final_after == cycle.score_cap
    assert review.assessment("w1_worker").adjustment_total == Decimal("10.00")


def test_recompute_keeps_the_adjustments(review):
    review.to_review()
    adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="6", reason="Kept")
    adjustment_create(actor=review.world.user("prod_head"), assessment=review.assessment("w1_worker"), delta="-2.5", reason="Also kept")
    worker = review.assessment("w1_worker")
    compute_assessments_now(cycle=worker.cycle, employee_ids=[worker.employee_id], reason="recompute")
    worker.refresh_from_db()
    assert worker.adjustment_total == Decimal("3.50")
    assert worker.final_score == worker.computed_total + Decimal("3.50")
