"""Forms of the organisation pages. They only collect input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hris.core.errors import DomainError, field_errors_from_validation_error
from hris.org.choices import JobFamily
from hris.org.models import Branch, Company, Department


def add_service_errors(form: forms.Form, error: DomainError | ValidationError) -> None:
    """Show a service's refusal on the form: its message on top, field errors on their
    fields (or on top when the form has no such field)."""
    if isinstance(error, ValidationError):
        field_errors = field_errors_from_validation_error(error)
    else:
        field_errors = error.field_errors
        form.add_error(None, error.message)
    for field, messages in field_errors.items():
        for text in messages:
            form.add_error(field if field in form.fields else None, str(text))


class BootstrapFormMixin:
    """Give the widgets Bootstrap 5 classes so templates can render `{{ field }}`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # Covers errors from clean() and from services alike.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments indented by depth, so the select shows the tree."""

    def label_from_instance(self, obj: Department) -> str:
        return "　" * (obj.depth - 1) + f"{obj.name} ({obj.code})"


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Branch) -> str:
        return f"{obj.name} ({obj.city})" if obj.city else obj.name


class DepartmentFieldsForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("organisation unit", "Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Unique in the company; letters, digits, - and _."))
    branch = BranchChoiceField(label=_("Branch"), queryset=Branch.objects.none(), required=False, empty_label=_("(none)"))

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["branch"].queryset = Branch.objects.filter(company=company, is_active=True).order_by("code")


class DepartmentCreateForm(DepartmentFieldsForm):
    def __init__(self, *args: Any, company: Company, parent: Department | None, **kwargs: Any) -> None:
        super().__init__(*args, company=company, **kwargs)
        if parent is not None:
            self.fields["branch"].help_text = _("Empty: the branch of the parent department.")


class DepartmentEditForm(DepartmentFieldsForm):
    head = forms.CharField(
        label=_("Department head (employee number)"), max_length=32, required=False,
        help_text=_("Leave empty for no head."),
    )

    def __init__(self, *args: Any, company: Company, head_candidates: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, company=company, **kwargs)
        self.head_candidates = head_candidates

    def clean_head(self) -> Any:
        number = self.cleaned_data["head"].strip()
        if not number:
            return None
        head = self.head_candidates.filter(company=self.company, employee_number=number).first()
        if head is None:
            raise ValidationError(_("No current employee of this company has this employee number."))
        return head


class DepartmentMoveForm(BootstrapFormMixin, forms.Form):
    parent = DepartmentChoiceField(
        label=_("New parent department"), queryset=Department.objects.none(), required=False, empty_label=_("(top level)"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Department.objects.filter(company=company, is_active=True).order_by("path")


class DepartmentCloseForm(BootstrapFormMixin, forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Empty: today."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PositionForm(BootstrapFormMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=120)
    title_en = forms.CharField(label=_("English title"), max_length=120, required=False)
    job_family = forms.ChoiceField(label=_("Job family"), choices=JobFamily.choices)
    level = forms.CharField(label=_("Level"), max_length=16, help_text=_("e.g. P3, M2"))
    is_managerial = forms.BooleanField(label=_("Managerial"), required=False)


class PositionEditForm(PositionForm):
    is_active = forms.BooleanField(label=pgettext_lazy("switch", "Active"), required=False)


class BranchForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("organisation unit", "Name"), max_length=200)
    code = forms.SlugField(label=_("Code"), max_length=40)
    city = forms.CharField(label=_("City"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
