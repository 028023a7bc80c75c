"""Connectors, identities and vendor pages for tests."""

from __future__ import annotations

from typing import Any

from hris.integrations.connectors.models import Connector
from hris.integrations.connectors.services import connector_create
from hris.people.models import ExternalIdentity

JIRA_ACCOUNTS = {"w1_worker": "5b10a2844c20165700ede21g", "w2_worker": "5b10ac8d82e05b22cc7d4ef5"}
DINGTALK_USERS = {"w1_worker": "manager3451", "w2_worker": "user0002"}


def link(world: Any, name: str, system: str, external_id: str) -> None:
    employee = world.employee(name)
    ExternalIdentity.objects.create(company=employee.company, employee=employee, system=system, external_id=external_id)


def jira_connector(world: Any, url: str, **options: Any) -> Connector:
    for name, account in JIRA_ACCOUNTS.items():
        link(world, name, "jira", account)
    return connector_create(
        actor=world.user("hr_admin"),
        company=world.company,
        name="Jira 研发",
        vendor="jira",
        base_url=url,
        credentials={"email": "hr@acme.example", "api_token": "jira-secret-token"},
        options={"jql": "project = EX AND statusCategory = Done", "story_points_field": "customfield_10016", "page_size": 2, **options},
    )


def issue(
    key: str,
    account: str | None,
    *,
    created: str,
    resolved: str | None,
    due: str | None = None,
    points: Any = None,
    updated: str | None = None,
) -> dict:
    """An issue shaped like jira_search_jql_full.json's, with the fields a connector asks for."""
    fields: dict[str, Any] = {
        "summary": f"Issue {key}",
        "created": created,
        "updated": updated or resolved or created,
        "resolutiondate": resolved,
        "duedate": due,
        "status": {"name": "Done", "statusCategory": {"key": "done"}},
        "customfield_10016": points,
        "assignee": {"accountId": account, "displayName": "Someone"} if account else None,
    }
    return {
        "expand": "",
        "id": key.split("-")[1],
        "key": key,
        "self": f"https://your-domain.atlassian.net/rest/api/3/issue/{key}",
        "fields": fields,
    }


def jira_page(issues: list[dict], token: str | None) -> dict:
    page: dict[str, Any] = {"isLast": token is None, "issues": issues}
    if token:
        page["nextPageToken"] = token
    return page


W1, W2 = JIRA_ACCOUNTS["w1_worker"], JIRA_ACCOUNTS["w2_worker"]
# Three pages of two issues (page_size 2): five resolved (one without a due date, one late) and one still open.
JIRA_PAGES = [
    jira_page(
        [
            issue("EX-1", W1, created="2026-10-01T09:00:00.000+0800", resolved="2026-10-02T15:00:00.000+0800", due="2026-10-03", points=3),
            issue(
                "EX-2", W2, created="2026-10-01T09:00:00.000+0800", resolved="2026-10-05T09:00:00.000+0800", due="2026-10-04", points=5.5
            ),
        ],
        "token-page-2",
    ),
    jira_page(
        [
            issue("EX-3", W1, created="2026-10-02T10:00:00.000+0800", resolved="2026-10-02T22:30:00.000+0800", points=2),
            issue("EX-4", W1, created="2026-10-06T10:00:00.000+0800", resolved=None, updated="2026-10-06T11:00:00.000+0800"),
        ],
        "token-page-3",
    ),
    jira_page(
        [
            issue("EX-5", W2, created="2026-10-03T08:00:00.000+0800", resolved="2026-10-07T08:00:00.000+0800", due="2026-10-07"),
            issue("EX-6", W1, created="2026-10-06T08:00:00.000+0800", resolved="2026-10-06T20:00:00.000+0800", due="2026-10-09", points=1),
        ],
        None,
    ),
]
