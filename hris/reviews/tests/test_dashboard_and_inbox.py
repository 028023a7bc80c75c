"""The cycle dashboard (HR, executives, managers in scope) and the review tasks in "my tasks"."""

from decimal import Decimal

from django.urls import reverse

from hris.core.inbox import inbox_tasks
from hris.reviews.services import transitions
from hris.reviews.services.adjustments import adjustment_create


def test_hr_sees_where_the_cycle_stands(world, client, review):
    review.to_review()
    adjustment_create(actor=world.user("ceo"), assessment=review.assessment("w1_worker"), delta=Decimal("5"), reason="生产效率超过目标15%")
    client.force_login(world.user("hr_admin"))
    response = client.get(reverse("reviews:cycle_dashboard", args=[review.cycle.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    context = response.context
    assert (context["in_scope"], context["computed"]) == (3, 3)
    assert [adjustment.delta for adjustment in context["adjustments"]] == [Decimal("5.00")]
    assert "生产效率超过目标15%" in body and 'data-stage="review" aria-current="step"' in body
    assert [step.to_state for step in context["timeline"]] == ["review"]


def test_the_approval_queue_counts_the_results_awaiting_the_executive(world, client, review):
    review.to_calibration()
    transitions.approval_request(actor=world.user("hr_admin"), cycle=review.cycle)
    client.force_login(world.user("ceo"))
    response = client.get(reverse("reviews:cycle_dashboard", args=[review.cycle.pk]))
    assert response.context["awaiting_approval_count"] == 3
    assert 'id="approval-queue"' in response.content.decode()
    tasks = {task.key: task for task in inbox_tasks(world.user("ceo"))}
    assert tasks["reviews.approval"].count == 1 and tasks["reviews.approval"].url == reverse("reviews:approvals")


def test_a_manager_sees_only_adjustments_in_their_subtree(world, client, review):
    review.to_review()
    adjustment_create(actor=world.user("ceo"), assessment=review.assessment("w1_worker"), delta=Decimal("2"), reason="车间表现突出")
    client.force_login(world.user("sales_head"))
    response = client.get(reverse("reviews:cycle_dashboard", args=[review.cycle.pk]))
    assert response.status_code == 200
    assert response.context["adjustments"] == [] and response.context["in_scope"] == 0
    assert "车间表现突出" not in response.content.decode()


def test_employees_may_not_open_the_dashboard(world, client, review):
    client.force_login(world.user("w1_worker"))
    assert client.get(reverse("reviews:cycle_dashboard", args=[review.cycle.pk])).status_code == 403


def test_employees_find_their_published_result_to_acknowledge_in_my_tasks(world, review):
    review.to_published()
    tasks = {task.key: task for task in inbox_tasks(world.user("w1_worker"))}
    assert tasks["reviews.acknowledge"].count == 1
    assert tasks["reviews.acknowledge"].url == reverse("reviews:my_results")
    assert "reviews.acknowledge" not in {task.key for task in inbox_tasks(world.user("sales_rep"))}
