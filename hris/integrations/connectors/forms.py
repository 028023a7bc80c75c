"""Connector forms: one form for every vendor (the vendor decides which credential fields show);
credentials are write-only ("••• saved", fill in to replace); mapping and options are JSON."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hris.integrations.connectors.models import Vendor
from hris.integrations.connectors.vendors import adapter_for
from hris.org.models import Company

CREDENTIAL_LABELS = {
    "token": _("Bearer token"),
    "username": _("User name"),
    "password": _("Password"),
    "api_key": _("API key"),
    "email": _("Atlassian account email"),
    "api_token": _("API token"),
    "appkey": _("AppKey"),
    "appsecret": _("AppSecret"),
}


class JsonField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 8, "class": "font-monospace"})

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) else json.dumps(value or {}, ensure_ascii=False, indent=2)

    def to_python(self, value: Any) -> Any:
        text = (value or "").strip()
        if not text:
            return {}
        try:
            parsed = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(_("This is not valid JSON: %(error)s") % {"error": error})
        if not isinstance(parsed, dict):
            raise forms.ValidationError(_("Write a JSON object ({…})."))
        return parsed


class ConnectorForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Company.objects.none(), label=_("Company"))
    name = forms.CharField(label=_("Name"), max_length=120)
    source = forms.SlugField(
        label=_("Source key"), max_length=40, required=False, help_text=_("Stored on every record; default: the vendor.")
    )
    base_url = forms.URLField(label=_("Base URL"), max_length=500, required=False, assume_scheme="https")
    mapping = JsonField(label=_("Mapping (JSON)"), required=False)
    options = JsonField(label=_("Options (JSON)"), required=False)

    def __init__(
        self, *args: Any, vendor: str, companies: list[Company], saved_credentials: list[str] = (), editing: bool = False, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.vendor = vendor
        self.fields["company"].queryset = Company.objects.filter(pk__in=[company.pk for company in companies])
        if len(companies) == 1:
            self.fields["company"].initial = companies[0].pk
            self.fields["company"].widget = forms.HiddenInput()
        if editing:
            del self.fields["company"]
        adapter = adapter_for(vendor)
        if not adapter.pulls:
            del self.fields["base_url"]
        for name in adapter.credential_fields:
            saved = name in saved_credentials
            self.fields[f"credential_{name}"] = forms.CharField(
                label=CREDENTIAL_LABELS.get(name, name),
                required=False,
                strip=True,
                widget=forms.PasswordInput(
                    attrs={"autocomplete": "new-password", "placeholder": "••• saved" if saved else ""}, render_value=False
                ),
                help_text=_("Saved; leave empty to keep it, type a new value to replace it.") if saved else "",
            )

    def credentials(self) -> dict:
        return {name[len("credential_") :]: value for name, value in self.cleaned_data.items() if name.startswith("credential_") and value}


class VendorChoiceForm(forms.Form):
    vendor = forms.ChoiceField(label=_("Vendor"), choices=Vendor.choices)


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Schedule"), choices=[("none", _("Only when run by hand")), ("interval", _("Every …")), ("cron", _("Cron expression"))]
    )
    every = forms.IntegerField(label=_("Every"), min_value=1, required=False)
    period = forms.ChoiceField(
        label=_("Unit"), choices=[("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))], required=False
    )
    cron = forms.CharField(label=_("Cron (minute hour day month weekday)"), required=False, max_length=120)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    preset = forms.ChoiceField(label=_("Column mapping"), required=False)
    mapping = JsonField(label=_("Or a mapping (JSON)"), required=False)
    save_as = forms.CharField(label=_("Save this mapping as a preset named"), required=False, max_length=120)

    def __init__(self, *args: Any, presets: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", _("The connector's mapping"))] + [(str(preset.pk), preset.name) for preset in presets]
