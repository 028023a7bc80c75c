"""Appeals: the employee files one within the window; HR or an executive resolves it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Role
from hris.audit.services import audit_record
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.core.events import emit
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment, Indicator
from hris.reviews.models import AdjusterRole, Appeal, CycleReviewSettings
from hris.reviews.services.adjustments import apply_adjustment, lock_assessment
from hris.reviews.services.common import clean_reason, hr_user_ids, my_result_link, now, require_state, users_with_roles
from hris.reviews.services.publication import appeal_deadline, require_own_published


def appeals_url() -> str:
    from django.urls import reverse

    return reverse("reviews:appeal_list")


@transaction.atomic
def appeal_file(*, actor: Any, assessment: Assessment, reason: str) -> Appeal:
    require_own_published(actor, assessment)
    reason = clean_reason(reason)
    assessment = lock_assessment(assessment)
    cycle = assessment.cycle
    require_state(cycle, CycleState.PUBLISHED, action=_("appealed"))
    deadline = appeal_deadline(CycleReviewSettings.objects.filter(cycle=cycle).first())
    if deadline is None or now() > deadline:
        raise DomainError(_("The appeal window has ended."), code="appeal_window_closed")
    if Appeal.objects.filter(assessment=assessment, state=Appeal.State.OPEN).exists():
        raise Conflict(_("You already have an open appeal for this result."), code="appeal_open")
    appeal = Appeal.objects.create(assessment=assessment, filed_by=actor, reason=reason)
    audit_record(
        actor=actor,
        action="kpi.appeal_filed",
        target=appeal,
        after={"assessment": assessment.pk},
        reason=reason,
        company_id=cycle.company_id,
        department_path=assessment.department.path,
        subject_employee_id=assessment.employee_id,
    )
    emit(
        "kpi.appeal_filed",
        company_id=cycle.company_id,
        payload={"cycle_id": cycle.pk, "assessment_id": assessment.pk, "appeal_id": appeal.pk},
        recipients=users_with_roles(cycle.company_id, (Role.HR_ADMIN, Role.HRBP, Role.EXECUTIVE), department=assessment.department),
        title=_("%(employee)s appealed their result") % {"employee": assessment.employee.name},
        body=reason,
        link=appeals_url(),
        actor_id=actor.pk,
    )
    return appeal


def resolver_role(actor: Any, assessment: Assessment) -> str | None:
    """HR with MANAGE_REVIEW over the employee, or an executive of the company; None otherwise."""
    from hris.accounts.roles import Capability
    from hris.reviews.services.common import may_over_assessment
    from hris.reviews.services.transitions import _require_approver

    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.is_superuser:
        return AdjusterRole.SUPERUSER
    try:
        _require_approver(actor, assessment.cycle)
        return AdjusterRole.EXECUTIVE
    except PermissionDenied:
        pass
    if may_over_assessment(actor, Capability.MANAGE_REVIEW, assessment) and assessment.employee.user_id != actor.pk:
        return AdjusterRole.HR
    return None


@transaction.atomic
def appeal_resolve(
    *, actor: Any, appeal: Appeal, upheld: bool, reason: str, delta: Any = None, indicator: Indicator | None = None
) -> Appeal:
    """Upheld (optionally with an adjustment, which makes a new version) or rejected, always with a reason.
    The adjustment of an upheld appeal is the resolver's decision and is not bound by the policy limits."""
    role = resolver_role(actor, appeal.assessment)
    if role is None:
        raise PermissionDenied(_("Only HR or an executive can resolve this appeal."))
    if appeal.assessment.employee.user_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("You cannot resolve your own appeal."))
    reason = clean_reason(reason)
    appeal = Appeal.objects.select_for_update().select_related("assessment__cycle", "assessment__employee").get(pk=appeal.pk)
    assessment = appeal.assessment
    require_state(assessment.cycle, CycleState.PUBLISHED, action=_("changed by an appeal"))
    if appeal.state != Appeal.State.OPEN:
        raise Conflict(_("This appeal has already been resolved."), code="appeal_resolved")
    has_delta = delta not in (None, "")
    if has_delta and not upheld:
        message = _("A rejected appeal does not change the score.")
        raise DomainError(message, code="invalid", field_errors={"delta": [message]})
    appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.REJECTED
    appeal.resolved_by, appeal.resolved_at, appeal.resolution = actor, now(), reason
    appeal.save(update_fields=["state", "resolved_by", "resolved_at", "resolution", "updated_at"])
    result = None
    if has_delta:
        result = apply_adjustment(
            actor=actor, assessment=assessment, delta=delta, reason=reason, indicator=indicator, appeal=appeal, role=role
        )
    audit_record(
        actor=actor,
        action="kpi.appeal_resolved",
        target=appeal,
        before={"state": Appeal.State.OPEN},
        after={
            "state": appeal.state,
            "adjustment": result.adjustment.pk if result else None,
            "version": result.version.number if result and result.version else None,
        },
        reason=reason,
        company_id=assessment.cycle.company_id,
        department_path=assessment.department.path,
        subject_employee_id=assessment.employee_id,
    )
    assessment = lock_assessment(assessment)
    emit(
        "kpi.appeal_resolved",
        company_id=assessment.cycle.company_id,
        payload={"cycle_id": assessment.cycle_id, "assessment_id": assessment.pk, "appeal_id": appeal.pk, "upheld": upheld},
        recipients=[assessment.employee.user_id, *hr_user_ids(assessment.cycle.company_id)],
        title=(_("Your appeal was upheld") if upheld else _("Your appeal was rejected")),
        body=reason,
        link=my_result_link(assessment),
        actor_id=getattr(actor, "pk", None),
    )
    return appeal
