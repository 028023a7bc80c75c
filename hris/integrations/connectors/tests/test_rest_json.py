"""Generic REST/JSON: each auth kind, each pagination kind, the path syntax and the incremental cursor."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from hris.core.errors import DomainError
from hris.integrations.connectors import engine
from hris.integrations.connectors.models import SyncRun
from hris.integrations.connectors.paths import MISSING, PathError, parse_path, resolve
from hris.integrations.connectors.services import connector_create
from hris.integrations.connectors.tests.replay import Answer
from hris.kpi.models import MetricRecord

pytestmark = pytest.mark.django_db
MAPPING = {
    "records": "data.items",
    "employee": "owner.number",
    "employee_system": "employee_number",
    "date": "closed_at",
    "external_id": "id",
    "metrics": [{"key": "deal_amount", "value": "amount"}, {"key": "deals_won", "value": "=1"}],
}


def deals(world, start: int, count: int) -> list[dict]:  # noqa: ANN001
    number = world.employee("sales_rep").employee_number
    return [
        {"id": f"D{n}", "owner": {"number": number}, "closed_at": "2026-10-05T18:30:00+08:00", "amount": 100 * n}
        for n in range(start, start + count)
    ]


def rest(world, url: str, credentials: dict, **options):  # noqa: ANN001, ANN003, ANN201
    return connector_create(
        actor=world.user("hr_admin"),
        company=world.company,
        name=f"CRM {options.get('auth')}",
        vendor="rest_json",
        source=f"crm-{options.get('auth')}",
        base_url=url,
        credentials=credentials,
        mapping=MAPPING,
        options={"path": "/api/deals", **options},
    )


def execute(connector) -> SyncRun:  # noqa: ANN001
    return engine.sync_run_execute(run_id=SyncRun.objects.create(connector=connector).pk)


def test_bearer_auth_with_page_numbers_until_a_short_page(world, replay):  # noqa: ANN001
    pages = {"1": deals(world, 1, 2), "2": deals(world, 3, 2), "3": deals(world, 5, 1)}
    replay.route("GET", "/api/deals", lambda request: Answer(200, {"data": {"items": pages[request.query["page"]]}}))
    connector = rest(
        world,
        replay.url,
        {"token": "bearer-123"},
        auth="bearer",
        pagination={"type": "page", "param": "page", "start": 1, "size_param": "per_page", "size": 2},
    )

    run = execute(connector)

    assert (run.state, run.pages, run.fetched, run.accepted) == ("succeeded", 3, 5, 10)
    requests = replay.requests_to("/api/deals")
    assert [request.query for request in requests] == [
        {"page": "1", "per_page": "2"},
        {"page": "2", "per_page": "2"},
        {"page": "3", "per_page": "2"},
    ]
    assert {request.headers["Authorization"] for request in requests} == {"Bearer bearer-123"}
    amounts = MetricRecord.objects.filter(metric_key="deal_amount").order_by("external_id")
    assert [(row.external_id, row.value, str(row.period_start)) for row in amounts] == [
        (f"D{n}:deal_amount", Decimal(100 * n), "2026-10-05") for n in range(1, 6)
    ]


def test_basic_auth_with_offset_and_limit(world, replay):  # noqa: ANN001
    all_deals = deals(world, 1, 5)
    replay.route(
        "GET", "/api/deals", lambda r: Answer(200, {"data": {"items": all_deals[int(r.query["offset"]) : int(r.query["offset"]) + 2]}})
    )
    connector = rest(
        world,
        replay.url,
        {"username": "renshi", "password": "pw"},
        auth="basic",
        pagination={"type": "offset", "offset_param": "offset", "limit_param": "limit", "limit": 2},
    )

    run = execute(connector)

    assert (run.state, run.pages, run.fetched, run.accepted) == ("succeeded", 3, 5, 10)
    requests = replay.requests_to("/api/deals")
    assert [request.query["offset"] for request in requests] == ["0", "2", "4"]
    assert requests[0].headers["Authorization"] == "Basic " + base64.b64encode(b"renshi:pw").decode()


def test_api_key_header_with_a_cursor_from_the_response_and_an_incremental_since(world, replay):  # noqa: ANN001
    pages = {
        None: ({"data": {"items": deals(world, 1, 2)}, "meta": {"next": "c2"}}),
        "c2": {"data": {"items": deals(world, 3, 1)}, "meta": {}},
    }
    for page in pages.values():
        for position, deal in enumerate(page["data"]["items"]):
            deal["updated_at"] = f"2026-10-0{5 + position}T00:00:00Z"
    replay.route("GET", "/api/deals", lambda r: Answer(200, pages[r.query.get("cursor")]))
    connector = rest(
        world,
        replay.url,
        {"api_key": "key-9"},
        auth="api_key",
        api_key_header="X-Api-Key",
        pagination={"type": "cursor", "param": "cursor", "next_path": "meta.next"},
        incremental={"param": "updated_since", "field": "updated_at"},
    )

    run = execute(connector)

    assert (run.state, run.pages, run.accepted) == ("succeeded", 2, 6)
    requests = replay.requests_to("/api/deals")
    assert [request.query for request in requests] == [{}, {"cursor": "c2"}]
    assert requests[0].headers["X-Api-Key"] == "key-9"
    connector.refresh_from_db()
    assert connector.cursor == {"since": "2026-10-06T00:00:00Z"}
    execute(connector)
    assert replay.requests_to("/api/deals")[-2].query == {"updated_since": "2026-10-06T00:00:00Z"}


def test_rows_missing_mapped_fields_are_rejected_with_the_field_named_and_the_rest_stored(world, replay):  # noqa: ANN001
    rows = deals(world, 1, 2) + [
        {"id": "D9", "closed_at": "2026-10-05", "amount": 5},
        {"id": "D10", "owner": {"number": "E-NOPE"}, "closed_at": "2026-10-05", "amount": "x"},
    ]  # noqa: E501
    replay.route("GET", "/api/deals", [Answer(200, {"data": {"items": rows}})])
    run = execute(rest(world, replay.url, {"token": "t"}, auth="bearer", pagination={"type": "none"}))
    assert (run.state, run.fetched, run.accepted, run.rejected) == ("partial", 4, 4, 3)
    assert [(error["row"], error["errors"]) for error in run.errors] == [
        ("0:3", ["no employee (“owner.number”)"]),
        ("0:4", ["value: “x” is not a number.", "employee_number: No employee has the number “E-NOPE”."]),
        ("0:4", ["employee_number: No employee has the number “E-NOPE”."]),
    ]


def test_a_records_path_that_is_not_a_list_fails_plainly(world, replay):  # noqa: ANN001
    replay.route("GET", "/api/deals", [Answer(200, {"data": {"items": {"id": 1}}})])
    run = execute(rest(world, replay.url, {"token": "t"}, auth="bearer", pagination={"type": "none"}))
    assert (run.state, run.error_message) == ("failed", "“data.items” in the response is not a list of records.")


def test_a_bad_mapping_is_refused_when_saved(world):  # noqa: ANN001
    with pytest.raises(DomainError) as refused:
        connector_create(
            actor=world.user("hr_admin"),
            company=world.company,
            name="Bad",
            vendor="rest_json",
            base_url="https://crm.example",
            mapping={"records": "data..items", "employee": "a", "date": "b"},
            options={"pagination": {"type": "pages"}},
        )
    assert refused.value.field_errors == {
        "mapping": [
            "The mapping needs “metrics”.",
            "records: “data..items” is not a valid path (use names separated by dots, [n] or [*]).",
        ],
        "options": ["“pagination.type” must be one of page, offset, cursor, none."],
        "credential_token": ["Required for the chosen authentication."],
    }


def test_the_path_syntax():
    document = {"data": {"items": [{"v": 1, "tags": ["a"]}, {"v": 2, "tags": []}]}}
    assert parse_path("data.items[0].v") == ["data", "items", 0, "v"]
    assert resolve(document, "data.items[*].v") == [1, 2]
    assert resolve(document, "data.items[1].v") == 2
    assert resolve(document, "$.data.items[0].tags[0]") == "a"
    assert resolve(document, "data.items[5]") is MISSING
    assert resolve(document, "") is document
    with pytest.raises(PathError):
        parse_path("data.[x]")
