"""Pull connectors: a vendor, encrypted credentials, a mapping, a schedule and an incremental
cursor; every run (or dry run, or upload) is a SyncRun with its counts, errors and checkpoint."""

from __future__ import annotations

import json

from django.db import models
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel
from hris.core.protected import decrypt_text, encrypt_text


class Vendor(models.TextChoices):
    REST_JSON = "rest_json", _("Generic REST/JSON")
    JIRA = "jira", _("Jira Cloud")
    DINGTALK_ATTENDANCE = "dingtalk_attendance", _("DingTalk attendance")
    CSV_UPLOAD = "csv_upload", _("Excel/CSV upload")


class RunKind(models.TextChoices):
    RUN = "run", _("Run")
    DRY_RUN = "dry_run", _("Dry run")
    UPLOAD = "upload", _("Upload")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Finished with rejected records")
    FAILED = "failed", _("Failed")


FINISHED_STATES = (RunState.SUCCEEDED, RunState.PARTIAL, RunState.FAILED)


class Connector(BaseModel):
    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="connectors", verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=120)
    vendor = models.CharField(_("vendor"), max_length=32, choices=Vendor.choices)
    source = models.SlugField(
        _("source key"), max_length=40, help_text=_("Stored on every metric record; with the record's id it makes re-runs idempotent.")
    )
    base_url = models.URLField(_("base URL"), max_length=500, blank=True)
    credentials_encrypted = models.TextField(_("credentials (encrypted)"), blank=True, editable=False)
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    schedule = models.OneToOneField(
        "django_celery_beat.PeriodicTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("schedule")
    )
    cursor = models.JSONField(_("incremental cursor"), default=dict, blank=True)

    class Meta:
        verbose_name = _("connector")
        verbose_name_plural = _("connectors")
        ordering = ["company_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="connector_name_unique_per_company"),
            models.UniqueConstraint(fields=["company", "source"], name="connector_source_unique_per_company"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict:
        text = decrypt_text(self.credentials_encrypted)
        return json.loads(text) if text else {}

    def set_credentials(self, values: dict) -> None:
        self.credentials_encrypted = encrypt_text(json.dumps(values, sort_keys=True)) if values else ""

    @property
    def credential_names(self) -> list[str]:
        """Which credentials are saved (names only: values are never shown again)."""
        return sorted(key for key, value in self.credentials.items() if value)


class SyncRun(BaseModel):
    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="runs", verbose_name=_("connector"))
    kind = models.CharField(_("kind"), max_length=16, choices=RunKind.choices, default=RunKind.RUN)
    state = models.CharField(_("state"), max_length=16, choices=RunState.choices, default=RunState.QUEUED, db_index=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("requested by")
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    fetched = models.PositiveIntegerField(_("records fetched"), default=0)
    accepted = models.PositiveIntegerField(_("records accepted"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("records rejected"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_message = models.TextField(_("failure"), blank=True)
    cursor_at_start = models.JSONField(_("cursor at start"), default=dict, blank=True)
    next_cursor = models.JSONField(_("next cursor"), default=dict, blank=True)
    checkpoint = models.JSONField(_("checkpoint"), default=dict, blank=True, help_text=_("Where the next page starts."))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    checkpoint_at = models.DateTimeField(_("last checkpoint"), null=True, blank=True)
    preview = models.JSONField(_("dry-run preview"), default=list, blank=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.connector} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES


class MappingPreset(BaseModel):
    """A saved column mapping for uploads (or a mapping for another vendor), reusable by name."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company"))
    vendor = models.CharField(_("vendor"), max_length=32, choices=Vendor.choices, default=Vendor.CSV_UPLOAD)
    name = models.CharField(_("name"), max_length=120)
    mapping = models.JSONField(_("mapping"), default=dict)

    class Meta:
        verbose_name = _("mapping preset")
        verbose_name_plural = _("mapping presets")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "vendor", "name"], name="mapping_preset_unique_name")]

    def __str__(self) -> str:
        return self.name
