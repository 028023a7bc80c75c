"""Metric records: the measured values indicators aggregate over a cycle's period."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MetricRecord(models.Model):
    """One measured value from one source, at employee or department level.

    Idempotent on (company, source, external id): the same record again is a duplicate,
    a different value supersedes the current one and the old row stays as history.
    """

    # Lean on indexes: every insert maintains each of them (ingestion writes tens of thousands of rows a second).
    # company and employee are served by the composite indexes below (and the unique constraint), metric_key and
    # source by the same composites; entered_by is only looked at when a user is deleted. department and
    # superseded_by get partial indexes without the NULL rows: most rows are employee records and current.
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("company"), db_index=False)
    employee = models.ForeignKey(
        "people.Employee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="metric_records",
        verbose_name=_("employee"),
        db_index=False,
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="metric_records",
        verbose_name=_("department"),
        db_index=False,
    )
    metric_key = models.SlugField(_("metric key"), max_length=80, db_index=False)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.SlugField(_("source"), max_length=60, db_index=False)
    external_id = models.CharField(_("external id"), max_length=200)
    is_current = models.BooleanField(_("current"), default=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("superseded by"), db_index=False
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)
    # Who entered it. No database constraint: checking it costs the ingestion API about 8 % of its throughput (one
    # lookup per row at commit). It cannot dangle: the value is always the signed-in actor, and entering records is
    # audited, so the append-only audit trail refuses to delete that user (accounts are deactivated, not deleted).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False, db_constraint=False
    )
    batch_id = models.UUIDField(_("batch"), null=True, blank=True, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("metric record")
        verbose_name_plural = _("metric records")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "source", "external_id"], condition=Q(is_current=True), name="metric_record_current_once"
            ),
            models.CheckConstraint(
                name="metric_record_one_owner",
                condition=Q(employee__isnull=False, department__isnull=True) | Q(employee__isnull=True, department__isnull=False),
            ),
            models.CheckConstraint(name="metric_record_period_ordered", condition=Q(period_end__gte=F("period_start"))),
            models.CheckConstraint(
                name="metric_record_history_is_superseded",
                condition=Q(is_current=True, superseded_by__isnull=True) | Q(is_current=False, superseded_by__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["company", "metric_key", "period_start"], condition=Q(is_current=True), name="metric_current_by_key"),
            models.Index(fields=["employee", "metric_key"], name="metric_by_employee_key"),
            models.Index(fields=["department"], condition=Q(department__isnull=False), name="metric_by_department"),
            # A record's history: every version of its (company, source, external id), current or not.
            models.Index(fields=["external_id"], name="metric_by_external_id"),
            # Deleting a record checks that no later version points at it.
            models.Index(fields=["superseded_by"], condition=Q(superseded_by__isnull=False), name="metric_superseded_by"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}={self.value}"
