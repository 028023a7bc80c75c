"""The HR pages: set up a Jira connector against a replay server, dry-run it, schedule it, run it;
credentials are never shown again; everybody else is refused and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.test import TestCase
from django_celery_beat.models import PeriodicTask

from hris.integrations.connectors.models import Connector, SyncRun
from hris.integrations.connectors.tests.builders import JIRA_ACCOUNTS, JIRA_PAGES, jira_connector, link
from hris.integrations.connectors.tests.replay import Answer
from hris.kpi.models import MetricRecord

pytestmark = pytest.mark.django_db
SEARCH = "/rest/api/3/search/jql"


def serve(replay) -> None:  # noqa: ANN001
    tokens = {None: JIRA_PAGES[0], "token-page-2": JIRA_PAGES[1], "token-page-3": JIRA_PAGES[2]}
    replay.route("POST", SEARCH, lambda request: Answer(200, tokens[request.body.get("nextPageToken")]))


def test_hr_sets_up_a_jira_connector_dry_runs_schedules_and_runs_it(world, replay, client):  # noqa: ANN001
    for name, account in JIRA_ACCOUNTS.items():
        link(world, name, "jira", account)
    serve(replay)
    client.force_login(world.user("hr_admin"))

    # The list offers the vendors; the form for Jira starts from the metric preset
    assert client.get("/integrations/connectors/").status_code == 200
    form = client.get("/integrations/connectors/new/?vendor=jira")
    assert form.status_code == 200 and "jira_story_points" in form.content.decode()

    # Saving with bad JSON explains it and saves nothing
    bad = client.post("/integrations/connectors/new/", {"vendor": "jira", "company": world.company.pk, "name": "Jira", "mapping": "{oops"})
    assert bad.status_code == 400 and "This is not valid JSON" in bad.content.decode()
    assert Connector.objects.count() == 0

    mapping = {"employee_system": "jira", "metrics": {"issues_resolved": "jira_issues_resolved", "story_points": "jira_story_points"}}
    response = client.post(
        "/integrations/connectors/new/",
        {
            "vendor": "jira",
            "company": world.company.pk,
            "name": "Jira 研发",
            "base_url": replay.url,
            "credential_email": "hr@acme.example",
            "credential_api_token": "very-secret-token",
            "mapping": json.dumps(mapping),
            "options": json.dumps({"jql": "project = EX", "story_points_field": "customfield_10016", "page_size": 2}),
        },
    )
    connector = Connector.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/integrations/connectors/{connector.pk}/"
    # Credentials: encrypted at rest, never rendered
    assert "very-secret-token" not in connector.credentials_encrypted
    assert connector.credentials == {"api_token": "very-secret-token", "email": "hr@acme.example"}
    from hris.audit.models import AuditEvent

    created = AuditEvent.objects.get(action="connectors.connector_created")
    assert created.after["credentials_saved"] == ["api_token", "email"] and "very-secret-token" not in json.dumps(created.after)
    for page in (f"/integrations/connectors/{connector.pk}/", f"/integrations/connectors/{connector.pk}/edit/"):
        content = client.get(page).content.decode()
        assert "very-secret-token" not in content and "hr@acme.example" not in content and "••• saved" in content

    # Dry run: the first page's records shown, nothing stored
    dry = client.post(f"/integrations/connectors/{connector.pk}/dry-run/")
    run = SyncRun.objects.get(kind="dry_run")
    assert dry["Location"] == f"/integrations/connectors/{connector.pk}/runs/{run.pk}/"
    shown = client.get(dry["Location"]).content.decode()
    assert "jira:EX-1:jira_story_points" in shown and "nothing was stored" in shown
    assert MetricRecord.objects.count() == 0

    # Schedule: every 2 hours in django-celery-beat, then a cron expression; a bad one is explained
    client.post(f"/integrations/connectors/{connector.pk}/schedule/", {"kind": "interval", "every": 2, "period": "hours"})
    task = PeriodicTask.objects.get(name=f"connector-{connector.pk}")
    assert (task.task, json.loads(task.kwargs), task.interval.every, task.interval.period, task.enabled) == (
        "connectors.run_scheduled",
        {"connector_id": connector.pk},
        2,
        "hours",
        True,
    )
    wrong = client.post(f"/integrations/connectors/{connector.pk}/schedule/", {"kind": "cron", "cron": "61 * * *"})
    assert wrong.status_code == 400 and "Write five fields" in wrong.content.decode()
    client.post(f"/integrations/connectors/{connector.pk}/schedule/", {"kind": "cron", "cron": "0 6 * * 1-5"})
    task.refresh_from_db()
    assert (task.interval, task.crontab.hour, task.crontab.day_of_week) == (None, "6", "1-5")
    assert "cron 0 6 * * 1-5" in client.get(f"/integrations/connectors/{connector.pk}/").content.decode()

    # Run now: three pages, 9 records (5 issues resolved, 4 with story points)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/integrations/connectors/{connector.pk}/run/")
    run = SyncRun.objects.get(kind="run")
    assert (run.state, run.pages, run.accepted) == ("succeeded", 3, 9)
    assert MetricRecord.objects.filter(source="jira").count() == 9

    # Disable pauses the schedule; editing without credentials keeps them, typing one replaces it
    client.post(f"/integrations/connectors/{connector.pk}/disable/")
    task.refresh_from_db()
    assert task.enabled is False
    assert "disabled" in client.post(f"/integrations/connectors/{connector.pk}/run/", follow=True).content.decode()
    edit = {
        "name": "Jira 研发",
        "source": "jira",
        "base_url": replay.url,
        "mapping": json.dumps(mapping),
        "options": json.dumps({"page_size": 2}),
    }
    client.post(f"/integrations/connectors/{connector.pk}/edit/", edit)
    connector.refresh_from_db()
    assert connector.credentials == {"api_token": "very-secret-token", "email": "hr@acme.example"}
    client.post(f"/integrations/connectors/{connector.pk}/edit/", {**edit, "credential_api_token": "rotated"})
    connector.refresh_from_db()
    assert connector.credentials == {"api_token": "rotated", "email": "hr@acme.example"}

    # Reset cursor
    assert connector.cursor
    client.post(f"/integrations/connectors/{connector.pk}/reset-cursor/")
    connector.refresh_from_db()
    assert connector.cursor == {}


def test_a_failed_run_shows_its_reason_and_an_interrupted_one_can_be_resumed(world, replay, client):  # noqa: ANN001
    replay.route("POST", SEARCH, [Answer(401, {})])
    connector = jira_connector(world, replay.url)
    client.force_login(world.user("hr_admin"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/integrations/connectors/{connector.pk}/run/")
    failed = SyncRun.objects.get()
    assert (
        "The server refused the credentials (HTTP 401)"
        in client.get(f"/integrations/connectors/{connector.pk}/runs/{failed.pk}/").content.decode()
    )

    serve(replay)
    from datetime import timedelta

    from django.utils import timezone

    stuck = SyncRun.objects.create(connector=connector, state="running", checkpoint_at=timezone.now() - timedelta(hours=1))
    page = client.get(f"/integrations/connectors/{connector.pk}/runs/{stuck.pk}/").content.decode()
    assert "stopped without finishing" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/integrations/connectors/{connector.pk}/runs/{stuck.pk}/resume/")
    stuck.refresh_from_db()
    assert (stuck.state, stuck.pages, stuck.accepted) == ("succeeded", 3, 18)


@pytest.mark.parametrize("name", ["prod_head", "w1_worker", "ceo", "other_hr"])
def test_others_are_refused_and_nothing_changes(world, replay, client, name):  # noqa: ANN001
    serve(replay)
    connector = jira_connector(world, replay.url)
    client.force_login(world.user(name))
    expected = 404 if name == "other_hr" else 403  # other_hr manages another company: ACME's connector does not exist for them
    assert client.get(f"/integrations/connectors/{connector.pk}/").status_code == expected
    assert client.get(f"/integrations/connectors/{connector.pk}/edit/").status_code == expected
    for action in ("run", "dry-run", "disable", "reset-cursor", "schedule"):
        assert (
            client.post(
                f"/integrations/connectors/{connector.pk}/{action}/", {"kind": "interval", "every": 1, "period": "days"}
            ).status_code
            == expected
        )
    post = client.post(
        "/integrations/connectors/new/", {"vendor": "jira", "company": world.company.pk, "name": "Mine", "base_url": replay.url}
    )
    assert post.status_code in (400, 403)
    assert client.get("/integrations/connectors/").status_code == (200 if name == "other_hr" else 403)
    connector.refresh_from_db()
    assert (connector.enabled, connector.schedule_id, Connector.objects.count(), SyncRun.objects.count(), MetricRecord.objects.count()) == (
        True,
        None,
        1,
        0,
        0,
    )
    assert replay.requests == []


def test_the_scheduled_task_runs_the_connector(world, replay):  # noqa: ANN001
    from hris.integrations.connectors.tasks import run_scheduled

    serve(replay)
    connector = jira_connector(world, replay.url)
    run_scheduled(connector_id=connector.pk)
    assert list(SyncRun.objects.values_list("state", "accepted")) == [("succeeded", 18)]
    connector.enabled = False
    connector.save()
    run_scheduled(connector_id=connector.pk)
    assert SyncRun.objects.count() == 1
