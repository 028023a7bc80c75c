"""Mappings: which source fields become the employee, the metric key(s), the date and the value.

A mapping is JSON:

    {"records": "data.items",            # REST only: where the list of rows is (path syntax, see paths.py)
     "employee": "owner.id",             # path (REST) or column name (upload) of the person
     "employee_system": "crm",           # "employee_number", "employee_id", or an external-identity system
     "date": "closed_at",                # a date or an ISO date-time (taken in the company's time zone)
     "external_id": "id",                # the row's stable id; with the metric key it makes re-runs idempotent
     "metrics": [{"key": "deals_won_amount", "value": "amount"},
                 {"key": "deals_won", "value": "=1"}]}   # "=…" is a literal value

Rows become metric record dicts for `metric_records_submit`, owners still unresolved
(`identity` = (system, value)); the engine resolves them in one query per page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hris.integrations.connectors.paths import MISSING, PathError, parse_path, resolve

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
DIRECT_SYSTEMS = ("employee_number", "employee_id")


def validate_mapping(mapping: Any, *, needs_records_path: bool, paths: bool = True) -> list[str]:
    """Plain problems with a field mapping (REST or upload); empty when it is usable."""
    if not isinstance(mapping, dict):
        return [_("The mapping must be a JSON object.")]
    problems: list[str] = []
    required = ["employee", "date", "metrics"] + (["records"] if needs_records_path else [])
    for name in required:
        if name not in mapping or mapping[name] in (None, "", []):
            problems.append(_("The mapping needs “%(name)s”.") % {"name": name})
    if paths:
        for name in ("records", "employee", "date", "external_id"):
            if isinstance(mapping.get(name), str):
                try:
                    parse_path(mapping[name])
                except PathError as error:
                    problems.append(f"{name}: {error}")
    system = mapping.get("employee_system", "employee_number")
    if not isinstance(system, str) or not SLUG.match(system or ""):
        problems.append(_("“employee_system” must be employee_number, employee_id or the name of an external-identity system."))
    metrics = mapping.get("metrics")
    if metrics not in (None, "", []) and not isinstance(metrics, list):
        problems.append(_('“metrics” must be a list of {"key": …, "value": …} objects.'))
    for position, metric in enumerate(metrics if isinstance(metrics, list) else [], start=1):
        if not isinstance(metric, dict) or not metric.get("value") or not (metric.get("key") or metric.get("key_path")):
            problems.append(_("Metric %(number)s needs a “key” (or “key_path”) and a “value”.") % {"number": position})
            continue
        if metric.get("key") and not SLUG.match(str(metric["key"])):
            problems.append(_("Metric key “%(key)s” may use only letters, digits, hyphens and underscores.") % {"key": metric["key"]})
    return problems


def local_date(value: Any) -> Any:
    """ISO date-times and epoch milliseconds become the local date; anything else goes on as given
    (the submit service parses dates and explains bad ones per record)."""
    if isinstance(value, datetime):
        return timezone.localtime(value if timezone.is_aware(value) else timezone.make_aware(value)).date()
    if isinstance(value, str) and "T" in value:
        text = value.strip().replace("Z", "+00:00")
        if re.search(r"[+-]\d{4}$", text):
            text = text[:-2] + ":" + text[-2:]
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return value
        return local_date(moment)
    return value


def owner_fields(system: str, value: Any) -> dict:
    """The owner part of a record: direct fields, or an identity the engine resolves."""
    if system in DIRECT_SYSTEMS:
        return {system: value}
    return {"identity": (system, "" if value is None else str(value))}


def map_rows(
    rows: list[Any], mapping: dict, *, getter: Callable[[Any, str], Any], row_label: Callable[[int], str]
) -> tuple[list[dict], list[dict]]:
    """(records, errors): every metric of every row as a record; rows missing required fields as errors."""
    records: list[dict] = []
    errors: list[dict] = []
    system = mapping.get("employee_system", "employee_number")
    for position, row in enumerate(rows):
        problems: list[str] = []
        employee = getter(row, mapping["employee"])
        if employee in (MISSING, None, ""):
            problems.append(_("no employee (“%(field)s”)") % {"field": mapping["employee"]})
        day = getter(row, mapping["date"])
        if day in (MISSING, None, ""):
            problems.append(_("no date (“%(field)s”)") % {"field": mapping["date"]})
        row_id = getter(row, mapping["external_id"]) if mapping.get("external_id") else MISSING
        if mapping.get("external_id") and row_id in (MISSING, None, ""):
            problems.append(_("no id (“%(field)s”)") % {"field": mapping["external_id"]})
        if problems:
            errors.append({"row": row_label(position), "errors": problems})
            continue
        day = local_date(day)
        for metric in mapping["metrics"]:
            key = metric.get("key") or getter(row, metric["key_path"])
            value_spec = str(metric["value"])
            value = value_spec[1:] if value_spec.startswith("=") else getter(row, value_spec)
            if key in (MISSING, None, ""):
                errors.append(
                    {"row": row_label(position), "errors": [_("no metric key (“%(field)s”)") % {"field": metric.get("key_path")}]}
                )
                continue
            if value is MISSING or value is None or value == "":
                # A row without this metric's value simply has no such record (sparse sources).
                continue
            day_text = day.isoformat() if isinstance(day, date) else str(day)
            identity = row_id if row_id is not MISSING else f"{employee}:{day_text}"
            records.append(
                {
                    **owner_fields(system, employee),
                    "metric_key": str(key),
                    "date": day_text,
                    "value": repr(value) if isinstance(value, float) else value,
                    "external_id": f"{identity}:{key}",
                    "_row": row_label(position),
                }
            )
    return records, errors


def json_getter(row: Any, path: str) -> Any:
    return resolve(row, path)


def column_getter(row: dict, column: str) -> Any:
    value = row.get(column, MISSING)
    return value.strip() if isinstance(value, str) else value
