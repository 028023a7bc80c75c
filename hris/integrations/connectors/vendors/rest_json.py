"""Generic REST/JSON: bearer, basic or API-key-header auth; page-number, offset/limit or
cursor-from-response pagination; rows and fields picked with the path syntax of paths.py.

Options (JSON): {"path": "/api/deals", "params": {...}, "auth": "bearer" | "basic" | "api_key" | "none",
"api_key_header": "X-API-Key", "pagination": {"type": "page", "param": "page", "start": 1,
"size_param": "per_page", "size": 100} | {"type": "offset", "offset_param": "offset",
"limit_param": "limit", "limit": 100} | {"type": "cursor", "param": "cursor", "next_path": "meta.next"}
| {"type": "none"}, "incremental": {"param": "updated_since", "field": "updated_at"}}.
Credentials: {"token"} (bearer), {"username", "password"} (basic), {"api_key"} (API key).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from django.utils.translation import gettext as _

from hris.integrations.connectors.http import HttpClient, SyncError
from hris.integrations.connectors.mapping import json_getter, map_rows, validate_mapping
from hris.integrations.connectors.paths import MISSING, PathError, parse_path, resolve
from hris.integrations.connectors.vendors.base import Adapter, Page

AUTH_KINDS = ("bearer", "basic", "api_key", "none")
PAGINATION_KINDS = ("page", "offset", "cursor", "none")


def auth_for(options: dict, credentials: dict) -> tuple[dict, Any]:
    """(headers, requests auth) for the configured kind."""
    kind = options.get("auth", "bearer")
    if kind == "bearer":
        return {"Authorization": f"Bearer {credentials.get('token', '')}"}, None
    if kind == "basic":
        return {}, (credentials.get("username", ""), credentials.get("password", ""))
    if kind == "api_key":
        return {options.get("api_key_header") or "X-API-Key": credentials.get("api_key", "")}, None
    return {}, None


class RestJsonAdapter(Adapter):
    credential_fields = ("token", "username", "password", "api_key")
    default_options = {"path": "/", "auth": "bearer", "pagination": {"type": "page", "param": "page", "start": 1, "size": 100}}
    default_mapping = {
        "records": "data",
        "employee": "employee_number",
        "employee_system": "employee_number",
        "date": "date",
        "external_id": "id",
        "metrics": [{"key": "metric_key", "value": "value"}],
    }

    def validate(self, *, base_url: str, mapping: dict, options: dict, credentials: dict) -> dict[str, list[str]]:
        problems: dict[str, list[str]] = {}
        if not base_url:
            problems["base_url"] = [_("Give the API's base URL.")]
        mapping_problems = validate_mapping(mapping, needs_records_path=True)
        if mapping_problems:
            problems["mapping"] = mapping_problems
        option_problems = []
        if options.get("auth", "bearer") not in AUTH_KINDS:
            option_problems.append(_("“auth” must be one of %(kinds)s.") % {"kinds": ", ".join(AUTH_KINDS)})
        pagination = options.get("pagination") or {"type": "none"}
        if not isinstance(pagination, dict) or pagination.get("type") not in PAGINATION_KINDS:
            option_problems.append(_("“pagination.type” must be one of %(kinds)s.") % {"kinds": ", ".join(PAGINATION_KINDS)})
        elif pagination["type"] == "cursor":
            try:
                parse_path(pagination.get("next_path") or "")
                if not pagination.get("next_path"):
                    raise PathError(_("Cursor pagination needs “next_path”, where the response holds the next cursor."))
            except PathError as error:
                option_problems.append(str(error))
        if option_problems:
            problems["options"] = option_problems
        needed = {"bearer": ("token",), "basic": ("username", "password"), "api_key": ("api_key",)}.get(options.get("auth", "bearer"), ())
        for name in needed:
            if not credentials.get(name):
                problems[f"credential_{name}"] = [_("Required for the chosen authentication.")]
        return problems

    def initial_state(self, connector: Any, cursor: dict) -> dict:
        pagination = connector.options.get("pagination") or {"type": "none"}
        kind = pagination.get("type", "none")
        if kind == "page":
            return {"page": int(pagination.get("start", 1))}
        if kind == "offset":
            return {"offset": 0}
        return {"cursor": None}

    def fetch_page(self, connector: Any, client: HttpClient, state: dict, cursor: dict) -> Page:
        options, mapping = connector.options, connector.mapping
        pagination = options.get("pagination") or {"type": "none"}
        kind = pagination.get("type", "none")
        params = dict(options.get("params") or {})
        incremental = options.get("incremental") or {}
        if incremental.get("param") and cursor.get("since"):
            params[incremental["param"]] = cursor["since"]
        if kind == "page":
            params[pagination.get("param", "page")] = state["page"]
            if pagination.get("size_param"):
                params[pagination["size_param"]] = pagination.get("size", 100)
        elif kind == "offset":
            params[pagination.get("offset_param", "offset")] = state["offset"]
            params[pagination.get("limit_param", "limit")] = pagination.get("limit", 100)
        elif kind == "cursor" and state.get("cursor"):
            params[pagination.get("param", "cursor")] = state["cursor"]
        headers, auth = auth_for(options, connector.credentials)
        url = urljoin(connector.base_url.rstrip("/") + "/", (options.get("path") or "").lstrip("/"))
        body = client.request_json(options.get("method", "GET"), url, params=params, headers=headers, auth=auth)
        rows = resolve(body, mapping["records"])
        if rows is MISSING or rows is None:
            rows = []
        if not isinstance(rows, list):
            raise SyncError(_("“%(path)s” in the response is not a list of records.") % {"path": mapping["records"]})
        base = state.get("page", state.get("offset", 0))
        records, errors = map_rows(rows, mapping, getter=json_getter, row_label=lambda position: f"{base}:{position + 1}")
        page_cursor = {}
        if incremental.get("field"):
            seen = [resolve(row, incremental["field"]) for row in rows]
            seen = [str(value) for value in seen if value not in (MISSING, None, "")]
            if seen:
                page_cursor = {"since": max(seen)}
        next_state = None
        if kind == "page":
            size = int(pagination.get("size", 100))
            if rows and (not pagination.get("size_param") or len(rows) >= size):
                next_state = {"page": state["page"] + 1}
        elif kind == "offset":
            limit = int(pagination.get("limit", 100))
            if len(rows) >= limit:
                next_state = {"offset": state["offset"] + len(rows)}
        elif kind == "cursor":
            following = resolve(body, pagination["next_path"])
            if following not in (MISSING, None, "") and rows:
                next_state = {"cursor": following}
        return Page(rows=len(rows), records=records, errors=errors, next_state=next_state, cursor=page_cursor, sample=rows[:5])
