from django import forms
from django.utils.translation import gettext_lazy as _

from hris.calibration.models import Performance


class GradeBandForm(forms.Form):
    letter = forms.CharField(label=_("Grade"), max_length=8, required=False)
    label = forms.CharField(label=_("Label"), max_length=60, required=False)
    min_score = forms.DecimalField(label=_("Minimum score (inclusive)"), max_digits=7, decimal_places=2, required=False)
    max_percent = forms.DecimalField(label=_("At most (%)"), max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100)
    min_percent = forms.DecimalField(label=_("At least (%)"), max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return all(data.get(name) in (None, "") for name in self.fields)


GradeBandFormSet = forms.formset_factory(GradeBandForm, extra=2, max_num=10, validate_max=True)


class ScaleForm(forms.Form):
    min_department_size = forms.IntegerField(
        label=_("Smallest department checked on its own"),
        min_value=1,
        max_value=10000,
        initial=5,
        help_text=_("Departments with fewer people are shown but not checked against the target distribution."),
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, departments=(), **kwargs):  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Whole cycle"))] + [(pk, name) for pk, name, _path in departments]
        self.fields["department"].widget.attrs["class"] = "form-select form-select-sm"


class PotentialForm(forms.Form):
    potential = forms.ChoiceField(label=_("Potential"), choices=Performance.choices)
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False)
