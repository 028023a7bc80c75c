"""Tampering with the audit trail is detected at the exact row, by the function and the command.

The database refuses UPDATE and DELETE on audit rows (triggers); each tampering test
first drops them with raw SQL, the way a DBA with direct access would.
"""

import importlib
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from hris.audit.hashing import compute_row_hash
from hris.audit.models import AuditEvent
from hris.audit.verification import verify_audit_chain
from hris.org import services as org_services

TABLE = AuditEvent._meta.db_table


def _write_five_events(world) -> list[AuditEvent]:  # noqa: ANN001
    hr_admin = world.user("hr_admin")
    org_services.department_update(actor=hr_admin, department=world.sales, name="销售中心", code="sales", branch=world.hq)
    org_services.department_update(actor=hr_admin, department=world.hr, name="人力资源部", code="hr", branch=world.hq)
    org_services.position_create(actor=hr_admin, company=world.company, code="qa", title="质检员", job_family="quality", level="P2")
    org_services.branch_create(actor=hr_admin, company=world.company, name="北京办事处", code="bj")
    org_services.department_update(actor=hr_admin, department=world.workshop1, name="一车间（总装）", code="workshop1", branch=world.plant)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [event.sequence for event in events] == [1, 2, 3, 4, 5]
    return events


def _drop_append_only_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER audit_auditevent_no_update ON {TABLE}")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            # The test settings may leave out SQLite's DELETE guard (see migration 0002).
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_delete")


def _ensure_append_only_triggers() -> None:
    """Install any SQLite guard the test settings left out, with the migration's own SQL
    (inside the test transaction, so it is rolled back afterwards)."""
    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("hris.audit.migrations.0002_append_only_triggers")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        present = {row[0] for row in cursor.fetchall()}
        for statement in migration.SQLITE_FORWARD:
            if statement.split()[2] not in present:
                cursor.execute(statement)


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _command_failure() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit_chain")
    return str(failure.value)


def test_intact_chain_passes(world, capsys):  # noqa: ANN001
    _write_five_events(world)
    report = verify_audit_chain()
    assert (report.ok, report.checked, report.sequence, report.problem) == (True, 5, None, "")
    call_command("verify_audit_chain")
    assert "Audit chain intact: 5 events verified." in capsys.readouterr().out


def test_empty_chain_passes(db):  # noqa: ANN001
    report = verify_audit_chain()
    assert (report.ok, report.checked) == (True, 0)


@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {TABLE} SET reason = 'forged' WHERE sequence = 2", f"DELETE FROM {TABLE} WHERE sequence = 2"],
)
def test_database_refuses_update_and_delete_while_triggers_are_in_place(world, statement):  # noqa: ANN001
    _write_five_events(world)
    _ensure_append_only_triggers()
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw(statement)
    assert AuditEvent.objects.get(sequence=2).reason == ""
    assert verify_audit_chain().ok is True


def test_edited_reason_is_detected_at_its_sequence(world):  # noqa: ANN001
    _write_five_events(world)
    _drop_append_only_triggers()
    _raw(f"UPDATE {TABLE} SET reason = %s WHERE sequence = 3", ["approved by CEO"])
    report = verify_audit_chain()
    assert (report.ok, report.sequence, report.checked) == (False, 3, 2)
    assert report.problem == "row content does not match its hash (row altered)"
    message = _command_failure()
    assert message.startswith("Audit chain BROKEN at sequence 3: row content does not match its hash (row altered).")


def test_edited_before_after_is_detected(world):  # noqa: ANN001
    _write_five_events(world)
    _drop_append_only_triggers()
    # Rewriting the JSON the same way the application would still breaks the hash.
    event = AuditEvent.objects.get(sequence=4)
    forged_after = dict(event.after, name="伪造办事处")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET after = %s WHERE sequence = 4",
            [AuditEvent._meta.get_field("after").get_db_prep_value(forged_after, connection)],
        )
    assert AuditEvent.objects.get(sequence=4).after["name"] == "伪造办事处"
    report = verify_audit_chain()
    assert (report.ok, report.sequence) == (False, 4)


def test_deleted_middle_row_is_detected(world):  # noqa: ANN001
    _write_five_events(world)
    _drop_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE sequence = 3")
    report = verify_audit_chain()
    assert (report.ok, report.sequence, report.checked) == (False, 3, 2)
    assert report.problem == "rows 3–3 are missing (deleted)"
    assert "Audit chain BROKEN at sequence 3: rows 3–3 are missing (deleted)." in _command_failure()


def _insert(sequence: int, previous_hash: str, row_hash: str, occurred_at: datetime, reason: str) -> None:
    _raw(
        f"INSERT INTO {TABLE} (sequence, occurred_at, actor_id, actor_label, action, target_type, target_id, target_label, "
        "company_id_ref, department_path, subject_employee_id, before, after, reason, previous_hash, row_hash) "
        "VALUES (%s, %s, NULL, %s, %s, %s, %s, %s, NULL, '', NULL, NULL, NULL, %s, %s, %s)",
        [
            sequence,
            connection.ops.adapt_datetimefield_value(occurred_at),
            "system",
            "employee.update",
            "people.employee",
            "1",
            "forged",
            reason,
            previous_hash,
            row_hash,
        ],
    )


def test_forged_row_with_a_bogus_hash_is_detected(world):  # noqa: ANN001
    events = _write_five_events(world)
    # Inserting needs no trigger to be dropped: the chain itself must catch it.
    _insert(6, events[-1].row_hash, "f" * 64, datetime(2026, 1, 1, tzinfo=UTC), "forged")
    report = verify_audit_chain()
    assert (report.ok, report.sequence) == (False, 6)
    assert report.problem == "row content does not match its hash (row altered)"
    assert "BROKEN at sequence 6" in _command_failure()


def test_forged_row_with_a_correct_hash_is_detected_by_the_chain_head(world):  # noqa: ANN001
    # Given a forger who knows the hashing scheme and appends a perfectly chained row
    events = _write_five_events(world)
    occurred_at = datetime(2026, 1, 1, tzinfo=UTC)
    row_hash = compute_row_hash(
        previous_hash=events[-1].row_hash,
        sequence=6,
        occurred_at=occurred_at,
        actor_id=None,
        actor_label="system",
        action="employee.update",
        target_type="people.employee",
        target_id="1",
        target_label="forged",
        before=None,
        after=None,
        reason="forged",
    )
    _insert(6, events[-1].row_hash, row_hash, occurred_at, "forged")
    # Then the chain head, written with every genuine event, does not match
    report = verify_audit_chain()
    assert (report.ok, report.sequence, report.checked) == (False, 6, 6)
    assert report.problem == "chain head does not match the last row (row appended outside the service)"
    assert "BROKEN at sequence 6" in _command_failure()


def test_forged_row_in_the_middle_is_detected(world):  # noqa: ANN001
    # Given a forger who shifts rows 4–5 up to make room for a row at 4
    events = _write_five_events(world)
    _drop_append_only_triggers()
    _raw(f"UPDATE {TABLE} SET sequence = sequence + 10 WHERE sequence >= 4")
    _insert(4, events[2].row_hash, "e" * 64, datetime(2026, 1, 1, tzinfo=UTC), "forged")
    report = verify_audit_chain()
    assert (report.ok, report.sequence) == (False, 4)


def test_deleted_last_row_is_detected(world):  # noqa: ANN001
    _write_five_events(world)
    _drop_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE sequence = 5")
    report = verify_audit_chain()
    assert (report.ok, report.sequence, report.checked) == (False, 5, 4)
    assert report.problem == "rows 5–5 at the end of the chain are missing (deleted)"
    assert "Audit chain BROKEN at sequence 5: rows 5–5 at the end of the chain are missing (deleted)." in _command_failure()


def test_verify_page_names_the_broken_sequence(world, client):  # noqa: ANN001
    from django.urls import reverse

    _write_five_events(world)
    _drop_append_only_triggers()
    _raw(f"DELETE FROM {TABLE} WHERE sequence = 2")
    client.force_login(world.user("hr_admin"))
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-sequence="2"' in html
    assert "Audit chain BROKEN at sequence 2." in html
