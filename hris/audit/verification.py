"""Walk the audit chain and report the first row that was altered, inserted or deleted."""

from __future__ import annotations

from dataclasses import dataclass

from hris.audit.hashing import GENESIS_HASH, hash_of_event
from hris.audit.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    sequence: int | None = None


def verify_audit_chain(*, batch_size: int = 5000) -> ChainReport:
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size)
    for event in events:
        if event.sequence > expected_sequence:
            return ChainReport(False, checked, f"rows {expected_sequence}–{event.sequence - 1} are missing (deleted)", expected_sequence)
        if event.sequence < expected_sequence:
            return ChainReport(False, checked, "sequence runs backwards (row inserted)", event.sequence)
        if event.previous_hash != previous_hash:
            return ChainReport(False, checked, "link to the previous row is broken (row inserted or deleted before it)", event.sequence)
        if hash_of_event(event, previous_hash) != event.row_hash:
            return ChainReport(False, checked, "row content does not match its hash (row altered)", event.sequence)
        previous_hash = event.row_hash
        expected_sequence += 1
        checked += 1

    head = AuditChainHead.objects.filter(singleton=1).first()
    last_sequence = head.last_sequence if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_sequence != checked or last_hash != previous_hash:
        if last_sequence > checked:
            return ChainReport(
                False, checked, f"rows {checked + 1}–{last_sequence} at the end of the chain are missing (deleted)", checked + 1
            )
        return ChainReport(False, checked, "chain head does not match the last row (row appended outside the service)", checked)
    return ChainReport(True, checked)
