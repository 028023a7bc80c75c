"""Helpers shared by the review services: locking, state checks, scope checks, recipients."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.models import RoleAssignment
from hris.accounts.roles import Capability, Role
from hris.accounts.scopes import scope_q
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment, Cycle
from hris.kpi.permissions import ASSESSMENT_SCOPE_FIELDS
from hris.reviews.models import CycleReviewSettings, CycleTransition

CENT = Decimal("0.01")
MIN_REASON = 2
HR_ROLES = (Role.HR_ADMIN, Role.HRBP)


def money(value: Any) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_delta(value: Any, field: str = "delta") -> Decimal:
    """A non-zero number of points with at most two decimals."""
    try:
        delta = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(_("Enter a number of points, e.g. 5 or -2.5."), code="invalid", field_errors={field: [_("Enter a number.")]})
    if not delta.is_finite():
        raise DomainError(_("Enter a number of points, e.g. 5 or -2.5."), code="invalid", field_errors={field: [_("Enter a number.")]})
    if delta != delta.quantize(CENT):
        message = _("Use at most two decimal places.")
        raise DomainError(message, code="invalid", field_errors={field: [message]})
    if delta == 0:
        message = _("An adjustment must change the score; zero is not allowed.")
        raise DomainError(message, code="invalid", field_errors={field: [message]})
    return delta.quantize(CENT)


def clean_reason(reason: Any, field: str = "reason") -> str:
    text = (reason or "").strip() if isinstance(reason, str) or reason is None else str(reason).strip()
    if len(text) < MIN_REASON:
        message = _("A reason is required (at least %(count)s characters).") % {"count": MIN_REASON}
        raise DomainError(message, code="reason_required", field_errors={field: [message]})
    return text


def clamp(value: Decimal | None, cycle: Cycle) -> Decimal | None:
    if value is None:
        return None
    return money(min(max(value, cycle.score_floor), cycle.score_cap))


def lock_cycle(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update().select_related("company").get(pk=cycle.pk)


def require_state(cycle: Cycle, *states: str, action: str) -> None:
    if cycle.state == CycleState.CLOSED and CycleState.CLOSED not in states:
        raise DomainError(_("The cycle is closed; its results can no longer change."), code="cycle_closed")
    if cycle.state not in states:
        expected = ", ".join(str(CycleState(state).label).lower() for state in states)
        raise DomainError(
            _("A cycle that is %(state)s cannot be %(action)s; it must be %(expected)s.")
            % {"state": cycle.get_state_display().lower(), "action": action, "expected": expected},
            code="invalid_transition",
        )


def review_settings(cycle: Cycle) -> CycleReviewSettings:
    settings_row, _created = CycleReviewSettings.objects.get_or_create(cycle=cycle)
    return settings_row


def record_transition(cycle: Cycle, from_state: str, to_state: str, actor: Any, comment: str = "") -> None:
    CycleTransition.objects.create(
        cycle=cycle, from_state=from_state, to_state=to_state, actor=actor if getattr(actor, "pk", None) else None, comment=comment
    )


def may_over_assessment(actor: Any, capability: Capability, assessment: Assessment) -> bool:
    if actor is None:
        return True
    return Assessment.objects.filter(pk=assessment.pk).filter(scope_q(actor, capability, **ASSESSMENT_SCOPE_FIELDS)).exists()


def require_over_assessment(actor: Any, capability: Capability, assessment: Assessment) -> None:
    if not may_over_assessment(actor, capability, assessment):
        raise PermissionDenied(_("You are not allowed to do this for %(target)s.") % {"target": assessment.employee})


def users_with_roles(company_id: int, roles: tuple[str, ...], *, department: Any = None) -> list[int]:
    """Users holding one of `roles` in the company; with a department, only grants whose scope covers it."""
    grants = RoleAssignment.objects.filter(company_id=company_id, role__in=roles, user__is_active=True)
    if department is None:
        return sorted(set(grants.values_list("user_id", flat=True)))
    covering = (
        Q(scope_type="company")
        | Q(scope_type="branch", branch_id=department.branch_id)
        | Q(scope_type="department", department__isnull=False)
    )
    return sorted(
        {
            grant.user_id
            for grant in grants.filter(covering).select_related("department")
            if grant.scope_type != "department" or department.path.startswith(grant.department.path)
        }
    )


def hr_user_ids(company_id: int) -> list[int]:
    return users_with_roles(company_id, HR_ROLES)


def manager_chain_user_ids(assessment: Assessment) -> list[int]:
    """The employee's line managers (up to 5 levels) who have user accounts."""
    ids: list[int] = []
    manager = assessment.employee.manager
    seen = set()
    while manager is not None and manager.pk not in seen and len(seen) < 5:
        seen.add(manager.pk)
        if manager.user_id:
            ids.append(manager.user_id)
        manager = manager.manager
    return ids


def my_result_link(assessment: Assessment) -> str:
    return reverse("reviews:my_result", args=[assessment.pk])


def cycle_link(cycle: Cycle) -> str:
    return reverse("reviews:cycle_panel", args=[cycle.pk])


def now():  # noqa: ANN201
    return timezone.now()
