"""Input forms of the review pages; the services validate the rules and their errors land here."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hris.core import errors
from hris.reviews.models import AdjustmentPolicy, CycleReviewSettings

REASON_WIDGET = forms.Textarea(attrs={"rows": 2, "class": "form-control"})


class ServiceErrorsMixin:
    def add_service_error(self, error: errors.DomainError) -> None:
        placed = False
        for field, messages in error.field_errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class AdjustmentForm(ServiceErrorsMixin, forms.Form):
    delta = forms.DecimalField(
        label=_("Change (points)"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Positive to raise, negative to lower, e.g. 5 or -2.5."),
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
    )
    indicator = forms.TypedChoiceField(label=_("Applies to"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=REASON_WIDGET, help_text=_("Required; the employee sees it after publication.")
    )

    def __init__(self, *args, indicators=(), allow_total: bool = True, allow_indicator: bool = True, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        choices = []
        if allow_total:
            choices.append(("", _("The total score")))
        if allow_indicator:
            choices += [(indicator.pk, indicator.display_name) for indicator in indicators]
        self.fields["indicator"].choices = choices
        self.fields["indicator"].required = not allow_total
        self.fields["indicator"].widget.attrs["class"] = "form-select"
        self.indicators = {indicator.pk: indicator for indicator in indicators}

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()


class PolicyForm(ServiceErrorsMixin, forms.ModelForm):
    reason = forms.CharField(
        label=_("Why the change"), required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    class Meta:
        model = AdjustmentPolicy
        fields = ["executive_limit", "manager_limit", "hr_limit", "targets"]
        widgets = {
            "executive_limit": forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0"}),
            "manager_limit": forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0"}),
            "hr_limit": forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "min": "0"}),
            "targets": forms.Select(attrs={"class": "form-select"}),
        }


class ReviewSettingsForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = CycleReviewSettings
        fields = ["appeal_window_days"]
        widgets = {"appeal_window_days": forms.NumberInput(attrs={"class": "form-control", "min": "1", "max": "90"})}

    def clean_appeal_window_days(self) -> int:
        days = self.cleaned_data["appeal_window_days"]
        if not 1 <= days <= 90:
            raise forms.ValidationError(_("Choose between 1 and 90 days."))
        return days


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=REASON_WIDGET)


class ReasonForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=REASON_WIDGET)


class ResolveForm(ServiceErrorsMixin, forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Uphold the appeal")), ("0", _("Reject the appeal"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for the decision"), max_length=2000, widget=REASON_WIDGET)
    delta = forms.DecimalField(
        label=_("Score change (points, optional)"),
        required=False,
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
    )
