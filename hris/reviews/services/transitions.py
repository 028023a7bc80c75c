"""The review and approval chain: scoring → review → calibration → (awaiting approval) → approved.

HR (MANAGE_REVIEW over the company) moves the cycle; department managers mark their teams
reviewed; an executive (APPROVE_RESULTS over the company) approves or returns the results.
Every step locks the cycle row, refuses a wrong state, is audited, recorded on the cycle's
timeline and announced. A denial changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import ROLE_CAPABILITIES, Capability, Role, ScopeType
from hris.accounts.scopes import grants_of
from hris.audit.services import audit_record
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.core.events import emit
from hris.kpi.choices import CycleState, RunState
from hris.kpi.models import Assessment, ComputationRun, Cycle
from hris.kpi.permissions import require_company
from hris.org.models import Department
from hris.reviews.models import ApprovalRequest, ApprovalStep, DepartmentReview, ReviewState
from hris.reviews.services.common import (
    cycle_link,
    hr_user_ids,
    lock_cycle,
    now,
    record_transition,
    require_state,
    review_settings,
    users_with_roles,
)


def _move(actor: Any, cycle: Cycle, new_state: str, action: str, *, comment: str = "", extra: dict | None = None) -> None:
    old_state = cycle.state
    cycle.state = new_state
    cycle.save(update_fields=["state", "updated_at"])
    record_transition(cycle, old_state, new_state, actor, comment)
    audit_record(
        actor=actor,
        action=action,
        target=cycle,
        before={"state": old_state},
        after={"state": new_state, **(extra or {})},
        reason=comment,
        company_id=cycle.company_id,
    )


@transaction.atomic
def review_start(*, actor: Any, cycle: Cycle) -> Cycle:
    """scoring → review: needs a finished computation and none queued or running."""
    require_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    cycle = lock_cycle(cycle)
    require_state(cycle, CycleState.SCORING, action=_("submitted for review"))
    if ComputationRun.objects.filter(cycle=cycle, state__in=(RunState.QUEUED, RunState.RUNNING)).exists():
        raise Conflict(_("A computation of this cycle is queued or running; wait until it has finished."), code="computation_running")
    if not Assessment.objects.filter(cycle=cycle, computed_at__isnull=False).exists():
        raise DomainError(_("The cycle has not been computed yet; compute the scores before the review."), code="not_computed")
    settings_row = review_settings(cycle)
    settings_row.review_started_at = now()
    settings_row.save(update_fields=["review_started_at", "updated_at"])
    _move(actor, cycle, CycleState.REVIEW, "kpi.review_started")
    emit(
        "kpi.review_started",
        company_id=cycle.company_id,
        payload={"cycle_id": cycle.pk, "state": cycle.state},
        recipients=users_with_roles(cycle.company_id, (Role.DEPARTMENT_MANAGER, Role.EXECUTIVE)),
        title=_("%(cycle)s is ready for review") % {"cycle": cycle.name},
        body=_("Review your team's results, adjust where needed and mark your department as reviewed."),
        link=cycle_link(cycle),
        actor_id=getattr(actor, "pk", None),
    )
    return cycle


def reviewable_departments(actor: Any, cycle: Cycle) -> list[Department]:
    """Departments the actor may mark reviewed: the subtrees of their department-manager grants
    (HR and superusers: every department that managers review). Only those with assessments."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    from hris.reviews.selectors import departments_to_review

    all_departments = departments_to_review(cycle)
    if actor.is_superuser:
        return all_departments
    paths = {
        grant.department_path
        for grant in grants_of(actor)
        if grant.company_id == cycle.company_id and grant.role == Role.DEPARTMENT_MANAGER and grant.scope_type == ScopeType.DEPARTMENT
    }
    return [department for department in all_departments if any(department.path.startswith(path) for path in paths if path)]


@transaction.atomic
def department_review_complete(*, actor: Any, cycle: Cycle, department: Department, comment: str = "") -> DepartmentReview:
    """A department manager marks the results of their department (subtree) as reviewed."""
    if department.pk not in {item.pk for item in reviewable_departments(actor, cycle)}:
        raise PermissionDenied(_("Only the manager of %(department)s can mark it as reviewed.") % {"department": department.name})
    cycle = lock_cycle(cycle)
    require_state(cycle, CycleState.REVIEW, action=_("reviewed by departments"))
    if DepartmentReview.objects.filter(cycle=cycle, department=department).exists():
        raise Conflict(_("%(department)s is already marked as reviewed.") % {"department": department.name}, code="already_reviewed")
    review = DepartmentReview.objects.create(
        cycle=cycle, department=department, completed_by=actor, completed_at=now(), comment=(comment or "").strip()
    )
    audit_record(
        actor=actor,
        action="reviews.department_reviewed",
        target=cycle,
        after={"department": department.pk},
        reason=review.comment,
        company_id=cycle.company_id,
        department_path=department.path,
    )
    return review


@transaction.atomic
def calibration_start(*, actor: Any, cycle: Cycle) -> Cycle:
    """review → calibration."""
    require_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    cycle = lock_cycle(cycle)
    require_state(cycle, CycleState.REVIEW, action=_("moved to calibration"))
    settings_row = review_settings(cycle)
    settings_row.calibration_started_at = now()
    settings_row.save(update_fields=["calibration_started_at", "updated_at"])
    _move(actor, cycle, CycleState.CALIBRATION, "kpi.calibration_started")
    return cycle


@transaction.atomic
def approval_request(*, actor: Any, cycle: Cycle, comment: str = "") -> ApprovalRequest:
    """HR submits the calibrated results to the executives; the cycle waits in calibration."""
    require_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    cycle = lock_cycle(cycle)
    require_state(cycle, CycleState.CALIBRATION, action=_("submitted for approval"))
    settings_row = review_settings(cycle)
    if settings_row.review_state == ReviewState.AWAITING_APPROVAL:
        raise Conflict(_("The results are already awaiting approval."), code="already_pending")
    comment = (comment or "").strip()
    request = ApprovalRequest.objects.create(cycle=cycle, submitted_by=actor)
    ApprovalStep.objects.create(request=request, kind=ApprovalStep.Kind.SUBMIT, actor=actor, comment=comment)
    settings_row.review_state = ReviewState.AWAITING_APPROVAL
    settings_row.save(update_fields=["review_state", "updated_at"])
    record_transition(cycle, CycleState.CALIBRATION, ReviewState.AWAITING_APPROVAL, actor, comment)
    audit_record(
        actor=actor,
        action="kpi.approval_requested",
        target=cycle,
        before={"review_state": ""},
        after={"review_state": ReviewState.AWAITING_APPROVAL, "request": request.pk},
        reason=comment,
        company_id=cycle.company_id,
    )
    emit(
        "kpi.approval_requested",
        company_id=cycle.company_id,
        payload={"cycle_id": cycle.pk, "approval_request_id": request.pk},
        recipients=[user_id for user_id in users_with_roles(cycle.company_id, (Role.EXECUTIVE,)) if user_id != getattr(actor, "pk", None)],
        title=_("Results of %(cycle)s await your approval") % {"cycle": cycle.name},
        body=comment,
        link=cycle_link(cycle),
        actor_id=getattr(actor, "pk", None),
    )
    return request


def _require_approver(actor: Any, cycle: Cycle) -> None:
    if actor is None:
        return
    if actor.is_superuser:
        return
    approves = any(
        grant.company_id == cycle.company_id
        and grant.scope_type == ScopeType.COMPANY
        and Capability.APPROVE_RESULTS in ROLE_CAPABILITIES.get(grant.role, ())
        for grant in grants_of(actor)
    )
    if not approves:
        raise PermissionDenied(_("Only an executive of the company can approve or return the results."))


@transaction.atomic
def approval_decide(*, actor: Any, cycle: Cycle, approve: bool, comment: str = "") -> ApprovalRequest:
    """An executive approves (→ approved) or returns the results (→ review, comment required)."""
    _require_approver(actor, cycle)
    cycle = lock_cycle(cycle)
    require_state(cycle, CycleState.CALIBRATION, action=_("approved or returned"))
    request = ApprovalRequest.objects.select_for_update().filter(cycle=cycle, state=ApprovalRequest.State.PENDING).first()
    if request is None:
        raise DomainError(_("No approval has been requested for these results."), code="no_request")
    comment = (comment or "").strip()
    if not approve and len(comment) < 2:
        message = _("Say what must change when returning the results.")
        raise DomainError(message, code="reason_required", field_errors={"comment": [message]})
    settings_row = review_settings(cycle)
    settings_row.review_state = ReviewState.NONE
    request.state = ApprovalRequest.State.APPROVED if approve else ApprovalRequest.State.RETURNED
    request.decided_at = now()
    request.save(update_fields=["state", "decided_at", "updated_at"])
    ApprovalStep.objects.create(
        request=request, kind=ApprovalStep.Kind.APPROVE if approve else ApprovalStep.Kind.RETURN, actor=actor, comment=comment
    )
    if approve:
        settings_row.approved_at = request.decided_at
        _move(actor, cycle, CycleState.APPROVED, "kpi.results_approved", comment=comment, extra={"request": request.pk})
    else:
        _move(actor, cycle, CycleState.REVIEW, "kpi.results_returned", comment=comment, extra={"request": request.pk})
    settings_row.save(update_fields=["review_state", "approved_at", "updated_at"])
    emit(
        "kpi.results_approved" if approve else "kpi.results_returned",
        company_id=cycle.company_id,
        payload={"cycle_id": cycle.pk, "approval_request_id": request.pk, "approved": approve},
        recipients=[*hr_user_ids(cycle.company_id), request.submitted_by_id],
        title=(_("Results of %(cycle)s approved") if approve else _("Results of %(cycle)s returned for changes")) % {"cycle": cycle.name},
        body=comment,
        link=cycle_link(cycle),
        actor_id=getattr(actor, "pk", None),
    )
    return request
