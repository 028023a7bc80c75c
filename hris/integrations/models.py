"""Ingestion batches: what one POST of metric records brought and what became of each record."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from hris.core.models import BaseModel
from hris.integrations.choices import BatchStatus


class IngestionBatch(BaseModel):
    """One batch of metric records; its id is the `batch_id` of every metric record it stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company"))
    application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API client"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("submitted by")
    )
    source = models.SlugField(_("source"), max_length=60)
    status = models.CharField(_("status"), max_length=24, choices=BatchStatus.choices, default=BatchStatus.RECEIVED)
    received_count = models.PositiveIntegerField(_("received"), default=0)
    accepted_count = models.PositiveIntegerField(_("new"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    superseded_count = models.PositiveIntegerField(_("superseding"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True, help_text=_("One entry per problem: index, field, code, message."))
    failure = models.TextField(_("failure"), blank=True)
    timings = models.JSONField(_("timings"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ingestion batch")
        verbose_name_plural = _("ingestion batches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"], name="ingestion_batch_recent")]
        constraints = [
            models.CheckConstraint(
                name="ingestion_batch_counts_add_up",
                condition=models.Q(
                    received_count=models.F("accepted_count")
                    + models.F("duplicate_count")
                    + models.F("superseded_count")
                    + models.F("rejected_count")
                )
                | models.Q(status__in=["received", "processing", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.id}"

    @property
    def stored_count(self) -> int:
        return self.accepted_count + self.superseded_count
