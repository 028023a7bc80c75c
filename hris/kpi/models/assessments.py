"""Assessments (one employee in one cycle), their scored items, ratings and computation runs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel
from hris.kpi.choices import ItemStatus, RaterRole, RunKind, RunState


class Assessment(BaseModel):
    # No separate index on cycle: the unique (cycle, employee) constraint serves it, and every
    # index is one more write when a whole cycle's totals are updated.
    cycle = models.ForeignKey("kpi.Cycle", on_delete=models.CASCADE, related_name="assessments", verbose_name=_("cycle"), db_index=False)
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("employee"))
    # The department when the employee joined the cycle: scopes and department reports use it.
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    template_version = models.ForeignKey(
        "kpi.TemplateVersion", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("template version")
    )
    assignment = models.ForeignKey(
        "kpi.CycleAssignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments", verbose_name=_("assignment")
    )
    computed_total = models.DecimalField(_("computed total"), max_digits=7, decimal_places=2, null=True, blank=True)
    # Sum of the score adjustments made in review (hris.reviews keeps each one as a record); the
    # engine adds it to every recomputed total so a recompute never loses an adjustment.
    adjustment_total = models.DecimalField(_("adjustments"), max_digits=7, decimal_places=2, default=0)
    final_score = models.DecimalField(_("final score"), max_digits=7, decimal_places=2, null=True, blank=True)
    is_complete = models.BooleanField(_("all indicators scored"), default=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computation_count = models.PositiveIntegerField(_("times computed"), default=0)
    # Fingerprint of the items last written: a recompute skips assessments whose result is unchanged.
    result_digest = models.BigIntegerField(_("result fingerprint"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["cycle", "employee"]
        constraints = [models.UniqueConstraint(fields=["cycle", "employee"], name="assessment_once_per_cycle")]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.employee_id}"


class AssessmentItem(models.Model):
    """One indicator's computed result; written in bulk (COPY / executemany), keyed naturally.

    The rule used is the template item of (template version, indicator): a version is frozen
    once an assessment uses it, so the pair names the exact rule without copying its JSON
    into every row (which would double the bytes a cycle writes).

    The foreign keys have no database constraint: per-row referential checks would cost
    more than the COPY itself for a 800,000-item cycle, and only the engine writes these
    rows, from assessments and template items it has just read. Deleting an assessment
    still cascades (Django does it), and PROTECT still guards indicators and versions (a rare
    delete may scan; the composite key serves every read, so no further indexes slow the COPY).
    """

    pk = models.CompositePrimaryKey("assessment_id", "indicator_id")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="items", verbose_name=_("assessment"), db_constraint=False, db_index=False
    )
    indicator = models.ForeignKey(
        "kpi.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"), db_constraint=False, db_index=False
    )
    position = models.PositiveSmallIntegerField(_("order"))
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("target value"), max_digits=20, decimal_places=4, null=True)
    actual = models.DecimalField(_("actual"), max_digits=24, decimal_places=4, null=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True)
    points = models.DecimalField(_("weighted points"), max_digits=7, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=ItemStatus.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)
    template_version = models.ForeignKey(
        "kpi.TemplateVersion", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    record_ids = models.JSONField(_("metric records used"), default=list)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["assessment", "position"]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}: {self.points}"


class Rating(BaseModel):
    """A rater's rating of a qualitative indicator (scale from the manual rule)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("assessment"))
    indicator = models.ForeignKey("kpi.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    rater_role = models.CharField(_("rater role"), max_length=16, choices=RaterRole.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("rater"))
    value = models.DecimalField(_("rating"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [models.UniqueConstraint(fields=["assessment", "indicator", "rater"], name="rating_once_per_rater")]


class ComputationRun(BaseModel):
    cycle = models.ForeignKey("kpi.Cycle", on_delete=models.CASCADE, related_name="computation_runs", verbose_name=_("cycle"))
    kind = models.CharField(_("run kind"), max_length=8, choices=RunKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED, db_index=True)
    employee_ids = models.JSONField(_("employees"), default=list, blank=True)
    reason = models.CharField(_("why"), max_length=200, blank=True)
    total = models.PositiveIntegerField(_("assessments to compute"), default=0)
    done = models.PositiveIntegerField(_("assessments computed"), default=0)
    items_written = models.PositiveIntegerField(_("items written"), default=0)
    timings = models.JSONField(_("timings (s)"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("computation run")
        verbose_name_plural = _("computation runs")
        ordering = ["-created_at", "-id"]

    @property
    def progress_percent(self) -> int:
        if self.state == RunState.SUCCEEDED:
            return 100
        return min(100, round(self.done * 100 / self.total)) if self.total else 0
