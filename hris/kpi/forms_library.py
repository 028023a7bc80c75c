"""Forms of the indicator library and the template builder. They parse and present input;
the library services decide what is valid, and their field errors are mapped back here."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hris.core.errors import DomainError
from hris.kpi.choices import Aggregation, Category, Direction, Measurement, MetricLevel, WhenNoData
from hris.kpi.models import Indicator, Template
from hris.kpi.rules import RuleError, parse_rule
from hris.org.choices import JobFamily
from hris.people.forms import DepartmentChoiceField, PositionChoiceField

# What the rule editor shows when a type is picked: the spec without its "type".
RULE_EXAMPLES: dict[str, dict[str, Any]] = {
    "linear": {"floor": 0, "cap": 120},
    "piecewise": {"basis": "attainment", "knots": [[60, 0], [100, 100], [120, 120]]},
    "bands": {"comparison": "le", "bands": [{"threshold": 3, "score": 100}, {"threshold": 5, "score": 60}], "otherwise": 0},
    "binary": {"comparison": "ge", "full": 100},
    "deduction": {"full": 100, "per_occurrence": 10, "floor": 0},
    "manual": {"scale_min": 1, "scale_max": 5, "rater_weights": {"manager": 70, "peer": 30}},
    "formula": {"expression": "min(actual / target * 100, 120)", "inputs": []},
}
RULE_TYPE_CHOICES = [
    ("linear", _("Linear: actual ÷ target × 100")),
    ("piecewise", _("Piecewise: interpolated between knots")),
    ("bands", _("Bands: thresholds give fixed scores")),
    ("binary", _("Binary: met or not met")),
    ("deduction", _("Deduction per occurrence")),
    ("manual", _("Manual rating by raters")),
    ("formula", _("Formula")),
]
LIBRARY_FILE_EXTENSIONS = (".json", ".xlsx", ".xlsm")
MAX_LIBRARY_FILE_BYTES = 10 * 1024 * 1024
ANY = [("", _("All"))]


def rule_spec_text(rule: dict | None) -> str:
    """The rule as the editor's textarea shows it: indented JSON without the type."""
    spec = {key: value for key, value in (rule or {}).items() if key != "type"}
    return json.dumps(spec, ensure_ascii=False, indent=2)


def rule_examples_text() -> dict[str, str]:
    return {rule_type: rule_spec_text(example) for rule_type, example in RULE_EXAMPLES.items()}


def rule_from_editor(rule_type: str, spec_text: str) -> tuple[dict | None, dict[str, list[str]]]:
    """The rule the editor describes, or the problems keyed by editor field (rule_type, rule_spec)."""
    if rule_type not in RULE_EXAMPLES:
        choices = ", ".join(RULE_EXAMPLES)
        return None, {"rule_type": [_("Choose a rule type: %(choices)s.") % {"choices": choices}]}
    try:
        spec = json.loads(spec_text or "{}")
    except (ValueError, RecursionError) as error:
        return None, {"rule_spec": [_("The rule is not valid JSON: %(error)s") % {"error": error}]}
    if not isinstance(spec, dict):
        return None, {"rule_spec": [_("Write the rule as a JSON object in braces { }.")]}
    if spec.get("type", rule_type) != rule_type:
        message = _("The JSON says type “%(written)s” but “%(chosen)s” is chosen; remove the type from the JSON.")
        return None, {"rule_spec": [message % {"written": spec.get("type"), "chosen": rule_type}]}
    rule = {"type": rule_type, **{key: value for key, value in spec.items() if key != "type"}}
    try:
        parse_rule(rule)
    except RuleError as error:
        messages = [f"{name}: {message}" for name, messages in error.field_errors.items() for message in messages]
        return None, {"rule_spec": messages or [error.message]}
    except (ArithmeticError, RecursionError):
        return None, {"rule_spec": [_("The rule's numbers are too large to use.")]}
    return rule, {}


def add_service_errors(form: forms.BaseForm, error: DomainError, renamed: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: field messages on their fields, the rest on top."""
    for key, messages in error.field_errors.items():
        name = (renamed or {}).get(key, key)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    if not error.field_errors:
        form.add_error(None, error.message)


def _label(model: type, field_name: str) -> Any:
    return capfirst(model._meta.get_field(field_name).verbose_name)


def _text(model: type, name: str, *, required: bool = False, **kwargs: Any) -> forms.CharField:
    field = model._meta.get_field(name)
    return forms.CharField(label=_label(model, name), required=required, max_length=field.max_length, help_text=field.help_text, **kwargs)


def _choice(model: type, name: str, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=_label(model, name), choices=choices)


class IndicatorFilterForm(forms.Form):
    """Query-string filters of the library list; option lists come in already loaded."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=_label(Indicator, "category"), required=False, choices=ANY + Category.choices)
    measurement = forms.ChoiceField(label=_label(Indicator, "measurement"), required=False, choices=ANY + Measurement.choices)
    aggregation = forms.ChoiceField(label=_label(Indicator, "aggregation"), required=False, choices=ANY + Aggregation.choices)
    data_source = forms.ChoiceField(label=_label(Indicator, "data_source"), required=False)
    tag = forms.ChoiceField(label=_("Industry or department tag"), required=False)
    active = forms.ChoiceField(
        label=_label(Indicator, "is_active"),
        required=False,
        choices=[("", _("All")), ("1", pgettext_lazy("in use", "Active")), ("0", _("Inactive"))],
    )

    def __init__(self, *args: Any, data_sources: list[str], tags: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["data_source"].choices = ANY + [(source, source) for source in data_sources]
        self.fields["tag"].choices = ANY + [(tag, tag) for tag in tags]

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters; an invalid choice is ignored rather than refused."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


class IndicatorForm(forms.Form):
    code = forms.SlugField(label=_label(Indicator, "code"), max_length=60)
    name_zh = _text(Indicator, "name_zh", required=True)
    name_en = _text(Indicator, "name_en")
    description = forms.CharField(label=_label(Indicator, "description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unit = _text(Indicator, "unit")
    direction = _choice(Indicator, "direction", Direction.choices)
    aggregation = _choice(Indicator, "aggregation", Aggregation.choices)
    metric_key = _text(Indicator, "metric_key")
    denominator_key = _text(Indicator, "denominator_key")
    metric_level = _choice(Indicator, "metric_level", MetricLevel.choices)
    when_no_data = _choice(Indicator, "when_no_data", WhenNoData.choices)
    category = _choice(Indicator, "category", Category.choices)
    measurement = _choice(Indicator, "measurement", Measurement.choices)
    data_source = _text(Indicator, "data_source")
    default_target = forms.DecimalField(label=_label(Indicator, "default_target"), required=False, max_digits=20, decimal_places=4)
    tags = _text(Indicator, "tags")
    is_active = forms.BooleanField(label=_label(Indicator, "is_active"), required=False, initial=True)
    rule_type = forms.ChoiceField(label=_("Scoring rule type"), choices=RULE_TYPE_CHOICES, initial="linear")
    rule_spec = forms.CharField(
        label=_("Rule settings (JSON)"),
        required=False,
        initial=rule_spec_text(RULE_EXAMPLES["linear"]),
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace", "spellcheck": "false"}),
    )

    SERVICE_FIELD_NAMES = {"default_rule": "rule_spec"}

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict[str, Any]:
        initial = {name: getattr(indicator, name) for name in cls.base_fields if name not in ("rule_type", "rule_spec")}
        initial["default_target"] = _plain(indicator.default_target) or None
        return initial | {"rule_type": indicator.default_rule.get("type"), "rule_spec": rule_spec_text(indicator.default_rule)}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "rule_type" in cleaned:
            rule, problems = rule_from_editor(cleaned["rule_type"], cleaned.get("rule_spec", ""))
            for name, messages in problems.items():
                for message in messages:
                    self.add_error(name, message)
            cleaned["default_rule"] = rule
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("rule_type"), data.pop("rule_spec")
        return data


class TemplateForm(forms.Form):
    code = forms.SlugField(label=_label(Template, "code"), max_length=60)
    name_zh = _text(Template, "name_zh", required=True)
    name_en = _text(Template, "name_en")
    description = forms.CharField(label=_label(Template, "description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    industry = _text(Template, "industry")
    job_family = forms.ChoiceField(label=_label(Template, "job_family"), required=False, choices=[("", "—"), *JobFamily.choices])
    department = DepartmentChoiceField(label=_label(Template, "department"), queryset=None, required=False)
    position = PositionChoiceField(label=_label(Template, "position"), queryset=None, required=False)
    is_active = forms.BooleanField(label=_label(Template, "is_active"), required=False, initial=True)
    note = forms.CharField(label=_("Change note"), required=False, max_length=300)

    def __init__(self, *args: Any, company: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = company.departments.filter(is_active=True).order_by("path")
        self.fields["position"].queryset = company.positions.filter(is_active=True).order_by("job_family", "level", "title")

    @classmethod
    def initial_for(cls, template: Template) -> dict[str, Any]:
        fields = ("code", "name_zh", "name_en", "description", "industry", "job_family", "is_active")
        return {name: getattr(template, name) for name in fields} | {"department": template.department_id, "position": template.position_id}

    def template_fields(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "note"}


class TemplateItemForm(forms.Form):
    """One row of the builder. Values go to the service as typed, so its messages apply."""

    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    weight = forms.CharField(
        label=_("Weight (%)"), required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal", "data-weight": ""})
    )
    target = forms.CharField(label=_("Target value"), required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    rule = forms.CharField(
        label=_("Own scoring rule (JSON, empty: the indicator's rule)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, indicator_choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("Choose an indicator")), *indicator_choices]

    def clean_rule(self) -> dict | None:
        text = self.cleaned_data["rule"].strip()
        if not text:
            return None
        try:
            rule = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise forms.ValidationError(_("The rule is not valid JSON: %(error)s") % {"error": error})
        if not isinstance(rule, dict):
            raise forms.ValidationError(_('Write the rule as a JSON object with its type, e.g. {"type": "linear", "cap": 120}.'))
        return rule

    def item(self) -> dict[str, Any] | None:
        """The item for the service, or None for a blank or removed row."""
        data = self.cleaned_data
        if data.get("DELETE") or not any(data.get(name) for name in ("indicator", "weight", "target", "rule")):
            return None
        item = {"indicator": data["indicator"], "weight": data["weight"], "target": data["target"]}
        return item | ({"rule": data["rule"]} if data.get("rule") else {})


TemplateItemFormSet = forms.formset_factory(TemplateItemForm, extra=0, can_delete=True, max_num=60, validate_max=True)


def item_initial(item: Any) -> dict[str, Any]:
    """A saved item as a builder row; the rule only when it differs from the indicator's current one."""
    overridden = item.rule != item.indicator.default_rule
    return {
        "indicator": item.indicator.code,
        "weight": _plain(item.weight),
        "target": _plain(item.target),
        "rule": json.dumps(item.rule, ensure_ascii=False) if overridden else "",
    }


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


class LibraryImportForm(forms.Form):
    file = forms.FileField(label=_("Library file (.json or .xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in LIBRARY_FILE_EXTENSIONS:
            raise forms.ValidationError(_("Upload the .json or .xlsx file a library export produced."))
        if upload.size > MAX_LIBRARY_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload
