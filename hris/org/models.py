from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from hris.core.models import BaseModel
from hris.org.choices import JobFamily


class Company(BaseModel):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    unified_social_credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Branch(BaseModel):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="branches", verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40)
    city = models.CharField(_("city"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["company_id", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="branch_code_unique_per_company")]

    def __str__(self) -> str:
        return self.name


class Department(MP_Node, BaseModel):
    """A node of the department tree (materialised path: a subtree is a path prefix)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="departments", verbose_name=_("company"))
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="departments", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    code = models.SlugField(_("code"), max_length=40)
    head = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="headed_departments",
        verbose_name=_("department head"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="department_code_unique_per_company"),
            models.CheckConstraint(name="department_closed_has_date", condition=Q(is_active=True) | Q(closed_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.name


class Position(BaseModel):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="positions", verbose_name=_("company"))
    code = models.SlugField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=120)
    title_en = models.CharField(_("English title"), max_length=120, blank=True)
    job_family = models.CharField(_("job family"), max_length=32, choices=JobFamily.choices)
    level = models.CharField(_("level"), max_length=16, help_text=_("e.g. P3, M2"))
    is_managerial = models.BooleanField(_("managerial"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["job_family", "level", "title"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="position_code_unique_per_company")]

    def __str__(self) -> str:
        return f"{self.title} ({self.level})"
