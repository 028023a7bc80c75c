"""ImportJob: one uploaded spreadsheet, its validation results and its commit.

The preview survives a reload and the commit works from the stored file, so both the
upload and what validation found are kept here.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel


class ImportKind(models.TextChoices):
    EMPLOYEES = "employees", _("Employees")
    DEPARTMENTS = "departments", _("Departments")


class ImportMode(models.TextChoices):
    CREATE = "create", _("Add new employees only")
    UPSERT = "upsert", _("Add new and update existing employees")
    UPDATE = "update", _("Update existing employees only")


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", _("Validating")
    VALIDATED = "validated", _("Validated")
    COMMITTING = "committing", _("Committing")
    COMMITTED = "committed", _("Committed")
    FAILED = "failed", _("Failed")


class ImportJob(BaseModel):
    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company"))
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    mode = models.CharField(_("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.CREATE)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.VALIDATING, db_index=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_filename = models.CharField(_("file name"), max_length=255)
    language = models.CharField(_("language"), max_length=16, blank=True)
    run_in_background = models.BooleanField(_("runs in the background"), default=False)
    total_rows = models.PositiveIntegerField(_("total rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # counts, warnings, file-level errors and the column mapping
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # {"file": [message, …], "rows": [[row number, [message, …]], …]}
    errors = models.JSONField(_("errors"), default=dict, blank=True)
    # every row's result for the preview table: [[row number, action, label, errors, warnings], …]
    rows = models.JSONField(_("row results"), default=list, blank=True)
    failure_message = models.TextField(_("failure"), blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_filename}"

    @property
    def file_error_messages(self) -> list[str]:
        return list((self.errors or {}).get("file", []))

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.VALIDATING, ImportStatus.COMMITTING}

    @property
    def can_commit(self) -> bool:
        return (
            self.status in {ImportStatus.VALIDATED, ImportStatus.FAILED}
            and self.validated_at is not None
            and self.error_count == 0
            and not self.file_error_messages
            and self.total_rows > 0
            and self.committed_at is None
        )

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(self.processed_rows * 100 / self.total_rows))
