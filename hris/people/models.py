from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hris.core.models import BaseModel
from hris.people.choices import ContractType, EmployeeStatus, EmploymentEventType, EmploymentType, Gender


class Employee(BaseModel):
    company = models.ForeignKey("org.Company", on_delete=models.PROTECT, related_name="employees", verbose_name=_("company"))
    employee_number = models.CharField(_("employee number"), max_length=32)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    english_name = models.CharField(_("English name"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, default=Gender.UNSPECIFIED)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee", verbose_name=_("user account")
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="employees", verbose_name=_("department"))
    position = models.ForeignKey(
        "org.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="employees", verbose_name=_("position")
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports", verbose_name=_("manager")
    )
    hire_date = models.DateField(_("hire date"))
    probation_end_date = models.DateField(_("probation end"), null=True, blank=True)
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME
    )
    status = models.CharField(_("status"), max_length=16, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE, db_index=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    work_location = models.CharField(_("work location"), max_length=120, blank=True)
    # The ID number is stored encrypted; a keyed digest allows uniqueness checks and lookup.
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["employee_number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "employee_number"], name="employee_number_unique_per_company"),
            models.CheckConstraint(name="employee_not_own_manager", condition=~Q(manager=models.F("id"))),
            models.CheckConstraint(
                name="employee_terminated_has_date",
                condition=~Q(status=EmployeeStatus.TERMINATED) | Q(termination_date__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["company", "status", "department"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"


class Contract(BaseModel):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="contracts", verbose_name=_("employee"))
    contract_number = models.CharField(_("contract number"), max_length=40)
    contract_type = models.CharField(_("contract type"), max_length=20, choices=ContractType.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "contract_number"], name="contract_number_unique_per_employee"),
            models.CheckConstraint(
                name="contract_end_after_start", condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date"))
            ),
        ]

    def __str__(self) -> str:
        return self.contract_number


class EmploymentEvent(BaseModel):
    """History of hire, transfer, promotion, termination …; never rewritten."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="employment_events", verbose_name=_("employee"))
    event_type = models.CharField(_("event"), max_length=24, choices=EmploymentEventType.choices)
    effective_date = models.DateField(_("effective date"))
    from_department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_position = models.ForeignKey("org.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_position = models.ForeignKey("org.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_manager = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_manager = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("employment event")
        verbose_name_plural = _("employment events")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.effective_date}"


from hris.people.models_import import ImportJob  # noqa: E402,F401


class ExternalIdentity(BaseModel):
    """How another system names an employee (a Jira accountId, a DingTalk userId, an ERP login…).

    Ingestion and connectors resolve records to employees through it; the system key is free
    text chosen by the integrator ("jira", "dingtalk", "erp") so new systems need no code.
    """

    company = models.ForeignKey("org.Company", on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("company"))
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("employee"))
    system = models.CharField(_("system"), max_length=40)
    external_id = models.CharField(_("identifier in that system"), max_length=128)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        ordering = ["system", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "system", "external_id"], name="external_identity_unique_per_system"),
            models.UniqueConstraint(fields=["employee", "system"], name="external_identity_one_per_employee_and_system"),
            models.CheckConstraint(name="external_identity_named", condition=~models.Q(system="") & ~models.Q(external_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.external_id}"
