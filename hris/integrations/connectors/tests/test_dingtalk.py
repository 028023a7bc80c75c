"""DingTalk attendance against a local replay server: cached token, 7-day / 50-user windows,
offset paging while hasMore, and the exact request bodies."""

from __future__ import annotations

from datetime import date

import pytest

from hris.integrations.connectors import engine
from hris.integrations.connectors.models import SyncRun
from hris.integrations.connectors.services import connector_create
from hris.integrations.connectors.tests.builders import DINGTALK_USERS, link
from hris.integrations.connectors.tests.replay import Answer, fixture
from hris.kpi.models import MetricRecord

pytestmark = pytest.mark.django_db
TOKEN = {"errcode": 0, "errmsg": "ok", "access_token": "token-abc", "expires_in": 7200}
# 2022-10-20 00:00 Shanghai in epoch milliseconds (the documented payload's workDate)
OCT_20 = 1666195200000
DAY = 86400000


def dingtalk(world, url: str, **options):  # noqa: ANN001, ANN003, ANN201
    return connector_create(
        actor=world.user("hr_admin"),
        company=world.company,
        name="钉钉考勤",
        vendor="dingtalk_attendance",
        base_url=url,
        credentials={"appkey": "ding-key", "appsecret": "ding-secret"},
        options=options,
    )


def check(record_id: int, user: str, day_offset: int, result: str) -> dict:
    return {"checkType": "OnDuty", "id": record_id, "userId": user, "workDate": OCT_20 + day_offset * DAY, "timeResult": result}


def execute(connector) -> SyncRun:  # noqa: ANN001
    run = SyncRun.objects.create(connector=connector)
    return engine.sync_run_execute(run_id=run.pk)


def test_the_documented_payload_gives_an_absence_for_the_linked_user(world, replay):  # noqa: ANN001
    link(world, "w1_worker", "dingtalk", "manager3451")
    replay.route("GET", "/gettoken", [Answer(200, TOKEN)])
    replay.route("POST", "/attendance/list", [Answer(200, fixture("dingtalk_attendance_list.json"))])
    connector = dingtalk(world, replay.url, date_from="2022-10-20", date_to="2022-10-20")

    run = execute(connector)

    assert (run.state, run.pages, run.fetched, run.accepted) == ("succeeded", 1, 1, 3)
    rows = MetricRecord.objects.filter(source="dingtalk-attendance").order_by("metric_key")
    assert list(rows.values_list("metric_key", "period_start", "value", "external_id")) == [
        ("attendance_absence", date(2022, 10, 20), 1, "dingtalk:260694657296:attendance_absence"),
        ("attendance_late", date(2022, 10, 20), 0, "dingtalk:260694657296:attendance_late"),
        ("attendance_normal", date(2022, 10, 20), 0, "dingtalk:260694657296:attendance_normal"),
    ]
    [token_request] = replay.requests_to("/gettoken")
    assert token_request.query == {"appkey": "ding-key", "appsecret": "ding-secret"}
    [request] = replay.requests_to("/attendance/list")
    assert request.query == {"access_token": "token-abc"}
    assert request.body == {
        "workDateFrom": "2022-10-20 00:00:00",
        "workDateTo": "2022-10-20 00:00:00",
        "userIdList": ["manager3451"],
        "offset": 0,
        "limit": 50,
    }
    connector.refresh_from_db()
    assert connector.cursor == {"date": "2022-10-20"}


def test_windows_of_seven_days_and_fifty_users_paged_by_has_more_with_one_token(world, replay):  # noqa: ANN001
    # Given 60 users (two chunks: 50 + 10) over 9 days (two windows: 7 + 2 days)
    users = [f"user{number:04d}" for number in range(1, 61)]
    link(world, "w1_worker", "dingtalk", "user0001")
    link(world, "w2_worker", "dingtalk", "user0002")
    replay.route("GET", "/gettoken", [Answer(200, TOKEN)])

    def answer(request):  # noqa: ANN001, ANN202
        body = request.body
        # the first window's first chunk has two pages; every other call one page
        if body["workDateFrom"] == "2022-10-20 00:00:00" and body["userIdList"][0] == "user0001":
            if body["offset"] == 0:
                return Answer(200, {"errcode": 0, "hasMore": True, "recordresult": [check(1, "user0001", 0, "Late")]})
            return Answer(200, {"errcode": 0, "hasMore": False, "recordresult": [check(2, "user0001", 1, "Normal")]})
        if body["workDateFrom"] == "2022-10-27 00:00:00" and body["userIdList"][0] == "user0001":
            return Answer(200, {"errcode": 0, "hasMore": False, "recordresult": [check(3, "user0002", 7, "SeriousLate")]})
        return Answer(200, {"errcode": 0, "hasMore": False, "recordresult": []})

    replay.route("POST", "/attendance/list", answer)
    connector = dingtalk(world, replay.url, date_from="2022-10-20", date_to="2022-10-28", user_ids=users)

    run = execute(connector)

    assert (run.state, run.pages, run.fetched, run.accepted) == ("succeeded", 5, 3, 9)
    assert len(replay.requests_to("/gettoken")) == 1  # cached across the five pages
    bodies = [
        (r.body["workDateFrom"], r.body["workDateTo"], r.body["userIdList"][0], len(r.body["userIdList"]), r.body["offset"])
        for r in replay.requests_to("/attendance/list")
    ]
    assert bodies == [
        ("2022-10-20 00:00:00", "2022-10-26 00:00:00", "user0001", 50, 0),
        ("2022-10-20 00:00:00", "2022-10-26 00:00:00", "user0001", 50, 50),
        ("2022-10-20 00:00:00", "2022-10-26 00:00:00", "user0051", 10, 0),
        ("2022-10-27 00:00:00", "2022-10-28 00:00:00", "user0001", 50, 0),
        ("2022-10-27 00:00:00", "2022-10-28 00:00:00", "user0051", 10, 0),
    ]
    late = MetricRecord.objects.filter(metric_key="attendance_late", value=1).order_by("period_start")
    assert list(late.values_list("employee__employee_number", "period_start")) == [
        (world.employee("w1_worker").employee_number, date(2022, 10, 20)),
        (world.employee("w2_worker").employee_number, date(2022, 10, 27)),
    ]

    # A second run within the token's lifetime asks for no new token
    execute(connector)
    assert len(replay.requests_to("/gettoken")) == 1


def test_users_default_to_the_linked_dingtalk_identities_and_an_expired_token_is_renewed_once(world, replay):  # noqa: ANN001
    for name, user in DINGTALK_USERS.items():
        link(world, name, "dingtalk", user)
    replay.route("GET", "/gettoken", [Answer(200, TOKEN), Answer(200, {**TOKEN, "access_token": "token-new"})])
    replay.route(
        "POST",
        "/attendance/list",
        [
            Answer(200, {"errcode": 42001, "errmsg": "access_token expired"}),
            Answer(200, {"errcode": 0, "hasMore": False, "recordresult": []}),
        ],
    )
    run = execute(dingtalk(world, replay.url, date_from="2022-10-20", date_to="2022-10-20"))
    assert run.state == "succeeded"
    assert [request.query["access_token"] for request in replay.requests_to("/attendance/list")] == ["token-abc", "token-new"]
    assert replay.requests_to("/attendance/list")[0].body["userIdList"] == ["manager3451", "user0002"]


def test_refused_app_credentials_fail_plainly(world, replay):  # noqa: ANN001
    replay.route("GET", "/gettoken", [Answer(200, {"errcode": 40089, "errmsg": "invalid appkey or appsecret"})])
    link(world, "w1_worker", "dingtalk", "manager3451")
    run = execute(dingtalk(world, replay.url, date_from="2022-10-20", date_to="2022-10-20"))
    assert (run.state, run.error_message) == ("failed", "DingTalk refused the app key and secret: invalid appkey or appsecret")
