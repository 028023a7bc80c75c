"""Ratings of qualitative (manual-rule) indicators: validate, store one rating per rater, recompute.

Two ways in: `rating_request_submit` is an assigned rater answering their rating request (only
that rater, only until the request's due date); `rating_submit` is the direct path for HR and
managers in scope (and the system), e.g. HR entering a rating on a rater's behalf. Either way a
matching rating request is marked as submitted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.audit.services import audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.kpi import recompute
from hris.kpi.choices import RECOMPUTABLE_STATES, RaterRole
from hris.kpi.models import Assessment, Indicator, Rating, RatingRequest, RequestState, TemplateItem
from hris.kpi.rules import ManualRule, RuleError, parse_rule
from hris.kpi.rules.numbers import NotANumber, plain, to_decimal
from hris.kpi.selectors import assessments_visible_to


def rating_submit(
    *, actor: Any, assessment: Assessment, indicator: Indicator, rater_role: str, value: Any, comment: str = "", rater: Any = None
) -> Rating:
    """Store (or replace) the rater's rating; `rater` defaults to the actor (the system may name one)."""
    rater = rater or actor
    if rater is None:
        raise DomainError(_("A rating needs a rater."), code="invalid", field_errors={"rater": [_("This field is required.")]})
    _check_permission(actor, assessment, rater_role)
    if assessment.cycle.state not in RECOMPUTABLE_STATES:
        raise DomainError(_("Ratings can only be given before the results are approved."), code="invalid_state")
    return _store(actor=actor, assessment=assessment, indicator=indicator, rater_role=rater_role, value=value, comment=comment, rater=rater)


def rating_request_submit(*, actor: Any, request: RatingRequest, value: Any, comment: str = "") -> Rating:
    """The assigned rater gives the requested rating (again, to change it, until the due date)."""
    if actor is None or request.rater_id != actor.pk:
        raise PermissionDenied(_("Only the assigned rater may give this rating."))
    assessment = request.assessment
    if assessment.cycle.state not in RECOMPUTABLE_STATES:
        raise DomainError(_("Ratings can only be given before the results are approved."), code="invalid_state")
    if timezone.localdate() > request.due_date:
        message = _("The deadline for this rating (%(date)s) has passed; ask HR to extend it.") % {"date": request.due_date.isoformat()}
        raise DomainError(message, code="deadline_passed", field_errors={"value": [message]})
    return _store(
        actor=actor,
        assessment=assessment,
        indicator=request.indicator,
        rater_role=request.rater_role,
        value=value,
        comment=comment,
        rater=actor,
    )


def _store(*, actor: Any, assessment: Assessment, indicator: Indicator, rater_role: str, value: Any, comment: str, rater: Any) -> Rating:
    rule = _manual_rule(assessment, indicator)
    rating_value = _checked_value(rule, rater_role, value)
    comment = (comment or "").strip()
    if len(comment) > 2000:
        message = _("Keep the comment under 2000 characters.")
        raise DomainError(message, code="invalid", field_errors={"comment": [message]})
    with transaction.atomic():
        existing = Rating.objects.select_for_update().filter(assessment=assessment, indicator=indicator, rater=rater).first()
        before = None if existing is None else {"rater_role": existing.rater_role, "value": existing.value}
        rating = existing or Rating(assessment=assessment, indicator=indicator, rater=rater)
        rating.rater_role, rating.value, rating.comment = rater_role, rating_value, comment
        rating.full_clean()
        rating.save()
        RatingRequest.objects.filter(assessment=assessment, indicator=indicator, rater=rater).update(
            state=RequestState.SUBMITTED, rating=rating, submitted_at=timezone.now(), updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="kpi.rating_submitted",
            target=rating,
            target_label=f"{assessment.employee.name} · {indicator.display_name}",
            before=before,
            after={"rater_role": rater_role, "value": rating_value, "rater": rater.pk},
            company_id=assessment.cycle.company_id,
            department_path=assessment.department.path,
            subject_employee_id=assessment.employee_id,
        )
        recompute.request_recompute(cycle_id=assessment.cycle_id, employee_ids=[assessment.employee_id], reason=_("Rating given"))
    return rating


def _check_permission(actor: Any, assessment: Assessment, rater_role: str) -> None:
    if actor is None:
        return
    if not assessments_visible_to(actor).filter(pk=assessment.pk).exists():
        raise PermissionDenied(_("You are not allowed to rate this assessment."))
    own = assessment.employee.user_id == actor.pk
    if own != (rater_role == RaterRole.SELF):
        raise PermissionDenied(_("Employees give self ratings only, and only for themselves."))


def _manual_rule(assessment: Assessment, indicator: Indicator) -> ManualRule:
    item = TemplateItem.objects.filter(version_id=assessment.template_version_id, indicator=indicator).first()
    if item is None:
        raise DomainError(
            _("This indicator is not part of the assessment."), code="invalid", field_errors={"indicator": [_("Not in the template.")]}
        )
    try:
        rule = parse_rule(item.rule)
    except RuleError as error:
        raise DomainError(error.message, code="invalid")
    if not isinstance(rule, ManualRule):
        raise DomainError(
            _("This indicator is measured, not rated."), code="invalid", field_errors={"indicator": [_("Not a rated indicator.")]}
        )
    return rule


def _checked_value(rule: ManualRule, rater_role: str, value: Any) -> Decimal:
    roles = dict(rule.rater_weights)
    if rater_role not in roles:
        message = _("Rater roles of this indicator: %(roles)s.") % {"roles": ", ".join(roles)}
        raise DomainError(message, code="invalid", field_errors={"rater_role": [message]})
    try:
        rating = to_decimal(value)
    except NotANumber:
        raise DomainError(_("Enter a number."), code="invalid", field_errors={"value": [_("Enter a number.")]})
    if not rule.scale_min <= rating <= rule.scale_max:
        message = _("Rate between %(low)s and %(high)s.") % {"low": plain(rule.scale_min), "high": plain(rule.scale_max)}
        raise DomainError(message, code="invalid", field_errors={"value": [message]})
    return rating
