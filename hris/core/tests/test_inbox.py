"""The "my tasks" inbox gathers every module's tasks, overdue first."""

from datetime import date
from unittest import mock

from django.urls import reverse

from hris.core import inbox
from hris.core.inbox import InboxTask


def _task(key: str, *, count: int = 1, due: date | None = None, overdue: bool = False) -> InboxTask:
    return InboxTask(key=key, module="performance", title=key, count=count, url=f"/{key}/", due=due, overdue=overdue)


def test_tasks_are_gathered_overdue_first_then_by_due_date_and_empty_ones_dropped():
    tasks = [
        _task("later", due=date(2026, 12, 5)),
        _task("undated"),
        _task("overdue", due=date(2026, 11, 1), overdue=True),
        _task("sooner", due=date(2026, 11, 30)),
        _task("nothing", count=0),
    ]
    with mock.patch.object(inbox, "PROVIDERS", ("hris.core.tests.test_inbox.provider",)), mock.patch(
        "hris.core.tests.test_inbox.provider", create=True, return_value=tasks
    ):
        gathered = inbox.inbox_tasks(actor=None)
    assert [task.key for task in gathered] == ["overdue", "sooner", "later", "undated"]


def test_a_module_that_is_not_installed_is_skipped():
    assert inbox._provider("hris.not_an_app.inbox.tasks_for") is None
    assert inbox._provider("hris.core.inbox_missing.tasks_for") is None


def test_the_inbox_page_lists_the_tasks_with_counts_and_links(world, client):
    client.force_login(world.user("w1_worker"))
    with mock.patch.object(inbox, "inbox_tasks", return_value=[_task("kpi.ratings_pending", count=3, due=date(2026, 11, 30))]):
        response = client.get(reverse("core:my_tasks"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-task="kpi.ratings_pending"' in body and 'data-count="3"' in body and 'href="/kpi.ratings_pending/"' in body


def test_the_inbox_page_says_when_nothing_waits(world, client):
    client.force_login(world.user("w1_worker"))
    with mock.patch.object(inbox, "inbox_tasks", return_value=[]):
        response = client.get(reverse("core:my_tasks"))
    assert 'id="no-tasks"' in response.content.decode()


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("core:my_tasks"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_integrations_module_is_in_the_navigation_only_for_those_who_manage_it(world, client):
    client.force_login(world.user("hr_admin"))
    assert 'data-module="integrations"' in client.get(reverse("core:my_tasks")).content.decode()
    client.force_login(world.user("ceo"))
    assert 'data-module="integrations"' not in client.get(reverse("core:my_tasks")).content.decode()
