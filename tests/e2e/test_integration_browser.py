"""The integration hub tried as a new HR admin would, end to end in the browser (acceptance of the
integration hub issue):

1. register an OAuth2 client (scope metrics:write) and copy its id and secret, shown once;
2. map an employee's Jira accountId, push a batch of metric records with curl (by employee
   number, by Jira identity, one invalid record), push it again (all duplicates), read the batch
   page;
3. set up a Jira Cloud connector against a local replay server serving the documented Jira
   payload (jira_search_jql_full.json) and issues derived from it, dry-run it (parsed records and
   mapping errors, nothing stored), edit its schedule (the Celery beat task changes), run it now;
4. see the employee's KPI total move at each step, to the values computed here by hand.

Scoring (DESIGN.md §6): linear score = actual ÷ target × 100, clamped to [0, 120] and rounded
once to 2 places half-up; points = weight × score ÷ 100, rounded the same way; total = Σ points.
"""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from playwright.sync_api import expect

from hris.integrations.connectors.models import Connector, SyncRun
from hris.integrations.connectors.tests.replay import Answer, ReplayServer, fixture
from hris.integrations.models import IngestionBatch
from hris.kpi.choices import Aggregation, CycleState, PeriodType
from hris.kpi.models import Assessment, Cycle, MetricRecord
from hris.kpi.services.computation import computation_run_request
from hris.kpi.tests.builders import make_indicator, make_template
from hris.people.models import ExternalIdentity
from hris.tests.world import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CURL = "/usr/bin/curl"
SEARCH = "/rest/api/3/search/jql"
TWO_PLACES, HUNDRED = Decimal("0.01"), Decimal(100)
LINEAR_120 = {"type": "linear", "floor": 0, "cap": 120}

# The documented payload's only issue (ED-1) is unresolved and has no assignee; its comment
# author, Mia Krystof, is the accountId HR maps to 李工人 (w1_worker).
MIA = "5b10a2844c20165700ede21g"
STRANGER = "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"  # nobody in the company has this Jira account

# The KPI template: (metric key, weight, target); both summed over October 2026.
ITEMS = {"jira_story_points": (Decimal(70), Decimal(24)), "jira_issues_resolved": (Decimal(30), Decimal(4))}
BASELINE = {"jira_story_points": Decimal(4), "jira_issues_resolved": Decimal(1)}  # already recorded before anything is pushed


# --- the hand calculation ---------------------------------------------------------------------


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _total(actuals: dict[str, Decimal]) -> Decimal:
    total = Decimal(0)
    for key, (weight, target) in ITEMS.items():
        score = _round(min(max(actuals[key] * HUNDRED / target, Decimal(0)), Decimal(120)))
        total += _round(weight * score / HUNDRED)
    return total


# --- the Jira payloads ------------------------------------------------------------------------


def _at(moment: str) -> str:
    """ "10-08T09:00" → Jira's "2026-10-08T09:00:00.000+0800" (Shanghai)."""
    return f"2026-{moment}:00.000+0800"


def _issue(key: str, account: str | None, *, created: str, resolved: str, due: str | None = None, points: Any = None) -> dict:
    """The documented issue, changed into another one: resolved, assigned, with story points."""
    issue = copy.deepcopy(fixture("jira_search_jql_full.json")["issues"][0])
    issue["key"], issue["id"] = key, str(20000 + int(key.split("-")[1]))
    issue["self"] = f"https://your-domain.atlassian.net/rest/api/3/issue/{key}"
    issue["fields"].update(
        {
            "summary": f"Issue {key}",
            "created": created,
            "updated": resolved,
            "resolutiondate": resolved,
            "duedate": due,
            "status": {"name": "Done", "statusCategory": {"key": "done"}},
            "customfield_10016": points,
            "assignee": {"accountId": account, "displayName": "Mia Krystof"} if account else None,
        }
    )
    return issue


def _jira_pages() -> dict[str | None, dict]:
    """Two pages by nextPageToken: the documented page's issue plus four derived ones, then one more."""
    documented = fixture("jira_search_jql_full.json")
    first = {
        "isLast": False,
        "nextPageToken": "page-2-token",
        "issues": [
            documented["issues"][0],  # ED-1: not resolved → fetched, gives nothing
            _issue("ED-2", MIA, created=_at("10-08T09:00"), resolved=_at("10-09T15:30"), due="2026-10-10", points=5),
            _issue("ED-3", MIA, created=_at("10-12T10:00"), resolved=_at("10-14T16:45"), due="2026-10-13", points=8),
            _issue("ED-4", None, created=_at("10-12T10:00"), resolved=_at("10-13T10:00"), points=3),
            _issue("ED-5", STRANGER, created=_at("10-15T09:00"), resolved=_at("10-15T17:00")),
        ],
    }
    second = {
        "isLast": True,
        "issues": [_issue("ED-6", MIA, created=_at("10-19T09:00"), resolved=_at("10-20T11:00"), points=2)],
    }
    return {None: first, "page-2-token": second}


# --- browser helpers --------------------------------------------------------------------------


def _log_in(page, live_server, username: str) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("button[name=language][value=en]").click()
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#user-menu")).to_be_visible()


def _curl(*args: str) -> tuple[int, dict]:
    """curl as the other system runs it: (HTTP status, JSON body)."""
    done = subprocess.run(
        [CURL, "--silent", "--show-error", "--noproxy", "*", "--max-time", "20", "--write-out", "\n%{http_code}", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    body, _newline, status = done.stdout.rpartition("\n")
    return int(status), json.loads(body)


def _rows(locator) -> list[list[str]]:  # noqa: ANN001
    return [[cell.strip() for cell in row] for row in locator.evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText))")]


def _expect_total(page, live_server, assessment: Assessment, total: Decimal) -> None:  # noqa: ANN001
    page.goto(f"{live_server.url}/kpi/assessments/{assessment.pk}/")
    expect(page.locator("#computed-total")).to_have_text(str(total))
    assessment.refresh_from_db()
    assert assessment.computed_total == total


def test_hr_admin_pushes_metrics_and_runs_a_jira_connector_and_scores_move(page, live_server):  # noqa: ANN001, PLR0915
    world = build_world()
    company, worker = world.company, world.employee("w1_worker")
    hr_admin = world.user("hr_admin")

    # An open October cycle: 李工人's template sums Jira story points (70 %, target 24) and resolved issues (30 %, target 4).
    indicators = [make_indicator(company, key.replace("_", "-"), metric_key=key, aggregation=Aggregation.SUM) for key in ITEMS]
    items = [(indicator, *ITEMS[indicator.metric_key]) for indicator in indicators]
    version = make_template(company, "jira-delivery", [(indicator, weight, LINEAR_120, target) for indicator, weight, target in items])
    cycle = Cycle.objects.create(
        company=company, name="2026年10月 研发", state=CycleState.OPEN, period_type=PeriodType.MONTHLY,
        period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
    )  # fmt: skip
    assessment = Assessment.objects.create(cycle=cycle, employee=worker, department=worker.department, template_version=version)
    for key, value in BASELINE.items():
        MetricRecord.objects.create(
            company=company, employee=worker, metric_key=key, period_start=date(2026, 10, 1), period_end=date(2026, 10, 1),
            value=value, source="manual", external_id=f"baseline-{key}", recorded_at=timezone.now(),
        )  # fmt: skip
    computation_run_request(actor=hr_admin, cycle=cycle)  # autocommit: runs at once (Celery is eager in tests)

    actuals = dict(BASELINE)
    before = _total(actuals)  # story points 4/24 → 16.67 → 11.67; resolved 1/4 → 25.00 → 7.50
    assert before == Decimal("19.17")

    _log_in(page, live_server, "hr_admin")
    _expect_total(page, live_server, assessment, before)

    # 1. Register an API client with metrics:write; its secret is shown once.
    page.goto(f"{live_server.url}/integrations/clients/")
    expect(page.locator("#client-secret")).to_have_count(0)
    page.fill("#id_name", "Jira bridge")
    expect(page.locator("#id_role")).to_have_value("hr_admin")
    page.locator("input[name=scopes][value='metrics:write']").check()
    page.locator("#client-form button[type=submit]").click()
    expect(page.locator("#client-secret")).to_contain_text("“Jira bridge” is registered")
    client_id = page.locator("#client-id").inner_text().strip()
    client_secret = page.locator("#client-secret-value").inner_text().strip()
    assert len(client_id) >= 20 and len(client_secret) >= 20
    table = page.locator("#client-table tbody tr")
    expect(table).to_have_count(1)
    expect(table).to_contain_text(client_id)
    expect(table).to_contain_text("metrics:write")
    # Reloading (the registration redirected here, so nothing is posted again) shows the client, not the secret.
    page.reload()
    expect(page.locator("#client-secret")).to_have_count(0)
    expect(page.locator("#client-table tbody tr")).to_have_count(1)
    expect(page.locator("#client-table")).to_contain_text(client_id)
    assert client_secret not in page.content()

    # 2a. Map 李工人's Jira accountId on the identities page.
    page.goto(f"{live_server.url}/integrations/identities/")
    page.fill("#id_employee_number", worker.employee_number)
    page.fill("#id_system", "jira")
    page.fill("#id_external_id", MIA)
    page.locator("#identity-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("The identity was added.")
    assert _rows(page.locator("#identity-table tbody tr")) == [["jira", MIA, f"{worker.name} ({worker.employee_number})", "Remove"]]
    assert ExternalIdentity.objects.filter(company=company, system="jira", external_id=MIA, employee=worker).exists()

    # 2b. The other system takes a token and pushes a batch with curl.
    status, token = _curl(
        "--user", f"{client_id}:{client_secret}", "--data", "grant_type=client_credentials", "--data", "scope=metrics:write",
        f"{live_server.url}/o/token/",
    )  # fmt: skip
    assert status == 200, token
    assert (token["token_type"], token["scope"]) == ("Bearer", "metrics:write")
    batch = {
        "source": "jira-bridge",
        "records": [
            {"employee": {"number": worker.employee_number}, "metric_key": "jira_story_points", "date": "2026-10-05", "value": 3,
             "external_id": "BRIDGE-1"},
            {"employee": {"external": {"system": "jira", "id": MIA}}, "metric_key": "jira_issues_resolved", "date": "2026-10-06",
             "value": 1, "external_id": "BRIDGE-2"},
            {"employee": {"number": worker.employee_number}, "metric_key": "jira_story_points", "date": "2026-10-07", "value": "lots",
             "external_id": "BRIDGE-3"},
        ],
    }  # fmt: skip
    push = [
        "--header", f"Authorization: Bearer {token['access_token']}", "--header", "Content-Type: application/json",
        "--data-binary", json.dumps(batch), f"{live_server.url}/api/v1/metrics/batches/",
    ]  # fmt: skip
    records_before = MetricRecord.objects.count()
    status, first = _curl(*push)
    assert status == 201, first
    assert first["status"] == "completed_with_errors"
    assert first["counts"] == {"received": 3, "created": 2, "duplicates": 0, "superseded": 0, "rejected": 1}
    assert [(error["index"], error["field"], error["code"]) for error in first["errors"]] == [(2, "value", "invalid")]
    value_problem = "“lots” is not a number."
    assert first["errors"][0]["message"] == value_problem
    assert MetricRecord.objects.count() == records_before + 2
    stored = MetricRecord.objects.filter(source="jira-bridge").order_by("external_id")
    assert [(row.external_id, row.employee_id, row.metric_key, row.value) for row in stored] == [
        ("BRIDGE-1", worker.pk, "jira_story_points", Decimal("3.0000")),
        ("BRIDGE-2", worker.pk, "jira_issues_resolved", Decimal("1.0000")),
    ]

    status, second = _curl(*push)
    assert status == 201, second
    assert second["counts"] == {"received": 3, "created": 0, "duplicates": 2, "superseded": 0, "rejected": 1}
    assert [(error["index"], error["field"], error["code"]) for error in second["errors"]] == [(2, "value", "invalid")]
    assert MetricRecord.objects.count() == records_before + 2
    assert IngestionBatch.objects.get(pk=first["id"]).application.name == "Jira bridge"

    page.goto(f"{live_server.url}/integrations/batches/{first['id']}/")
    summary = page.locator("#batch-summary")
    expect(summary).to_contain_text("Completed with errors")
    expect(summary).to_contain_text("jira-bridge")
    expect(summary).to_contain_text("Jira bridge")
    expect(summary).to_contain_text("3 received: 2 new, 0 duplicates, 0 superseding earlier values, 1 rejected.")
    assert _rows(page.locator("#batch-errors tbody tr")) == [["2", "value", "invalid", value_problem]]
    page.goto(f"{live_server.url}/integrations/batches/{second['id']}/")
    expect(page.locator("#batch-summary")).to_contain_text("3 received: 0 new, 2 duplicates, 0 superseding earlier values, 1 rejected.")
    assert _rows(page.locator("#batch-errors tbody tr")) == [["2", "value", "invalid", value_problem]]

    # The push moved the score (recomputed on arrival): story points 7/24 → 29.17 → 20.42; resolved 2/4 → 50.00 → 15.00.
    actuals = {"jira_story_points": Decimal(7), "jira_issues_resolved": Decimal(2)}
    pushed = _total(actuals)
    assert pushed == Decimal("35.42")
    _expect_total(page, live_server, assessment, pushed)

    # 3. A Jira Cloud connector against the local replay server.
    replay = ReplayServer().start()
    try:
        pages = _jira_pages()
        replay.route("POST", SEARCH, lambda request: Answer(200, pages[(request.body or {}).get("nextPageToken")]))
        page.goto(f"{live_server.url}/integrations/connectors/")
        page.select_option("#id_vendor", "jira")
        page.locator("#new-connector button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("New Jira Cloud connector")
        page.fill("#id_name", "Jira 研发")
        page.fill("#id_base_url", replay.url)
        page.fill("#id_credential_email", "hr@acme.example")
        page.fill("#id_credential_api_token", "jira-api-token-1")
        mapping = {
            "employee_system": "jira",
            "metrics": {
                "issues_resolved": "jira_issues_resolved",
                "story_points": "jira_story_points",
                "resolution_hours": "jira_resolution_hours",
            },
        }
        page.fill("#id_mapping", json.dumps(mapping, indent=2))
        options = {"jql": "project = ED AND statusCategory = Done", "story_points_field": "customfield_10016", "page_size": 5}
        page.fill("#id_options", json.dumps(options, indent=2))
        page.locator("#connector-form button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("The connector was saved.")
        connector = Connector.objects.get(company=company, name="Jira 研发")
        assert (connector.vendor, connector.source, connector.base_url) == ("jira", "jira", replay.url)
        assert (connector.mapping, connector.options) == (mapping, options)
        assert connector.credentials == {"email": "hr@acme.example", "api_token": "jira-api-token-1"}
        expect(page.locator("#credentials")).to_contain_text("email: ••• saved")
        expect(page.locator("#credentials")).not_to_contain_text("jira-api-token-1")
        expect(page.locator("#no-runs")).to_be_visible()

        # Dry run: the first page only, parsed and checked; nothing stored.
        records_before = MetricRecord.objects.count()
        page.locator("#dry-run").click()
        expect(page.locator("#dry-run-note")).to_be_visible()
        expect(page.locator("h1")).to_contain_text("Finished with rejected records")
        dry = SyncRun.objects.get(connector=connector)
        assert (dry.kind, dry.state) == ("dry_run", "partial")
        assert (dry.pages, dry.fetched, dry.accepted, dry.duplicates, dry.rejected) == (1, 5, 6, 0, 3)
        counts = dict(zip(page.locator("#run-counts dt").all_inner_texts(), page.locator("#run-counts dd").all_inner_texts(), strict=True))
        assert {name: counts[name] for name in ("Pages", "Records fetched", "Accepted", "Duplicates", "Rejected")} == {
            "Pages": "1", "Records fetched": "5", "Accepted": "6", "Duplicates": "0", "Rejected": "3",
        }  # fmt: skip
        who = f"{worker.name} ({worker.employee_number})"
        assert _rows(page.locator("#preview-table tbody tr")) == [
            ["ED-2", who, "jira_issues_resolved", "2026-10-09", "1", "jira:ED-2:jira_issues_resolved", "created"],
            ["ED-2", who, "jira_story_points", "2026-10-09", "5", "jira:ED-2:jira_story_points", "created"],
            ["ED-2", who, "jira_resolution_hours", "2026-10-09", "30.50", "jira:ED-2:jira_resolution_hours", "created"],
            ["ED-3", who, "jira_issues_resolved", "2026-10-14", "1", "jira:ED-3:jira_issues_resolved", "created"],
            ["ED-3", who, "jira_story_points", "2026-10-14", "8", "jira:ED-3:jira_story_points", "created"],
            ["ED-3", who, "jira_resolution_hours", "2026-10-14", "54.75", "jira:ED-3:jira_resolution_hours", "created"],
        ]
        unlinked = f"No employee is linked to the jira identity “{STRANGER}”; add it to the employee's external identities."
        assert _rows(page.locator("#error-table tbody tr")) == [
            ["1", "ED-4", "", "The issue was resolved without an assignee."],
            ["1", "ED-5", "jira:ED-5:jira_issues_resolved", unlinked],
            ["1", "ED-5", "jira:ED-5:jira_resolution_hours", unlinked],
        ]
        assert MetricRecord.objects.count() == records_before
        [request] = replay.requests_to(SEARCH)
        assert request.body == {
            "jql": "(project = ED AND statusCategory = Done) ORDER BY updated ASC",
            "fields": ["summary", "assignee", "created", "updated", "resolutiondate", "duedate", "status", "customfield_10016"],
            "maxResults": 5,
        }
        _expect_total(page, live_server, assessment, pushed)  # a dry run moves no score

        # The schedule: every 6 hours, then weekdays at 06:30 (Shanghai); one beat task throughout.
        page.goto(f"{live_server.url}/integrations/connectors/{connector.pk}/")
        expect(page.locator("#schedule-now")).to_have_text("only when run by hand")
        page.select_option("#id_kind", "interval")
        page.fill("#id_every", "6")
        page.select_option("#id_period", "hours")
        page.locator("#schedule-form button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("The schedule was saved.")
        expect(page.locator("#schedule-now")).to_have_text("every 6 hours")
        connector.refresh_from_db()
        task = PeriodicTask.objects.get(pk=connector.schedule_id)
        assert (task.name, task.task, json.loads(task.kwargs), task.enabled) == (
            f"connector-{connector.pk}", "connectors.run_scheduled", {"connector_id": connector.pk}, True,
        )  # fmt: skip
        assert (task.interval.every, task.interval.period, task.crontab_id) == (6, "hours", None)

        expect(page.locator("#id_kind")).to_have_value("interval")
        page.select_option("#id_kind", "cron")
        page.fill("#id_cron", "30 6 * * 1-5")
        page.locator("#schedule-form button[type=submit]").click()
        expect(page.locator("#schedule-now")).to_have_text("cron 30 6 * * 1-5")
        connector.refresh_from_db()
        assert connector.schedule_id == task.pk
        task.refresh_from_db()
        crontab = task.crontab
        assert task.interval_id is None
        assert (crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year, crontab.day_of_week, str(crontab.timezone)) == (
            "30", "6", "*", "*", "1-5", "Asia/Shanghai",
        )  # fmt: skip
        assert PeriodicTask.objects.filter(name__startswith="connector-").count() == 1

        # Run now: both pages; the run page shows the counts worked out from the payloads above.
        page.locator("#run-now").click()
        expect(page.locator(".alert-success")).to_contain_text("was queued")
        run = SyncRun.objects.get(connector=connector, kind="run")
        assert (run.state, run.pages, run.fetched, run.accepted, run.duplicates, run.rejected) == ("partial", 2, 6, 9, 0, 3)
        page.goto(f"{live_server.url}/integrations/connectors/{connector.pk}/runs/{run.pk}/")
        expect(page.locator("h1")).to_contain_text(f"Run #{run.pk}")
        expect(page.locator("h1")).to_contain_text("Finished with rejected records")
        counts = dict(zip(page.locator("#run-counts dt").all_inner_texts(), page.locator("#run-counts dd").all_inner_texts(), strict=True))
        assert {name: counts[name] for name in ("Pages", "Records fetched", "Accepted", "Duplicates", "Rejected")} == {
            "Pages": "2", "Records fetched": "6", "Accepted": "9", "Duplicates": "0", "Rejected": "3",
        }  # fmt: skip
        assert [row[:2] + row[3:] for row in _rows(page.locator("#error-table tbody tr"))] == [
            ["1", "ED-4", "The issue was resolved without an assignee."],
            ["1", "ED-5", unlinked],
            ["1", "ED-5", unlinked],
        ]
        assert [request.body.get("nextPageToken") for request in replay.requests_to(SEARCH)] == [None, None, "page-2-token"]
    finally:
        replay.stop()

    jira = MetricRecord.objects.filter(source="jira", is_current=True).order_by("external_id")
    assert [(row.external_id, row.employee_id, row.period_start, row.value) for row in jira] == [
        ("jira:ED-2:jira_issues_resolved", worker.pk, date(2026, 10, 9), Decimal("1.0000")),
        ("jira:ED-2:jira_resolution_hours", worker.pk, date(2026, 10, 9), Decimal("30.5000")),
        ("jira:ED-2:jira_story_points", worker.pk, date(2026, 10, 9), Decimal("5.0000")),
        ("jira:ED-3:jira_issues_resolved", worker.pk, date(2026, 10, 14), Decimal("1.0000")),
        ("jira:ED-3:jira_resolution_hours", worker.pk, date(2026, 10, 14), Decimal("54.7500")),
        ("jira:ED-3:jira_story_points", worker.pk, date(2026, 10, 14), Decimal("8.0000")),
        ("jira:ED-6:jira_issues_resolved", worker.pk, date(2026, 10, 20), Decimal("1.0000")),
        ("jira:ED-6:jira_resolution_hours", worker.pk, date(2026, 10, 20), Decimal("26.0000")),
        ("jira:ED-6:jira_story_points", worker.pk, date(2026, 10, 20), Decimal("2.0000")),
    ]
    connector.refresh_from_db()
    assert connector.cursor == {"updated": "2026-10-20T03:00:00+00:00"}  # ED-6's `updated`, 11:00 Shanghai

    # 4. The scores moved: story points 7 + 5 + 8 + 2 = 22/24 → 91.67 → 64.17; resolved 2 + 3 = 5/4 → 125, capped 120 → 36.00.
    actuals = {"jira_story_points": Decimal(22), "jira_issues_resolved": Decimal(5)}
    after = _total(actuals)
    assert after == Decimal("100.17")
    _expect_total(page, live_server, assessment, after)
