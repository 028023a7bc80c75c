"""The indicator library and versioned templates (DESIGN.md §6): create, edit, load the standard library."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_batch, audit_record
from hris.core.errors import DomainError, field_errors_from_validation_error
from hris.kpi.choices import Aggregation, Measurement
from hris.kpi.models import Indicator, Template, TemplateItem, TemplateVersion
from hris.kpi.permissions import require_company
from hris.kpi.services.library_items import (
    FieldErrors,
    items_snapshot,
    latest_version,
    plain_number,
    resolve_items,
    rule_problems,
    version_in_use,
    version_items,
)
from hris.org.models import Company, Department, Position

STANDARD_LIBRARY_DIR = Path(__file__).resolve().parent.parent / "library_data"
INDICATOR_FIELDS = (
    "code", "name_zh", "name_en", "description", "unit", "direction", "aggregation", "metric_key", "denominator_key", "metric_level",
    "when_no_data", "category", "measurement", "data_source", "default_rule", "default_target", "tags", "is_active",
)  # fmt: skip
TEMPLATE_FIELDS = ("code", "name_zh", "name_en", "description", "industry", "job_family", "department", "position", "is_active")


def indicator_snapshot(indicator: Indicator) -> dict[str, Any]:
    snapshot = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    snapshot["default_target"] = plain_number(indicator.default_target)
    return snapshot


def template_snapshot(template: Template) -> dict[str, Any]:
    snapshot = {name: getattr(template, name) for name in TEMPLATE_FIELDS if name not in ("department", "position")}
    return snapshot | {"department_id": template.department_id, "position_id": template.position_id}


def _refused(errors: FieldErrors) -> DomainError:
    first = next(iter(errors.values()))[0]
    return DomainError(first, code="invalid", field_errors=errors)


def _stripped(fields: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(unknown)}")
    return {name: _tidy(value) for name, value in fields.items()}


def _tidy(value: Any) -> Any:
    if isinstance(value, float):  # repr is what the JSON or spreadsheet author wrote; Decimal(float) is not
        return Decimal(repr(value))
    return value.strip() if isinstance(value, str) else value


def _full_clean_into(instance: models.Model, errors: FieldErrors, *, exclude: tuple[str, ...] = ()) -> None:
    # The company is set by the service; unique codes and the ratio rule are checked with clearer messages.
    try:
        instance.full_clean(exclude=["company", *exclude], validate_constraints=False)
    except ValidationError as error:
        for name, messages in field_errors_from_validation_error(error).items():
            errors.setdefault(name, []).extend(message for message in messages if message not in errors.get(name, []))


def _validate_indicator(indicator: Indicator) -> None:
    errors: FieldErrors = {}
    if problems := rule_problems(indicator.default_rule):
        errors["default_rule"] = problems
    if indicator.aggregation == Aggregation.RATIO and not indicator.denominator_key:
        errors["denominator_key"] = [_("A ratio indicator needs a denominator metric key.")]
    elif indicator.aggregation != Aggregation.RATIO and indicator.denominator_key:
        errors["denominator_key"] = [_("Only a ratio indicator has a denominator metric key.")]
    if indicator.measurement == Measurement.QUANTITATIVE and not indicator.metric_key:
        errors["metric_key"] = [_("A quantitative indicator needs the metric key it reads.")]
    if Indicator.objects.filter(company_id=indicator.company_id, code=indicator.code).exclude(pk=indicator.pk).exists():
        errors["code"] = [_("An indicator with the code “%(code)s” already exists.") % {"code": indicator.code}]
    _full_clean_into(indicator, errors, exclude=("default_rule",))  # parse_rule checks it fully
    if errors:
        raise _refused(errors)


@transaction.atomic
def indicator_create(*, actor: Any, company: Company, **fields: Any) -> Indicator:
    require_company(actor, Capability.CONFIGURE_KPI, company.pk)
    indicator = Indicator(company=company, **_stripped(fields, INDICATOR_FIELDS))
    _validate_indicator(indicator)
    indicator.save()
    after = indicator_snapshot(indicator)
    audit_record(actor=actor, action="kpi.indicator_created", target=indicator, after=after, company_id=company.pk)
    return indicator


@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, **changes: Any) -> Indicator:
    """Changes the library only: templates keep the rule they copied until their items are set again."""
    require_company(actor, Capability.CONFIGURE_KPI, indicator.company_id)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before = indicator_snapshot(indicator)
    for name, value in _stripped(changes, INDICATOR_FIELDS).items():
        setattr(indicator, name, value)
    _validate_indicator(indicator)
    after = indicator_snapshot(indicator)
    if after != before:
        indicator.save()
        audit_record(
            actor=actor, action="kpi.indicator_updated", target=indicator, before=before, after=after, company_id=indicator.company_id
        )
    return indicator


def _validate_template(template: Template, errors: FieldErrors) -> None:
    if Template.objects.filter(company_id=template.company_id, code=template.code).exclude(pk=template.pk).exists():
        errors.setdefault("code", []).append(_("A template with the code “%(code)s” already exists.") % {"code": template.code})
    for name in ("department", "position"):
        related = getattr(template, name)
        if related is not None and related.company_id != template.company_id:
            errors.setdefault(name, []).append(_("It belongs to another company."))
    _full_clean_into(template, errors)


def _save_items(version: TemplateVersion, items: list[TemplateItem]) -> None:
    for item in items:
        item.version = version
    TemplateItem.objects.bulk_create(items)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def template_create(
    *,
    actor: Any,
    company: Company,
    code: str,
    name_zh: str,
    items: list[dict],
    name_en: str = "",
    description: str = "",
    industry: str = "",
    job_family: str = "",
    department: Department | None = None,
    position: Position | None = None,
    is_active: bool = True,
    note: str = "",
) -> Template:
    """A template and its version 1. Items: [{"indicator": Indicator or code, "weight", "target"?, "rule"?}];
    without a rule or target an item copies the indicator's default."""
    require_company(actor, Capability.CONFIGURE_KPI, company.pk)
    fields: dict[str, Any] = {"code": code, "name_zh": name_zh, "name_en": name_en, "description": description}
    fields |= {"industry": industry, "job_family": job_family, "department": department, "position": position, "is_active": is_active}
    template = Template(company=company, **_stripped(fields, TEMPLATE_FIELDS))
    new_items, errors = resolve_items(company, items)
    _validate_template(template, errors)
    if errors:
        raise _refused(errors)
    template.save()
    version = TemplateVersion.objects.create(template=template, number=1, note=note, created_by=_user(actor))
    _save_items(version, new_items)
    after = template_snapshot(template) | {"version": 1, "items": items_snapshot(new_items)}
    audit_record(actor=actor, action="kpi.template_created", target=template, after=after, reason=note, company_id=company.pk)
    return template


@transaction.atomic
def template_update(*, actor: Any, template: Template, **changes: Any) -> Template:
    """Names, description and intended population; the items change through template_set_items."""
    require_company(actor, Capability.CONFIGURE_KPI, template.company_id)
    template = Template.objects.select_for_update().get(pk=template.pk)
    before = template_snapshot(template)
    for name, value in _stripped(changes, TEMPLATE_FIELDS).items():
        setattr(template, name, value)
    errors: FieldErrors = {}
    _validate_template(template, errors)
    if errors:
        raise _refused(errors)
    after = template_snapshot(template)
    if after != before:
        template.save()
        audit_record(
            actor=actor, action="kpi.template_updated", target=template, before=before, after=after, company_id=template.company_id
        )
    return template


@transaction.atomic
def template_set_items(*, actor: Any, template: Template, items: list[dict], note: str = "") -> TemplateVersion:
    """Replaces the latest version's items, or makes a new version when a cycle already uses the latest one."""
    require_company(actor, Capability.CONFIGURE_KPI, template.company_id)
    template = Template.objects.select_for_update().get(pk=template.pk)  # one editor of a template at a time
    new_items, errors = resolve_items(template.company, items)
    if errors:
        raise _refused(errors)
    latest = latest_version(template)
    before, after = items_snapshot(version_items(latest)), items_snapshot(new_items)
    if latest is not None and before == after:
        return latest
    if latest is None or version_in_use(latest):
        number = latest.number + 1 if latest else 1
        version = TemplateVersion.objects.create(template=template, number=number, note=note, created_by=_user(actor))
        action = "kpi.template_version_created"
    else:
        version, action = latest, "kpi.template_items_replaced"
        version.items.all().delete()
        if note:
            version.note = note
            version.save(update_fields=["note", "updated_at"])
    _save_items(version, new_items)
    audit_record(
        actor=actor,
        action=action,
        target=template,
        before=None if latest is None else {"version": latest.number, "items": before},
        after={"version": version.number, "items": after},
        reason=note,
        company_id=template.company_id,
    )
    return version


def standard_library() -> tuple[list[dict], list[dict]]:
    """The curated indicators and templates shipped with Renshi (library_data/)."""
    indicators = json.loads((STANDARD_LIBRARY_DIR / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    templates = json.loads((STANDARD_LIBRARY_DIR / "templates.json").read_text(encoding="utf-8"))["templates"]
    return indicators, templates


@transaction.atomic
def library_load_standard(*, actor: Any, company: Company) -> dict[str, Any]:
    """Adds the standard library to the company; codes it already has are skipped, never overwritten.

    A standard template that the company's own indicators no longer fit (e.g. one was
    deactivated) is reported under templates_refused with the reasons; the rest loads.
    """
    require_company(actor, Capability.CONFIGURE_KPI, company.pk)
    indicators, templates = standard_library()
    summary: dict[str, Any] = {"indicators_created": [], "indicators_skipped": [], "templates_created": [], "templates_skipped": []}
    summary["templates_refused"] = {}
    with audit_batch():
        existing = set(Indicator.objects.filter(company=company).values_list("code", flat=True))
        for data in indicators:
            if data["code"] in existing:
                summary["indicators_skipped"].append(data["code"])
                continue
            indicator_create(actor=actor, company=company, **data)
            summary["indicators_created"].append(data["code"])
        existing = set(Template.objects.filter(company=company).values_list("code", flat=True))
        for data in templates:
            if data["code"] in existing:
                summary["templates_skipped"].append(data["code"])
                continue
            try:
                template_create(actor=actor, company=company, **data)
            except DomainError as error:
                summary["templates_refused"][data["code"]] = [m for messages in error.field_errors.values() for m in messages]
                continue
            summary["templates_created"].append(data["code"])
        counts = {name: len(value) for name, value in summary.items()}
        audit_record(
            actor=actor,
            action="kpi.standard_library_loaded",
            target=company,
            after=counts | {"templates_refused": summary["templates_refused"]},
            company_id=company.pk,
        )
    return summary
