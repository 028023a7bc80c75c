"""Performance review workflow: adjustment policies and adjustments, the review/approval chain,
published result versions, acknowledgements and appeals.

Adjustments are records, never overwrites: the assessment keeps the computed total from the
engine and the sum of the adjustments (`Assessment.adjustment_total`); the final score is
clamp(computed + adjustments). After publication every change makes a new `ResultVersion`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel

ZERO = Decimal("0.00")


class AdjustmentTarget(models.TextChoices):
    TOTAL = "total", _("The total score only")
    INDICATOR = "indicator", _("One indicator only")
    BOTH = "both", _("The total or one indicator")


class AdjusterRole(models.TextChoices):
    EXECUTIVE = "executive", _("Executive")
    DEPARTMENT_MANAGER = "department_manager", _("Department manager")
    HR = "hr", _("HR (admin or business partner)")
    SUPERUSER = "superuser", _("System administrator")


class AdjustmentPolicy(BaseModel):
    """How far each role may adjust one assessment (cumulative, in points). One per company
    (cycle empty) and optionally one per cycle that overrides it."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company"))
    cycle = models.OneToOneField(
        "kpi.Cycle", on_delete=models.CASCADE, null=True, blank=True, related_name="adjustment_policy", verbose_name=_("cycle")
    )
    executive_limit = models.DecimalField(
        _("executive limit (± points)"), max_digits=6, decimal_places=2, default=Decimal("10"), validators=[MinValueValidator(0)]
    )
    manager_limit = models.DecimalField(
        _("department manager limit (± points)"), max_digits=6, decimal_places=2, default=Decimal("5"), validators=[MinValueValidator(0)]
    )
    hr_limit = models.DecimalField(
        _("HR limit (± points)"), max_digits=6, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    targets = models.CharField(_("adjustments may target"), max_length=10, choices=AdjustmentTarget.choices, default=AdjustmentTarget.BOTH)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("adjustment policy")
        verbose_name_plural = _("adjustment policies")
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=Q(cycle__isnull=True), name="adjustment_policy_once_per_company"),
            models.CheckConstraint(
                name="adjustment_policy_limits_not_negative", condition=Q(executive_limit__gte=0, manager_limit__gte=0, hr_limit__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.cycle_id or '-'}"

    def limit_for(self, role: str) -> Decimal | None:
        """The cumulative limit for a role; None = no limit (system administrator)."""
        return {
            AdjusterRole.EXECUTIVE: self.executive_limit,
            AdjusterRole.DEPARTMENT_MANAGER: self.manager_limit,
            AdjusterRole.HR: self.hr_limit,
        }.get(role)


class Appeal(BaseModel):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    assessment = models.ForeignKey("kpi.Assessment", on_delete=models.CASCADE, related_name="appeals", verbose_name=_("assessment"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("resolved by")
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment"], condition=Q(state="open"), name="appeal_one_open_per_assessment"),
            models.CheckConstraint(name="appeal_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"appeal {self.pk} ({self.assessment_id})"


class ScoreAdjustment(models.Model):
    """One adjustment of an assessment, by whom, in which role, why, and its effect on the final score."""

    assessment = models.ForeignKey("kpi.Assessment", on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("assessment"))
    indicator = models.ForeignKey(
        "kpi.Indicator", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("indicator")
    )
    delta = models.DecimalField(_("change (points)"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("adjusted by"))
    role = models.CharField(_("role used"), max_length=20, choices=AdjusterRole.choices)
    final_before = models.DecimalField(_("final score before"), max_digits=7, decimal_places=2, null=True)
    final_after = models.DecimalField(_("final score after"), max_digits=7, decimal_places=2, null=True)
    appeal = models.ForeignKey(
        Appeal, on_delete=models.SET_NULL, null=True, blank=True, related_name="adjustments", verbose_name=_("appeal")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("score adjustment")
        verbose_name_plural = _("score adjustments")
        ordering = ["assessment", "created_at", "id"]
        constraints = [
            models.CheckConstraint(name="adjustment_not_zero", condition=~Q(delta=0)),
            models.CheckConstraint(name="adjustment_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.delta:+}"

    @property
    def delta_text(self) -> str:
        """As people write it: +5, -2.5 (no trailing zeros)."""
        return f"{self.delta.normalize():+f}"


class ReviewState(models.TextChoices):
    """The workflow's own sub-state while the kpi cycle is in calibration."""

    NONE = "", _("—")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")


class CycleReviewSettings(BaseModel):
    """Per cycle: the appeal window, the workflow's timestamps and its sub-state."""

    cycle = models.OneToOneField("kpi.Cycle", on_delete=models.CASCADE, related_name="review_settings", verbose_name=_("cycle"))
    appeal_window_days = models.PositiveSmallIntegerField(_("days to acknowledge or appeal"), default=7)
    review_state = models.CharField(_("approval status"), max_length=20, choices=ReviewState.choices, blank=True, default="")
    review_started_at = models.DateTimeField(_("review started at"), null=True, blank=True)
    calibration_started_at = models.DateTimeField(_("calibration started at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cycle review settings")
        verbose_name_plural = _("cycle review settings")

    def __str__(self) -> str:
        return str(self.cycle_id)


class DepartmentReview(BaseModel):
    """A department manager marked their team's results as reviewed."""

    cycle = models.ForeignKey("kpi.Cycle", on_delete=models.CASCADE, related_name="department_reviews", verbose_name=_("cycle"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by"))
    completed_at = models.DateTimeField(_("reviewed at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("department review")
        verbose_name_plural = _("department reviews")
        constraints = [models.UniqueConstraint(fields=["cycle", "department"], name="department_review_once")]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.department_id}"


class ApprovalRequest(BaseModel):
    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    cycle = models.ForeignKey("kpi.Cycle", on_delete=models.CASCADE, related_name="approval_requests", verbose_name=_("cycle"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["cycle"], condition=Q(state="pending"), name="approval_one_pending_per_cycle")]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.state}"


class ApprovalStep(models.Model):
    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted by HR")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned for changes")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps", verbose_name=_("approval request"))
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.kind}"


class CycleTransition(models.Model):
    """The timeline of a cycle's review workflow."""

    cycle = models.ForeignKey("kpi.Cycle", on_delete=models.CASCADE, related_name="review_transitions", verbose_name=_("cycle"))
    from_state = models.CharField(_("from"), max_length=20)
    to_state = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cycle transition")
        verbose_name_plural = _("cycle transitions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.from_state} → {self.to_state}"

    @staticmethod
    def _label(state: str) -> str:
        from hris.kpi.choices import CycleState

        for choices in (CycleState, ReviewState):
            if state in choices.values:
                return str(choices(state).label)
        return state

    @property
    def from_label(self) -> str:
        return self._label(self.from_state)

    @property
    def to_label(self) -> str:
        return self._label(self.to_state)


class ResultVersion(models.Model):
    """A published result of one assessment. Version 1 at publication; every later change
    (adjustment, appeal, correction) adds the next one with the diff to its predecessor."""

    assessment = models.ForeignKey("kpi.Assessment", on_delete=models.CASCADE, related_name="result_versions", verbose_name=_("assessment"))
    number = models.PositiveIntegerField(_("version"))
    final_score = models.DecimalField(_("final score"), max_digits=7, decimal_places=2, null=True)
    computed_total = models.DecimalField(_("computed total"), max_digits=7, decimal_places=2, null=True)
    adjustment_total = models.DecimalField(_("adjustments"), max_digits=7, decimal_places=2, default=ZERO)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    items = models.JSONField(_("indicators"), default=list)
    adjustments = models.JSONField(_("adjustments"), default=list)
    diff = models.JSONField(_("changes from the previous version"), default=dict, blank=True)
    reason = models.TextField(_("why"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("result version")
        verbose_name_plural = _("result versions")
        ordering = ["assessment", "-number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="result_version_unique")]

    def __str__(self) -> str:
        return f"{self.assessment_id} v{self.number}"


class Acknowledgement(models.Model):
    assessment = models.ForeignKey(
        "kpi.Assessment", on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("assessment")
    )
    version = models.ForeignKey(ResultVersion, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("version"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [models.UniqueConstraint(fields=["version"], name="acknowledgement_once_per_version")]

    def __str__(self) -> str:
        return f"{self.assessment_id} v{self.version_id}"
