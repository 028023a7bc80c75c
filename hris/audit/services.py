"""audit_record(): the one way to write the audit trail, inside the caller's transaction."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from hris.audit.hashing import canonical_json, hash_of_event
from hris.audit.models import AuditChainHead, AuditEvent

# Any constant works; it only has to be the same for every writer of the chain.
_POSTGRES_CHAIN_LOCK_KEY = 7_310_001


@dataclass
class _Batch:
    last_sequence: int
    last_hash: str
    events: list[AuditEvent] = field(default_factory=list)


_local = threading.local()


def _lock_chain_head() -> AuditChainHead:
    """Serialise writers of the chain: each row needs the hash of the row before it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_CHAIN_LOCK_KEY])
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(singleton=1)
    return head


@contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the audit events of a bulk operation (an import, the demo seed) and write
    them at the end in one insert: the same chain, a handful of queries instead of four
    per event. Must run inside the operation's transaction; nothing is written if the
    block raises."""
    if getattr(_local, "batch", None) is not None:
        yield  # nested: the outer batch writes everything
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_batch() must run inside the business transaction.")
    head = _lock_chain_head()
    _local.batch = _Batch(last_sequence=head.last_sequence, last_hash=head.last_hash)
    try:
        yield
        batch = _local.batch
        if batch.events:
            AuditEvent.objects.bulk_create(batch.events, batch_size=500)
            AuditChainHead.objects.filter(singleton=1).update(last_sequence=batch.last_sequence, last_hash=batch.last_hash)
    finally:
        _local.batch = None


def _json_safe(value: Any) -> Any:
    """Round-trip through JSON so the stored value equals what was hashed."""
    if value is None:
        return None
    return json.loads(canonical_json(value))


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    full_name = getattr(actor, "display_name", "") or ""
    return f"{full_name} ({actor.get_username()})" if full_name else actor.get_username()


def audit_record(
    *,
    actor: Any,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    target_label: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    company_id: int | None = None,
    department_path: str = "",
    subject_employee_id: int | None = None,
) -> AuditEvent:
    """Append one event to the hash chain. Must run inside the mutation's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must run inside the business transaction.")
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
        target_label = target_label or str(target)

    batch: _Batch | None = getattr(_local, "batch", None)
    if batch is None:
        head = _lock_chain_head()
        last_sequence, last_hash = head.last_sequence, head.last_hash
    else:
        last_sequence, last_hash = batch.last_sequence, batch.last_hash

    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    event = AuditEvent(
        sequence=last_sequence + 1,
        occurred_at=datetime.now(tz=UTC),
        actor_id=actor_id,
        actor_label=_actor_label(actor),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label[:300],
        company_id_ref=company_id,
        department_path=department_path,
        subject_employee_id=subject_employee_id,
        before=_json_safe(before),
        after=_json_safe(after),
        reason=reason,
        previous_hash=last_hash,
    )
    event.row_hash = hash_of_event(event, last_hash)
    if batch is not None:
        batch.events.append(event)
        batch.last_sequence, batch.last_hash = event.sequence, event.row_hash
        return event
    event.save(force_insert=True)
    AuditChainHead.objects.filter(singleton=1).update(last_sequence=event.sequence, last_hash=event.row_hash)
    return event
