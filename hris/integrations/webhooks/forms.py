"""Forms of the webhook pages; services do the checking."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hris.notifications.forms import event_choices, style


class SubscriptionForm(forms.Form):
    company = forms.ModelChoiceField(queryset=None, label=_("Company"), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    target_url = forms.CharField(
        label=_("Target URL"), max_length=500, help_text=_("Renshi POSTs signed JSON to this URL (see the integrator documentation).")
    )
    event_keys = forms.MultipleChoiceField(
        label=_("Events"), required=False, choices=lambda: event_choices(webhook_only=True), widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, companies: list, subscription=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        from hris.org.models import Company

        self.fields["company"].queryset = Company.objects.filter(pk__in=[company.pk for company in companies])
        if subscription is not None:
            del self.fields["company"]
        elif len(companies) == 1:
            self.fields["company"].initial = companies[0].pk
        style(self)
