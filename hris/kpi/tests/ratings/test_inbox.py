"""Pending ratings in "my tasks": one task per cycle, dated by its earliest deadline."""

from datetime import timedelta

import pytest

from hris.core.inbox import inbox_tasks
from hris.kpi.models import RatingRequest
from hris.kpi.services.rating_requests import peer_rater_add, rating_requests_generate, rating_settings_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(world, rated, due):  # noqa: ANN001, ANN201
    hr = world.user("hr_admin")
    rating_settings_set(actor=hr, cycle=rated.cycle, due_date=due)
    peer_rater_add(actor=hr, cycle=rated.cycle, employee=world.employee("w1_worker"), rater=world.user("w2_worker"))
    rating_requests_generate(actor=hr, cycle=rated.cycle)
    return RatingRequest.objects.all()


def test_a_rater_finds_their_pending_ratings_with_the_deadline(world, rated, requests, due):
    pending = requests.filter(rater=world.user("prod_head")).count()
    tasks = [task for task in inbox_tasks(world.user("prod_head")) if task.key == "kpi.ratings_pending"]
    assert len(tasks) == 1
    assert (tasks[0].count, tasks[0].due, tasks[0].overdue, tasks[0].url) == (pending, due, False, "/kpi/ratings/")
    assert pending == 4


def test_an_overdue_request_makes_the_task_overdue_and_it_comes_first(world, rated, requests, today):
    overdue = requests.filter(rater=world.user("prod_head")).first()
    RatingRequest.objects.filter(pk=overdue.pk).update(due_date=today - timedelta(days=1))
    first = inbox_tasks(world.user("prod_head"))[0]
    assert (first.key, first.overdue, first.due) == ("kpi.ratings_pending", True, today - timedelta(days=1))


def test_people_with_nothing_to_rate_get_no_rating_task(world, rated, requests):
    assert not [task for task in inbox_tasks(world.user("sales_rep")) if task.key == "kpi.ratings_pending"]
