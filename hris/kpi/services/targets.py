"""Employees' targets in a cycle: one at a time, or a whole file all-or-nothing.

Needs WRITE_METRICS over the employee, and only before publication; each change is audited
for the employee and recomputes their assessment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_batch, audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi import recompute
from hris.kpi.importing.common import chunked, parse_number
from hris.kpi.importing.targets import targets_file_check
from hris.kpi.models import Cycle, Indicator, Target, TemplateItem
from hris.kpi.permissions import require_employee
from hris.kpi.selectors_population import template_versions_of
from hris.kpi.services.cycles import INPUT_EDITABLE_STATES, lock_cycle, require_cycle_state
from hris.kpi.services.metric_owners import may_write_metrics_in
from hris.people.importing.results import CREATE, UPDATE, Outcome
from hris.people.importing.values import CellError
from hris.people.models import Employee


@dataclass
class TargetsImport:
    outcome: Outcome
    committed: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def _audit_target(actor: Any, cycle: Cycle, target: Target, before: Decimal | None, label: str, code: str, reason: str = "") -> None:
    audit_record(
        actor=actor,
        action="kpi.target_set",
        target_type="kpi.target",
        target_id=target.pk,
        target_label=f"{cycle} · {label} · {code}",
        before=None if before is None else {"value": before},
        after={"value": target.value, "indicator": code},
        reason=reason,
        company_id=cycle.company_id,
        subject_employee_id=target.employee_id,
    )


@transaction.atomic
def target_set(*, actor: Any, cycle: Cycle, employee: Employee, indicator: Indicator, value: Any) -> Target:
    require_employee(actor, Capability.WRITE_METRICS, employee)
    cycle = lock_cycle(cycle)
    require_cycle_state(cycle, INPUT_EDITABLE_STATES)
    version_id = template_versions_of(cycle, [employee.pk]).get(employee.pk)
    if version_id is None:
        raise DomainError(_("%(employee)s is not assessed in this cycle.") % {"employee": employee}, code="not_in_cycle")
    if not TemplateItem.objects.filter(version_id=version_id, indicator=indicator).exists():
        message = _("The indicator “%(code)s” is not in the template of %(employee)s.") % {"code": indicator.code, "employee": employee}
        raise DomainError(message, code="invalid", field_errors={"indicator": [message]})
    try:
        number = parse_number(value)
    except CellError as error:
        raise DomainError(str(error), code="invalid", field_errors={"value": [str(error)]})
    target = Target.objects.select_for_update().filter(cycle=cycle, employee=employee, indicator=indicator).first()
    before = None if target is None else target.value
    if target is not None and before == number:
        return target
    if target is None:
        target = Target(cycle=cycle, employee=employee, indicator=indicator)
    target.value = number
    target.save()
    _audit_target(actor, cycle, target, before, str(employee), indicator.code)
    recompute.request_recompute(cycle_id=cycle.pk, employee_ids=[employee.pk], reason=_("Target changed"))
    return target


@transaction.atomic
def targets_bulk_set(*, actor: Any, cycle: Cycle, content: bytes, filename: str) -> TargetsImport:
    """Check the file again and write every target in it, or none when any row has an error."""
    if not may_write_metrics_in(actor, cycle.company_id):
        raise PermissionDenied(_("You are not allowed to set targets."))
    cycle = lock_cycle(cycle)
    require_cycle_state(cycle, INPUT_EDITABLE_STATES)
    outcome = targets_file_check(actor=actor, cycle=cycle, content=content, filename=filename)
    if outcome.has_errors or not outcome.rows:
        return TargetsImport(outcome)
    changing = [row for row in outcome.rows if row.action in (CREATE, UPDATE)]
    keys = [(row.plan["employee_id"], row.plan["indicator_id"]) for row in changing]
    stored = {}
    for chunk in chunked(sorted({employee_id for employee_id, _indicator in keys})):
        for target in Target.objects.select_for_update().filter(cycle=cycle, employee_id__in=chunk):
            stored[(target.employee_id, target.indicator_id)] = target
    now = timezone.now()
    new, updated, before = [], [], {}
    for row, key in zip(changing, keys, strict=True):
        target = stored.get(key)
        if target is None:
            new.append(Target(cycle=cycle, employee_id=key[0], indicator_id=key[1], value=row.plan["value"]))
        else:
            before[key] = target.value
            target.value, target.updated_at = row.plan["value"], now
            updated.append(target)
    Target.objects.bulk_create(new, batch_size=500)
    Target.objects.bulk_update(updated, ["value", "updated_at"], batch_size=500)
    written = {(target.employee_id, target.indicator_id): target for target in [*new, *updated]}
    reason = _("Targets file %(file)s") % {"file": filename}
    with audit_batch():
        for row, key in zip(changing, keys, strict=True):
            _audit_target(actor, cycle, written[key], before.get(key), row.plan["label"], row.plan["code"], reason)
    recompute.request_recompute(cycle_id=cycle.pk, employee_ids=[key[0] for key in keys], reason=_("Targets imported"))
    return TargetsImport(outcome, committed=True, counts=outcome.counts())
