"""Template items: resolving and validating a list of items as a whole, reading a version's items."""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from hris.kpi.models import Assessment, CycleAssignment, CycleWeightOverride, Indicator, Template, TemplateItem, TemplateVersion
from hris.kpi.rules import RuleError, parse_rule
from hris.org.models import Company

ITEM_KEYS = ("indicator", "weight", "target", "rule")
HUNDRED = Decimal(100)
FieldErrors = dict[str, list[str]]


def plain_number(value: Decimal | None) -> str | None:
    """'30' for 30.00, '0.5' for 0.5000: how people write numbers, for snapshots and messages."""
    return None if value is None else format(value.normalize(), "f")


def rule_problems(rule: Any) -> list[str]:
    """Messages for an invalid rule spec, each naming the rule field it concerns; [] when the rule is valid."""
    if rule in (None, ""):
        return [_("Enter a scoring rule.")]
    try:
        parse_rule(rule)
    except RuleError as error:
        return [f"{name}: {message}" for name, messages in error.field_errors.items() for message in messages] or [error.message]
    return []


def items_snapshot(items: list[TemplateItem]) -> list[dict[str, Any]]:
    return [
        {"indicator": item.indicator.code, "weight": plain_number(item.weight), "target": plain_number(item.target), "rule": item.rule}
        for item in items
    ]


def version_items(version: TemplateVersion | None) -> list[TemplateItem]:
    return [] if version is None else list(version.items.select_related("indicator").order_by("order", "id"))


def latest_version(template: Template) -> TemplateVersion | None:
    return template.versions.order_by("-number").first()


def version_in_use(version: TemplateVersion) -> bool:
    """A version a cycle has pinned is immutable: its results must stay explainable."""
    return (
        CycleAssignment.objects.filter(template_version=version).exists()
        or Assessment.objects.filter(template_version=version).exists()
        or CycleWeightOverride.objects.filter(template_version=version).exists()
    )


def _decimal(raw: Any, places: int) -> Decimal | str:
    """The number, or the message saying why it is not one."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return _("“%(value)s” is not a number.") % {"value": raw}
    if not value.is_finite():
        return _("“%(value)s” is not a number.") % {"value": raw}
    if value.as_tuple().exponent < -places:  # type: ignore[operator]
        return _("Use at most %(places)s decimal places.") % {"places": places}
    return value


def _resolve_indicator(raw: Any, company: Company, by_code: dict[str, Indicator]) -> Indicator | str:
    """The item's indicator, or the message saying why it cannot be used."""
    if isinstance(raw, Indicator):
        indicator = raw if raw.company_id == company.pk else _("This indicator belongs to another company.")
    elif not isinstance(raw, str) or not raw.strip():
        indicator = _("Choose an indicator.")
    else:
        indicator = by_code.get(raw.strip()) or _("There is no indicator with the code “%(code)s”.") % {"code": raw.strip()}
    if isinstance(indicator, Indicator) and not indicator.is_active:
        return _("The indicator “%(name)s” is no longer active.") % {"name": indicator.name_zh}
    return indicator


def _item_problems(item: dict, indicator: Indicator | str) -> tuple[FieldErrors, Decimal | None, Decimal | None]:
    """Problems of one item keyed by its field, its weight if valid and its target (None: not given)."""
    problems: FieldErrors = {key: [_("Unknown field.")] for key in item if key not in ITEM_KEYS}
    if isinstance(indicator, str):
        problems["indicator"] = [indicator]
    weight = _decimal(item["weight"], 2) if item.get("weight") not in (None, "") else _("Enter a weight.")
    if isinstance(weight, Decimal) and not HUNDRED >= weight > 0:
        weight = _("A weight must be greater than 0 and at most 100.")
    if isinstance(weight, str):
        problems["weight"] = [weight]
    target = None if item.get("target") in (None, "") else _decimal(item["target"], 4)
    if isinstance(target, str):
        problems["target"] = [target]
    if item.get("rule") and (rule_errors := rule_problems(item["rule"])):
        problems["rule"] = rule_errors
    return problems, (weight if isinstance(weight, Decimal) else None), (target if isinstance(target, Decimal) else None)


def resolve_items(company: Company, items: Any) -> tuple[list[TemplateItem], FieldErrors]:
    """Unsaved items, with the indicator's default rule and target where the item gives none, and every problem found."""
    if not isinstance(items, list | tuple) or not items:
        return [], {"items": [_("A template needs at least one indicator.")]}
    codes = [item["indicator"].strip() for item in items if isinstance(item, dict) and isinstance(item.get("indicator"), str)]
    by_code = {indicator.code: indicator for indicator in Indicator.objects.filter(company=company, code__in=codes)}
    errors: FieldErrors = {}
    resolved: list[TemplateItem] = []
    weights: list[Decimal | None] = []
    first_position: dict[int, int] = {}
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"items.{position}"] = [_("Give the item as an object with an indicator and a weight.")]
            weights.append(None)
            continue
        indicator = _resolve_indicator(item.get("indicator"), company, by_code)
        problems, weight, target = _item_problems(item, indicator)
        weights.append(weight)
        if isinstance(indicator, Indicator) and first_position.setdefault(indicator.pk, position) != position:
            message = _("The indicator “%(name)s” is already item %(number)s.")
            problems["indicator"] = [message % {"name": indicator.name_zh, "number": first_position[indicator.pk] + 1}]
        errors.update({f"items.{position}.{key}": messages for key, messages in problems.items()})
        if not problems and isinstance(indicator, Indicator):
            target = indicator.default_target if target is None else target
            rule = item.get("rule") or copy.deepcopy(indicator.default_rule)
            resolved.append(TemplateItem(indicator=indicator, weight=weight, target=target, rule=rule, order=position))
    valid_weights = [weight for weight in weights if weight is not None]
    if len(valid_weights) == len(items):
        total = sum(valid_weights, Decimal(0))
        if total != HUNDRED:
            errors["items"] = [_("The weights must add up to exactly 100; they add up to %(total)s.") % {"total": plain_number(total)}]
    return resolved, errors
