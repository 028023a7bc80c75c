"""POST /api/v1/metrics/batches/ and the batch status: scopes, idempotency, per-record errors, limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings

from hris.audit.models import AuditEvent
from hris.core.tests.api.support import error_body, session_client, token_client
from hris.integrations.models import IngestionBatch
from hris.kpi.models import ComputationRun, MetricRecord
from hris.kpi.tests.engine.scenario import manufacturing
from hris.people.models import ExternalIdentity

URL = "/api/v1/metrics/batches/"


def record(number: str, external_id: str, value: object = 5, **extra: object) -> dict:
    return {
        "employee": {"number": number},
        "metric_key": "output",
        "date": "2026-10-05",
        "value": value,
        "external_id": external_id,
        **extra,
    }


def post(client, records: list, source: str = "jira", **extra: object):  # noqa: ANN001, ANN201
    return client.post(URL, {"source": source, "records": records, **extra}, format="json")


def stored() -> list[tuple]:
    return list(MetricRecord.objects.order_by("pk").values_list("source", "external_id", "value", "is_current"))


def test_no_token_is_401_and_nothing_is_stored(world, client):  # noqa: ANN001
    from rest_framework.test import APIClient

    response = APIClient().post(URL, {"source": "jira", "records": [record("W1W", "a")]}, format="json")
    assert response.status_code == 401
    assert MetricRecord.objects.count() == 0
    assert IngestionBatch.objects.count() == 0


def test_a_token_without_metrics_write_is_403_and_nothing_is_stored(world):  # noqa: ANN001
    client = token_client(world, "hr_admin", "employees:read kpi:read")
    events = AuditEvent.objects.count()
    response = post(client, [record(world.employee("w1_worker").employee_number, "a")])
    assert (response.status_code, error_body(response)["code"]) == (403, "insufficient_scope")
    assert (MetricRecord.objects.count(), IngestionBatch.objects.count(), AuditEvent.objects.count()) == (0, 0, events)


@pytest.mark.parametrize("key", ["ceo", "prod_head", "w1_worker", "other_hr"])
def test_session_users_without_write_metrics_in_the_company_are_403(world, key):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    response = post(session_client(world, key), [record(number, "a")], company="acme")
    assert response.status_code == 403
    assert (MetricRecord.objects.count(), IngestionBatch.objects.count()) == (0, 0)


def test_a_session_user_with_write_metrics_may_post(world):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    response = post(session_client(world, "hrbp"), [record(number, "a")], company="acme")
    assert response.status_code == 201, response.json()
    assert response.json()["counts"] == {"received": 1, "created": 1, "duplicates": 0, "superseded": 0, "rejected": 0}
    assert IngestionBatch.objects.get().submitted_by == world.user("hrbp")


def test_hrbp_outside_the_branch_gets_a_per_record_out_of_scope_error(world):  # noqa: ANN001
    records = [record(world.employee("w1_worker").employee_number, "in"), record(world.employee("sales_rep").employee_number, "out")]
    body = post(session_client(world, "hrbp"), records, company="acme").json()
    assert body["counts"]["created"] == 1
    assert [(e["index"], e["field"], e["code"]) for e in body["errors"]] == [(1, "employee.number", "out_of_scope")]
    assert [row[1] for row in stored()] == ["in"]


def test_employees_by_id_number_and_external_identity(world, writer):  # noqa: ANN001
    worker, lead, w2 = world.employee("w1_worker"), world.employee("w1_lead"), world.employee("w2_worker")
    ExternalIdentity.objects.create(company=world.company, employee=w2, system="jira", external_id="acc-557058")
    records = [
        {"employee": {"id": worker.pk}, "metric_key": "output", "date": "2026-10-01", "value": 1, "external_id": "by-id"},
        {"employee": {"number": lead.employee_number}, "metric_key": "output", "date": "2026-10-01", "value": 2,
         "external_id": "by-number"},
        {"employee": {"external": {"system": "jira", "id": "acc-557058"}}, "metric_key": "output", "date": "2026-10-01", "value": 3,
         "external_id": "by-jira"},
        {"department": world.workshop1.code, "metric_key": "output", "period_start": "2026-10-01", "period_end": "2026-10-31",
         "value": "4.5", "external_id": "by-department"},
    ]  # fmt: skip
    response = post(writer, records)
    assert response.status_code == 201, response.json()
    rows = MetricRecord.objects.order_by("external_id").values_list("external_id", "employee_id", "department_id", "value", "batch_id")
    batch_id = response.json()["id"]
    assert [(e, emp, dep, v, str(b)) for e, emp, dep, v, b in rows] == [
        ("by-department", None, world.workshop1.pk, Decimal("4.5000"), batch_id),
        ("by-id", worker.pk, None, Decimal("1.0000"), batch_id),
        ("by-jira", w2.pk, None, Decimal("3.0000"), batch_id),
        ("by-number", lead.pk, None, Decimal("2.0000"), batch_id),
    ]
    assert response["Location"] == f"/api/v1/metrics/batches/{batch_id}/"


def test_the_same_batch_twice_is_stored_once(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    records = [record(number, f"r{index}", index) for index in range(5)]
    first = post(writer, records).json()
    rows = stored()
    second = post(writer, records).json()
    assert first["counts"] == {"received": 5, "created": 5, "duplicates": 0, "superseded": 0, "rejected": 0}
    assert second["counts"] == {"received": 5, "created": 0, "duplicates": 5, "superseded": 0, "rejected": 0}
    assert second["status"] == "completed"
    assert stored() == rows
    assert MetricRecord.objects.count() == 5


def test_a_changed_value_supersedes_and_keeps_the_history(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    post(writer, [record(number, "PROJ-1", 8)])
    body = post(writer, [record(number, "PROJ-1", 13)]).json()
    assert body["counts"] == {"received": 1, "created": 0, "duplicates": 0, "superseded": 1, "rejected": 0}
    old, new = MetricRecord.objects.order_by("pk")
    assert (old.value, old.is_current, old.superseded_by_id) == (Decimal("8.0000"), False, new.pk)
    assert old.superseded_at is not None
    assert (new.value, new.is_current, new.superseded_by_id) == (Decimal("13.0000"), True, None)


def test_two_versions_in_one_batch_chain_in_order(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    post(writer, [record(number, "K", 1)])
    body = post(writer, [record(number, "K", 2), record(number, "K", 2), record(number, "K", 3)]).json()
    assert body["counts"] == {"received": 3, "created": 0, "duplicates": 1, "superseded": 2, "rejected": 0}
    first, second, third = MetricRecord.objects.order_by("pk")
    assert [(r.value, r.is_current) for r in (first, second, third)] == [
        (Decimal("1.0000"), False),
        (Decimal("2.0000"), False),
        (Decimal("3.0000"), True),
    ]
    assert (first.superseded_by_id, second.superseded_by_id) == (second.pk, third.pk)


def test_a_partly_invalid_batch_stores_the_valid_records_and_lists_each_error(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    records = [
        record(number, "ok-0"),
        record("NOBODY", "bad-1"),
        record(number, "bad-2", value="lots"),
        {"employee": {"number": number}, "metric_key": "has space", "value": 1, "external_id": "bad-3"},
        record(number, "bad-4", date="2026-02-30"),
        "not an object",
        {"employee": {"external": {"system": "jira", "id": "unmapped"}}, "metric_key": "output", "date": "2026-10-01", "value": 1},
        {"department": "nope", "metric_key": "output", "date": "2026-10-01", "value": 1},
        {"employee": {"number": number}, "department": world.workshop1.code, "metric_key": "output", "date": "2026-10-01", "value": 1},
        {"employee": {"number": number}, "metric_key": "output", "period_start": "2026-10-31", "period_end": "2026-10-01", "value": 1},
        record(number, "ok-10", "12.5"),
    ]
    response = post(writer, records)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "completed_with_errors"
    assert body["counts"] == {"received": 11, "created": 2, "duplicates": 0, "superseded": 0, "rejected": 9}
    assert [(e["index"], e["field"], e["code"]) for e in body["errors"]] == [
        (1, "employee.number", "unknown_employee"),
        (2, "value", "invalid"),
        (3, "metric_key", "invalid"),
        (3, "date", "required"),
        (4, "date", "invalid"),
        (5, "record", "invalid_record"),
        (6, "employee.external", "unknown_external_identity"),
        (7, "department", "unknown_department"),
        (8, "employee", "ambiguous_owner"),
        (9, "period_end", "invalid_period"),
    ]
    messages = {e["index"]: e["message"] for e in body["errors"]}
    assert messages[1] == "No employee has the number “NOBODY”."
    assert messages[6] == "No employee is mapped to jira identity “unmapped”."
    assert messages[9] == "The period ends (2026-10-01) before it starts (2026-10-31)."
    assert sorted(row[1] for row in stored()) == ["ok-0", "ok-10"]
    batch = IngestionBatch.objects.get()
    assert (batch.rejected_count, batch.accepted_count, batch.errors) == (9, 2, body["errors"])


def test_without_external_id_the_same_owner_metric_and_period_is_the_same_record(world, writer):  # noqa: ANN001
    worker = world.employee("w1_worker")
    payload = [{"employee": {"id": worker.pk}, "metric_key": "output", "date": "2026-10-05", "value": 5}]
    post(writer, payload)
    body = post(writer, [dict(payload[0], value=6)]).json()
    assert body["counts"]["superseded"] == 1
    assert MetricRecord.objects.get(is_current=True).external_id == f"auto:e{worker.pk}:output:2026-10-05:2026-10-05"


def test_more_than_10000_records_is_413_and_nothing_is_stored(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    response = post(writer, [record(number, f"x{index}") for index in range(10_001)])
    body = error_body(response)
    assert (response.status_code, body["code"]) == (413, "too_many_records")
    assert body["message"] == "A batch holds at most 10,000 records; this one has 10,001. Split it; nothing was stored."
    assert (MetricRecord.objects.count(), IngestionBatch.objects.count()) == (0, 0)


def test_a_body_over_the_size_limit_is_413(world, writer):  # noqa: ANN001
    with override_settings(RENSHI_INGESTION_MAX_BYTES=200):
        response = post(writer, [record("E1", f"x{index}") for index in range(5)])
    assert (response.status_code, error_body(response)["code"]) == (413, "payload_too_large")
    assert MetricRecord.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "parse_error"),
        (b"[]", "application/json", 400, "validation_error"),
        (b'{"source": "jira", "records": []}', "application/json", 400, "validation_error"),
        (b'{"source": "bad source", "records": [{}]}', "application/json", 400, "validation_error"),
        (b'{"source": "jira", "records": [{}], "company": "nope"}', "application/json", 400, "unknown_company"),
        (b'{"source": "jira", "records": [{}], "company": "other"}', "application/json", 403, "permission_denied"),
        (b"source=jira", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_malformed_requests_are_clear_errors(world, writer, body, content_type, status, code):  # noqa: ANN001
    response = writer.generic("POST", URL, body, content_type=content_type)
    assert (response.status_code, error_body(response)["code"]) == (status, code)
    assert IngestionBatch.objects.count() == 0


def test_batch_status_for_its_sender_and_hr_but_not_others(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    created = post(writer, [record(number, "a"), record("NOBODY", "b")]).json()
    url = f"{URL}{created['id']}/"
    fetched = writer.get(url)
    assert fetched.status_code == 200
    assert fetched.json() == created
    assert session_client(world, "hr_admin").get(url).status_code == 200
    assert token_client(world, "hrbp", "metrics:write").get(url).status_code == 404
    assert session_client(world, "other_hr").get(url).status_code == 404
    assert session_client(world, "w1_worker").get(url).status_code == 403
    assert writer.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404


def test_ingestion_is_rate_limited_per_client(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "metric_ingestion": "2/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [post(writer, [record(number, f"t{index}")]).status_code for index in range(3)]
        throttled = post(writer, [record(number, "t9")])
        other = post(token_client(world, "hrbp", "metrics:write"), [record(number, "t10")])
    assert statuses == [201, 201, 429]
    assert error_body(throttled)["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert other.status_code == 201
    assert MetricRecord.objects.count() == 3


def test_ingested_data_queues_a_recompute_of_the_affected_assessments(world, writer, django_capture_on_commit_callbacks):  # noqa: ANN001
    scenario = manufacturing(world)
    worker = world.employee("w1_worker")
    outside = {"employee": {"id": worker.pk}, "metric_key": "production_efficiency", "date": "2026-12-01", "value": 1, "external_id": "dec"}
    inside = dict(outside, date="2026-10-10", external_id="oct")
    with django_capture_on_commit_callbacks(execute=False):
        post(writer, [outside])
    assert ComputationRun.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=False):
        post(writer, [inside])
    run = ComputationRun.objects.get()
    assert (run.cycle_id, run.kind, run.employee_ids) == (scenario.cycle.pk, "partial", [worker.pk])


def test_one_audit_event_per_storing_batch(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    before = AuditEvent.objects.count()
    batch_id = post(writer, [record(number, "a"), record(number, "b")]).json()["id"]
    post(writer, [record(number, "a")])  # all duplicates: nothing changed, nothing audited
    events = AuditEvent.objects.order_by("sequence")[before:]
    assert [(event.action, event.target_id, event.after["created"]) for event in events] == [
        ("integrations.metric_batch_ingested", batch_id, 2)
    ]


def test_company_is_required_when_the_sender_writes_for_several(world):  # noqa: ANN001
    from hris.accounts.models import User

    superuser = User.objects.filter(is_superuser=True).first()
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(superuser)
    response = post(client, [record(world.employee("w1_worker").employee_number, "a")])
    assert (response.status_code, error_body(response)["code"]) == (400, "company_required")
    assert post(client, [record(world.employee("w1_worker").employee_number, "a")], company="acme").status_code == 201
