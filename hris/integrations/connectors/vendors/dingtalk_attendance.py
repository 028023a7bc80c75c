"""DingTalk attendance: `GET /gettoken` (cached until shortly before it expires), then
`POST /attendance/list?access_token=…` over windows of at most 7 days and at most 50 users,
paged by offset/limit (limit 50) while `hasMore`.

Every check result gives, dated on its work day, one record per metric (external id
`dingtalk:<record id>:<metric key>`): late (1 when timeResult is Late or SeriousLate),
absence (1 when NotSigned) and normal (1 when Normal). Summed per day they are the late count
and the absences; averaged, normal is the normal rate. The users are the DingTalk identities
of the company's employees (people → external identities, system "dingtalk") unless the
options list `user_ids`. The cursor is the last work day synced; the next run starts there
(a day late corrections may change is read again; the idempotent submit absorbs repeats).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.integrations.connectors.http import HttpClient, SyncError
from hris.integrations.connectors.mapping import SLUG, owner_fields
from hris.integrations.connectors.vendors.base import Adapter, Page

WINDOW_DAYS = 7
USERS_PER_CALL = 50
PAGE_LIMIT = 50
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid or expired access token
METRICS = ("late", "absence", "normal")
DEFAULT_MAPPING = {
    "employee_system": "dingtalk",
    "metrics": {"late": "attendance_late", "absence": "attendance_absence", "normal": "attendance_normal"},
}


def windows(start: date, end: date) -> list[tuple[date, date]]:
    """Consecutive windows of at most 7 work days covering start..end."""
    found = []
    while start <= end:
        last = min(start + timedelta(days=WINDOW_DAYS - 1), end)
        found.append((start, last))
        start = last + timedelta(days=1)
    return found


def _token_cache_key(base_url: str, appkey: str) -> str:
    return "connectors:dingtalk-token:" + hashlib.sha256(f"{base_url}|{appkey}".encode()).hexdigest()


def access_token(client: HttpClient, base_url: str, credentials: dict, *, refresh: bool = False) -> str:
    key = _token_cache_key(base_url, credentials.get("appkey", ""))
    if not refresh:
        cached = cache.get(key)
        if cached:
            return cached
    answer = client.request_json(
        "GET",
        base_url.rstrip("/") + "/gettoken",
        params={"appkey": credentials.get("appkey", ""), "appsecret": credentials.get("appsecret", "")},
    )
    if not isinstance(answer, dict) or answer.get("errcode") != 0 or not answer.get("access_token"):
        message = answer.get("errmsg") if isinstance(answer, dict) else ""
        raise SyncError(_("DingTalk refused the app key and secret: %(message)s") % {"message": message or _("no access token")})
    lifetime = int(answer.get("expires_in") or 7200)
    cache.set(key, answer["access_token"], timeout=max(lifetime - 300, 60))
    return answer["access_token"]


class DingTalkAttendanceAdapter(Adapter):
    credential_fields = ("appkey", "appsecret")
    default_mapping = DEFAULT_MAPPING
    default_options = {"days_back": 7}

    def validate(self, *, base_url: str, mapping: dict, options: dict, credentials: dict) -> dict[str, list[str]]:
        problems: dict[str, list[str]] = {}
        if not base_url:
            problems["base_url"] = [_("Give the DingTalk API address, e.g. https://oapi.dingtalk.com.")]
        for name in self.credential_fields:
            if not credentials.get(name):
                problems[f"credential_{name}"] = [_("Required: DingTalk issues tokens for the app's AppKey and AppSecret.")]
        metrics = mapping.get("metrics") if isinstance(mapping, dict) else None
        if not isinstance(metrics, dict) or not metrics:
            problems["mapping"] = [_("“metrics” must map some of %(names)s to metric keys.") % {"names": ", ".join(METRICS)}]
        else:
            bad = [name for name, key in metrics.items() if name not in METRICS or (key and not SLUG.match(str(key)))]
            if bad:
                problems["mapping"] = [
                    _("Check %(names)s: use late, absence or normal, each mapped to a metric key (letters, digits, hyphens, underscores).")
                    % {"names": ", ".join(bad)}
                ]
        days = options.get("days_back", 7)
        if not isinstance(days, int) or not 1 <= days <= 366:
            problems["options"] = [_("“days_back” must be a whole number of days from 1 to 366.")]
        users = options.get("user_ids")
        if users is not None and (not isinstance(users, list) or not all(isinstance(user, str) and user for user in users)):
            problems.setdefault("options", []).append(_("“user_ids” must be a list of DingTalk user ids."))
        for name in ("date_from", "date_to"):
            if options.get(name):
                try:
                    date.fromisoformat(options[name])
                except (TypeError, ValueError):
                    problems.setdefault("options", []).append(_("“%(name)s” must be a date like 2026-10-01.") % {"name": name})
        return problems

    def _users(self, connector: Any) -> list[str]:
        if connector.options.get("user_ids"):
            return sorted(set(connector.options["user_ids"]))
        from hris.people.models import ExternalIdentity

        system = (connector.mapping or DEFAULT_MAPPING).get("employee_system") or "dingtalk"
        identities = ExternalIdentity.objects.filter(company_id=connector.company_id, system=system)
        return sorted(identities.values_list("external_id", flat=True))

    def initial_state(self, connector: Any, cursor: dict) -> dict:
        options = {**self.default_options, **connector.options}
        yesterday = timezone.localdate() - timedelta(days=1)
        end = date.fromisoformat(options["date_to"]) if options.get("date_to") else yesterday
        if options.get("date_from") and not cursor.get("date"):
            start = date.fromisoformat(options["date_from"])
        elif cursor.get("date"):
            start = date.fromisoformat(cursor["date"])
        else:
            start = end - timedelta(days=int(options["days_back"]) - 1)
        return {
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "users": self._users(connector),
            "window": 0,
            "chunk": 0,
            "offset": 0,
        }

    def request_body(self, state: dict) -> dict | None:
        spans = windows(date.fromisoformat(state["date_from"]), date.fromisoformat(state["date_to"]))
        users = state["users"]
        if state["window"] >= len(spans) or not users:
            return None
        first, last = spans[state["window"]]
        chunk = users[state["chunk"] * USERS_PER_CALL : (state["chunk"] + 1) * USERS_PER_CALL]
        return {
            "workDateFrom": f"{first.isoformat()} 00:00:00",
            "workDateTo": f"{last.isoformat()} 00:00:00",
            "userIdList": chunk,
            "offset": state["offset"],
            "limit": PAGE_LIMIT,
        }

    def following(self, state: dict, has_more: bool) -> dict | None:
        if has_more:
            return {**state, "offset": state["offset"] + PAGE_LIMIT}
        chunks = (len(state["users"]) + USERS_PER_CALL - 1) // USERS_PER_CALL
        if state["chunk"] + 1 < chunks:
            return {**state, "chunk": state["chunk"] + 1, "offset": 0}
        spans = windows(date.fromisoformat(state["date_from"]), date.fromisoformat(state["date_to"]))
        if state["window"] + 1 < len(spans):
            return {**state, "window": state["window"] + 1, "chunk": 0, "offset": 0}
        return None

    def fetch_page(self, connector: Any, client: HttpClient, state: dict, cursor: dict) -> Page:
        body = self.request_body(state)
        done_cursor = {"date": state["date_to"]} if state["date_from"] <= state["date_to"] else {}
        if body is None:
            return Page(rows=0, records=[], next_state=None, cursor=done_cursor)
        base_url, credentials = connector.base_url, connector.credentials
        answer: Any = None
        for refresh in (False, True):
            token = access_token(client, base_url, credentials, refresh=refresh)
            answer = client.request_json("POST", base_url.rstrip("/") + "/attendance/list", params={"access_token": token}, json=body)
            if not (isinstance(answer, dict) and answer.get("errcode") in TOKEN_ERRORS):
                break
        if not isinstance(answer, dict) or answer.get("errcode") != 0:
            message = answer.get("errmsg") if isinstance(answer, dict) else ""
            code = answer.get("errcode") if isinstance(answer, dict) else ""
            raise SyncError(_("DingTalk answered error %(code)s: %(message)s") % {"code": code, "message": message})
        rows = answer.get("recordresult") or []
        records, errors = self.check_records(rows, connector.mapping or DEFAULT_MAPPING)
        next_state = self.following(state, bool(answer.get("hasMore")) and bool(rows))
        return Page(rows=len(rows), records=records, errors=errors, next_state=next_state, cursor=done_cursor, sample=rows[:5])

    def check_records(self, rows: list[dict], mapping: dict) -> tuple[list[dict], list[dict]]:
        keys = {name: key for name, key in (mapping.get("metrics") or {}).items() if key}
        system = mapping.get("employee_system") or "dingtalk"
        records: list[dict] = []
        errors: list[dict] = []
        for row in rows:
            record_id, user, work_date, result = row.get("id"), row.get("userId"), row.get("workDate"), row.get("timeResult")
            if record_id in (None, "") or not user or not isinstance(work_date, int | float) or not result:
                errors.append(
                    {"row": str(record_id or "?"), "errors": [_("The check record lacks its id, userId, workDate or timeResult.")]}
                )
                continue
            day = timezone.localtime(datetime.fromtimestamp(work_date / 1000, tz=timezone.get_current_timezone())).date()
            values = {
                "late": 1 if result in ("Late", "SeriousLate") else 0,
                "absence": 1 if result == "NotSigned" else 0,
                "normal": 1 if result == "Normal" else 0,
            }
            for name, value in values.items():
                if name in keys:
                    records.append(
                        {
                            **owner_fields(system, user),
                            "metric_key": keys[name],
                            "date": day.isoformat(),
                            "value": value,
                            "external_id": f"dingtalk:{record_id}:{keys[name]}",
                            "_row": str(record_id),
                        }
                    )
        return records, errors
