"""Running a connector: one page at a time; each page's records are submitted through
`metric_records_submit` and the checkpoint (where the next page starts) is committed in the
same transaction. A run interrupted anywhere (worker killed, machine restarted) resumes from
the last committed page: nothing is lost, and what was stored is not stored twice (the page is
either wholly in or not; the submit is idempotent on (source, external id) besides).

Dry runs fetch the first page and show the parsed records and every problem, writing no
metric record. Uploads run the same pipeline over a file's rows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.audit.services import audit_record
from hris.core.errors import Conflict, DomainError
from hris.core.events import emit
from hris.integrations.connectors.http import HttpClient, SyncError
from hris.integrations.connectors.models import FINISHED_STATES, Connector, RunKind, RunState, SyncRun, Vendor
from hris.integrations.connectors.selectors import integration_manager_ids
from hris.integrations.connectors.services import require_manage
from hris.integrations.connectors.vendors import adapter_for
from hris.integrations.connectors.vendors.base import Page, merge_cursor
from hris.kpi.services.metric_plan import CREATED, DUPLICATE, REJECTED, SUPERSEDED, plan_metric_batch
from hris.kpi.services.metrics import metric_records_submit
from hris.people.selectors import employee_ids_by_external_identity

logger = logging.getLogger(__name__)
ERRORS_KEPT = 50
UPLOAD_ERRORS_KEPT = 5000
UPLOAD_PAGE_ROWS = 500
PREVIEW_RECORDS = 50
# A running run without a checkpoint for this long is taken as interrupted and may be resumed.
STALE_AFTER = timedelta(minutes=10)
# Tests set this to interrupt a run after a page is committed (as a killed worker would).
after_page_committed: Callable[[SyncRun], None] | None = None


def _resolve_owners(company_id: int, records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(records for the submit service, errors for owners no employee is linked to)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for record in records:
        if "identity" in record:
            system, value = record["identity"]
            wanted[system].add(value)
    known = {
        system: employee_ids_by_external_identity(company_id=company_id, system=system, external_ids=values)
        for system, values in wanted.items()
    }
    ready, errors = [], []
    for record in records:
        clean = {key: value for key, value in record.items() if key not in ("identity", "_row")}
        if "identity" in record:
            system, value = record["identity"]
            employee_id = known[system].get(value)
            if employee_id is None:
                errors.append(
                    {
                        "row": record.get("_row", ""),
                        "external_id": record.get("external_id", ""),
                        "errors": [
                            _("No employee is linked to the %(system)s identity “%(value)s”; add it to the employee's external identities.")
                            % {"system": system, "value": value}
                        ],
                    }
                )
                continue
            clean["employee_id"] = employee_id
        clean["_row"] = record.get("_row", "")
        ready.append(clean)
    return ready, errors


def _outcome_errors(records: list[dict], outcomes: list) -> list[dict]:
    found = []
    for outcome in outcomes:
        if outcome.errors:
            record = records[outcome.index]
            messages = [f"{name}: {message}" for name, problems in outcome.errors.items() for message in problems]
            found.append({"row": record.get("_row", ""), "external_id": record.get("external_id", ""), "errors": messages})
    return found


def _keep_errors(run: SyncRun, new: list[dict], page_number: int) -> None:
    limit = UPLOAD_ERRORS_KEPT if run.kind == RunKind.UPLOAD else ERRORS_KEPT
    room = limit - len(run.errors)
    if room > 0:
        run.errors = run.errors + [{"page": page_number, **error} for error in new[:room]]


def _store_page(run: SyncRun, connector: Connector, page: Page) -> dict[str, int]:
    """Inside the page transaction: resolve owners, submit, count; the run row is not saved here."""
    ready, owner_errors = _resolve_owners(connector.company_id, page.records)
    records = [{key: value for key, value in record.items() if key != "_row"} for record in ready]
    counts = dict.fromkeys((CREATED, SUPERSEDED, DUPLICATE, REJECTED), 0)
    submit_errors: list[dict] = []
    if records:
        result = metric_records_submit(
            actor=None, company=connector.company, records=records, source_default=connector.source, batch_id=None
        )
        counts = result.counts
        submit_errors = _outcome_errors(ready, result.outcomes)
    run.pages += 1
    run.fetched += page.rows
    run.accepted += counts[CREATED] + counts[SUPERSEDED]
    run.duplicates += counts[DUPLICATE]
    run.rejected += counts[REJECTED] + len(owner_errors) + len(page.errors)
    _keep_errors(run, page.errors + owner_errors + submit_errors, run.pages)
    return counts


def _fail(run_id: int, message: str) -> None:
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().select_related("connector__company").get(pk=run_id)
        if run.state in FINISHED_STATES:
            return
        run.state, run.error_message, run.finished_at = RunState.FAILED, message, timezone.now()
        run.save()
        connector = run.connector
        if run.kind != RunKind.DRY_RUN:
            emit(
                "integrations.sync_failed",
                company_id=connector.company_id,
                payload={
                    "connector_id": connector.pk,
                    "connector": connector.name,
                    "vendor": connector.vendor,
                    "run_id": run.pk,
                    "error": message,
                },
                recipients=integration_manager_ids(connector.company_id),
                title=_("Connector “%(name)s” failed") % {"name": connector.name},
                body=message,
                link=f"/integrations/connectors/{connector.pk}/runs/{run.pk}/",
                actor_id=run.requested_by_id,
            )


def _finish(run: SyncRun, connector: Connector) -> None:
    run.state = RunState.PARTIAL if run.rejected else RunState.SUCCEEDED
    run.finished_at = timezone.now()
    if run.next_cursor and run.kind == RunKind.RUN:
        Connector.objects.filter(pk=connector.pk).update(cursor=run.next_cursor, updated_at=timezone.now())


def _claim(run_id: int) -> SyncRun | None:
    """Mark the run running (again) and plan its first page; None when there is nothing to do."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().select_related("connector__company").get(pk=run_id)
        if run.state in FINISHED_STATES or run.kind != RunKind.RUN:
            return None
        run.attempts += 1
        if run.state == RunState.QUEUED:
            run.state, run.started_at = RunState.RUNNING, timezone.now()
        if not run.checkpoint:
            run.cursor_at_start = dict(run.connector.cursor or {})
            run.next_cursor = dict(run.cursor_at_start)
            run.checkpoint = {"state": adapter_for(run.connector.vendor).initial_state(run.connector, run.cursor_at_start)}
        run.checkpoint_at = timezone.now()
        run.save()
        return run


def sync_run_execute(*, run_id: int, sleep: Callable[[float], None] | None = None) -> SyncRun:
    """Run (or resume) a queued or interrupted run to the end. Safe to call twice: a finished run
    is left alone, and a page another worker committed meanwhile is not stored again."""
    run = _claim(run_id)
    if run is None:
        return SyncRun.objects.get(pk=run_id)
    connector = run.connector
    adapter = adapter_for(connector.vendor)
    client = HttpClient(**({"sleep": sleep} if sleep else {}))
    while True:
        expected = run.checkpoint
        try:
            page = adapter.fetch_page(connector, client, expected["state"], run.cursor_at_start)
        except SyncError as error:
            _fail(run.pk, error.message)
            break
        except Exception as error:  # a bug must not leave the run "running" for ever
            logger.exception("connector run %s failed", run.pk)
            _fail(run.pk, _("Unexpected error: %(error)s") % {"error": f"{type(error).__name__}: {error}"})
            break
        try:
            with transaction.atomic():
                run = SyncRun.objects.select_for_update().get(pk=run.pk)
                if run.state in FINISHED_STATES or run.checkpoint != expected:
                    break  # another worker committed this page or finished the run
                _store_page(run, connector, page)
                run.next_cursor = merge_cursor(run.next_cursor, page.cursor)
                run.checkpoint = {"state": page.next_state} if page.next_state is not None else {"state": None, "done": True}
                run.checkpoint_at = timezone.now()
                if page.next_state is None:
                    _finish(run, connector)
                run.save()
        except DomainError as error:
            _fail(run.pk, error.message)
            break
        if after_page_committed is not None:
            after_page_committed(run)
        if page.next_state is None:
            break
    return SyncRun.objects.get(pk=run.pk)


def _active_run(connector: Connector) -> SyncRun | None:
    return connector.runs.filter(kind=RunKind.RUN, state__in=[RunState.QUEUED, RunState.RUNNING]).order_by("-pk").first()


def is_stale(run: SyncRun) -> bool:
    moment = run.checkpoint_at or run.created_at
    return run.state in (RunState.QUEUED, RunState.RUNNING) and moment is not None and timezone.now() - moment > STALE_AFTER


def _queue(run_id: int) -> None:
    from hris.integrations.connectors.tasks import run_sync

    transaction.on_commit(lambda: run_sync.delay(run_id))


@transaction.atomic
def sync_run_request(*, actor: Any, connector: Connector) -> SyncRun:
    """“Run now”: a queued run, executed by a worker after commit."""
    if actor is not None:
        require_manage(actor, connector.company_id)
    connector = Connector.objects.select_for_update().get(pk=connector.pk)
    if connector.vendor == Vendor.CSV_UPLOAD:
        raise DomainError(_("Upload connectors receive files; upload one instead."), code="not_pull")
    if not connector.enabled:
        raise Conflict(_("The connector is disabled; enable it first."), code="disabled")
    active = _active_run(connector)
    if active is not None:
        raise Conflict(_("Run #%(run)s of this connector is still in progress.") % {"run": active.pk}, code="busy")
    run = SyncRun.objects.create(connector=connector, kind=RunKind.RUN, requested_by=actor if getattr(actor, "pk", None) else None)
    if actor is not None:
        audit_record(
            actor=actor, action="connectors.run_requested", target=connector, after={"run_id": run.pk}, company_id=connector.company_id
        )
    _queue(run.pk)
    return run


@transaction.atomic
def sync_run_resume(*, actor: Any, run: SyncRun) -> SyncRun:
    """Queue an interrupted run again; it continues from its last committed page."""
    require_manage(actor, run.connector.company_id)
    run = SyncRun.objects.select_for_update().get(pk=run.pk)
    if run.state in FINISHED_STATES or run.kind != RunKind.RUN:
        raise Conflict(_("Only an unfinished run can be resumed."), code="finished")
    audit_record(
        actor=actor, action="connectors.run_resumed", target=run.connector, after={"run_id": run.pk}, company_id=run.connector.company_id
    )
    _queue(run.pk)
    return run


def scheduled_run(*, connector_id: int) -> SyncRun | None:
    """What the beat schedule triggers: a new run, or the resumption of an interrupted one."""
    connector = Connector.objects.filter(pk=connector_id, enabled=True).first()
    if connector is None or connector.vendor == Vendor.CSV_UPLOAD:
        return None
    active = _active_run(connector)
    if active is not None:
        if is_stale(active):
            return sync_run_execute(run_id=active.pk)
        return None
    with transaction.atomic():
        run = SyncRun.objects.create(connector=connector, kind=RunKind.RUN)
    return sync_run_execute(run_id=run.pk)


def sync_dry_run(*, actor: Any, connector: Connector) -> SyncRun:
    """Fetch the first page, map it and check every owner; store the preview, no metric record."""
    require_manage(actor, connector.company_id)
    if connector.vendor == Vendor.CSV_UPLOAD:
        raise DomainError(_("Upload connectors receive files; upload one instead."), code="not_pull")
    adapter = adapter_for(connector.vendor)
    run = SyncRun.objects.create(
        connector=connector,
        kind=RunKind.DRY_RUN,
        state=RunState.RUNNING,
        requested_by=actor,
        started_at=timezone.now(),
        attempts=1,
        cursor_at_start=dict(connector.cursor or {}),
    )
    try:
        page = adapter.fetch_page(connector, HttpClient(), adapter.initial_state(connector, connector.cursor or {}), connector.cursor or {})
    except SyncError as error:
        _fail(run.pk, error.message)
        return SyncRun.objects.get(pk=run.pk)
    except Exception as error:  # shown on the run, never a 500 page
        logger.exception("connector dry run %s failed", run.pk)
        _fail(run.pk, _("Unexpected error: %(error)s") % {"error": f"{type(error).__name__}: {error}"})
        return SyncRun.objects.get(pk=run.pk)
    preview_page(run, connector, page)
    run.save()
    return run


def preview_page(run: SyncRun, connector: Connector, page: Page) -> None:
    ready, owner_errors = _resolve_owners(connector.company_id, page.records)
    plan = plan_metric_batch(actor=None, company=connector.company, records=ready, source_default=connector.source)
    counts = plan.counts()
    run.pages, run.fetched = 1, page.rows
    run.accepted = counts[CREATED] + counts[SUPERSEDED]
    run.duplicates = counts[DUPLICATE]
    run.rejected = counts[REJECTED] + len(owner_errors) + len(page.errors)
    run.errors = [{"page": 1, **error} for error in (page.errors + owner_errors + _outcome_errors(ready, plan.outcomes))][:ERRORS_KEPT]
    from hris.people.models import Employee

    ids = {record["employee_id"] for record in ready if isinstance(record.get("employee_id"), int)}
    labels = {
        pk: f"{name} ({number})" for pk, name, number in Employee.objects.filter(pk__in=ids).values_list("id", "name", "employee_number")
    }
    run.preview = [
        {
            "row": record.get("_row", ""),
            "employee": labels.get(record.get("employee_id")) or str(record.get("employee_number") or record.get("employee_id") or ""),
            "metric_key": record.get("metric_key"),
            "date": str(record.get("date")),
            "value": str(record.get("value")),
            "external_id": record.get("external_id"),
            "status": outcome.status,
        }
        for record, outcome in zip(ready, plan.outcomes, strict=True)
    ][:PREVIEW_RECORDS]
    run.next_cursor = merge_cursor(run.cursor_at_start, page.cursor)
    run.checkpoint = {"state": page.next_state}
    run.state = RunState.PARTIAL if run.rejected else RunState.SUCCEEDED
    run.finished_at = timezone.now()


def upload_run(*, actor: Any, connector: Connector, file_name: str, content: bytes, mapping: dict) -> SyncRun:
    """An uploaded file through the connector's mapping (or a preset's): checkpointed every 500 rows."""
    from hris.integrations.connectors.mapping import validate_mapping
    from hris.integrations.connectors.vendors.csv_upload import map_table, read_table

    require_manage(actor, connector.company_id)
    problems = validate_mapping(mapping, needs_records_path=False, paths=False)
    if problems:
        raise DomainError(problems[0], code="invalid", field_errors={"mapping": problems})
    try:
        rows = read_table(file_name, content)
        map_table(rows[:1], mapping)
    except SyncError as error:
        raise DomainError(error.message, code="invalid", field_errors={"file": [error.message]})
    with transaction.atomic():
        run = SyncRun.objects.create(
            connector=connector,
            kind=RunKind.UPLOAD,
            state=RunState.RUNNING,
            requested_by=actor,
            started_at=timezone.now(),
            attempts=1,
            checkpoint={"file": file_name[:200]},
        )
        audit_record(
            actor=actor,
            action="connectors.file_uploaded",
            target=connector,
            after={"run_id": run.pk, "file": file_name, "rows": len(rows)},
            company_id=connector.company_id,
        )
    for start in range(0, max(len(rows), 1), UPLOAD_PAGE_ROWS):
        chunk = rows[start : start + UPLOAD_PAGE_ROWS]
        records, errors = map_table(chunk, mapping)
        for record in records:
            record["_row"] = str(int(record["_row"]) + start)
        for error in errors:
            error["row"] = str(int(error["row"]) + start)
        with transaction.atomic():
            run = SyncRun.objects.select_for_update().get(pk=run.pk)
            _store_page(run, connector, Page(rows=len(chunk), records=records, errors=errors))
            run.checkpoint = {"file": file_name[:200], "rows_done": start + len(chunk)}
            run.checkpoint_at = timezone.now()
            run.save()
    run.state = RunState.PARTIAL if run.rejected else RunState.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at", "updated_at"])
    return run
