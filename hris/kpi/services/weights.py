"""Weight overrides: per cycle for a template version, per employee with a reason.

Effective weight of an indicator = the employee's override, else the cycle's override for
the version, else the template item's weight (the engine coalesces in the same order).
Whatever is set, the effective weights must add up to exactly 100 or nothing is written.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import DomainError
from hris.kpi import recompute
from hris.kpi.models import Assessment, Cycle, CycleAssignment, CycleWeightOverride, EmployeeWeightOverride, TemplateItem, TemplateVersion
from hris.kpi.permissions import require_company, require_employee
from hris.kpi.selectors_population import template_versions_of
from hris.kpi.services.cycles import INPUT_EDITABLE_STATES, lock_cycle, require_cycle_state
from hris.people.models import Employee

HUNDRED = Decimal(100)
EMPLOYEES_NAMED_AT_MOST = 10
REASON_LENGTH = 300


def _template_weights(version_id: int) -> dict[int, tuple[str, Decimal]]:
    """indicator id → (indicator code, template weight)."""
    items = TemplateItem.objects.filter(version_id=version_id).values_list("indicator_id", "indicator__code", "weight")
    return {indicator_id: (code, weight) for indicator_id, code, weight in items}


def _clean_weights(weights: dict[Any, Any], template: dict[int, tuple[str, Decimal]]) -> dict[int, Decimal]:
    cleaned: dict[int, Decimal] = {}
    problems: list[str] = []
    for key, value in weights.items():
        indicator_id = int(key) if str(key).isdigit() else None
        if indicator_id not in template:
            problems.append(_("Indicator #%(id)s is not part of the template version.") % {"id": key})
            continue
        try:
            weight = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            problems.append(_("The weight “%(value)s” of %(code)s is not a number.") % {"value": value, "code": template[indicator_id][0]})
            continue
        if not weight.is_finite() or not 0 <= weight <= HUNDRED or weight != weight.quantize(Decimal("0.01")):
            problems.append(
                _("The weight of %(code)s must be between 0 and 100 with at most two decimals.") % {"code": template[indicator_id][0]}
            )
            continue
        cleaned[indicator_id] = weight.quantize(Decimal("0.01"))
    if problems:
        raise DomainError(problems[0], code="invalid", field_errors={"weights": problems})
    return cleaned


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        message = _("Say why this employee's weights differ from the template.")
        raise DomainError(message, code="reason_required", field_errors={"reason": [message]})
    if len(reason) > REASON_LENGTH:
        message = _("Keep the reason under %(limit)s characters.") % {"limit": REASON_LENGTH}
        raise DomainError(message, code="invalid", field_errors={"reason": [message]})
    return reason


def _require_hundred(effective: dict[int, Decimal], who: str = "") -> None:
    total = sum(effective.values(), Decimal(0))
    if total != HUNDRED:
        message = _("The weights add up to %(total)s %%; they must add up to 100 %%.") % {"total": f"{total:.2f}"}
        if who:
            message = f"{who}: {message}"
        raise DomainError(message, code="weights_sum", field_errors={"weights": [message]})


def _by_code(weights: dict[int, Decimal], template: dict[int, tuple[str, Decimal]]) -> dict[str, Decimal]:
    return {template[indicator_id][0]: weight for indicator_id, weight in sorted(weights.items())}


def _check_employees_still_add_up(cycle: Cycle, version_id: int, cycle_effective: dict[int, Decimal]) -> None:
    """Employees with their own overrides must still reach 100 under the new cycle weights."""
    assessed = Assessment.objects.filter(cycle=cycle, template_version_id=version_id).values("employee_id")
    overrides: dict[int, dict[int, Decimal]] = {}
    rows = EmployeeWeightOverride.objects.filter(cycle=cycle, employee_id__in=assessed, indicator_id__in=list(cycle_effective))
    for employee_id, indicator_id, weight in rows.values_list("employee_id", "indicator_id", "weight"):
        overrides.setdefault(employee_id, {})[indicator_id] = weight
    broken = [employee_id for employee_id, own in overrides.items() if sum({**cycle_effective, **own}.values(), Decimal(0)) != HUNDRED]
    if broken:
        named = Employee.objects.filter(pk__in=broken).order_by("employee_number")[:EMPLOYEES_NAMED_AT_MOST]
        message = _("With these weights the own weights of %(names)s would no longer add up to 100 %%; change those first.") % {
            "names": ", ".join(str(employee) for employee in named)
        }
        raise DomainError(message, code="weights_sum", field_errors={"weights": [message]})


@transaction.atomic
def cycle_weight_overrides_set(
    *, actor: Any, cycle: Cycle, template_version: TemplateVersion, weights: dict[int, Decimal], reason: str
) -> list[CycleWeightOverride]:
    """Replace the cycle's overrides for the version: indicators not in `weights` get the template weight back."""
    require_company(actor, Capability.CONFIGURE_KPI, cycle.company_id)
    reason = _clean_reason(reason, required=False)
    cycle = lock_cycle(cycle)
    require_cycle_state(cycle, INPUT_EDITABLE_STATES)
    version_used = (
        CycleAssignment.objects.filter(cycle=cycle, template_version=template_version).exists()
        or Assessment.objects.filter(cycle=cycle, template_version=template_version).exists()
    )
    if not version_used:
        raise DomainError(_("The template version is not assigned in this cycle."), code="invalid")
    template = _template_weights(template_version.pk)
    new = _clean_weights(weights, template)
    effective = {indicator_id: new.get(indicator_id, weight) for indicator_id, (_code, weight) in template.items()}
    _require_hundred(effective)
    _check_employees_still_add_up(cycle, template_version.pk, effective)

    existing = CycleWeightOverride.objects.filter(cycle=cycle, template_version=template_version)
    before = dict(existing.values_list("indicator_id", "weight"))
    existing.delete()
    created = CycleWeightOverride.objects.bulk_create(
        [
            CycleWeightOverride(cycle=cycle, template_version=template_version, indicator_id=indicator_id, weight=weight, reason=reason)
            for indicator_id, weight in sorted(new.items())
        ]
    )
    audit_record(
        actor=actor,
        action="kpi.cycle_weights_set",
        target=cycle,
        before={"template_version_id": template_version.pk, "weights": _by_code(before, template)},
        after={"template_version_id": template_version.pk, "weights": _by_code(new, template)},
        reason=reason,
        company_id=cycle.company_id,
    )
    assessed = Assessment.objects.filter(cycle=cycle, template_version=template_version).values_list("employee_id", flat=True)
    recompute.request_recompute(cycle_id=cycle.pk, employee_ids=list(assessed), reason=_("Cycle weights changed"))
    return created


@transaction.atomic
def employee_weights_set(
    *, actor: Any, cycle: Cycle, employee: Employee, weights: dict[int, Decimal], reason: str
) -> list[EmployeeWeightOverride]:
    """Replace one employee's own weights in the cycle (CONFIGURE_KPI over that employee; reason required)."""
    require_employee(actor, Capability.CONFIGURE_KPI, employee)
    reason = _clean_reason(reason, required=True)
    cycle = lock_cycle(cycle)
    require_cycle_state(cycle, INPUT_EDITABLE_STATES)
    version_id = template_versions_of(cycle, [employee.pk]).get(employee.pk)
    if version_id is None:
        raise DomainError(_("%(employee)s is not assessed in this cycle.") % {"employee": employee}, code="not_in_cycle")
    template = _template_weights(version_id)
    new = _clean_weights(weights, template)
    cycle_weights = dict(
        CycleWeightOverride.objects.filter(cycle=cycle, template_version_id=version_id).values_list("indicator_id", "weight")
    )
    effective = {
        indicator_id: new.get(indicator_id, cycle_weights.get(indicator_id, weight)) for indicator_id, (_c, weight) in template.items()
    }
    _require_hundred(effective, str(employee))

    existing = EmployeeWeightOverride.objects.filter(cycle=cycle, employee=employee)
    before = dict(existing.values_list("indicator_id", "weight"))
    existing.delete()
    created = EmployeeWeightOverride.objects.bulk_create(
        [
            EmployeeWeightOverride(cycle=cycle, employee=employee, indicator_id=indicator_id, weight=weight, reason=reason)
            for indicator_id, weight in sorted(new.items())
        ]
    )
    audit_record(
        actor=actor,
        action="kpi.employee_weights_set",
        target=cycle,
        before={"weights": _by_code({key: value for key, value in before.items() if key in template}, template)},
        after={"weights": _by_code(new, template)},
        reason=reason,
        company_id=cycle.company_id,
        department_path=employee.department.path,
        subject_employee_id=employee.pk,
    )
    recompute.request_recompute(cycle_id=cycle.pk, employee_ids=[employee.pk], reason=_("Employee weights changed"))
    return created
