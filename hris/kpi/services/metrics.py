"""Metric records in: batches from the ingestion API, imports and hand entry; hand corrections.

Idempotent on (company, source, external id): the same record again is a duplicate and
writes nothing; a changed value, period or owner supersedes the current row, which stays as
history. A rejected record never blocks the valid ones (DESIGN.md §7).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.core.permissions import require_in_scope
from hris.kpi import recompute
from hris.kpi.importing.common import parse_number
from hris.kpi.models import MetricRecord
from hris.kpi.permissions import require_employee
from hris.kpi.services.metric_owners import may_write_metrics_in
from hris.kpi.services.metric_plan import (
    CREATED,
    SUPERSEDED,
    Candidate,
    Chain,
    MetricBatchPlan,
    RecordOutcome,
    StoredRecord,
    plan_metric_batch,
)
from hris.kpi.services.metric_storage import store_chains
from hris.org.models import Company, Department
from hris.org.selectors import DEPARTMENT_SCOPE_FIELDS
from hris.people.importing.values import CellError


@dataclass
class MetricSubmitResult:
    batch_id: uuid.UUID
    outcomes: list[RecordOutcome]  # one per submitted record, in order
    counts: dict[str, int]

    @property
    def rejected(self) -> list[RecordOutcome]:
        return [outcome for outcome in self.outcomes if outcome.errors]


def _batch_uuid(batch_id: Any) -> uuid.UUID:
    if batch_id is None or batch_id == "":
        return uuid.uuid4()
    try:
        return batch_id if isinstance(batch_id, uuid.UUID) else uuid.UUID(str(batch_id))
    except ValueError:
        message = _("“%(value)s” is not a valid batch id (a UUID).") % {"value": batch_id}
        raise DomainError(message, code="invalid", field_errors={"batch_id": [message]})


def _record_id(version: Candidate | StoredRecord | None, id_of: dict[int, int]) -> int | None:
    if version is None:
        return None
    return id_of[version.index] if isinstance(version, Candidate) else version.id


def _request_recompute(company_id: int, chains: Iterable[Chain], reason: str) -> None:
    """Every owner and period touched, the replaced rows' as well (an owner or period may have changed)."""
    touched = [version for chain in chains for version in (*chain.versions, chain.stored) if version is not None]
    recompute.request_recompute_for_records(
        company_id=company_id,
        employee_ids={version.employee_id for version in touched if version.employee_id is not None},
        department_ids={version.department_id for version in touched if version.department_id is not None},
        dates=(min(version.period_start for version in touched), max(version.period_end for version in touched)),
        reason=reason,
    )


@transaction.atomic
def _plan_and_store(actor: Any, company: Company, records: list, batch_id: uuid.UUID, source_default: str) -> MetricBatchPlan:
    # Planned inside the transaction: on SQLite (IMMEDIATE) no other writer slips in between.
    plan = plan_metric_batch(actor=actor, company=company, records=records, source_default=source_default)
    entered_by_id = actor.pk if getattr(actor, "pk", None) else None
    id_of = store_chains(plan.chains, company_id=company.pk, entered_by_id=entered_by_id, batch_id=batch_id, now=timezone.now())
    for outcome in plan.outcomes:
        outcome.record_id = _record_id(outcome.candidate or outcome.same_as, id_of)
        outcome.supersedes_id = _record_id(outcome.replaces, id_of)
    counts = plan.counts()
    if counts[CREATED] + counts[SUPERSEDED] == 0:
        return plan
    audit_record(
        actor=actor,
        action="kpi.metric_records_submitted",
        target_type="kpi.metricrecord_batch",
        target_id=str(batch_id),
        target_label=_("Metric records batch %(batch)s") % {"batch": batch_id},
        after={"batch_id": str(batch_id), "source": source_default, **counts},
        company_id=company.pk,
    )
    _request_recompute(company.pk, plan.chains.values(), _("Metric records batch %(batch)s") % {"batch": batch_id})
    return plan


def metric_records_submit(
    *, actor: Any, company: Company, records: list[dict], source_default: str = "manual", batch_id: Any = None
) -> MetricSubmitResult:
    """Validate every record, store the valid ones set-based, report each record's outcome by index."""
    if not may_write_metrics_in(actor, company.pk):
        raise PermissionDenied(_("You are not allowed to write metric records for %(company)s.") % {"company": company})
    batch_uuid = _batch_uuid(batch_id)
    try:
        plan = _plan_and_store(actor, company, records, batch_uuid, source_default)
    except IntegrityError:
        raise Conflict(_("Another submission changed the same records at the same moment; nothing of this batch was stored. Retry."))
    return MetricSubmitResult(batch_id=batch_uuid, outcomes=plan.outcomes, counts=plan.counts())


def _require_record_scope(actor: Any, record: MetricRecord) -> None:
    if record.employee_id is not None:
        require_employee(actor, Capability.WRITE_METRICS, record.employee)
    else:
        require_in_scope(actor, Capability.WRITE_METRICS, Department.objects.all(), record.department, **DEPARTMENT_SCOPE_FIELDS)


@transaction.atomic
def metric_record_correct(*, actor: Any, record: MetricRecord, value: Any, reason: str) -> MetricRecord:
    """A hand correction: a new current row with the value, the corrected row kept as history."""
    _require_record_scope(actor, record)
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the value is corrected.")
        raise DomainError(message, code="reason_required", field_errors={"reason": [message]})
    try:
        number = parse_number(value)
    except CellError as error:
        raise DomainError(str(error), code="invalid", field_errors={"value": [str(error)]})
    record = MetricRecord.objects.select_for_update().get(pk=record.pk)
    if not record.is_current:
        raise Conflict(_("This record was already replaced; correct its current version."), code="superseded")
    if number == record.value:
        raise DomainError(_("The value is unchanged."), code="unchanged", field_errors={"value": [_("The value is unchanged.")]})
    stored = StoredRecord(
        record.pk, record.employee_id, record.department_id, record.metric_key, record.period_start, record.period_end, record.value
    )
    correction = Candidate(
        index=0,
        employee_id=record.employee_id,
        department_id=record.department_id,
        metric_key=record.metric_key,
        period_start=record.period_start,
        period_end=record.period_end,
        value=number,
        source=record.source,
        external_id=record.external_id,
        note=reason[: MetricRecord._meta.get_field("note").max_length],
    )
    entered_by_id = actor.pk if getattr(actor, "pk", None) else None
    id_of = store_chains(
        {correction.key: Chain(stored, [correction])},
        company_id=record.company_id,
        entered_by_id=entered_by_id,
        batch_id=uuid.uuid4(),
        now=timezone.now(),
    )
    corrected = MetricRecord.objects.get(pk=id_of[0])
    audit_record(
        actor=actor,
        action="kpi.metric_record_corrected",
        target=corrected,
        before={"record_id": record.pk, "value": record.value},
        after={"record_id": corrected.pk, "value": corrected.value},
        reason=reason,
        company_id=record.company_id,
        subject_employee_id=record.employee_id,
    )
    _request_recompute(record.company_id, [Chain(stored, [correction])], _("Metric record corrected"))
    return corrected
