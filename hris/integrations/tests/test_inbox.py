"""Failing connectors in "my tasks": for the people who manage the company's integrations only."""

import pytest

from hris.core.inbox import inbox_tasks
from hris.integrations.connectors.models import RunKind, RunState, SyncRun
from hris.integrations.connectors.tests.builders import jira_connector

pytestmark = pytest.mark.django_db


def _run(connector, state: str, kind: str = RunKind.RUN) -> SyncRun:  # noqa: ANN001
    return SyncRun.objects.create(connector=connector, kind=kind, state=state)


def _failing(user) -> list:  # noqa: ANN001
    return [task for task in inbox_tasks(user) if task.key == "integrations.sync_failed"]


def test_hr_sees_connectors_whose_latest_sync_failed(world):
    connector = jira_connector(world, "http://127.0.0.1:9")
    _run(connector, RunState.SUCCEEDED)
    _run(connector, RunState.FAILED)
    tasks = _failing(world.user("hr_admin"))
    assert [(task.count, task.url) for task in tasks] == [(1, "/integrations/connectors/")]
    assert _failing(world.user("ceo")) == [] and _failing(world.user("other_hr")) == []


def test_a_later_success_or_a_dry_run_does_not_count_as_failing(world):
    connector = jira_connector(world, "http://127.0.0.1:9")
    _run(connector, RunState.FAILED)
    _run(connector, RunState.SUCCEEDED)
    assert _failing(world.user("hr_admin")) == []
    _run(connector, RunState.FAILED, kind=RunKind.DRY_RUN)
    assert _failing(world.user("hr_admin")) == []


def test_a_disabled_connector_is_not_a_task(world):
    connector = jira_connector(world, "http://127.0.0.1:9")
    _run(connector, RunState.FAILED)
    connector.enabled = False
    connector.save(update_fields=["enabled"])
    assert _failing(world.user("hr_admin")) == []
