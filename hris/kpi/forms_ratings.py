"""Forms of the rating pages. They parse input; the rating services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hris.kpi.forms_cycles import add_service_errors  # noqa: F401  (re-exported for the rating views)
from hris.people.forms import DATE_WIDGET


class RatingForm(forms.Form):
    """One rating: the value on the indicator's scale (checked by the service) and a comment."""

    value = forms.DecimalField(label=_("Rating"), max_digits=6, decimal_places=2)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scale_min: Any = None, scale_max: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attrs = self.fields["value"].widget.attrs
        attrs.update({"step": "0.5", "class": "form-control form-control-sm"})
        if scale_min is not None:
            attrs.update({"min": f"{scale_min.normalize():f}", "max": f"{scale_max.normalize():f}"})
        self.fields["comment"].widget.attrs["class"] = "form-control form-control-sm"


class RatingSettingsForm(forms.Form):
    due_date = forms.DateField(label=_("Rating deadline"), widget=DATE_WIDGET)
    anonymous_peers = forms.BooleanField(
        label=_("Anonymous peer feedback"),
        required=False,
        help_text=_("Employees and managers see peer ratings only as an average and a count, never who gave them."),
    )
    reminder_days_before = forms.IntegerField(label=_("Start reminders this many days before the deadline"), min_value=0, max_value=60)
    department_peers = forms.IntegerField(
        label=_("Same-department peers when none are chosen"),
        min_value=0,
        max_value=10,
        help_text=_("0 asks only the peers chosen by HR or managers."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            invalid = " is-invalid" if self.is_bound and name in self.errors else ""
            field.widget.attrs["class"] = ("form-check-input" if name == "anonymous_peers" else "form-control form-control-sm") + invalid


class ExtendForm(forms.Form):
    due_date = forms.DateField(label=_("New due date"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class PeerForm(forms.Form):
    """Choose a colleague as a peer rater of an employee; the choices are the actor's employees in the cycle."""

    employee = forms.TypedChoiceField(label=_("Employee rated"), coerce=int)
    rater = forms.TypedChoiceField(label=_("Peer"), coerce=int)

    def __init__(self, *args: Any, employees: list[tuple[int, str]], colleagues: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].choices = [("", "—"), *employees]
        self.fields["rater"].choices = [("", "—"), *colleagues]
        for name in ("employee", "rater"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
