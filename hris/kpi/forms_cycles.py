"""Forms of the cycle, data and score pages. They parse and present input; the services decide
what is valid and allowed, and their field errors are mapped back onto these fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hris.core.errors import DomainError
from hris.kpi.choices import AssignmentKind, PeriodType
from hris.kpi.models import Cycle, TemplateItem, TemplateVersion
from hris.org.choices import JobFamily
from hris.org.models import Company, Department, Position
from hris.people.forms import DATE_WIDGET, DepartmentChoiceField, PositionChoiceField, apply_service_errors
from hris.people.importing.forms import MAX_UPLOAD_BYTES
from hris.people.importing.reading import FileProblem, check_filename
from hris.people.models import Employee

UPLOAD_HELP = _("An Excel (.xlsx) or CSV file; headers may be in Chinese or English.")


def add_service_errors(form: forms.Form, error: DomainError | ValidationError, rename: dict[str, str] | None = None) -> None:
    """A service's refusal on the form, with the service's field names translated to the form's."""
    if isinstance(error, DomainError) and rename:
        error.field_errors = {rename.get(name, name): messages for name, messages in error.field_errors.items()}
    apply_service_errors(form, error)


class CompanyField(forms.ModelChoiceField):
    """The company a page acts for; hidden when the user has only one."""

    def __init__(self, companies: list[Company], **kwargs: Any) -> None:
        super().__init__(queryset=Company.objects.filter(pk__in=[company.pk for company in companies]), label=_("Company"), **kwargs)
        if len(companies) == 1:
            self.initial = companies[0].pk
            self.widget = forms.HiddenInput()


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ("name", "period_type", "period_start", "period_end", "score_floor", "score_cap")
        widgets = {"period_start": DATE_WIDGET, "period_end": DATE_WIDGET}

    def __init__(self, *args: Any, companies: list[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"] = CompanyField(companies)
        self.order_fields(["company", *self.Meta.fields])
        self.fields["period_type"].initial = PeriodType.MONTHLY

    def _post_clean(self) -> None:
        """Validation is the service's (cycle_create); the form only parses the values."""


class AssignmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who"), choices=AssignmentKind.choices)
    department = DepartmentChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    position = PositionChoiceField(label=_("Position"), queryset=Position.objects.none(), required=False)
    job_family = forms.ChoiceField(label=_("Job family"), choices=[("", "---------"), *JobFamily.choices], required=False)
    employee_number = forms.CharField(label=_("Employee number"), max_length=32, required=False)
    template_version = forms.ModelChoiceField(label=_("Template version"), queryset=TemplateVersion.objects.none())

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company_id = cycle.company_id
        self.fields["department"].queryset = Department.objects.filter(company_id=cycle.company_id, is_active=True).order_by("path")
        self.fields["position"].queryset = Position.objects.filter(company_id=cycle.company_id).order_by("job_family", "level", "title")
        versions = TemplateVersion.objects.filter(template__company_id=cycle.company_id, template__is_active=True)
        self.fields["template_version"].queryset = versions.select_related("template").order_by("template__code", "-number")
        self.fields["template_version"].label_from_instance = lambda version: f"{version.template.display_name} v{version.number}"

    def clean_employee_number(self) -> Employee | None:
        number = self.cleaned_data["employee_number"].strip()
        if not number:
            return None
        employee = Employee.objects.filter(company_id=self.company_id, employee_number=number).first()
        if employee is None:
            raise ValidationError(_("No employee has the number “%(number)s”."), params={"number": number})
        return employee

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "template_version": data["template_version"],
            "kind": data["kind"],
            "department": data["department"],
            "position": data["position"],
            "job_family": data["job_family"],
            "employee": data["employee_number"],
        }


class WeightsForm(forms.Form):
    """The cycle's weights of one template version: a field per indicator, prefilled with the effective weight."""

    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, version: TemplateVersion, items: list[TemplateItem], overrides: dict[int, Decimal], **kwargs: Any):
        super().__init__(*args, prefix=f"v{version.pk}", **kwargs)
        self.version, self.items = version, items
        for item in items:
            self.fields[f"weight_{item.indicator_id}"] = forms.DecimalField(
                label=item.indicator.display_name,
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=overrides.get(item.indicator_id, item.weight),
                help_text=_("Template: %(weight)s %%") % {"weight": item.weight},
            )
        self.fields["reason"] = self.fields.pop("reason")

    def changed_weights(self) -> dict[int, Decimal]:
        """Only the weights that differ from the template: the others take the template's back."""
        return {
            item.indicator_id: self.cleaned_data[f"weight_{item.indicator_id}"]
            for item in self.items
            if self.cleaned_data[f"weight_{item.indicator_id}"] != item.weight
        }


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=UPLOAD_HELP, widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv"}), allow_empty_file=True
    )

    def __init__(self, *args: Any, companies: list[Company] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"] = CompanyField(companies)
            self.fields["source"] = forms.SlugField(
                label=_("Source"), max_length=60, initial="excel", help_text=_("For rows without a source of their own.")
            )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_filename(upload.name)
        except FileProblem as problem:
            raise ValidationError(str(problem), code="file_type")
        if upload.size == 0:
            raise ValidationError(_("The file is empty."), code="empty")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}, code="too_large")
        return upload


class MetricRecordForm(forms.Form):
    employee_number = forms.CharField(label=_("Employee number"), max_length=32)
    metric_key = forms.CharField(label=_("Metric key"), max_length=80, widget=forms.TextInput(attrs={"list": "metric-keys"}))
    date = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    period_start = forms.DateField(label=_("Period start"), required=False, widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Period end"), required=False, widget=DATE_WIDGET)
    value = forms.CharField(label=_("Value"), max_length=40)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    # service field → form field
    RENAME = {"employee": "employee_number", "employee_id": "employee_number", "department_code": "employee_number"}

    def __init__(self, *args: Any, companies: list[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"] = CompanyField(companies)
        self.order_fields(["company"])
        self.fields["date"].help_text = _("A single day, or leave it empty and give the period.")

    def record(self) -> dict[str, Any]:
        data = self.cleaned_data
        record = {"employee_number": data["employee_number"].strip(), "metric_key": data["metric_key"].strip(), "value": data["value"]}
        for name in ("date", "period_start", "period_end"):
            if data.get(name):
                record[name] = data[name].isoformat()
        if data.get("note"):
            record["note"] = data["note"]
        return record


class MetricRecordFilterForm(forms.Form):
    employee = forms.CharField(label=_("Employee"), required=False, help_text=_("Employee number or name"))
    metric_key = forms.CharField(label=_("Metric key"), required=False)
    source = forms.CharField(label=_("Source"), required=False)
    date = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
