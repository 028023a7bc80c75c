"""The review workflow's seed flow across three roles, each in its own browser (issue 4):
HR computes a middle manager's score and starts the review; the executive adds +5 with the
reason "生产效率超过目标15%" and sees the total recompute at once; HR takes the cycle through
calibration and approval (the executive approves) to publication; the middle manager then sees
"+5, by 赵总, reason …" in the history of their result and acknowledges it.

The computed total is the pinned manufacturing example (90.71, hand-checked in
hris/kpi/tests/engine/test_pinned_manufacturing.py) for the same inputs; the final score is
that total plus the adjustment: 90.71 + 5 = 95.71.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from hris.kpi.models import Assessment, Rating
from hris.kpi.tests.engine.scenario import manufacturing, record
from hris.reviews.models import Acknowledgement, ScoreAdjustment
from hris.tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "生产效率超过目标15%"
COMPUTED = Decimal("90.71")
FINAL = COMPUTED + Decimal(5)


def _middle_manager_assessment(world) -> Assessment:  # noqa: ANN001
    """钱生产 (prod_head) heads 生产部 under the CEO; the same inputs as the pinned worker example."""
    scenario = manufacturing(world)
    manager, company = world.employee("prod_head"), world.company
    assessment = Assessment.objects.create(
        cycle=scenario.cycle, employee=manager, department=manager.department, template_version=scenario.version
    )
    for key, value, day in (
        ("production_efficiency", "90", 10),
        ("production_efficiency", "96", 20),
        ("defects", "3", 15),
        ("output", "200", 15),
        ("late", "1", 3),
        ("late", "1", 4),
    ):
        record(company, key, value, employee=manager, day=day, external_id=f"E2E-{key}-{day}")
    record(company, "sales_amount", "300000", department=manager.department, day=5, external_id="E2E-sales-5")
    record(company, "sales_amount", "250000", department=manager.department, day=25, external_id="E2E-sales-25")
    teamwork = scenario.indicators["teamwork"]
    for rater, role, value in (("ceo", "manager", 4), ("sales_head", "peer", 5), ("hr_admin", "peer", 4)):
        Rating.objects.create(assessment=assessment, indicator=teamwork, rater_role=role, rater=world.user(rater), value=value)
    return assessment


def _browser_for(chromium_browser, live_server, username: str):  # noqa: ANN001, ANN202
    context = chromium_browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("button[name=language][value=en]").click()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def _panel_action(page, live_server, cycle_id: int, action: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/reviews/cycles/{cycle_id}/")
    page.locator(f"button[data-action={action}]").click()
    page.wait_for_load_state()


def test_seed_flow_across_hr_executive_and_middle_manager(chromium_browser, live_server):  # noqa: ANN001
    world = build_world()
    assessment = _middle_manager_assessment(world)
    cycle_id = assessment.cycle_id
    hr_context, hr = _browser_for(chromium_browser, live_server, "hr_admin")
    ceo_context, ceo = _browser_for(chromium_browser, live_server, "ceo")
    manager_context, manager = _browser_for(chromium_browser, live_server, "prod_head")
    try:
        # 1. HR computes the cycle and reads the middle manager's computed total, then starts the review.
        hr.goto(f"{live_server.url}/kpi/cycles/{cycle_id}/")
        hr.locator("#compute-now").click()
        expect(hr.locator("#run-state")).to_have_attribute("data-state", "succeeded", timeout=30_000)
        hr.goto(f"{live_server.url}/kpi/assessments/{assessment.pk}/")
        expect(hr.locator("#computed-total")).to_have_text(str(COMPUTED))
        _panel_action(hr, live_server, cycle_id, "review_start")
        expect(hr.locator("#review-panel-card")).to_have_attribute("data-state", "review")

        # 2. The executive adds +5 with the reason; the final score recomputes at once (before → after).
        ceo.goto(f"{live_server.url}/reviews/assessments/{assessment.pk}/adjust/")
        ceo.fill("#id_delta", "5")
        ceo.fill("#id_reason", REASON)
        ceo.locator("#adjust-form button[type=submit]").click()
        expect(ceo.locator("#adjust-result")).to_contain_text(f"{COMPUTED} → {FINAL}")
        expect(ceo.locator("#final-score")).to_have_text(str(FINAL))
        assessment.refresh_from_db()
        assert (assessment.computed_total, assessment.adjustment_total, assessment.final_score) == (COMPUTED, Decimal(5), FINAL)

        # While the cycle is in review the middle manager sees no final score yet.
        manager.goto(f"{live_server.url}/kpi/assessments/{assessment.pk}/")
        expect(manager.locator("#final-score")).to_have_attribute("data-withheld", "true")

        # 3. Calibration, approval by the executive, publication by HR.
        _panel_action(hr, live_server, cycle_id, "calibration_start")
        _panel_action(hr, live_server, cycle_id, "approval_request")
        ceo.goto(f"{live_server.url}/reviews/cycles/{cycle_id}/")
        ceo.locator("#approve-results").click()
        ceo.wait_for_load_state()
        _panel_action(hr, live_server, cycle_id, "publish")
        expect(hr.locator("#review-panel-card")).to_have_attribute("data-state", "published")

        # 4. The middle manager sees "+5, by 赵总, reason …" in the history and acknowledges.
        manager.goto(f"{live_server.url}/reviews/my/{assessment.pk}/")
        expect(manager.locator("#final-score")).to_have_text(str(FINAL))
        row = manager.locator("#adjustment-history tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("+5")
        expect(row).to_contain_text("赵总")
        expect(row).to_contain_text(REASON)
        manager.locator("#acknowledge-button").click()
        expect(manager.locator("#acknowledged")).to_be_visible()
    finally:
        for context in (hr_context, ceo_context, manager_context):
            context.close()

    adjustment = ScoreAdjustment.objects.get(assessment=assessment)
    assert (adjustment.delta, adjustment.reason, adjustment.actor.username) == (Decimal("5.00"), REASON, "ceo")
    assert [ack.user.username for ack in Acknowledgement.objects.filter(assessment=assessment)] == ["prod_head"]
