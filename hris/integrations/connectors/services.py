"""Connector configuration: create, change (credentials replaced, never shown), enable/disable,
schedule (django-celery-beat), reset the cursor, mapping presets. Runs are in engine.py."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from hris.audit.services import audit_record
from hris.core.errors import DomainError, PermissionDenied, field_errors_from_validation_error
from hris.integrations.connectors.models import Connector, MappingPreset, Vendor
from hris.integrations.connectors.selectors import may_manage
from hris.integrations.connectors.vendors import adapter_for
from hris.org.models import Company

SCHEDULE_TASK = "connectors.run_scheduled"
INTERVAL_PERIODS = (IntervalSchedule.MINUTES, IntervalSchedule.HOURS, IntervalSchedule.DAYS)
CRON = re.compile(r"^\S+\s+\S+\s+\S+\s+\S+\s+\S+$")


def require_manage(actor: Any, company_id: int) -> None:
    if not may_manage(actor, company_id):
        raise PermissionDenied(_("You are not allowed to manage connectors of this company."))


def _summary(connector: Connector) -> dict:
    """What the audit trail keeps: never credential values, only which ones are saved."""
    return {
        "name": connector.name,
        "vendor": connector.vendor,
        "source": connector.source,
        "base_url": connector.base_url,
        "credentials_saved": connector.credential_names,
        "mapping": connector.mapping,
        "options": connector.options,
        "enabled": connector.enabled,
    }


def _validate(connector: Connector, credentials: dict) -> None:
    problems = adapter_for(connector.vendor).validate(
        base_url=connector.base_url, mapping=connector.mapping, options=connector.options, credentials=credentials
    )
    try:
        connector.full_clean(exclude=["schedule"])
    except ValidationError as error:
        for name, messages in field_errors_from_validation_error(error).items():
            problems.setdefault(name, []).extend(messages)
    if problems:
        first = next(iter(problems.values()))[0]
        raise DomainError(_("The connector cannot be saved: %(problem)s") % {"problem": first}, code="invalid", field_errors=problems)


def _clean_credentials(vendor: str, values: dict | None) -> dict:
    allowed = adapter_for(vendor).credential_fields
    return {name: str(value) for name, value in (values or {}).items() if name in allowed and value not in (None, "")}


@transaction.atomic
def connector_create(
    *,
    actor: Any,
    company: Company,
    name: str,
    vendor: str,
    source: str = "",
    base_url: str = "",
    credentials: dict | None = None,
    mapping: dict | None = None,
    options: dict | None = None,
) -> Connector:
    require_manage(actor, company.pk)
    if vendor not in Vendor.values:
        raise DomainError(_("Choose a vendor."), code="invalid", field_errors={"vendor": [_("Choose a vendor.")]})
    adapter = adapter_for(vendor)
    connector = Connector(
        company=company,
        name=(name or "").strip(),
        vendor=vendor,
        source=(source or "").strip() or vendor.replace("_", "-"),
        base_url=(base_url or "").strip(),
        mapping=mapping if mapping is not None else json.loads(json.dumps(adapter.default_mapping)),
        options=options if options is not None else dict(adapter.default_options),
    )
    secrets = _clean_credentials(vendor, credentials)
    connector.set_credentials(secrets)
    _validate(connector, secrets)
    connector.save()
    audit_record(actor=actor, action="connectors.connector_created", target=connector, after=_summary(connector), company_id=company.pk)
    return connector


@transaction.atomic
def connector_update(
    *,
    actor: Any,
    connector: Connector,
    name: str,
    source: str,
    base_url: str,
    mapping: dict,
    options: dict,
    credentials: dict | None = None,
) -> Connector:
    """Credentials given (non-empty) replace the saved ones of the same name; the others stay."""
    require_manage(actor, connector.company_id)
    connector = Connector.objects.select_for_update().get(pk=connector.pk)
    before = _summary(connector)
    connector.name, connector.source, connector.base_url = (name or "").strip(), (source or "").strip(), (base_url or "").strip()
    connector.mapping, connector.options = mapping, options
    secrets = {**connector.credentials, **_clean_credentials(connector.vendor, credentials)}
    connector.set_credentials(secrets)
    _validate(connector, secrets)
    connector.save()
    replaced = sorted(_clean_credentials(connector.vendor, credentials))
    audit_record(
        actor=actor,
        action="connectors.connector_changed",
        target=connector,
        before=before,
        after={**_summary(connector), "credentials_replaced": replaced},
        company_id=connector.company_id,
    )
    return connector


@transaction.atomic
def connector_set_enabled(*, actor: Any, connector: Connector, enabled: bool) -> Connector:
    require_manage(actor, connector.company_id)
    connector = Connector.objects.select_for_update().get(pk=connector.pk)
    if connector.enabled == enabled:
        return connector
    connector.enabled = enabled
    connector.save(update_fields=["enabled", "updated_at"])
    if connector.schedule_id:
        PeriodicTask.objects.filter(pk=connector.schedule_id).update(enabled=enabled)
    audit_record(
        actor=actor,
        action="connectors.connector_enabled" if enabled else "connectors.connector_disabled",
        target=connector,
        before={"enabled": not enabled},
        after={"enabled": enabled},
        company_id=connector.company_id,
    )
    return connector


def _schedule_error(message: str, field: str) -> DomainError:
    return DomainError(message, code="invalid", field_errors={field: [message]})


@transaction.atomic
def connector_set_schedule(
    *, actor: Any, connector: Connector, kind: str, every: int | None = None, period: str = "", cron: str = ""
) -> Connector:
    """kind "none" (only run by hand), "interval" (every N minutes/hours/days) or "cron" (m h dom mon dow)."""
    require_manage(actor, connector.company_id)
    connector = Connector.objects.select_for_update().get(pk=connector.pk)
    if connector.vendor == Vendor.CSV_UPLOAD:
        raise _schedule_error(_("Upload connectors receive files; they have no schedule."), "kind")
    before = {"schedule": describe_schedule(connector)}
    interval = crontab = None
    if kind == "interval":
        if not isinstance(every, int) or every < 1:
            raise _schedule_error(_("Give a whole number of at least 1."), "every")
        if period not in INTERVAL_PERIODS:
            raise _schedule_error(_("Choose minutes, hours or days."), "period")
        if period == IntervalSchedule.MINUTES and every < 5:
            raise _schedule_error(_("Run at most every 5 minutes, to respect the vendor's rate limits."), "every")
        interval, _created = IntervalSchedule.objects.get_or_create(every=every, period=period)
    elif kind == "cron":
        text = " ".join((cron or "").split())
        if not CRON.match(text):
            raise _schedule_error(_("Write five fields: minute hour day-of-month month day-of-week, e.g. “0 6 * * *”."), "cron")
        minute, hour, day_of_month, month_of_year, day_of_week = text.split()
        try:
            from celery.schedules import crontab as celery_crontab

            celery_crontab(minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week)
        except (ValueError, TypeError) as error:
            raise _schedule_error(_("“%(cron)s” is not a valid schedule: %(error)s") % {"cron": text, "error": error}, "cron")
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
            timezone="Asia/Shanghai",
        )
    elif kind != "none":
        raise _schedule_error(_("Choose no schedule, an interval or a cron expression."), "kind")
    if kind == "none":
        if connector.schedule_id:
            task = connector.schedule
            connector.schedule = None
            connector.save(update_fields=["schedule", "updated_at"])
            task.delete()
    else:
        task = connector.schedule or PeriodicTask(name=f"connector-{connector.pk}", task=SCHEDULE_TASK)
        task.interval, task.crontab = interval, crontab
        task.kwargs = json.dumps({"connector_id": connector.pk})
        task.enabled = connector.enabled
        task.description = f"{connector.company} · {connector.name}"
        task.save()
        if connector.schedule_id != task.pk:
            connector.schedule = task
            connector.save(update_fields=["schedule", "updated_at"])
    audit_record(
        actor=actor,
        action="connectors.schedule_changed",
        target=connector,
        before=before,
        after={"schedule": describe_schedule(connector)},
        company_id=connector.company_id,
    )
    return connector


def describe_schedule(connector: Connector) -> str:
    task = connector.schedule
    if task is None:
        return ""
    if task.interval_id:
        return f"every {task.interval.every} {task.interval.period}"
    if task.crontab_id:
        crontab = task.crontab
        return f"cron {crontab.minute} {crontab.hour} {crontab.day_of_month} {crontab.month_of_year} {crontab.day_of_week}"
    return ""


@transaction.atomic
def connector_reset_cursor(*, actor: Any, connector: Connector, reason: str = "") -> Connector:
    """The next run reads everything again (the idempotent submit stores only what changed)."""
    require_manage(actor, connector.company_id)
    connector = Connector.objects.select_for_update().get(pk=connector.pk)
    before = connector.cursor
    connector.cursor = {}
    connector.save(update_fields=["cursor", "updated_at"])
    audit_record(
        actor=actor,
        action="connectors.cursor_reset",
        target=connector,
        before={"cursor": before},
        after={"cursor": {}},
        reason=reason,
        company_id=connector.company_id,
    )
    return connector


@transaction.atomic
def mapping_preset_save(*, actor: Any, company: Company, vendor: str, name: str, mapping: dict) -> MappingPreset:
    """Save (or overwrite) a named mapping for the company."""
    require_manage(actor, company.pk)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the preset."), code="invalid", field_errors={"preset_name": [_("Name the preset.")]})
    problems = adapter_for(vendor).validate(base_url="-", mapping=mapping, options={}, credentials={}).get("mapping")
    if problems:
        raise DomainError(problems[0], code="invalid", field_errors={"mapping": problems})
    preset = MappingPreset.objects.filter(company=company, vendor=vendor, name=name).first() or MappingPreset(
        company=company, vendor=vendor, name=name
    )
    before = preset.mapping if preset.pk else None
    preset.mapping = mapping
    preset.full_clean()
    preset.save()
    audit_record(
        actor=actor,
        action="connectors.preset_saved",
        target=preset,
        before=before,
        after={"name": name, "mapping": mapping},
        company_id=company.pk,
    )
    return preset
