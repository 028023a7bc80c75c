"""Forms of the people pages. They parse and present input; the services decide what is valid
and allowed, and their DomainError.field_errors are mapped back onto these fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from hris.core.errors import DomainError, field_errors_from_validation_error
from hris.org.models import Branch, Department, Position
from hris.people.choices import ContractType, EmployeeStatus, EmploymentType, Gender
from hris.people.models import Contract, Employee
from hris.people.selectors import ALL_STATUSES, CURRENT_EMPLOYEES
from hris.people.templatetags.people_tags import local_name

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _label(model: type, field_name: str) -> Any:
    return capfirst(model._meta.get_field(field_name).verbose_name)


def _date_field(model: type, field_name: str, *, required: bool) -> forms.DateField:
    return forms.DateField(label=_label(model, field_name), required=required, widget=DATE_WIDGET)


def indented_department_label(department: Department, *, base_depth: int = 1) -> str:
    """Tree order plus indentation makes the hierarchy readable inside a <select>."""
    return "\u00a0\u00a0\u00a0" * max(department.depth - base_depth, 0) + local_name(department)


def apply_service_errors(form: forms.Form, error: DomainError | ValidationError) -> None:
    """Put a service's refusal on the form: per-field messages on their fields, the rest on top."""
    if isinstance(error, DomainError):
        field_errors, message = error.field_errors, error.message
    else:
        field_errors, message = field_errors_from_validation_error(error), ""
    for field, messages in field_errors.items():
        target = field if field in form.fields else None
        for text in messages:
            form.add_error(target, text)
    if not field_errors and message:
        form.add_error(None, message)


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return indented_department_label(obj)


class ManagerChoiceIterator(forms.models.ModelChoiceIterator):
    """Options from plain rows, not model instances: a company has thousands of possible managers."""

    def __iter__(self):  # noqa: ANN204
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, name, employee_number in self.queryset.values_list("pk", "name", "employee_number"):
            yield (pk, f"{name} ({employee_number})")


class ManagerChoiceField(forms.ModelChoiceField):
    iterator = ManagerChoiceIterator


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Position) -> str:
        return local_name(obj)


class DirectoryFilterForm(forms.Form):
    """Query-string filters of the directory. Option lists are passed in already loaded
    (one query each), so validating a filter costs no further query."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    branch = forms.TypedChoiceField(label=_("Branch"), required=False, coerce=int, empty_value=None)
    position = forms.TypedChoiceField(label=_("Position"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(CURRENT_EMPLOYEES, _("Current employees")), (ALL_STATUSES, _("All, including former")), *EmployeeStatus.choices],
    )
    employment_type = forms.ChoiceField(
        label=_("Employment type"), required=False, choices=[("", _("All employment types")), *EmploymentType.choices]
    )

    def __init__(
        self, data: Any, *, departments: Iterable[Department], branches: Iterable[Branch], positions: Iterable[Position]
    ) -> None:
        super().__init__(data)
        departments, branches, positions = list(departments), list(branches), list(positions)
        several_companies = len({item.company_id for item in [*departments, *branches, *positions]}) > 1
        base_depth = min((department.depth for department in departments), default=1)
        self.fields["department"].choices = [("", _("All departments"))] + self._grouped(
            departments, lambda item: indented_department_label(item, base_depth=base_depth), several_companies
        )
        self.fields["branch"].choices = [("", _("All branches"))] + self._grouped(branches, lambda item: item.name, several_companies)
        self.fields["position"].choices = [("", _("All positions"))] + self._grouped(
            positions, local_name, several_companies
        )

    @staticmethod
    def _grouped(items: list, label: Any, several_companies: bool) -> list:
        if not several_companies:
            return [(item.pk, label(item)) for item in items]
        groups: dict[str, list] = {}
        for item in items:
            groups.setdefault(str(item.company), []).append((item.pk, label(item)))
        return list(groups.items())

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments of employee_search(); invalid ones are dropped."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "text": cleaned.get("q") or "",
            "department_id": cleaned.get("department"),
            "branch_id": cleaned.get("branch"),
            "position_id": cleaned.get("position"),
            # The directory lists current employees unless asked otherwise.
            "status": cleaned.get("status") or CURRENT_EMPLOYEES,
            "employment_type": cleaned.get("employment_type") or "",
        }


def manager_choices(
    visible: QuerySet[Employee], *, company_id: int | None, current_manager_id: int | None, exclude_id: int | None
) -> QuerySet:
    """Current employees the actor may see (of the same company), plus the present manager
    even when outside the actor's scope, so an unrelated edit never drops the reporting line."""
    candidates = visible.exclude(status=EmployeeStatus.TERMINATED)
    if company_id is not None:
        candidates = candidates.filter(company_id=company_id)
    condition = Q(pk__in=candidates.order_by().values("pk"))
    if current_manager_id:
        condition |= Q(pk=current_manager_id)
    queryset = Employee.objects.filter(condition)
    if exclude_id:
        queryset = queryset.exclude(pk=exclude_id)
    return queryset.only("id", "name", "employee_number", "company_id").order_by("employee_number")


def position_choices(visible: QuerySet[Position], *, company_id: int | None, current_position_id: int | None) -> QuerySet:
    candidates = visible.filter(is_active=True)
    if company_id is not None:
        candidates = candidates.filter(company_id=company_id)
    condition = Q(pk__in=candidates.order_by().values("pk"))
    if current_position_id:
        condition |= Q(pk=current_position_id)
    return Position.objects.filter(condition).order_by("job_family", "level", "title")


class EmployeeForm(forms.Form):
    """Fields shared by the create and edit forms, in the order they are shown."""

    name = forms.CharField(label=_label(Employee, "name"), max_length=100)
    english_name = forms.CharField(label=_label(Employee, "english_name"), max_length=100, required=False)
    gender = forms.ChoiceField(label=_label(Employee, "gender"), choices=Gender.choices, initial=Gender.UNSPECIFIED)
    birth_date = _date_field(Employee, "birth_date", required=False)
    department = DepartmentChoiceField(label=_label(Employee, "department"), queryset=Department.objects.none())
    position = PositionChoiceField(label=_label(Employee, "position"), queryset=Position.objects.none(), required=False)
    manager = ManagerChoiceField(label=_label(Employee, "manager"), queryset=Employee.objects.none(), required=False)
    employment_type = forms.ChoiceField(
        label=_label(Employee, "employment_type"), choices=EmploymentType.choices, initial=EmploymentType.FULL_TIME
    )
    hire_date = _date_field(Employee, "hire_date", required=True)
    probation_end_date = _date_field(Employee, "probation_end_date", required=False)
    work_location = forms.CharField(label=_label(Employee, "work_location"), max_length=120, required=False)
    phone = forms.CharField(
        label=_label(Employee, "phone"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_label(Employee, "email"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    id_number = forms.CharField(
        label=_("ID number"), max_length=18, required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "class": "masked"}),
        help_text=_("18 characters; stored encrypted and shown masked."),
    )

    def __init__(
        self, *args: Any, departments: QuerySet[Department], positions: QuerySet[Position], managers: QuerySet[Employee], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["position"].queryset = positions
        self.fields["manager"].queryset = managers

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class EmployeeCreateForm(EmployeeForm):
    employee_number = forms.CharField(label=_label(Employee, "employee_number"), max_length=32)

    field_order = ["employee_number", "name"]

    def clean_employee_number(self) -> str:
        return self.cleaned_data["employee_number"].strip()


class EmployeeEditForm(EmployeeForm):
    effective_date = forms.DateField(
        label=_("Effective date"), required=False, widget=DATE_WIDGET,
        help_text=_("When a new department, position or manager takes effect; recorded in the employment history."),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the employee's assignment changes (transfer, promotion, …); kept in the history and the audit trail."),
    )

    # Changing these writes an employment event (transfer, promotion, manager change).
    ASSIGNMENT_FIELDS = ("department", "position", "manager")

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        initial = {
            "name": employee.name, "english_name": employee.english_name, "gender": employee.gender, "birth_date": employee.birth_date,
            "department": employee.department_id, "position": employee.position_id, "manager": employee.manager_id,
            "employment_type": employee.employment_type, "hire_date": employee.hire_date,
            "probation_end_date": employee.probation_end_date, "work_location": employee.work_location,
            "phone": employee.phone, "email": employee.email, "id_number": "", "effective_date": timezone.localdate(), "reason": "",
        }
        super().__init__(*args, initial=initial, **kwargs)
        keep_hint = _("Leave blank to keep the stored number. %(help)s")
        self.fields["id_number"].help_text = keep_hint % {"help": self.fields["id_number"].help_text}

    def changes(self) -> dict[str, Any]:
        """Only what the user changed, so the audit trail and history show real changes."""
        changed = {name: self.cleaned_data[name] for name in self.changed_data if name not in {"effective_date", "reason", "id_number"}}
        if self.cleaned_data.get("id_number"):
            changed["id_number"] = self.cleaned_data["id_number"]
        return changed

    def assignment_changed(self) -> bool:
        return any(name in self.changed_data for name in self.ASSIGNMENT_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.assignment_changed() and not cleaned.get("effective_date"):
            self.add_error("effective_date", _("Give the date the new assignment takes effect."))
        return cleaned


class StatusChangeForm(forms.Form):
    effective_date = forms.DateField(label=_("Effective date"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, reason_required: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class ContractForm(forms.Form):
    contract_number = forms.CharField(label=_label(Contract, "contract_number"), max_length=40)
    contract_type = forms.ChoiceField(label=_label(Contract, "contract_type"), choices=ContractType.choices)
    start_date = _date_field(Contract, "start_date", required=True)
    end_date = _date_field(Contract, "end_date", required=False)
    signed_on = _date_field(Contract, "signed_on", required=False)
    notes = forms.CharField(label=_label(Contract, "notes"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The contract cannot end before it starts."))
        return cleaned


class RevealIdNumberForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for viewing"), max_length=500,
        help_text=_("Recorded in the audit trail together with your name."),
    )


class EmployeeLoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, required=False,
        help_text=_("Leave empty to use the employee number. The employee can also log in with their email."),
    )
