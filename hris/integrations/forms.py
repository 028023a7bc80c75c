"""Forms of the integration pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from hris.accounts.roles import Role
from hris.org.models import Company

CLIENT_ROLES = [(Role.HR_ADMIN, Role.HR_ADMIN.label), (Role.HRBP, Role.HRBP.label), (Role.EXECUTIVE, Role.EXECUTIVE.label)]


class CompanyChoiceForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Company.objects.none(), label=_("Company"))

    def __init__(self, *args, companies=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        companies = list(companies or [])
        self.fields["company"].queryset = Company.objects.filter(pk__in=[company.pk for company in companies]).order_by("code")
        if len(companies) == 1:
            self.fields["company"].initial = companies[0].pk
            self.fields["company"].widget = forms.HiddenInput()


class IdentityForm(CompanyChoiceForm):
    employee_number = forms.CharField(label=_("Employee number"), max_length=32)
    system = forms.CharField(label=_("System"), max_length=40, help_text=_("A short key such as jira, dingtalk, wecom or erp."))
    external_id = forms.CharField(
        label=_("Identifier in that system"), max_length=128, help_text=_("E.g. the Jira accountId or the DingTalk userId.")
    )


class IdentityUploadForm(CompanyChoiceForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns employee_number, system, external_id (UTF-8 or GB18030); one employee and system per row."),
    )


class ApiClientForm(CompanyChoiceForm):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the client is, e.g. “Jira sync”."))
    role = forms.ChoiceField(
        label=_("Role of its service account"),
        choices=CLIENT_ROLES,
        initial=Role.HR_ADMIN,
        help_text=_("Its role over the whole company decides which employees it may read or write metric records for."),
    )
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple, help_text=_("The operations it may call."))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, f"{scope} — {text}") for scope, text in oauth2_settings.SCOPES.items()]
