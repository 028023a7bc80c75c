"""Jira Cloud: `POST /rest/api/3/search/jql` with explicit `fields`, paged by `nextPageToken`
(absent on the last page; the response has no total). Basic auth with email and API token.

Every resolved issue with an assignee gives, dated on its resolution day, one record per metric
(external id `jira:<issue key>:<metric key>`, so re-runs never duplicate and a changed value
supersedes): issues resolved (1), story points delivered (the configurable custom field),
resolution time in hours (created → resolutiondate) and on time (1 if resolved on or before the
due date, else 0; only when a due date is set). KPI indicators aggregate them per period: sum,
sum, avg, and avg (the on-time ratio). The incremental cursor is the latest `updated` seen;
the next run asks for `updated >= "<cursor>"` (minute precision, so the edge overlaps and the
idempotent submit absorbs the repeats).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from hris.integrations.connectors.http import HttpClient, SyncError
from hris.integrations.connectors.mapping import SLUG, local_date, owner_fields
from hris.integrations.connectors.vendors.base import Adapter, Page

METRICS = ("issues_resolved", "story_points", "resolution_hours", "on_time")
DEFAULT_MAPPING = {
    "employee_system": "jira",
    "metrics": {
        "issues_resolved": "jira_issues_resolved",
        "story_points": "jira_story_points",
        "resolution_hours": "jira_resolution_hours",
        "on_time": "jira_on_time",
    },
}


def parse_jira_time(value: Any) -> datetime | None:
    """ "2023-06-24T19:24:50.000+0000" → an aware datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


class JiraAdapter(Adapter):
    credential_fields = ("email", "api_token")
    default_mapping = DEFAULT_MAPPING
    default_options = {"jql": "statusCategory = Done", "story_points_field": "customfield_10016", "page_size": 50}

    def validate(self, *, base_url: str, mapping: dict, options: dict, credentials: dict) -> dict[str, list[str]]:
        problems: dict[str, list[str]] = {}
        if not base_url:
            problems["base_url"] = [_("Give your Jira site, e.g. https://your-domain.atlassian.net.")]
        for name in self.credential_fields:
            if not credentials.get(name):
                problems[f"credential_{name}"] = [_("Required: Jira signs in with the account email and an API token.")]
        metrics = mapping.get("metrics") if isinstance(mapping, dict) else None
        mapping_problems = []
        if not isinstance(metrics, dict) or not metrics:
            mapping_problems.append(_("“metrics” must map some of %(names)s to metric keys.") % {"names": ", ".join(METRICS)})
        else:
            for name, key in metrics.items():
                if name not in METRICS:
                    mapping_problems.append(
                        _("“%(name)s” is not a Jira metric (use %(names)s).") % {"name": name, "names": ", ".join(METRICS)}
                    )
                elif key and not SLUG.match(str(key)):
                    mapping_problems.append(_("Metric key “%(key)s” may use only letters, digits, hyphens and underscores.") % {"key": key})
        if mapping_problems:
            problems["mapping"] = mapping_problems
        size = options.get("page_size", 50)
        if not isinstance(size, int) or not 1 <= size <= 5000:
            problems["options"] = [_("“page_size” must be a whole number from 1 to 5000.")]
        if not str(options.get("story_points_field", "customfield_10016")).strip():
            problems.setdefault("options", []).append(_("Name the story-points field (e.g. customfield_10016)."))
        return problems

    def jql(self, options: dict, cursor: dict) -> str:
        base = (options.get("jql") or "").strip()
        parts = [f"({base})"] if base else []
        since = cursor.get("updated")
        if since:
            moment = datetime.fromisoformat(since).astimezone(UTC)
            parts.append(f'updated >= "{moment:%Y/%m/%d %H:%M}"')
        return " AND ".join(parts) + " ORDER BY updated ASC"

    def initial_state(self, connector: Any, cursor: dict) -> dict:
        return {"nextPageToken": None, "page": 1}

    def fetch_page(self, connector: Any, client: HttpClient, state: dict, cursor: dict) -> Page:
        options = {**self.default_options, **connector.options}
        points_field = str(options["story_points_field"]).strip()
        body: dict[str, Any] = {
            "jql": self.jql(options, cursor),
            "fields": ["summary", "assignee", "created", "updated", "resolutiondate", "duedate", "status", points_field],
            "maxResults": options["page_size"],
        }
        if state.get("nextPageToken"):
            body["nextPageToken"] = state["nextPageToken"]
        credentials = connector.credentials
        answer = client.request_json(
            "POST",
            connector.base_url.rstrip("/") + "/rest/api/3/search/jql",
            json=body,
            auth=(credentials.get("email", ""), credentials.get("api_token", "")),
            headers={"Accept": "application/json"},
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("issues", []), list):
            raise SyncError(_("Jira answered without an “issues” list; is the base URL a Jira Cloud site?"))
        issues = answer.get("issues") or []
        records, errors, latest = self.issue_records(issues, connector.mapping or DEFAULT_MAPPING, points_field)
        token = answer.get("nextPageToken")
        next_state = {"nextPageToken": token, "page": state.get("page", 1) + 1} if token and not answer.get("isLast") else None
        return Page(
            rows=len(issues),
            records=records,
            errors=errors,
            next_state=next_state,
            cursor={"updated": latest} if latest else {},
            sample=issues[:5],
        )

    def issue_records(self, issues: list[dict], mapping: dict, points_field: str) -> tuple[list[dict], list[dict], str]:
        keys = {name: key for name, key in (mapping.get("metrics") or {}).items() if key}
        system = mapping.get("employee_system") or "jira"
        records: list[dict] = []
        errors: list[dict] = []
        latest = ""
        for issue in issues:
            fields = issue.get("fields") or {}
            issue_key = str(issue.get("key") or issue.get("id") or "")
            updated = parse_jira_time(fields.get("updated"))
            if updated is not None:
                latest = max(latest, updated.astimezone(UTC).isoformat())
            resolved = parse_jira_time(fields.get("resolutiondate"))
            if resolved is None:
                continue  # not resolved (yet, or any more): nothing delivered
            account = (fields.get("assignee") or {}).get("accountId")
            if not account:
                errors.append({"row": issue_key, "errors": [_("The issue was resolved without an assignee.")]})
                continue
            day = local_date(resolved)
            values: dict[str, Any] = {"issues_resolved": 1}
            points = fields.get(points_field)
            if isinstance(points, int | float) and not isinstance(points, bool):
                values["story_points"] = repr(points) if isinstance(points, float) else points
            created = parse_jira_time(fields.get("created"))
            if created is not None:
                hours = Decimal((resolved - created).total_seconds()) / Decimal(3600)
                values["resolution_hours"] = hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if fields.get("duedate"):
                try:
                    due = date.fromisoformat(str(fields["duedate"])[:10])
                except ValueError:
                    errors.append(
                        {"row": issue_key, "errors": [_("The due date “%(value)s” is not a date.") % {"value": fields["duedate"]}]}
                    )
                else:
                    values["on_time"] = 1 if day <= due else 0
            for name, value in values.items():
                if name in keys:
                    records.append(
                        {
                            **owner_fields(system, account),
                            "metric_key": keys[name],
                            "date": day.isoformat(),
                            "value": value,
                            "external_id": f"jira:{issue_key}:{keys[name]}",
                            "_row": issue_key,
                        }
                    )
        return records, errors, latest
