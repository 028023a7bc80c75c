"""Import jobs from upload to commit: what the views and the Celery tasks call."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hris.accounts.roles import ROLE_CAPABILITIES, Capability
from hris.accounts.scopes import grants_of, has_capability
from hris.audit.services import audit_batch, audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.org.models import Company
from hris.people.importing.departments import DepartmentImport
from hris.people.importing.employees import EmployeeImport
from hris.people.importing.progress import CommitProgress, ValidationProgress
from hris.people.importing.reading import FileProblem, Sheet, check_filename, estimate_rows, file_extension, read_sheet
from hris.people.importing.results import CommitFailed, Outcome, RevalidationFailed
from hris.people.models_import import ImportJob, ImportKind, ImportMode, ImportStatus

logger = logging.getLogger(__name__)

# Any constant: it only has to differ from other advisory-lock users (the audit chain uses 7_310_001).
_POSTGRES_COMMIT_LOCK_NAMESPACE = 7_310_101


def import_companies(actor: Any) -> list[Company]:
    """Companies the actor may import into."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    if actor.is_superuser:
        return list(Company.objects.filter(is_active=True).order_by("name"))
    ids = {grant.company_id for grant in grants_of(actor) if Capability.IMPORT_EMPLOYEES in ROLE_CAPABILITIES.get(grant.role, ())}
    return list(Company.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def require_import_permission(actor: Any, kind: str, company: Company | None = None) -> None:
    if not has_capability(actor, Capability.IMPORT_EMPLOYEES):
        raise PermissionDenied(_("You are not allowed to import."))
    if kind == ImportKind.DEPARTMENTS and not has_capability(actor, Capability.CHANGE_ORG):
        raise PermissionDenied(_("You are not allowed to change the organisation."))
    if company is not None and company.pk not in {allowed.pk for allowed in import_companies(actor)}:
        raise PermissionDenied(_("You are not allowed to import into %(company)s.") % {"company": company})


def importer_for(job: ImportJob, actor: Any) -> EmployeeImport | DepartmentImport:
    if job.kind == ImportKind.DEPARTMENTS:
        return DepartmentImport(actor=actor, company=job.company)
    return EmployeeImport(actor=actor, company=job.company, mode=job.mode)


def read_job_file(job: ImportJob) -> Sheet:
    if not job.file:
        raise FileProblem(_("The uploaded file is no longer kept; it is deleted once its import is committed."))
    try:
        with job.file.open("rb") as stored:
            content = stored.read()
    except (FileNotFoundError, OSError):
        raise FileProblem(_("The uploaded file is no longer kept; it is deleted once its import is committed."))
    return read_sheet(content, job.original_filename)


def _forget_upload(job: ImportJob) -> None:
    """The upload holds personal data (phones, ID numbers); once committed it is not needed."""
    try:
        job.file.delete(save=False)
    except OSError:
        logger.warning("Could not delete the upload of import job %s", job.pk)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def job_create(*, actor: Any, company: Company, kind: str, mode: str, filename: str, content: bytes, language: str = "") -> ImportJob:
    """Store the upload and validate it: at once when small, in a Celery task when large."""
    require_import_permission(actor, kind, company)
    check_filename(filename)
    if not content:
        raise FileProblem(_("The file is empty."))
    if kind == ImportKind.DEPARTMENTS:
        mode = ImportMode.CREATE
    estimate = estimate_rows(content, filename)
    background = estimate > settings.RENSHI_IMPORT_ASYNC_THRESHOLD
    job = ImportJob(
        company=company,
        kind=kind,
        mode=mode,
        original_filename=filename[:255],
        language=language or translation.get_language() or "",
        run_in_background=background,
        total_rows=min(estimate, settings.RENSHI_IMPORT_MAX_ROWS),
        created_by=actor,
        summary={"stage": "queued" if background else "reading"},
    )
    job.file.save(f"{uuid.uuid4().hex}{file_extension(filename)}", ContentFile(content), save=False)
    job.save()
    if background:
        from hris.people.tasks import validate_import_job

        transaction.on_commit(lambda: validate_import_job.delay(job.pk))
    else:
        validate_job(job.pk)
        job.refresh_from_db()
    return job


def _store_outcome(job: ImportJob, outcome: Outcome, *, status: str, failure_message: str = "", extra_summary: dict | None = None) -> None:
    job.total_rows = len(outcome.rows)
    job.processed_rows = len(outcome.rows)
    job.error_count = len(outcome.error_rows)
    job.summary = {
        **(extra_summary or {}),
        "stage": "done",
        "counts": outcome.counts(),
        "warnings": outcome.warnings,
        "columns": outcome.columns,
    }
    job.errors = {"file": outcome.file_errors, "rows": [[row.row_number, row.errors] for row in outcome.error_rows]}
    job.rows = [row.as_stored() for row in outcome.rows]
    job.status = status
    job.failure_message = failure_message
    job.save(
        update_fields=[
            "total_rows",
            "processed_rows",
            "error_count",
            "summary",
            "errors",
            "rows",
            "status",
            "failure_message",
            "updated_at",
        ]
    )


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, failure_message=message, updated_at=timezone.now())


def _actor_of(job: ImportJob) -> Any:
    return get_user_model().objects.filter(pk=job.created_by_id, is_active=True).first()


def validate_job(job_id: int) -> None:
    """Validate a stored upload (idempotent: only a job still validating is worked on)."""
    job = ImportJob.objects.select_related("company").filter(pk=job_id, status=ImportStatus.VALIDATING).first()
    if job is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            ImportJob.objects.filter(pk=job.pk).update(summary={"stage": "reading"}, updated_at=timezone.now())
            actor = _actor_of(job)
            require_import_permission(actor, job.kind, job.company)
            sheet = read_job_file(job)
            ImportJob.objects.filter(pk=job.pk).update(
                total_rows=len(sheet.rows), processed_rows=0, summary={"stage": "checking"}, updated_at=timezone.now()
            )
            progress = ValidationProgress(job)
            outcome = importer_for(job, actor).validate(sheet, on_progress=progress)
        except FileProblem as problem:
            outcome = Outcome(file_errors=[str(problem)])
        except DomainError as refused:
            _fail(job.pk, refused.message)
            return
        except Exception:
            logger.exception("Validating import job %s failed", job.pk)
            _fail(job.pk, _("Checking the file failed unexpectedly; nothing was imported. Try again, or tell your administrator."))
            return
        _store_outcome(job, outcome, status=ImportStatus.VALIDATED)
        ImportJob.objects.filter(pk=job.pk).update(validated_at=timezone.now())


def start_commit(job: ImportJob) -> bool:
    """Move a clean, validated job to `committing`; False if it is not in a state to commit."""
    if not job.can_commit:
        return False
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.VALIDATED, ImportStatus.FAILED], error_count=0, committed_at__isnull=True
    ).update(status=ImportStatus.COMMITTING, processed_rows=0, failure_message="", updated_at=timezone.now())
    if not claimed:
        return False
    if job.run_in_background:
        from hris.people.tasks import commit_import_job

        transaction.on_commit(lambda: commit_import_job.delay(job.pk))
    else:
        commit_job(job.pk)
    return True


def _still_committing(job_id: int) -> bool:
    """Inside the commit transaction: only one worker may commit a job, whatever redelivery does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_POSTGRES_COMMIT_LOCK_NAMESPACE, job_id])
    return ImportJob.objects.filter(pk=job_id, status=ImportStatus.COMMITTING).exists()


def commit_job(job_id: int) -> None:
    """Re-validate against the current data and write every row through the services in one
    transaction: all rows or none. Idempotent: only a job in `committing` is worked on."""
    job = ImportJob.objects.select_related("company").filter(pk=job_id, status=ImportStatus.COMMITTING).first()
    if job is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        progress = CommitProgress(job)
        try:
            actor = _actor_of(job)
            require_import_permission(actor, job.kind, job.company)
            with transaction.atomic():
                if not _still_committing(job.pk):
                    return
                importer = importer_for(job, actor)
                outcome = importer.validate(read_job_file(job))
                if outcome.has_errors:
                    raise RevalidationFailed(outcome)
                reason = _("Import #%(job)s (%(file)s)") % {"job": job.pk, "file": job.original_filename}
                # The first refused row raises, so the batch never holds events of rows
                # that were rolled back.
                with audit_batch():
                    counts = importer.commit(outcome, reason=reason, on_progress=progress)
                    audit_record(
                        actor=actor,
                        action=f"{job.kind}.import",
                        target=job,
                        after={"file": job.original_filename, "mode": job.mode, "rows": len(outcome.rows), **counts},
                        company_id=job.company_id,
                    )
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.COMMITTED,
                    committed_at=timezone.now(),
                    processed_rows=len(outcome.rows),
                    total_rows=len(outcome.rows),
                    summary={**job.summary, "committed": counts},
                    updated_at=timezone.now(),
                )
            _forget_upload(job)
        except RevalidationFailed as failure:
            _store_outcome(
                job,
                failure.outcome,
                status=ImportStatus.FAILED,
                failure_message=_("The data changed since the preview and some rows are no longer valid. Nothing was imported."),
            )
        except CommitFailed as failure:
            _record_commit_failure(job, failure)
        except FileProblem as problem:
            _fail(job.pk, str(problem))
        except DomainError as refused:
            _fail(job.pk, refused.message + " " + _("Nothing was imported."))
        except Exception:
            logger.exception("Committing import job %s failed", job.pk)
            _fail(job.pk, _("The import failed unexpectedly and nothing was imported. Try again, or tell your administrator."))
        finally:
            progress.close()


def _record_commit_failure(job: ImportJob, failure: CommitFailed) -> None:
    job.refresh_from_db()
    rows = [list(row) for row in job.rows]
    for row in rows:
        if row[0] == failure.row_number:
            row[1], row[3] = "error", [*row[3], *failure.messages]
    job.rows = rows
    job.errors = {**job.errors, "rows": [*job.errors.get("rows", []), [failure.row_number, failure.messages]]}
    job.error_count = len({row[0] for row in rows if row[1] == "error"}) or 1
    job.status = ImportStatus.FAILED
    job.failure_message = _("Row %(row)s could not be saved, so nothing was imported: %(messages)s") % {
        "row": failure.row_number,
        "messages": "; ".join(failure.messages),
    }
    job.save(update_fields=["rows", "errors", "error_count", "status", "failure_message", "updated_at"])
