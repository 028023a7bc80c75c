from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hris.kpi.choices import CycleState
from hris.reviews.models import AdjustmentPolicy, Appeal, CycleReviewSettings, ScoreAdjustment
from hris.reviews.services.adjustments import adjustment_create
from hris.reviews.services.appeals import appeal_file

pytestmark = pytest.mark.django_db


def login(world, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


def test_cycle_panel_shows_next_step_to_hr_only(review):
    url = reverse("reviews:cycle_panel", args=[review.cycle.pk])
    hr = login(review.world, "hr_admin").get(url)
    assert hr.status_code == 200
    assert 'data-action="review_start"' in hr.content.decode()
    ceo = login(review.world, "ceo").get(url)
    assert ceo.status_code == 200
    assert 'data-action="review_start"' not in ceo.content.decode()
    assert login(review.world, "other_hr").get(url).status_code == 404
    partial = login(review.world, "hr_admin").get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "The limit applies to the sum of all adjustments" in partial.content.decode()


def test_kpi_cycle_page_loads_the_review_panel(review):
    page = login(review.world, "hr_admin").get(reverse("kpi:cycle_detail", args=[review.cycle.pk]))
    assert page.status_code == 200
    assert reverse("reviews:cycle_panel", args=[review.cycle.pk]) in page.content.decode()


def test_transition_buttons_move_the_cycle(review):
    client = login(review.world, "hr_admin")
    response = client.post(reverse("reviews:cycle_transition", args=[review.cycle.pk, "review_start"]))
    assert response.status_code == 302
    assert review.cycle.state == CycleState.REVIEW
    denied = login(review.world, "ceo").post(reverse("reviews:cycle_transition", args=[review.cycle.pk, "calibration_start"]))
    assert denied.status_code == 403
    assert review.cycle.state == CycleState.REVIEW
    wrong = client.post(reverse("reviews:cycle_transition", args=[review.cycle.pk, "publish"]), follow=True)
    assert "must be approved" in wrong.content.decode()
    assert review.cycle.state == CycleState.REVIEW


def test_department_manager_marks_reviewed_from_the_panel(review):
    review.to_review()
    client = login(review.world, "prod_head")
    page = client.get(reverse("reviews:cycle_panel", args=[review.cycle.pk]))
    assert "Mark as reviewed" in page.content.decode()
    response = client.post(reverse("reviews:department_reviewed", args=[review.cycle.pk, review.world.production.pk]), {"comment": "ok"})
    assert response.status_code == 302
    sales = login(review.world, "sales_head").post(
        reverse("reviews:department_reviewed", args=[review.cycle.pk, review.world.production.pk])
    )
    assert sales.status_code == 403


def test_adjust_form_shows_before_and_after(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    client = login(review.world, "ceo")
    url = reverse("reviews:adjust", args=[worker.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "two adjustments of +5 count as +10" in page.content.decode()
    response = client.post(url, {"delta": "5", "reason": "Led the line changeover", "indicator": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"final score {worker.final_score} → {worker.final_score + 5}" in body
    assert "Led the line changeover" in body
    blank = client.post(url, {"delta": "1", "reason": "  ", "indicator": ""})
    assert blank.status_code == 400
    over = client.post(url, {"delta": "5.01", "reason": "Too much", "indicator": ""})
    assert over.status_code == 400
    assert "exceeds your limit" in over.content.decode()
    assert ScoreAdjustment.objects.count() == 1


def test_adjust_page_denied_out_of_scope(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    assert login(review.world, "sales_head").get(reverse("reviews:adjust", args=[worker.pk])).status_code == 404
    assert login(review.world, "w1_worker").get(reverse("reviews:adjust", args=[worker.pk])).status_code == 403  # visible, not adjustable


def test_employee_sees_no_adjustments_before_publication(review):
    review.to_review()
    worker = review.assessment("w1_worker")
    adjustment_create(actor=review.world.user("ceo"), assessment=worker, delta="3", reason="Secret until published")
    panel = login(review.world, "w1_worker").get(reverse("reviews:assessment_adjustments", args=[worker.pk]))
    assert panel.status_code == 200
    assert "Secret until published" not in panel.content.decode()
    assert "shown when the results are published" in panel.content.decode()
    assert login(review.world, "w1_worker").get(reverse("reviews:my_result", args=[worker.pk])).status_code == 404
    staff = login(review.world, "prod_head").get(reverse("reviews:assessment_adjustments", args=[worker.pk]))
    assert "Secret until published" in staff.content.decode()


def test_my_results_after_publication_with_full_history(review):
    review.to_calibration()
    worker = review.assessment("w1_worker")
    adjustment_create(
        actor=review.world.user("prod_head"),
        assessment=worker,
        delta="5",
        reason="Covered two shifts",
        indicator=review.scenario.indicators["teamwork"],
    )
    from hris.reviews.services import transitions
    from hris.reviews.services.publication import results_publish

    transitions.approval_request(actor=review.world.user("hr_admin"), cycle=review.cycle)
    transitions.approval_decide(actor=review.world.user("ceo"), cycle=review.cycle, approve=True)
    results_publish(actor=review.world.user("hr_admin"), cycle=review.cycle)
    client = login(review.world, "w1_worker")
    listing = client.get(reverse("reviews:my_results"))
    assert listing.status_code == 200
    assert reverse("reviews:my_result", args=[worker.pk]) in listing.content.decode()
    page = client.get(reverse("reviews:my_result", args=[worker.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "钱生产" in body and "+5" in body and "+5.00" not in body and "Covered two shifts" in body
    # Another employee's result is not found.
    assert login(review.world, "w2_worker").get(reverse("reviews:my_result", args=[worker.pk])).status_code == 404
    # Acknowledge, then appeal through the page.
    assert client.post(reverse("reviews:acknowledge", args=[worker.pk])).status_code == 302
    blank = client.post(reverse("reviews:appeal", args=[worker.pk]), {"reason": ""})
    assert blank.status_code == 400
    assert client.post(reverse("reviews:appeal", args=[worker.pk]), {"reason": "Teamwork rating too low"}).status_code == 302
    assert Appeal.objects.get().reason == "Teamwork rating too low"


def test_appeals_page_and_resolve(review):
    review.to_published()
    worker = review.assessment("w1_worker")
    appeal = appeal_file(actor=review.world.user("w1_worker"), assessment=worker, reason="Please check QC data")
    hr = login(review.world, "hr_admin")
    page = hr.get(reverse("reviews:appeal_list"))
    assert page.status_code == 200 and "Please check QC data" in page.content.decode()
    assert login(review.world, "w1_worker").get(reverse("reviews:appeal_list")).status_code == 403
    prefix = f"appeal{appeal.pk}"
    bad = hr.post(reverse("reviews:appeal_resolve", args=[appeal.pk]), {f"{prefix}-upheld": "0", f"{prefix}-reason": ""})
    assert bad.status_code == 400
    ok = hr.post(
        reverse("reviews:appeal_resolve", args=[appeal.pk]),
        {
            f"{prefix}-upheld": "1",
            f"{prefix}-reason": "QC data confirmed",
            f"{prefix}-delta": "2",
            f"{prefix}-indicator": str(review.scenario.indicators["quality"].pk),
        },
    )
    assert ok.status_code == 302
    adjustment = ScoreAdjustment.objects.get()
    assert (adjustment.delta, adjustment.indicator, adjustment.appeal_id) == (
        Decimal("2.00"),
        review.scenario.indicators["quality"],
        appeal.pk,
    )
    result = login(review.world, "w1_worker").get(reverse("reviews:my_result", args=[worker.pk])).content.decode()
    assert 'data-version="2"' in result and "QC data confirmed" in result


def test_policy_page_edits_and_audits(review):
    client = login(review.world, "hr_admin")
    url = reverse("reviews:policy")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"executive_limit": "-1", "manager_limit": "5", "hr_limit": "0", "targets": "both"})
    assert bad.status_code == 400
    response = client.post(
        url, {"executive_limit": "8", "manager_limit": "3", "hr_limit": "1", "targets": "total", "reason": "Board decision"}
    )
    assert response.status_code == 302
    policy = AdjustmentPolicy.objects.get(cycle__isnull=True)
    assert (policy.executive_limit, policy.manager_limit, policy.hr_limit, policy.targets) == (
        Decimal("8"),
        Decimal("3"),
        Decimal("1"),
        "total",
    )
    assert login(review.world, "ceo").get(url).status_code == 403
    cycle_url = reverse("reviews:cycle_policy", args=[review.cycle.pk])
    assert client.post(cycle_url, {"executive_limit": "12", "manager_limit": "6", "hr_limit": "0", "targets": "both"}).status_code == 302
    assert AdjustmentPolicy.objects.get(cycle=review.cycle).executive_limit == Decimal("12")


def test_approvals_page_for_executives(review):
    review.to_calibration()
    from hris.reviews.services.transitions import approval_request

    approval_request(actor=review.world.user("hr_admin"), cycle=review.cycle, comment="Ready")
    page = login(review.world, "ceo").get(reverse("reviews:approvals"))
    assert page.status_code == 200
    assert "3 results awaiting your approval" in page.content.decode()
    assert login(review.world, "hr_admin").get(reverse("reviews:approvals")).status_code == 403
    response = login(review.world, "ceo").post(
        reverse("reviews:cycle_transition", args=[review.cycle.pk, "approve"]), {"next": "approvals"}
    )
    assert response.status_code == 302 and response.url == reverse("reviews:approvals")
    assert review.cycle.state == CycleState.APPROVED


def test_close_rule_is_explained(review):
    review.to_published()
    page = login(review.world, "hr_admin").get(reverse("reviews:cycle_panel", args=[review.cycle.pk])).content.decode()
    assert "The cycle can be closed when no appeal is open" in page
    CycleReviewSettings.objects.filter(cycle=review.cycle).update(published_at=timezone.now() - timedelta(days=30))
    login(review.world, "hr_admin").post(reverse("reviews:cycle_transition", args=[review.cycle.pk, "close"]))
    assert review.cycle.state == CycleState.CLOSED


def test_kpi_assessment_page_loads_the_adjustments_panel(review):
    worker = review.assessment("w1_worker")
    page = login(review.world, "prod_head").get(reverse("kpi:assessment_detail", args=[worker.pk]))
    assert page.status_code == 200
    assert reverse("reviews:assessment_adjustments", args=[worker.pk]) in page.content.decode()


def test_executive_who_also_manages_uses_only_the_most_generous_limit(review):
    from hris.accounts.models import RoleAssignment
    from hris.core.errors import DomainError

    RoleAssignment.objects.create(
        user=review.world.user("ceo"),
        role="department_manager",
        scope_type="department",
        company=review.world.company,
        department=review.world.production,
    )
    review.to_review()
    adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="10", reason="Full executive budget")
    with pytest.raises(DomainError):
        adjustment_create(actor=review.world.user("ceo"), assessment=review.assessment("w1_worker"), delta="1", reason="Manager budget")
    assert ScoreAdjustment.objects.count() == 1
