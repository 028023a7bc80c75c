"""Score adjustments in review, calibration and (through appeals) after publication.

Every adjustment is its own record with a mandatory reason; the assessment keeps their sum in
`adjustment_total`, which the engine adds to every recomputed total. The limit of the adjustment
policy applies per role to the *sum* of that role's adjustments on one assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from hris.accounts.roles import ROLE_CAPABILITIES, Capability, Role, ScopeType
from hris.accounts.scopes import grants_of
from hris.audit.services import audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.core.events import emit
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment, AssessmentItem, Indicator
from hris.reviews.models import AdjusterRole, AdjustmentPolicy, AdjustmentTarget, Appeal, ResultVersion, ScoreAdjustment
from hris.reviews.services.common import (
    clamp,
    clean_reason,
    hr_user_ids,
    manager_chain_user_ids,
    money,
    my_result_link,
    parse_delta,
    require_over_assessment,
    require_state,
)
from hris.reviews.services.policies import policy_for
from hris.reviews.services.versions import version_create_next

ADJUSTABLE_STATES = (CycleState.REVIEW, CycleState.CALIBRATION)
ROLE_OF_GRANT = {
    Role.EXECUTIVE: AdjusterRole.EXECUTIVE,
    Role.DEPARTMENT_MANAGER: AdjusterRole.DEPARTMENT_MANAGER,
    Role.HR_ADMIN: AdjusterRole.HR,
    Role.HRBP: AdjusterRole.HR,
}


@dataclass(frozen=True)
class AdjustmentResult:
    adjustment: ScoreAdjustment
    final_before: Decimal | None
    final_after: Decimal | None
    version: ResultVersion | None


def adjuster_roles(actor: Any, assessment: Assessment) -> set[str]:
    """The adjusting roles the actor holds over this assessment's employee (by grant scope)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return set()
    if actor.is_superuser:
        return {AdjusterRole.SUPERUSER}
    department = assessment.department
    roles = set()
    for grant in grants_of(actor):
        if grant.company_id != assessment.cycle.company_id or Capability.ADJUST_SCORES not in ROLE_CAPABILITIES.get(grant.role, ()):
            continue
        covers = (
            grant.scope_type == ScopeType.COMPANY
            or (grant.scope_type == ScopeType.BRANCH and grant.branch_id == department.branch_id)
            or (grant.scope_type == ScopeType.DEPARTMENT and grant.department_path and department.path.startswith(grant.department_path))
        )
        if covers and grant.role in ROLE_OF_GRANT:
            roles.add(ROLE_OF_GRANT[grant.role])
    return roles


def role_limits(actor: Any, assessment: Assessment, policy: AdjustmentPolicy) -> list[tuple[str, Decimal | None]]:
    """(role, limit) the actor may use here, most generous first; None = unlimited."""
    limits = [(role, policy.limit_for(role)) for role in adjuster_roles(actor, assessment)]
    limits = [(role, limit) for role, limit in limits if limit is None or limit > 0]
    return sorted(limits, key=lambda pair: (pair[1] is not None, -(pair[1] or 0)))


def used_by_role(assessment: Assessment, role: str) -> Decimal:
    return money(ScoreAdjustment.objects.filter(assessment=assessment, role=role).aggregate(total=Sum("delta"))["total"] or 0)


def _check_target(policy: AdjustmentPolicy, assessment: Assessment, indicator: Indicator | None) -> None:
    if indicator is None and policy.targets == AdjustmentTarget.INDICATOR:
        message = _("The adjustment policy allows adjusting single indicators only; choose an indicator.")
        raise DomainError(message, code="target_not_allowed", field_errors={"indicator": [message]})
    if indicator is not None:
        if policy.targets == AdjustmentTarget.TOTAL:
            message = _("The adjustment policy allows adjusting the total score only.")
            raise DomainError(message, code="target_not_allowed", field_errors={"indicator": [message]})
        if not AssessmentItem.objects.filter(assessment_id=assessment.pk, indicator_id=indicator.pk).exists():
            message = _("This indicator is not part of the assessment.")
            raise DomainError(message, code="invalid", field_errors={"indicator": [message]})


def _pick_role(actor: Any, assessment: Assessment, policy: AdjustmentPolicy, delta: Decimal) -> str:
    """The most generous role the actor holds over this employee; its cumulative limit must hold."""
    limits = role_limits(actor, assessment, policy)
    if not limits:
        raise PermissionDenied(_("The adjustment policy does not allow your role to adjust scores."), code="policy_denied")
    role, limit = limits[0]
    used = used_by_role(assessment, role)
    if limit is None or abs(used + delta) <= limit:
        return role
    message = _(
        "This adjustment exceeds your limit of ±%(limit)s points per assessment: adjustments in your role already add up to "
        "%(used)s, so at most %(low)s to %(high)s more is possible."
    ) % {"limit": limit, "used": f"{used:+}", "low": f"{-limit - used:+}", "high": f"{limit - used:+}"}
    raise DomainError(message, code="over_limit", field_errors={"delta": [message]})


def lock_assessment(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle__company", "employee__manager__manager", "department")
        .get(pk=assessment.pk)
    )


def apply_adjustment(
    *,
    actor: Any,
    assessment: Assessment,
    delta: Any,
    reason: str,
    indicator: Indicator | None = None,
    appeal: Appeal | None = None,
    role: str | None = None,
) -> AdjustmentResult:
    """The shared write; the caller has checked permission (and, without `role`, the policy picks it)."""
    delta, reason = parse_delta(delta), clean_reason(reason)
    assessment = lock_assessment(assessment)
    cycle = assessment.cycle
    if appeal is None:
        require_state(cycle, *ADJUSTABLE_STATES, action=_("adjusted"))
    else:
        require_state(cycle, CycleState.PUBLISHED, action=_("adjusted through an appeal"))
    if assessment.computed_total is None:
        raise DomainError(_("The assessment has not been computed yet; compute it before adjusting."), code="not_computed")
    if actor is not None and assessment.employee.user_id == actor.pk:
        raise PermissionDenied(_("You cannot adjust your own assessment."), code="self_adjustment")
    policy = policy_for(cycle)
    _check_target(policy, assessment, indicator)
    if role is None:
        role = _pick_role(actor, assessment, policy, delta)

    final_before = assessment.final_score
    assessment.adjustment_total = (assessment.adjustment_total or Decimal("0")) + delta
    assessment.final_score = clamp(assessment.computed_total + assessment.adjustment_total, cycle)
    assessment.save(update_fields=["adjustment_total", "final_score", "updated_at"])
    adjustment = ScoreAdjustment(
        assessment=assessment,
        indicator=indicator,
        delta=delta,
        reason=reason,
        actor=actor,
        role=role,
        final_before=final_before,
        final_after=assessment.final_score,
        appeal=appeal,
    )
    adjustment.full_clean(exclude=["assessment", "actor", "indicator", "appeal"])
    adjustment.save()
    version = None
    if cycle.state == CycleState.PUBLISHED:
        version = version_create_next(assessment=assessment, actor=actor, reason=reason)
    audit_record(
        actor=actor,
        action="kpi.score_adjusted",
        target=assessment,
        target_label=f"{cycle.name} · {assessment.employee}",
        before={"final_score": final_before, "adjustment_total": assessment.adjustment_total - delta},
        after={
            "final_score": assessment.final_score,
            "adjustment_total": assessment.adjustment_total,
            "delta": delta,
            "indicator": indicator.pk if indicator else None,
            "role": role,
            "appeal": appeal.pk if appeal else None,
            "version": version.number if version else None,
        },
        reason=reason,
        company_id=cycle.company_id,
        department_path=assessment.department.path,
        subject_employee_id=assessment.employee_id,
    )
    recipients = [*hr_user_ids(cycle.company_id), *manager_chain_user_ids(assessment)]
    if cycle.state == CycleState.PUBLISHED and assessment.employee.user_id:
        recipients.append(assessment.employee.user_id)
    recipients = [user_id for user_id in recipients if not actor or user_id != actor.pk]
    emit(
        "kpi.adjustment_made",
        company_id=cycle.company_id,
        payload={
            "cycle_id": cycle.pk,
            "assessment_id": assessment.pk,
            "adjustment_id": adjustment.pk,
            "delta": str(delta),
            "indicator_id": indicator.pk if indicator else None,
            "final_before": str(final_before) if final_before is not None else None,
            "final_after": str(assessment.final_score),
        },
        recipients=recipients,
        title=_("Score adjusted: %(employee)s %(delta)s") % {"employee": assessment.employee.name, "delta": f"{delta:+}"},
        body=_("%(cycle)s: final score %(before)s → %(after)s. Reason: %(reason)s")
        % {"cycle": cycle.name, "before": final_before, "after": assessment.final_score, "reason": reason},
        link=my_result_link(assessment) if cycle.state == CycleState.PUBLISHED else reverse("kpi:assessment_detail", args=[assessment.pk]),
        actor_id=getattr(actor, "pk", None),
    )
    return AdjustmentResult(adjustment, final_before, assessment.final_score, version)


@transaction.atomic
def adjustment_create(
    *, actor: Any, assessment: Assessment, delta: Any, reason: str, indicator: Indicator | None = None
) -> AdjustmentResult:
    """Adjust an assessment in review or calibration by up to the policy's limit for the actor's role."""
    require_over_assessment(actor, Capability.ADJUST_SCORES, assessment)
    return apply_adjustment(actor=actor, assessment=assessment, delta=delta, reason=reason, indicator=indicator)
