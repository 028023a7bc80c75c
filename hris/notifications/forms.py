"""Forms of the channel pages; services do the checking, forms only collect the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hris.core.errors import DomainError
from hris.core.events import EVENT_TYPES
from hris.notifications.models import ROBOT_KINDS, SIGNING_KINDS, ChannelKind


def event_choices(*, webhook_only: bool = False) -> list[tuple[str, str]]:
    return [(key, f"{event.label} ({key})") for key, event in EVENT_TYPES.items() if event.webhook or not webhook_only]


def style(form: forms.Form, small: bool = False) -> None:
    """Bootstrap classes on the widgets."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm" if small else "form-select")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm" if small else "form-control")


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: per field where it names one, else on top."""
    if not error.field_errors:
        form.add_error(None, error.message)
        return
    for field, messages in error.field_errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class ChannelForm(forms.Form):
    company = forms.ModelChoiceField(queryset=None, label=_("Company"), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    webhook_url = forms.CharField(
        label=_("Robot webhook URL"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Paste the URL from the robot's settings in the group. It is stored encrypted and not shown again."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
        help_text=_("DingTalk 加签 (SEC…) or Feishu signature check; optional. Stored encrypted and not shown again."),
    )
    clear_secret = forms.BooleanField(label=_("Remove the stored signing secret"), required=False)
    event_keys = forms.MultipleChoiceField(label=_("Events"), required=False, choices=event_choices, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, companies: list, channel=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        from hris.org.models import Company

        self.fields["company"].queryset = Company.objects.filter(pk__in=[company.pk for company in companies])
        if channel is None:
            del self.fields["clear_secret"]
            if len(companies) == 1:
                self.fields["company"].initial = companies[0].pk
        else:
            del self.fields["company"]
            del self.fields["kind"]
            if channel.kind not in SIGNING_KINDS:
                del self.fields["secret"]
                del self.fields["clear_secret"]
            else:
                self.fields["secret"].help_text = _("Leave empty to keep the stored secret (%(hint)s).") % {
                    "hint": channel.secret_hint or _("none")
                }
            if channel.kind not in ROBOT_KINDS:
                del self.fields["webhook_url"]
            else:
                self.fields["webhook_url"].help_text = _("Leave empty to keep the stored URL (%(hint)s).") % {
                    "hint": channel.webhook_url_hint or "—"
                }
        style(self)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    event = forms.ChoiceField(label=_("Event"), required=False)
    source = forms.TypedChoiceField(label=_("Channel"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, statuses, sources, events, source_label=None, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        if source_label:
            self.fields["source"].label = source_label
        self.fields["status"].choices = [("", _("All statuses")), *statuses]
        self.fields["event"].choices = [("", _("All events")), *events]
        self.fields["source"].choices = [("", _("All")), *[(source.pk, str(source)) for source in sources]]
        style(self, small=True)
