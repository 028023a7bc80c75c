"""The upload form of the import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hris.org.models import Company
from hris.people.importing.reading import FileProblem, check_filename
from hris.people.models_import import ImportKind, ImportMode

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What to import"),
        choices=ImportKind.choices,
        initial=ImportKind.EMPLOYEES,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    mode = forms.ChoiceField(
        label=_("Employees already in the system"),
        choices=ImportMode.choices,
        initial=ImportMode.CREATE,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_("Employees are matched by employee number. When updating, empty cells leave stored values unchanged."),
    )
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), empty_label=None)
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel workbook (.xlsx) or CSV (UTF-8 or GBK); the first row holds the column headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv"}),
        allow_empty_file=True,  # our own message below
    )

    def __init__(self, *args, companies: list[Company], can_import_departments: bool, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.filter(pk__in=[company.pk for company in companies]).order_by("name")
        if companies:
            self.fields["company"].initial = companies[0].pk
        self.only_company = companies[0] if len(companies) == 1 else None
        if self.only_company is not None:
            self.fields["company"].widget = forms.HiddenInput()
            self.fields["company"].required = False
        if not can_import_departments:
            self.fields["kind"].choices = [(ImportKind.EMPLOYEES, ImportKind.EMPLOYEES.label)]

    def clean_company(self):  # noqa: ANN201
        return self.cleaned_data.get("company") or self.only_company

    def clean_file(self):  # noqa: ANN201
        upload = self.cleaned_data["file"]
        try:
            check_filename(upload.name)
        except FileProblem as problem:
            raise forms.ValidationError(str(problem), code="file_type")
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB; split it into smaller files."), code="too_large")
        return upload
