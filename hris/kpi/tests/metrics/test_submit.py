"""metric_records_submit: created / duplicate / superseded / rejected per record, set-based."""

from datetime import date
from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.models import MetricRecord
from hris.kpi.selectors_metrics import metric_record_history
from hris.kpi.services.metrics import metric_records_submit
from hris.tests.factories import EmployeeFactory


def record(employee_number: str, value: object, external_id: str | None = "A-1", **fields: object) -> dict:
    base = {"employee_number": employee_number, "metric_key": "output", "date": "2025-03-10", "value": value, "source": "erp"}
    if external_id is not None:
        base["external_id"] = external_id
    return {**base, **fields}


def submit(world, records: list, actor: str = "hr_admin", **options: object):  # noqa: ANN001, ANN201
    return metric_records_submit(actor=world.user(actor), company=world.company, records=records, **options)


def statuses(result) -> list[tuple[int, str]]:  # noqa: ANN001
    return [(outcome.index, outcome.status) for outcome in result.outcomes]


def test_each_record_reports_its_outcome_by_index(world, recompute_requests):  # noqa: ANN001
    # Given one stored ERP record for w1_worker
    w1, w2 = world.employee("w1_worker"), world.employee("w2_worker")
    first = submit(world, [record(w1.employee_number, 10)])
    # When a batch repeats it, changes it, adds new records and has mistakes
    result = submit(
        world,
        [
            record(w1.employee_number, 10),  # 0 the same again
            record(w1.employee_number, 12),  # 1 a new value
            {
                "employee_id": w2.pk,
                "metric_key": "output",
                "period_start": "2025-03-01",
                "period_end": "2025-03-31",
                "value": "7.5",
                "external_id": "B-1",
            },
            record("NOPE", 1, "C-1"),  # 3
            record(w1.employee_number, "abc", "C-2", metric_key=""),  # 4
            {"department_code": "workshop1", "metric_key": "defects", "date": date(2025, 3, 5), "value": 3},  # 5
            record(w1.employee_number, 1, "C-3", date=None, period_start="2025-03-31", period_end="2025-03-01"),  # 6
            record(w1.employee_number, 12),  # 7 the same as 1
            {"metric_key": "output", "date": "2025-03-10", "value": 1},  # 8
        ],
    )
    # Then every record has its outcome, errors are per field
    assert statuses(result) == [
        (0, "duplicate"),
        (1, "superseded"),
        (2, "created"),
        (3, "rejected"),
        (4, "rejected"),
        (5, "created"),
        (6, "rejected"),
        (7, "duplicate"),
        (8, "rejected"),
    ]
    assert {outcome.index: outcome.errors for outcome in result.rejected} == {
        3: {"employee_number": ["No employee has the number “NOPE”."]},
        4: {"metric_key": ["This field is required."], "value": ["“abc” is not a number."]},
        6: {"period_end": ["The period ends (2025-03-01) before it starts (2025-03-31)."]},
        8: {"employee": ["Name the employee (employee_id or employee_number) or the department (department_code)."]},
    }
    assert result.counts == {"created": 2, "duplicate": 2, "superseded": 1, "rejected": 4}
    old_id = first.outcomes[0].record_id
    outcomes = result.outcomes
    assert (outcomes[0].record_id, outcomes[1].supersedes_id, outcomes[7].record_id) == (old_id, old_id, outcomes[1].record_id)
    # … and the stored rows say the same
    old, new = MetricRecord.objects.get(pk=old_id), MetricRecord.objects.get(pk=outcomes[1].record_id)
    assert (old.is_current, old.superseded_by_id, old.superseded_at is not None) == (False, new.pk, True)
    assert (new.is_current, new.value, new.batch_id, new.entered_by_id) == (
        True,
        Decimal("12.0000"),
        result.batch_id,
        world.users["hr_admin"].pk,
    )
    department_record = MetricRecord.objects.get(pk=outcomes[5].record_id)
    assert (department_record.department_id, department_record.employee_id, department_record.source) == (
        world.workshop1.pk,
        None,
        "manual",
    )
    assert department_record.external_id == f"auto:d{world.workshop1.pk}:defects:2025-03-05:2025-03-05"
    assert MetricRecord.objects.count() == 4
    assert MetricRecord.objects.filter(is_current=True).count() == 3


@pytest.mark.parametrize(
    ("given", "errors"),
    [
        ("not an object", {"record": ["A record must be an object with an owner, a metric key, a value and a date."]}),
        (
            {"employee_id": "abc", "metric_key": "output", "date": "2025-03-10", "value": 1},
            {"employee_id": ["“abc” is not an employee id."]},
        ),
        (
            {"employee_id": 999999, "metric_key": "output", "date": "2025-03-10", "value": 1},
            {"employee_id": ["No employee has the id 999999."]},
        ),
        (
            {"department_code": "nowhere", "metric_key": "bad key!", "date": "2025-03-10", "value": 1},
            {
                "department_code": ["No department has the code “nowhere”."],
                "metric_key": ["Use at most 80 letters, digits, hyphens or underscores."],
            },
        ),
        (
            {
                "department_code": "sales",
                "metric_key": "x",
                "date": "2025-03-10",
                "period_start": "2025-03-01",
                "period_end": "2025-03-31",
                "value": 1,
            },
            {"date": ["Give either a date or a period, not both."]},
        ),
        (
            {"department_code": "sales", "metric_key": "x", "period_start": "2025-03-01", "value": 1},
            {"period_end": ["Give a date, or both period start and end."]},
        ),
        (
            {"department_code": "sales", "metric_key": "x", "date": "2025-03-10", "value": "1e30"},
            {"value": ["“1e30” is not a number that fits: at most 16 digits before the decimal point."]},
        ),
    ],
)
def test_malformed_records_are_rejected_with_field_errors(world, given, errors):  # noqa: ANN001
    result = submit(world, [given])

    assert [(outcome.status, outcome.errors) for outcome in result.outcomes] == [("rejected", errors)]
    assert not MetricRecord.objects.exists()


def test_a_malformed_batch_id_refuses_the_batch(world):  # noqa: ANN001
    with pytest.raises(DomainError) as refused:
        submit(world, [record(world.employee("w1_worker").employee_number, 1)], batch_id="batch-7")

    assert refused.value.field_errors == {"batch_id": ["“batch-7” is not a valid batch id (a UUID)."]}
    assert not MetricRecord.objects.exists()


def test_conflicting_values_in_one_batch_keep_every_version_in_order(world):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    submit(world, [record(number, 1, "K-1")])

    result = submit(world, [record(number, 2, "K-1"), record(number, 3, "K-1"), record(number, 5, "K-2"), record(number, 6, "K-2")])

    assert statuses(result) == [(0, "superseded"), (1, "superseded"), (2, "created"), (3, "superseded")]
    assert result.outcomes[1].supersedes_id == result.outcomes[0].record_id
    assert result.outcomes[3].supersedes_id == result.outcomes[2].record_id
    history = metric_record_history(MetricRecord.objects.get(pk=result.outcomes[1].record_id))
    assert [(row.value, row.is_current) for row in history] == [
        (Decimal("1.0000"), False),
        (Decimal("2.0000"), False),
        (Decimal("3.0000"), True),
    ]
    assert [row.superseded_by_id for row in history] == [history[1].pk, history[2].pk, None]
    assert list(MetricRecord.objects.filter(is_current=True).order_by("value").values_list("value", flat=True)) == [
        Decimal("3"),
        Decimal("6"),
    ]


def test_a_changed_period_or_owner_supersedes_too(world):  # noqa: ANN001
    w1, w2 = world.employee("w1_worker"), world.employee("w2_worker")
    submit(world, [record(w1.employee_number, 1, "P-1"), record(w1.employee_number, 1, "P-2")])

    result = submit(world, [record(w1.employee_number, 1, "P-1", date="2025-03-11"), record(w2.employee_number, 1, "P-2")])

    assert statuses(result) == [(0, "superseded"), (1, "superseded")]
    assert MetricRecord.objects.get(external_id="P-2", is_current=True).employee_id == w2.pk


def test_hand_entered_records_get_a_stable_external_id(world):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    first = submit(world, [record(number, 4, external_id=None, source=None)])

    again = submit(world, [record(number, 4, external_id=None, source=None)])
    changed = submit(world, [record(number, 5, external_id=None, source=None)])

    expected_id = f"auto:e{world.employees['w1_worker'].pk}:output:2025-03-10:2025-03-10"
    assert (first.outcomes[0].source, first.outcomes[0].external_id) == ("manual", expected_id)
    assert (statuses(again), statuses(changed)) == ([(0, "duplicate")], [(0, "superseded")])


def test_one_audit_event_and_one_recompute_request_per_batch(world, recompute_requests):  # noqa: ANN001
    w1, w2 = world.employee("w1_worker"), world.employee("w2_worker")

    result = submit(
        world,
        [
            record(w1.employee_number, 1, "R-1", date="2025-02-27"),
            record(w2.employee_number, 2, "R-2", date="2025-03-04"),
            {"department_code": "workshop2", "metric_key": "defects", "date": "2025-03-01", "value": 1},
            record("NOPE", 1, "R-3"),
        ],
        batch_id="6f1c8a52-3d7e-4e0c-9a51-0c2b7d9e8f10",
    )

    event = AuditEvent.objects.get(action="kpi.metric_records_submitted")
    assert (event.target_id, event.company_id_ref, event.actor_id) == (str(result.batch_id), world.company.pk, world.users["hr_admin"].pk)
    assert event.after == {
        "batch_id": "6f1c8a52-3d7e-4e0c-9a51-0c2b7d9e8f10",
        "source": "manual",
        "created": 3,
        "duplicate": 0,
        "superseded": 0,
        "rejected": 1,
    }
    assert recompute_requests.records == [
        {
            "company_id": world.company.pk,
            "employee_ids": {w1.pk, w2.pk},
            "department_ids": {world.workshop2.pk},
            "dates": (date(2025, 2, 27), date(2025, 3, 4)),
            "reason": "Metric records batch 6f1c8a52-3d7e-4e0c-9a51-0c2b7d9e8f10",
        }
    ]


def test_a_batch_storing_nothing_writes_no_audit_event_and_requests_no_recompute(world, recompute_requests):  # noqa: ANN001
    result = submit(world, [record("NOPE", 1)])

    assert statuses(result) == [(0, "rejected")]
    assert not AuditEvent.objects.filter(action="kpi.metric_records_submitted").exists()
    assert recompute_requests.records == []


def test_records_outside_the_actors_scope_are_rejected_the_rest_stored(world):  # noqa: ANN001
    # Given the plant HRBP, and an ERP record of sales_rep whose external id she reuses
    sales_rep = world.employee("sales_rep")
    submit(world, [record(sales_rep.employee_number, 1, "S-1")])
    w1 = world.employee("w1_worker")

    result = submit(
        world,
        [
            record(w1.employee_number, 1, "H-1"),
            record(sales_rep.employee_number, 1, "H-2"),
            {"department_code": "workshop1", "metric_key": "defects", "date": "2025-03-05", "value": 3},
            {"department_code": "sales", "metric_key": "defects", "date": "2025-03-05", "value": 3},
            record(w1.employee_number, 1, "S-1"),
        ],
        actor="hrbp",
    )

    assert statuses(result) == [(0, "created"), (1, "rejected"), (2, "created"), (3, "rejected"), (4, "rejected")]
    assert {outcome.index: outcome.errors for outcome in result.rejected} == {
        1: {"employee_number": [f"You are not allowed to write metrics for {sales_rep}."]},
        3: {"department_code": ["You are not allowed to write metrics for 销售部."]},
        4: {"external_id": ["This external id belongs to a record you are not allowed to change."]},
    }
    assert MetricRecord.objects.get(external_id="S-1").employee_id == sales_rep.pk


@pytest.mark.parametrize("key", ["w1_worker", "prod_head", "ceo", "other_hr"])
def test_actors_without_write_metrics_in_the_company_are_refused_whole(world, key):  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        submit(world, [record(world.employee("w1_worker").employee_number, 1)], actor=key)

    assert not MetricRecord.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="kpi.").exists()


def batch(numbers: list[str], size: int, value: int) -> list[dict]:
    records = []
    for index in range(size):
        if index % 4 == 3:
            records.append({"department_code": "workshop1", "metric_key": f"defects_{index}", "date": "2025-03-05", "value": value})
        else:
            records.append(record(numbers[index % len(numbers)], value + index % 2, f"Q-{index}"))
    return records


@pytest.mark.parametrize("size", [10, 200])
def test_a_batch_takes_the_same_number_of_queries_whatever_its_size(world, size, django_assert_max_num_queries):  # noqa: ANN001
    # Given 50 employees and a stored first version of every record
    numbers = [EmployeeFactory(department=world.workshop1).employee_number for _ in range(50)]
    submit(world, batch(numbers, size, 1))
    actor = world.user("hr_admin")
    # When the batch arrives again with every value changed, plus as many new records
    records = batch(numbers, size, 10) + [{**item, "external_id": f"new-{index}"} for index, item in enumerate(batch(numbers, size, 1))]
    with django_assert_max_num_queries(19):  # measured for 10, 200 and 1,000 records: 18 on SQLite, 19 on PostgreSQL
        result = metric_records_submit(actor=actor, company=world.company, records=records)
    # Then everything was stored
    assert result.counts["superseded"] == size
    assert result.counts["created"] == size


def test_the_user_who_entered_a_record_cannot_be_deleted_so_the_name_never_dangles(world, recompute_requests):  # noqa: ANN001
    # entered_by has no database constraint (ingestion speed): what keeps it sound is that entering records is
    # audited, and the append-only audit trail refuses to let go of its actors.
    from django.db import DatabaseError, transaction

    from hris.accounts.models import RoleAssignment
    from hris.accounts.roles import Role, ScopeType
    from hris.tests.factories import UserFactory

    clerk = UserFactory(username="clerk")
    RoleAssignment.objects.create(user=clerk, role=Role.HR_ADMIN, scope_type=ScopeType.COMPANY, company=world.company)
    w1 = world.employee("w1_worker")
    metric_records_submit(actor=clerk, company=world.company, records=[record(w1.employee_number, 10)])

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        clerk.delete()

    stored = MetricRecord.objects.get(source="erp", external_id="A-1")
    assert stored.entered_by == clerk
    assert stored.value == Decimal("10.0000")
