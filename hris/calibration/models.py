"""Grade scales (company default, optional per-cycle override), calibration notes and potential ratings."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel


class Performance(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class GradeScale(BaseModel):
    """Ordered grade bands. ``cycle`` empty = the company's default scale; set = that cycle's override."""

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="grade_scales", verbose_name=_("company"))
    cycle = models.OneToOneField(
        "kpi.Cycle", on_delete=models.CASCADE, null=True, blank=True, related_name="grade_scale", verbose_name=_("cycle")
    )
    # A department is checked against the target distribution on its own only from this headcount.
    min_department_size = models.PositiveSmallIntegerField(
        _("smallest department checked separately"), default=5, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("grade scale")
        verbose_name_plural = _("grade scales")
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=models.Q(cycle__isnull=True), name="grade_scale_one_default_per_company"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.cycle_id or 'default'}"


class GradeBand(models.Model):
    scale = models.ForeignKey(GradeScale, on_delete=models.CASCADE, related_name="bands", verbose_name=_("grade scale"))
    position = models.PositiveSmallIntegerField(_("order"))
    letter = models.CharField(_("grade"), max_length=8)
    label = models.CharField(_("label"), max_length=60, blank=True)
    min_score = models.DecimalField(_("minimum score (inclusive)"), max_digits=7, decimal_places=2)
    max_percent = models.DecimalField(_("at most (percent of people)"), max_digits=5, decimal_places=2, null=True, blank=True)
    min_percent = models.DecimalField(_("at least (percent of people)"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "position"], name="grade_band_position_unique"),
            models.UniqueConstraint(fields=["scale", "letter"], name="grade_band_letter_unique"),
        ]

    def __str__(self) -> str:
        return self.letter


class CalibrationNote(BaseModel):
    cycle = models.ForeignKey("kpi.Cycle", on_delete=models.CASCADE, related_name="calibration_notes", verbose_name=_("cycle"))
    department = models.ForeignKey(
        "org.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("note"), max_length=5000)

    class Meta:
        verbose_name = _("calibration note")
        verbose_name_plural = _("calibration notes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cycle", "department"], name="calib_note_cycle_dept")]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.text[:40]}"


class PotentialRating(BaseModel):
    assessment = models.OneToOneField(
        "kpi.Assessment", on_delete=models.CASCADE, related_name="potential_rating", verbose_name=_("assessment")
    )
    potential = models.CharField(_("potential"), max_length=8, choices=Performance.choices)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("rated by")
    )

    class Meta:
        verbose_name = _("potential rating")
        verbose_name_plural = _("potential ratings")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.potential}"
