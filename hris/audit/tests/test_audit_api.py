"""GET /api/v1/audit-events/: the same rows as the audit page, per role and scope."""

from datetime import date

import pytest

from hris.audit.models import AuditEvent
from hris.audit.selectors import audit_events_visible_to
from hris.core.tests.api.support import _fresh_throttle_counters, session_client, token_client  # noqa: F401
from hris.people.services import employee_terminate, employee_update

URL = "/api/v1/audit-events/"


@pytest.fixture
def history(world):  # noqa: ANN001, ANN201
    """Three changes in two corners of the company: 一车间 and 销售部 (two)."""
    hr_admin = world.user("hr_admin")
    employee_update(actor=hr_admin, employee=world.employee("w1_worker"), phone="13900001111")
    employee_update(actor=hr_admin, employee=world.employee("sales_rep"), email="rep@acme.example.cn")
    employee_terminate(actor=hr_admin, employee=world.employee("interviewer"), effective_date=date(2026, 11, 30), reason="个人原因")
    return world


def _sequences(response) -> list[int]:  # noqa: ANN001
    return [row["sequence"] for row in response.json()["results"]]


@pytest.mark.parametrize("key", ["hr_admin", "ceo", "prod_head", "sales_head", "hrbp", "w1_worker", "recruiter", "other_hr", "admin"])
def test_session_user_gets_exactly_the_rows_of_their_scope(history, key):  # noqa: ANN001
    response = session_client(history, key).get(URL, {"page_size": 500})
    expected = list(audit_events_visible_to(history.user(key)).order_by("-sequence").values_list("sequence", flat=True))
    assert response.status_code == 200
    assert _sequences(response) == expected


def test_manager_sees_their_departments_change_only(history):  # noqa: ANN001
    rows = session_client(history, "prod_head").get(URL).json()["results"]
    assert [(row["action"], row["target_id"]) for row in rows] == [("employee.update", str(history.employees["w1_worker"].pk))]
    assert rows[0]["after"]["phone"] == "13900001111"


def test_token_needs_the_audit_read_scope(history):  # noqa: ANN001
    denied = token_client(history, "hr_admin", scopes="employees:read").get(URL)
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    allowed = token_client(history, "hr_admin", scopes="audit:read").get(URL, {"action": "employee.terminate"})
    assert allowed.status_code == 200
    assert [row["reason"] for row in allowed.json()["results"]] == ["个人原因"]


def test_filters_and_detail_by_sequence(history):  # noqa: ANN001
    client = session_client(history, "hr_admin")
    worker_id = str(history.employees["w1_worker"].pk)
    rows = client.get(URL, {"target_type": "people.employee", "target_id": worker_id}).json()["results"]
    assert [row["target_id"] for row in rows] == [worker_id]
    event = AuditEvent.objects.get(sequence=rows[0]["sequence"])
    detail = client.get(f"{URL}{event.sequence}/").json()
    assert (detail["row_hash"], detail["previous_hash"]) == (event.row_hash, event.previous_hash)


def test_out_of_scope_event_is_not_found_and_bad_filter_is_400(history):  # noqa: ANN001
    sales_event = AuditEvent.objects.get(target_id=str(history.employees["sales_rep"].pk))
    client = session_client(history, "prod_head")
    assert client.get(f"{URL}{sales_event.sequence}/").status_code == 404
    bad = client.get(URL, {"date_from": "yesterday"})
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["date_from"]


def test_audit_events_cannot_be_written_through_the_api(history):  # noqa: ANN001
    count = AuditEvent.objects.count()
    client = session_client(history, "hr_admin")
    assert client.post(URL, {"action": "forged"}, format="json").status_code == 405
    assert client.delete(f"{URL}1/").status_code == 405
    assert AuditEvent.objects.count() == count


def test_list_query_count_does_not_grow(history, django_assert_max_num_queries):  # noqa: ANN001
    client = session_client(history, "hr_admin")
    with django_assert_max_num_queries(12):
        client.get(URL)
    for _round in range(10):
        employee_update(actor=history.user("hr_admin"), employee=history.employee("w2_worker"), work_location=f"苏州{_round}")
    with django_assert_max_num_queries(12):
        assert len(client.get(URL).json()["results"]) == 13
