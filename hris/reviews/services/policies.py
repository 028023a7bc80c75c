"""Adjustment policies: how far each role may adjust one assessment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import DomainError, field_errors_from_validation_error
from hris.kpi.choices import CycleState
from hris.kpi.models import Cycle
from hris.kpi.permissions import require_company
from hris.reviews.models import AdjustmentPolicy, AdjustmentTarget

POLICY_FIELDS = ("executive_limit", "manager_limit", "hr_limit", "targets")


def default_policy(company_id: int) -> AdjustmentPolicy:
    """Executive ±10, department manager ±5 (own subtree), HR 0; total or indicator. Not saved."""
    return AdjustmentPolicy(
        company_id=company_id,
        executive_limit=Decimal("10.00"),
        manager_limit=Decimal("5.00"),
        hr_limit=Decimal("0.00"),
        targets=AdjustmentTarget.BOTH,
    )


def company_policy(company_id: int) -> AdjustmentPolicy:
    return AdjustmentPolicy.objects.filter(company_id=company_id, cycle__isnull=True).first() or default_policy(company_id)


def policy_for(cycle: Cycle) -> AdjustmentPolicy:
    """The cycle's own policy, else the company's, else the default."""
    return AdjustmentPolicy.objects.filter(cycle_id=cycle.pk).first() or company_policy(cycle.company_id)


def _snapshot(policy: AdjustmentPolicy | None) -> dict | None:
    if policy is None or policy.pk is None:
        return None
    return {name: str(getattr(policy, name)) for name in POLICY_FIELDS}


@transaction.atomic
def policy_update(*, actor: Any, company_id: int, cycle: Cycle | None = None, reason: str = "", **values: Any) -> AdjustmentPolicy:
    """HR sets the company's policy or a cycle's override (MANAGE_REVIEW over the company)."""
    require_company(actor, Capability.MANAGE_REVIEW, company_id)
    if cycle is not None:
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.company_id != company_id:
            raise DomainError(_("The cycle belongs to another company."), code="invalid")
        if cycle.state in (CycleState.PUBLISHED, CycleState.CLOSED):
            raise DomainError(_("The policy of a published or closed cycle can no longer change."), code="cycle_closed")
        policy = AdjustmentPolicy.objects.select_for_update().filter(cycle=cycle).first()
        base = policy or company_policy(company_id)
    else:
        policy = AdjustmentPolicy.objects.select_for_update().filter(company_id=company_id, cycle__isnull=True).first()
        base = policy or default_policy(company_id)
    before = _snapshot(policy)
    if policy is None:
        policy = AdjustmentPolicy(company_id=company_id, cycle=cycle, **{name: getattr(base, name) for name in POLICY_FIELDS})
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise DomainError(_("Unknown policy fields: %(names)s") % {"names": ", ".join(sorted(unknown))}, code="invalid")
    for name, value in values.items():
        setattr(policy, name, value)
    policy.updated_by = actor if getattr(actor, "pk", None) else None
    try:
        policy.full_clean(exclude=["company", "cycle", "updated_by"])
    except ValidationError as error:
        raise DomainError(_("Please correct the errors below."), code="invalid", field_errors=field_errors_from_validation_error(error))
    policy.save()
    audit_record(
        actor=actor,
        action="reviews.policy_updated",
        target=policy,
        target_label=str(cycle) if cycle else _("Company adjustment policy"),
        before=before,
        after=_snapshot(policy),
        reason=(reason or "").strip(),
        company_id=company_id,
    )
    return policy


@transaction.atomic
def policy_override_remove(*, actor: Any, cycle: Cycle) -> None:
    """Drop a cycle's override: the company policy applies again."""
    require_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    policy = AdjustmentPolicy.objects.select_for_update().filter(cycle=cycle).first()
    if policy is None:
        return
    if cycle.state in (CycleState.PUBLISHED, CycleState.CLOSED):
        raise DomainError(_("The policy of a published or closed cycle can no longer change."), code="cycle_closed")
    before = _snapshot(policy)
    policy.delete()
    audit_record(
        actor=actor,
        action="reviews.policy_override_removed",
        target_type="reviews.adjustmentpolicy",
        target_id=cycle.pk,
        target_label=str(cycle),
        before=before,
        company_id=cycle.company_id,
    )
