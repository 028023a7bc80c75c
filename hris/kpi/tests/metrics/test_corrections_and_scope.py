"""metric_record_correct, metric_record_history and metric_records_visible_to."""

from decimal import Decimal

import pytest

from hris.audit.models import AuditEvent
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.kpi.models import MetricRecord
from hris.kpi.selectors_metrics import metric_record_history, metric_records_visible_to
from hris.kpi.services.metrics import metric_record_correct, metric_records_submit


@pytest.fixture
def records(world):  # noqa: ANN001
    """One current record each for w1_worker, sales_rep, workshop 1 and sales."""
    submitted = metric_records_submit(
        actor=None,
        company=world.company,
        records=[
            {"employee_number": world.employees["w1_worker"].employee_number, "metric_key": "output", "date": "2025-03-10", "value": 10},
            {"employee_number": world.employees["sales_rep"].employee_number, "metric_key": "revenue", "date": "2025-03-10", "value": 20},
            {"department_code": "workshop1", "metric_key": "defects", "date": "2025-03-10", "value": 3},
            {"department_code": "sales", "metric_key": "complaints", "date": "2025-03-10", "value": 1},
        ],
    )
    names = ("w1_worker", "sales_rep", "workshop1", "sales")
    return {name: MetricRecord.objects.get(pk=outcome.record_id) for name, outcome in zip(names, submitted.outcomes, strict=True)}


def test_a_correction_supersedes_the_record_and_keeps_the_history(world, records, recompute_requests):  # noqa: ANN001
    original = records["w1_worker"]
    actor = world.user("hrbp")

    corrected = metric_record_correct(actor=actor, record=original, value="12.5", reason="ERP 漏录两件")

    original.refresh_from_db()
    assert (corrected.value, corrected.is_current, corrected.note, corrected.entered_by_id) == (
        Decimal("12.5000"),
        True,
        "ERP 漏录两件",
        actor.pk,
    )
    assert (corrected.source, corrected.external_id, corrected.employee_id) == (original.source, original.external_id, original.employee_id)
    assert (original.is_current, original.superseded_by_id) == (False, corrected.pk)
    assert metric_record_history(original) == [original, corrected]
    assert metric_record_history(corrected) == [original, corrected]
    event = AuditEvent.objects.get(action="kpi.metric_record_corrected")
    assert (event.before, event.after, event.reason, event.subject_employee_id) == (
        {"record_id": original.pk, "value": "10.0000"},
        {"record_id": corrected.pk, "value": "12.5000"},
        "ERP 漏录两件",
        original.employee_id,
    )
    assert [request["employee_ids"] for request in recompute_requests.records] == [{original.employee_id}]


def test_a_department_record_is_corrected_within_department_scope(world, records):  # noqa: ANN001
    corrected = metric_record_correct(actor=world.user("hrbp"), record=records["workshop1"], value=2, reason="复核")

    assert (corrected.department_id, corrected.value) == (world.workshop1.pk, Decimal("2.0000"))


def test_a_correction_needs_a_reason_a_new_value_and_the_current_version(world, records):  # noqa: ANN001
    actor, original = world.user("hr_admin"), records["w1_worker"]
    with pytest.raises(DomainError) as no_reason:
        metric_record_correct(actor=actor, record=original, value=11, reason=" ")
    with pytest.raises(DomainError) as unchanged:
        metric_record_correct(actor=actor, record=original, value="10.00", reason="复核")
    metric_record_correct(actor=actor, record=original, value=11, reason="复核")
    with pytest.raises(Conflict) as stale:
        metric_record_correct(actor=actor, record=original, value=12, reason="复核")

    assert (no_reason.value.code, unchanged.value.code, stale.value.code) == ("reason_required", "unchanged", "superseded")
    assert list(MetricRecord.objects.filter(external_id=original.external_id).order_by("id").values_list("value", flat=True)) == [
        Decimal("10.0000"),
        Decimal("11.0000"),
    ]


@pytest.mark.parametrize(
    ("key", "record"), [("w1_worker", "w1_worker"), ("prod_head", "w1_worker"), ("other_hr", "w1_worker"), ("hrbp", "sales")]
)
def test_corrections_outside_the_write_scope_change_nothing(world, records, key, record):  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        metric_record_correct(actor=world.user(key), record=records[record], value=99, reason="x")

    assert MetricRecord.objects.count() == 4
    assert not AuditEvent.objects.filter(action="kpi.metric_record_corrected").exists()


@pytest.mark.parametrize(
    ("key", "visible"),
    [
        ("admin", {"w1_worker", "sales_rep", "workshop1", "sales"}),
        ("hr_admin", {"w1_worker", "sales_rep", "workshop1", "sales"}),
        ("ceo", {"w1_worker", "sales_rep", "workshop1", "sales"}),
        ("hrbp", {"w1_worker", "workshop1"}),
        ("prod_head", {"w1_worker", "workshop1"}),
        ("sales_head", {"sales_rep", "sales"}),
        ("w1_worker", {"w1_worker"}),
        ("w1_lead", set()),
        ("other_hr", set()),
    ],
)
def test_records_are_visible_within_the_actors_scope(world, records, key, visible):  # noqa: ANN001
    found = set(metric_records_visible_to(world.user(key)).values_list("id", flat=True))

    assert found == {records[name].pk for name in visible}


def test_history_rows_are_visible_on_request(world, records):  # noqa: ANN001
    corrected = metric_record_correct(actor=None, record=records["w1_worker"], value=11, reason="复核")
    actor = world.user("w1_worker")

    assert set(metric_records_visible_to(actor).values_list("id", flat=True)) == {corrected.pk}
    assert set(metric_records_visible_to(actor, current_only=False).values_list("id", flat=True)) == {records["w1_worker"].pk, corrected.pk}
