"""Jira Cloud against a local replay server: documented payloads, paging by nextPageToken,
errors and retries, incremental cursor, idempotent re-runs and resumption."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest
from django.test import TestCase

from hris.integrations.connectors import engine
from hris.integrations.connectors.models import SyncRun
from hris.integrations.connectors.tests.builders import JIRA_PAGES, issue, jira_connector, jira_page
from hris.integrations.connectors.tests.replay import Answer, fixture
from hris.kpi.models import MetricRecord

SEARCH = "/rest/api/3/search/jql"
pytestmark = pytest.mark.django_db


def run_now(world, connector, **kwargs):  # noqa: ANN001, ANN003, ANN201
    """“Run now” as HR does it (tests run Celery eagerly, so the run is done on return)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = engine.sync_run_request(actor=world.user("hr_admin"), connector=connector)
    return SyncRun.objects.get(pk=run.pk)


def stored(connector) -> list[tuple]:  # noqa: ANN001
    rows = MetricRecord.objects.filter(source=connector.source, is_current=True).order_by("external_id")
    return list(rows.values_list("external_id", "employee__employee_number", "period_start", "value"))


def serve_pages(replay, pages=JIRA_PAGES) -> None:  # noqa: ANN001
    by_token = {None: pages[0], **{page_before["nextPageToken"]: page for page_before, page in zip(pages, pages[1:], strict=False)}}
    replay.route("POST", SEARCH, lambda request: Answer(200, by_token[request.body.get("nextPageToken")]))


def test_the_documented_full_payload_is_parsed_and_an_unresolved_issue_gives_no_record(world, replay):  # noqa: ANN001
    # Given the official example response (one issue, not resolved, no assignee)
    replay.route("POST", SEARCH, [Answer(200, fixture("jira_search_jql_full.json"))])
    connector = jira_connector(world, replay.url)

    # When the connector runs
    run = run_now(world, connector)

    # Then the page is read, nothing is delivered, and the request named its fields explicitly
    assert (run.state, run.pages, run.fetched, run.accepted, run.rejected) == ("succeeded", 1, 1, 0, 0)
    [request] = replay.requests_to(SEARCH)
    assert request.body == {
        "jql": "(project = EX AND statusCategory = Done) ORDER BY updated ASC",
        "fields": ["summary", "assignee", "created", "updated", "resolutiondate", "duedate", "status", "customfield_10016"],
        "maxResults": 2,
    }
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"hr@acme.example:jira-secret-token").decode()
    assert MetricRecord.objects.count() == 0


def test_the_documented_minimal_payload_is_parsed(world, replay):  # noqa: ANN001
    replay.route("POST", SEARCH, [Answer(200, fixture("jira_search_jql_min.json"))])
    run = run_now(world, jira_connector(world, replay.url))
    assert (run.state, run.pages, run.fetched, run.accepted) == ("succeeded", 1, 1, 0)


def test_three_pages_by_next_page_token_give_every_metric_per_resolved_issue(world, replay):  # noqa: ANN001
    serve_pages(replay)
    connector = jira_connector(world, replay.url)
    w1, w2 = world.employee("w1_worker").employee_number, world.employee("w2_worker").employee_number

    run = run_now(world, connector)

    assert (run.state, run.pages, run.fetched, run.accepted, run.duplicates, run.rejected) == ("succeeded", 3, 6, 18, 0, 0)
    assert [request.body.get("nextPageToken") for request in replay.requests_to(SEARCH)] == [None, "token-page-2", "token-page-3"]
    from datetime import date

    d = date
    assert stored(connector) == [
        ("jira:EX-1:jira_issues_resolved", w1, d(2026, 10, 2), Decimal("1.0000")),
        ("jira:EX-1:jira_on_time", w1, d(2026, 10, 2), Decimal("1.0000")),
        ("jira:EX-1:jira_resolution_hours", w1, d(2026, 10, 2), Decimal("30.0000")),
        ("jira:EX-1:jira_story_points", w1, d(2026, 10, 2), Decimal("3.0000")),
        ("jira:EX-2:jira_issues_resolved", w2, d(2026, 10, 5), Decimal("1.0000")),
        ("jira:EX-2:jira_on_time", w2, d(2026, 10, 5), Decimal("0.0000")),
        ("jira:EX-2:jira_resolution_hours", w2, d(2026, 10, 5), Decimal("96.0000")),
        ("jira:EX-2:jira_story_points", w2, d(2026, 10, 5), Decimal("5.5000")),
        ("jira:EX-3:jira_issues_resolved", w1, d(2026, 10, 2), Decimal("1.0000")),
        ("jira:EX-3:jira_resolution_hours", w1, d(2026, 10, 2), Decimal("12.5000")),
        ("jira:EX-3:jira_story_points", w1, d(2026, 10, 2), Decimal("2.0000")),
        ("jira:EX-5:jira_issues_resolved", w2, d(2026, 10, 7), Decimal("1.0000")),
        ("jira:EX-5:jira_on_time", w2, d(2026, 10, 7), Decimal("1.0000")),
        ("jira:EX-5:jira_resolution_hours", w2, d(2026, 10, 7), Decimal("96.0000")),
        ("jira:EX-6:jira_issues_resolved", w1, d(2026, 10, 6), Decimal("1.0000")),
        ("jira:EX-6:jira_on_time", w1, d(2026, 10, 6), Decimal("1.0000")),
        ("jira:EX-6:jira_resolution_hours", w1, d(2026, 10, 6), Decimal("12.0000")),
        ("jira:EX-6:jira_story_points", w1, d(2026, 10, 6), Decimal("1.0000")),
    ]
    # The cursor is the latest `updated` seen (EX-5, 08:00 Shanghai), and the next run asks only for newer issues
    connector.refresh_from_db()
    assert connector.cursor == {"updated": "2026-10-07T00:00:00+00:00"}
    assert run.cursor_at_start == {} and run.next_cursor == connector.cursor

    serve_pages(replay, [jira_page([], None)])
    again = run_now(world, connector)
    assert again.state == "succeeded"
    assert replay.requests_to(SEARCH)[-1].body["jql"] == (
        '(project = EX AND statusCategory = Done) AND updated >= "2026/10/07 00:00" ORDER BY updated ASC'
    )


def test_a_rerun_is_idempotent_and_a_changed_value_supersedes(world, replay):  # noqa: ANN001
    serve_pages(replay)
    connector = jira_connector(world, replay.url)
    run_now(world, connector)
    rows_before = MetricRecord.objects.count()

    # The same pages again: every record is a duplicate, no row is added
    again = run_now(world, connector)
    assert (again.state, again.fetched, again.accepted, again.duplicates) == ("succeeded", 6, 0, 18)
    assert MetricRecord.objects.count() == rows_before == 18

    # EX-1's story points change from 3 to 8: one new current row, the old one kept as history
    changed = [dict(page) for page in JIRA_PAGES]
    first = issue(
        "EX-1",
        JIRA_PAGES[0]["issues"][0]["fields"]["assignee"]["accountId"],
        created="2026-10-01T09:00:00.000+0800",
        resolved="2026-10-02T15:00:00.000+0800",
        due="2026-10-03",
        points=8,
    )
    changed[0] = jira_page([first, JIRA_PAGES[0]["issues"][1]], "token-page-2")
    serve_pages(replay, changed)
    third = run_now(world, connector)
    assert (third.accepted, third.duplicates) == (1, 17)
    history = MetricRecord.objects.filter(external_id="jira:EX-1:jira_story_points").order_by("pk")
    assert [(row.value, row.is_current) for row in history] == [(Decimal("3.0000"), False), (Decimal("8.0000"), True)]


def test_the_last_page_without_a_token_ends_the_run_even_if_is_last_is_missing(world, replay):  # noqa: ANN001
    page = {"issues": [issue("EX-9", None, created="2026-10-01T09:00:00.000+0800", resolved=None)]}
    replay.route("POST", SEARCH, [Answer(200, page)])
    run = run_now(world, jira_connector(world, replay.url))
    assert (run.state, run.pages, run.fetched) == ("succeeded", 1, 1)
    assert len(replay.requests_to(SEARCH)) == 1


def test_an_empty_result_succeeds_with_nothing(world, replay):  # noqa: ANN001
    replay.route("POST", SEARCH, [Answer(200, {"isLast": True, "issues": []})])
    run = run_now(world, jira_connector(world, replay.url))
    assert (run.state, run.pages, run.fetched, run.accepted, run.errors) == ("succeeded", 1, 0, 0, [])


def test_401_fails_plainly_at_once_and_tells_hr(world, replay, monkeypatch):  # noqa: ANN001
    told = []
    monkeypatch.setattr(engine, "emit", lambda key, **kwargs: told.append((key, kwargs)))
    replay.route("POST", SEARCH, [Answer(401, {"errorMessages": ["You are not authenticated."]})])
    connector = jira_connector(world, replay.url)

    run = run_now(world, connector)

    assert run.state == "failed"
    assert run.error_message == "The server refused the credentials (HTTP 401). Check the saved credentials and their permissions."
    assert len(replay.requests_to(SEARCH)) == 1  # not retried
    [(key, event)] = told
    assert key == "integrations.sync_failed"
    assert event["recipients"] == [world.user("hr_admin").pk]
    assert event["payload"] == {
        "connector_id": connector.pk,
        "connector": "Jira 研发",
        "vendor": "jira",
        "run_id": run.pk,
        "error": run.error_message,
    }
    connector.refresh_from_db()
    assert connector.cursor == {}


def test_429_is_retried_after_the_time_the_server_asks_for(world, replay):  # noqa: ANN001
    replay.route("POST", SEARCH, [Answer(429, {"message": "Rate limited"}, headers={"Retry-After": "3"}), Answer(200, JIRA_PAGES[2])])
    connector = jira_connector(world, replay.url)
    run = SyncRun.objects.create(connector=connector)
    waits = []
    finished = engine.sync_run_execute(run_id=run.pk, sleep=waits.append)
    assert finished.state == "succeeded"
    assert waits == [3.0]
    assert MetricRecord.objects.filter(source=connector.source).count() == 7


def test_500_is_retried_with_backoff_then_the_run_fails(world, replay):  # noqa: ANN001
    replay.route("POST", SEARCH, [Answer(500, {"message": "boom"})])
    connector = jira_connector(world, replay.url)
    run = SyncRun.objects.create(connector=connector)
    waits = []
    finished = engine.sync_run_execute(run_id=run.pk, sleep=waits.append)
    assert finished.state == "failed"
    assert finished.error_message == "Gave up after 3 attempts: the server answered HTTP 500."
    assert waits == [0.01, 0.02]
    assert len(replay.requests_to(SEARCH)) == 3


def test_malformed_json_fails_plainly_without_retrying(world, replay):  # noqa: ANN001
    replay.route("POST", SEARCH, [Answer(200, b'{"issues": [')])
    run = run_now(world, jira_connector(world, replay.url))
    assert run.state == "failed"
    assert run.error_message == 'The server answered with something that is not JSON (HTTP 200, starts with “{"issues": [”).'
    assert len(replay.requests_to(SEARCH)) == 1


def test_a_timeout_is_retried_then_fails(world, replay, settings):  # noqa: ANN001
    settings.RENSHI_CONNECTOR_TIMEOUT = 0.2
    settings.RENSHI_CONNECTOR_RETRIES = 1
    replay.route("POST", SEARCH, [Answer(200, JIRA_PAGES[2], delay=0.6)])
    run = run_now(world, jira_connector(world, replay.url))
    assert run.state == "failed"
    assert run.error_message == "Gave up after 2 attempts: the server did not answer within 0.2 seconds."
    assert MetricRecord.objects.count() == 0


def test_an_interrupted_run_resumes_after_its_last_committed_page_without_loss_or_duplicates(world, replay):  # noqa: ANN001
    serve_pages(replay)
    connector = jira_connector(world, replay.url)
    run = SyncRun.objects.create(connector=connector)

    class Killed(Exception):
        pass

    def die_after_page_two(current: SyncRun) -> None:
        if current.pages == 2:
            raise Killed

    engine.after_page_committed = die_after_page_two
    with pytest.raises(Killed):
        engine.sync_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.state, run.pages, run.accepted, run.checkpoint) == (
        "running",
        2,
        11,
        {"state": {"nextPageToken": "token-page-3", "page": 3}},
    )

    engine.after_page_committed = None
    finished = engine.sync_run_execute(run_id=run.pk)

    assert (finished.state, finished.pages, finished.fetched, finished.accepted, finished.duplicates, finished.attempts) == (
        "succeeded",
        3,
        6,
        18,
        0,
        2,
    )
    assert [request.body.get("nextPageToken") for request in replay.requests_to(SEARCH)] == [None, "token-page-2", "token-page-3"]
    assert MetricRecord.objects.filter(source=connector.source).count() == 18
    # Running the finished run's task again does nothing
    assert engine.sync_run_execute(run_id=run.pk).attempts == 2


def test_an_assignee_without_a_linked_employee_is_rejected_with_the_reason(world, replay):  # noqa: ANN001
    stranger = issue("EX-7", "unknown-account", created="2026-10-01T09:00:00.000+0800", resolved="2026-10-01T10:00:00.000+0800")
    orphan = issue("EX-8", None, created="2026-10-01T09:00:00.000+0800", resolved="2026-10-01T10:00:00.000+0800")
    replay.route("POST", SEARCH, [Answer(200, jira_page([stranger, orphan, JIRA_PAGES[2]["issues"][1]], None))])
    run = run_now(world, jira_connector(world, replay.url))
    assert (run.state, run.fetched, run.accepted, run.rejected) == ("partial", 3, 4, 3)
    assert [(error["row"], error["errors"]) for error in run.errors] == [
        ("EX-8", ["The issue was resolved without an assignee."]),
        ("EX-7", ["No employee is linked to the jira identity “unknown-account”; add it to the employee's external identities."]),
        ("EX-7", ["No employee is linked to the jira identity “unknown-account”; add it to the employee's external identities."]),
    ]


def test_a_dry_run_shows_the_first_page_and_writes_nothing(world, replay):  # noqa: ANN001
    serve_pages(replay)
    connector = jira_connector(world, replay.url)
    run = engine.sync_dry_run(actor=world.user("hr_admin"), connector=connector)
    assert (run.kind, run.state, run.pages, run.fetched, run.accepted) == ("dry_run", "succeeded", 1, 2, 8)
    assert [(row["external_id"], row["value"], row["status"]) for row in run.preview[:2]] == [
        ("jira:EX-1:jira_issues_resolved", "1", "created"),
        ("jira:EX-1:jira_story_points", "3", "created"),
    ]
    assert MetricRecord.objects.count() == 0
    assert len(replay.requests_to(SEARCH)) == 1
    connector.refresh_from_db()
    assert connector.cursor == {}
