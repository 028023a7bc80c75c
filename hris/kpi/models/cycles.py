"""Assessment cycles, who is assessed with which template version, weights and targets."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hris.core.models import BaseModel
from hris.kpi.choices import AssignmentKind, CycleState, PeriodType
from hris.org.choices import JobFamily


class Cycle(BaseModel):
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="kpi_cycles", verbose_name=_("company"))
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=120)
    period_type = models.CharField(_("period"), max_length=12, choices=PeriodType.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    state = models.CharField(_("state"), max_length=12, choices=CycleState.choices, default=CycleState.DRAFT, db_index=True)
    score_floor = models.DecimalField(_("lowest final score"), max_digits=6, decimal_places=2, default=0)
    score_cap = models.DecimalField(_("highest final score"), max_digits=6, decimal_places=2, default=120)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    scoring_started_at = models.DateTimeField(_("scoring started at"), null=True, blank=True)
    last_computed_at = models.DateTimeField(_("last computed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        ordering = ["-period_start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="cycle_name_unique_per_company"),
            models.CheckConstraint(name="cycle_period_ordered", condition=Q(period_end__gte=F("period_start"))),
            models.CheckConstraint(name="cycle_bounds_ordered", condition=Q(score_cap__gt=F("score_floor"))),
        ]

    def __str__(self) -> str:
        return self.name


class CycleAssignment(BaseModel):
    """Assigns a pinned template version to a population; the most specific match wins."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("cycle"))
    template_version = models.ForeignKey(
        "kpi.TemplateVersion", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("template version")
    )
    kind = models.CharField(_("population"), max_length=12, choices=AssignmentKind.choices)
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    position = models.ForeignKey(
        "org.Position", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("position")
    )
    job_family = models.CharField(_("job family"), max_length=32, choices=JobFamily.choices, blank=True)
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("employee")
    )

    class Meta:
        verbose_name = _("template assignment")
        verbose_name_plural = _("template assignments")
        ordering = ["cycle", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                name="assignment_names_its_population",
                condition=(
                    Q(kind=AssignmentKind.DEPARTMENT, department__isnull=False)
                    | Q(kind=AssignmentKind.POSITION, position__isnull=False)
                    | (Q(kind=AssignmentKind.JOB_FAMILY) & ~Q(job_family=""))
                    | Q(kind=AssignmentKind.EMPLOYEE, employee__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.kind}"


class CycleWeightOverride(BaseModel):
    """A cycle-specific weight for one indicator of a template version (e.g. peak-season recruiting)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="weight_overrides", verbose_name=_("cycle"))
    template_version = models.ForeignKey(
        "kpi.TemplateVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("template version")
    )
    indicator = models.ForeignKey("kpi.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("cycle weight override")
        verbose_name_plural = _("cycle weight overrides")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "template_version", "indicator"], name="cycle_weight_override_once"),
            models.CheckConstraint(name="cycle_weight_override_in_range", condition=Q(weight__gte=0, weight__lte=100)),
        ]


class EmployeeWeightOverride(BaseModel):
    """One employee's weight for one indicator in one cycle; always with a reason."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="employee_weight_overrides", verbose_name=_("cycle"))
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+", verbose_name=_("employee"))
    indicator = models.ForeignKey("kpi.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("employee weight override")
        verbose_name_plural = _("employee weight overrides")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee", "indicator"], name="employee_weight_override_once"),
            models.CheckConstraint(name="employee_weight_override_in_range", condition=Q(weight__gte=0, weight__lte=100)),
            models.CheckConstraint(name="employee_weight_override_has_reason", condition=~Q(reason="")),
        ]


class Target(BaseModel):
    """An employee's target for one indicator in one cycle; without one the template's default applies."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="targets", verbose_name=_("cycle"))
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+", verbose_name=_("employee"))
    indicator = models.ForeignKey("kpi.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator"))
    value = models.DecimalField(_("target value"), max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("target value")
        verbose_name_plural = _("targets")
        constraints = [models.UniqueConstraint(fields=["cycle", "employee", "indicator"], name="target_once_per_employee_indicator")]
