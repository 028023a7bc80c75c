"""The indicator library and versioned templates (DESIGN.md §6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel
from hris.kpi.choices import Aggregation, Category, Direction, Measurement, MetricLevel, WhenNoData
from hris.org.choices import JobFamily


class LocalisedNameMixin:
    name_zh: str
    name_en: str

    @property
    def display_name(self) -> str:
        language = get_language() or "zh-hans"
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh or self.name_en


class Indicator(LocalisedNameMixin, BaseModel):
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="indicators", verbose_name=_("company"))
    code = models.SlugField(_("code"), max_length=60)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. %, 件, 元, 天, 小时, 分"))
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices, default=Direction.HIGHER_BETTER)
    aggregation = models.CharField(_("aggregation over the period"), max_length=8, choices=Aggregation.choices, default=Aggregation.SUM)
    metric_key = models.SlugField(
        _("metric key"), max_length=80, blank=True, help_text=_("The metric records this indicator reads; the numerator of a ratio.")
    )
    denominator_key = models.SlugField(
        _("denominator metric key"), max_length=80, blank=True, help_text=_("Only for the ratio aggregation.")
    )
    metric_level = models.CharField(_("metric level"), max_length=12, choices=MetricLevel.choices, default=MetricLevel.EMPLOYEE)
    when_no_data = models.CharField(_("when there is no data"), max_length=8, choices=WhenNoData.choices, default=WhenNoData.MISSING)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.RESULT)
    measurement = models.CharField(_("measurement"), max_length=12, choices=Measurement.choices, default=Measurement.QUANTITATIVE)
    data_source = models.CharField(_("data source"), max_length=60, blank=True, help_text=_("e.g. ERP, CRM, QC system, Jira, attendance"))
    default_rule = models.JSONField(_("default scoring rule"))
    default_target = models.DecimalField(_("default target"), max_digits=20, decimal_places=4, null=True, blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Industries and departments, comma-separated."))
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="indicator_code_unique_per_company"),
            models.CheckConstraint(
                name="indicator_ratio_has_denominator",
                condition=~Q(aggregation=Aggregation.RATIO) | ~Q(denominator_key=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"


class Template(LocalisedNameMixin, BaseModel):
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="kpi_templates", verbose_name=_("company"))
    code = models.SlugField(_("code"), max_length=60)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    industry = models.CharField(_("industry / function"), max_length=60, blank=True)
    department = models.ForeignKey(
        "org.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("intended department")
    )
    position = models.ForeignKey(
        "org.Position", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("intended position")
    )
    job_family = models.CharField(_("intended job family"), max_length=32, choices=JobFamily.choices, blank=True)
    is_active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)

    class Meta:
        verbose_name = _("KPI template")
        verbose_name_plural = _("KPI templates")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="template_code_unique_per_company")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"


class TemplateVersion(BaseModel):
    """An immutable set of weighted indicators once a cycle uses it; edits then make a new version."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions", verbose_name=_("template"))
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="template_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class TemplateItem(models.Model):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="items", verbose_name=_("template version"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="template_items", verbose_name=_("indicator"))
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    rule = models.JSONField(_("scoring rule"))
    target = models.DecimalField(_("default target"), max_digits=20, decimal_places=4, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("template indicator")
        verbose_name_plural = _("template indicators")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "indicator"], name="template_item_indicator_once"),
            models.CheckConstraint(name="template_item_weight_in_range", condition=Q(weight__gt=0, weight__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.weight}%"
