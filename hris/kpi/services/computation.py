"""Computing assessments: queue a run, execute it in chunks with progress, compute one employee now.

Runs of one cycle execute one at a time (a later run must not be overwritten by an earlier
one still writing); requests that arrive while a run is queued merge into it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import DomainError
from hris.kpi.choices import RECOMPUTABLE_STATES, RunKind, RunState
from hris.kpi.engine.compute import compute
from hris.kpi.engine.inputs import load_inputs
from hris.kpi.engine.persist import changed_assessment_ids, replace_items, update_totals
from hris.kpi.models import Assessment, ComputationRun, Cycle
from hris.kpi.permissions import require_company

logger = logging.getLogger(__name__)

CHUNK_ASSESSMENTS = 20_000  # progress is committed after each chunk
WRITERS = max(1, int(os.environ.get("RENSHI_KPI_WRITERS", "2")))  # parallel COPY connections on PostgreSQL
STALE_RUN = timedelta(minutes=30)  # a RUNNING run older than this died with its worker
PER_ASSESSMENT_AUDIT_LIMIT = 200  # small runs audit each changed total; whole cycles audit a summary


class CycleBusy(Exception):
    """Another run of the same cycle is executing; the task retries shortly."""


def computation_run_request(*, actor: Any, cycle: Cycle) -> ComputationRun:
    """HR asks for a whole-cycle computation (the 'Compute now' button and API)."""
    require_company(actor, Capability.COMPUTE_KPI, cycle.company_id)
    if cycle.state not in RECOMPUTABLE_STATES:
        raise DomainError(
            _("Scores can only be computed while the cycle is open, scoring, in review or calibration."), code="invalid_state"
        )
    return computation_run_queue(
        cycle_id=cycle.pk, employee_ids=None, reason=_("Requested by %(user)s") % {"user": actor or "system"}, actor=actor
    )


def computation_run_queue(*, cycle_id: int, employee_ids: Sequence[int] | None, reason: str, actor: Any) -> ComputationRun:
    """A queued run for the cycle; merges into one not yet started. Executes after commit."""
    from hris.kpi.tasks import execute_computation_run

    with transaction.atomic():
        queued = ComputationRun.objects.select_for_update().filter(cycle_id=cycle_id, state=RunState.QUEUED).order_by("id").first()
        if queued is not None:
            if queued.kind == RunKind.PARTIAL:
                if employee_ids is None:
                    queued.kind, queued.employee_ids = RunKind.FULL, []
                else:
                    queued.employee_ids = sorted(set(queued.employee_ids) | set(employee_ids))
                queued.save(update_fields=["kind", "employee_ids", "updated_at"])
            return queued
        run = ComputationRun.objects.create(
            cycle_id=cycle_id,
            kind=RunKind.FULL if employee_ids is None else RunKind.PARTIAL,
            employee_ids=[] if employee_ids is None else sorted(set(employee_ids)),
            reason=reason[:200],
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        transaction.on_commit(lambda: execute_computation_run.delay(run.pk))
    return run


def computation_run_execute(*, run_id: int) -> ComputationRun:
    run = _claim(run_id)
    if run.state != RunState.RUNNING:
        return run  # already finished: a redelivered task does nothing
    try:
        _execute(run)
    except Exception as error:  # the run records any failure; the worker keeps going
        logger.exception("Computation run %s failed", run.pk)
        ComputationRun.objects.filter(pk=run.pk).update(state=RunState.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        run.refresh_from_db()
        return run
    run.refresh_from_db()
    return run


@dataclass(frozen=True)
class ComputeResult:
    assessments: int
    items_written: int


def compute_assessments_now(*, cycle: Cycle, employee_ids: Sequence[int], reason: str = "", actor: Any = None) -> ComputeResult:
    """Compute the given employees synchronously, in the caller's request (after an adjustment,
    a what-if confirmation, in tests and the benchmark): the same engine, no run bookkeeping."""
    inputs = load_inputs(cycle, employee_ids=sorted(set(employee_ids)))
    items, totals = compute(inputs)
    assessment_ids = inputs.assessments.get_column("assessment_id").to_list()
    before = inputs.previous  # read with the assessments
    with transaction.atomic():
        written = replace_items(items, assessment_ids)
        update_totals(totals)
        _audit_changed_totals(actor=actor, cycle=cycle, totals=totals, before=before, reason=reason)
    return ComputeResult(assessments=len(assessment_ids), items_written=written)


def _claim(run_id: int) -> ComputationRun:
    with transaction.atomic():
        run = ComputationRun.objects.select_for_update().get(pk=run_id)
        if run.state in (RunState.SUCCEEDED, RunState.FAILED):
            return run
        Cycle.objects.select_for_update().filter(pk=run.cycle_id).first()  # serialises claims of one cycle
        other = ComputationRun.objects.filter(cycle_id=run.cycle_id, state=RunState.RUNNING).exclude(pk=run.pk)
        if other.filter(started_at__gt=timezone.now() - STALE_RUN).exists():
            raise CycleBusy(run.cycle_id)
        other.update(state=RunState.FAILED, error=_("Interrupted: the worker stopped before the run finished."), finished_at=timezone.now())
        run.state, run.started_at, run.done, run.error = RunState.RUNNING, timezone.now(), 0, ""
        run.save(update_fields=["state", "started_at", "done", "error", "updated_at"])
    return run


def _execute(run: ComputationRun) -> None:
    cycle = Cycle.objects.get(pk=run.cycle_id)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    inputs = load_inputs(cycle, employee_ids=run.employee_ids if run.kind == RunKind.PARTIAL else None)
    timings["read_s"] = time.perf_counter() - started
    ComputationRun.objects.filter(pk=run.pk).update(total=inputs.assessments.height)

    started = time.perf_counter()
    items, totals = compute(inputs)
    timings["score_s"] = time.perf_counter() - started

    started = time.perf_counter()
    assessment_ids = inputs.assessments.get_column("assessment_id").to_list()
    audit_each = len(assessment_ids) <= PER_ASSESSMENT_AUDIT_LIMIT
    before = (inputs.previous if inputs.previous is not None else _totals_before(assessment_ids)) if audit_each else {}
    chunks = [assessment_ids[start : start + CHUNK_ASSESSMENTS] for start in range(0, len(assessment_ids), CHUNK_ASSESSMENTS)]
    written = done = 0
    for chunk_written, chunk_size in _write_chunks(items, totals, chunks):
        written, done = written + chunk_written, done + chunk_size
        if done < len(assessment_ids):
            ComputationRun.objects.filter(pk=run.pk).update(done=done, items_written=written)
    with transaction.atomic():
        _finish(run, cycle, totals, before, audit_each, written, timings, started)


def _write_chunks(items: pl.DataFrame, totals: pl.DataFrame, chunks: list[list[int]]):  # noqa: ANN202
    """Yield (items written, assessments) per chunk as each commits.

    On PostgreSQL, chunks are written by parallel connections: COPY parsing and index upkeep
    happen in the database backends, so two writers keep two cores busy while this process
    waits. Inside an enclosing transaction (tests, the demo seed) other connections could not
    see its rows, so the chunks are then written one after another on this connection.
    """
    parallel = connection.vendor == "postgresql" and len(chunks) > 1 and not connection.in_atomic_block and WRITERS > 1
    if not parallel:
        for chunk in chunks:
            yield _write_chunk(items, totals, chunk), len(chunk)
        return
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = {pool.submit(_write_chunk_on_own_connection, items, totals, chunk): len(chunk) for chunk in chunks}
        for future in as_completed(futures):
            yield future.result(), futures[future]


def _write_chunk_on_own_connection(items: pl.DataFrame, totals: pl.DataFrame, chunk: list[int]) -> int:
    try:
        return _write_chunk(items, totals, chunk)
    finally:
        connection.close()  # this thread's connection


def _write_chunk(items: pl.DataFrame, totals: pl.DataFrame, chunk: list[int]) -> int:
    """Rewrite the chunk's assessments whose result changed; one transaction per chunk."""
    in_chunk = pl_between("assessment_id", chunk[0], chunk[-1])
    chunk_totals = totals.filter(in_chunk)
    changed = changed_assessment_ids(chunk_totals)
    if not changed:
        return 0
    changed_filter = pl.col("assessment_id").is_in(changed)
    with transaction.atomic():
        written = replace_items(items.filter(in_chunk).filter(changed_filter), changed)
        update_totals(chunk_totals.filter(changed_filter))
    return written


def pl_between(column: str, low: int, high: int) -> pl.Expr:
    return pl.col(column).is_between(low, high)


def _totals_before(assessment_ids: list[int]) -> dict[int, tuple]:
    rows = Assessment.objects.filter(pk__in=assessment_ids).values_list("pk", "computed_total", "employee_id", "department__path")
    return {pk: (total, employee_id, path) for pk, total, employee_id, path in rows}


def _finish(run, cycle, totals, before, audit_each, written, timings, write_started) -> None:
    timings["write_s"] = time.perf_counter() - write_started
    now = timezone.now()
    ComputationRun.objects.filter(pk=run.pk).update(
        state=RunState.SUCCEEDED,
        done=totals.height,
        items_written=written,
        finished_at=now,
        timings={name: round(value, 4) for name, value in timings.items()},
    )
    Cycle.objects.filter(pk=cycle.pk).update(last_computed_at=now)
    if audit_each:
        _audit_changed_totals(actor=run.requested_by, cycle=cycle, totals=totals, before=before, reason=run.reason)
    else:
        audit_record(
            actor=run.requested_by,
            action="kpi.cycle_computed",
            target=cycle,
            after={"run": run.pk, "assessments": totals.height, "items": written},
            reason=run.reason,
            company_id=cycle.company_id,
        )


def _audit_changed_totals(*, actor: Any, cycle: Cycle, totals, before: dict, reason: str) -> None:
    for assessment_id, total in totals.select("assessment_id", "computed_total").iter_rows():
        old_total, employee_id, path = before.get(assessment_id, (None, None, ""))
        if old_total is None or old_total != total:
            audit_record(
                actor=actor,
                action="kpi.assessment_computed",
                target_type="kpi.assessment",
                target_id=assessment_id,
                target_label=f"{cycle.name} #{assessment_id}",
                before={"computed_total": old_total},
                after={"computed_total": total},
                reason=reason,
                company_id=cycle.company_id,
                department_path=path or "",
                subject_employee_id=employee_id,
            )
