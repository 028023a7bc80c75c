"""Writes for calibration: grade scales, session notes and potential ratings. Each checks
permissions first, validates, and audits in the same transaction."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.audit.services import audit_record
from hris.calibration.models import CalibrationNote, GradeBand, GradeScale, Performance, PotentialRating
from hris.calibration.permissions import POTENTIAL_CAPABILITIES, require_calibrate
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment
from hris.kpi.permissions import ASSESSMENT_SCOPE_FIELDS, require_company
from hris.org.models import Department

MAX_BANDS = 10
DEPARTMENT_SCOPE_FIELDS = {"company_field": "company_id", "branch_field": "branch_id", "department_path_field": "path", "self_field": None}
FROZEN_STATES = (CycleState.PUBLISHED, CycleState.CLOSED)
BAND_FIELDS = ("letter", "label", "min_score", "max_percent", "min_percent")


def _decimal(value: Any, *, field: str, index: int, errors: dict, required: bool) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.setdefault(f"bands.{index}.{field}", []).append(_("This field is required."))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.setdefault(f"bands.{index}.{field}", []).append(_("Enter a number."))
        return None
    if not number.is_finite():
        errors.setdefault(f"bands.{index}.{field}", []).append(_("Enter a number."))
        return None
    return number


def validate_bands(bands: list[dict], *, min_department_size: Any) -> tuple[list[dict], int]:
    """Clean band rows (highest first); raise DomainError with ``bands.<i>.<field>`` errors."""
    errors: dict[str, list[str]] = {}
    cleaned: list[dict] = []
    try:
        size = int(min_department_size)
        if not 1 <= size <= 10000:
            raise ValueError
    except (TypeError, ValueError):
        errors["min_department_size"] = [_("Enter a whole number from 1 to 10000.")]
        size = 5
    if len(bands) < 2:
        errors["bands"] = [_("A grade scale needs at least two grades.")]
    elif len(bands) > MAX_BANDS:
        errors["bands"] = [_("A grade scale has at most %(count)d grades.") % {"count": MAX_BANDS}]
    letters: set[str] = set()
    for index, band in enumerate(bands):
        letter = str(band.get("letter") or "").strip()
        if not letter:
            errors.setdefault(f"bands.{index}.letter", []).append(_("Enter the grade letter."))
        elif len(letter) > 8:
            errors.setdefault(f"bands.{index}.letter", []).append(_("A grade has at most 8 characters."))
        elif letter.upper() in letters:
            errors.setdefault(f"bands.{index}.letter", []).append(_("Grade %(grade)s appears twice.") % {"grade": letter})
        letters.add(letter.upper())
        label = str(band.get("label") or "").strip()
        if len(label) > 60:
            errors.setdefault(f"bands.{index}.label", []).append(_("A label has at most 60 characters."))
        min_score = _decimal(band.get("min_score"), field="min_score", index=index, errors=errors, required=True)
        if min_score is not None and not Decimal("-99999") <= min_score <= Decimal("99999"):
            errors.setdefault(f"bands.{index}.min_score", []).append(_("Enter a score between -99999 and 99999."))
            min_score = None
        row = {"letter": letter, "label": label, "min_score": min_score}
        for field in ("max_percent", "min_percent"):
            value = _decimal(band.get(field), field=field, index=index, errors=errors, required=False)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                errors.setdefault(f"bands.{index}.{field}", []).append(_("Enter a percentage from 0 to 100."))
                value = None
            row[field] = value
        if row["max_percent"] is not None and row["min_percent"] is not None and row["min_percent"] > row["max_percent"]:
            errors.setdefault(f"bands.{index}.min_percent", []).append(_("The minimum share cannot be above the maximum share."))
        cleaned.append(row)
    for index in range(1, len(cleaned)):
        previous, current = cleaned[index - 1]["min_score"], cleaned[index]["min_score"]
        if previous is not None and current is not None and current >= previous:
            errors.setdefault(f"bands.{index}.min_score", []).append(
                _("Each grade's minimum score must be lower than the one above it (%(previous)s).") % {"previous": previous}
            )
    if len(cleaned) >= 2 and not any(key.startswith("bands.") for key in errors):
        minimum_sum = sum((row["min_percent"] or Decimal(0) for row in cleaned), Decimal(0))
        if minimum_sum > 100:
            errors["bands"] = [_("The minimum shares add up to %(sum)s %%, more than 100 %%.") % {"sum": minimum_sum}]
        elif all(row["max_percent"] is not None for row in cleaned):
            maximum_sum = sum((row["max_percent"] for row in cleaned), Decimal(0))
            if maximum_sum < 100:
                errors["bands"] = [
                    _("The maximum shares add up to %(sum)s %%: nobody could meet the target. Leave one open or raise them.")
                    % {"sum": maximum_sum}
                ]
    if errors:
        raise DomainError(_("Please correct the grade scale."), code="invalid", field_errors=errors)
    return cleaned, size


def _snapshot(scale: GradeScale | None) -> dict | None:
    if scale is None:
        return None
    return {
        "min_department_size": scale.min_department_size,
        "bands": [
            {
                "letter": b.letter,
                "label": b.label,
                "min_score": str(b.min_score),
                "max_percent": None if b.max_percent is None else str(b.max_percent),
                "min_percent": None if b.min_percent is None else str(b.min_percent),
            }
            for b in scale.bands.order_by("position")
        ],
    }


def grade_scale_save(*, actor: Any, company: Any, bands: list[dict], min_department_size: Any = 5, cycle: Any = None) -> GradeScale:
    """Replace the company's default scale (``cycle`` None) or the cycle's override."""
    require_company(actor, Capability.MANAGE_REVIEW, company.pk)
    if cycle is not None:
        if cycle.company_id != company.pk:
            raise PermissionDenied(_("This cycle belongs to another company."))
        if cycle.state in FROZEN_STATES:
            raise Conflict(_("The results of this cycle are published: its grade scale can no longer change."), code="cycle_frozen")
    cleaned, size = validate_bands(bands, min_department_size=min_department_size)
    with transaction.atomic():
        scale = GradeScale.objects.select_for_update().filter(company=company, cycle=cycle).first()
        before = _snapshot(scale)
        if scale is None:
            scale = GradeScale(company=company, cycle=cycle)
        scale.min_department_size = size
        scale.updated_by = actor if actor is not None and actor.is_authenticated else None
        scale.full_clean()
        scale.save()
        scale.bands.all().delete()
        for position, row in enumerate(cleaned):
            band = GradeBand(scale=scale, position=position, **row)
            band.full_clean(exclude=["scale"])
            band.save()
        audit_record(
            actor=actor,
            action="calibration.grade_scale_saved",
            target=scale,
            target_label=str(cycle) if cycle is not None else _("Company default grade scale"),
            before=before,
            after=_snapshot(scale),
            company_id=company.pk,
        )
    return scale


def grade_scale_reset(*, actor: Any, cycle: Any) -> None:
    """Remove a cycle's own scale: the company default applies again."""
    require_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    if cycle.state in FROZEN_STATES:
        raise Conflict(_("The results of this cycle are published: its grade scale can no longer change."), code="cycle_frozen")
    with transaction.atomic():
        scale = GradeScale.objects.select_for_update().filter(cycle=cycle).first()
        if scale is None:
            return
        before = _snapshot(scale)
        audit_record(
            actor=actor,
            action="calibration.grade_scale_reset",
            target=scale,
            target_label=str(cycle.name),
            before=before,
            after=None,
            company_id=cycle.company_id,
        )
        scale.delete()


def calibration_note_add(*, actor: Any, cycle: Any, text: str, department: Any = None) -> CalibrationNote:
    require_calibrate(actor, cycle.company_id)
    if department is not None:
        if department.company_id != cycle.company_id:
            raise PermissionDenied(_("This department belongs to another company."))
        in_scope = scope_q(actor, Capability.VIEW_SCORES, **DEPARTMENT_SCOPE_FIELDS)
        if actor is not None and not Department.objects.filter(pk=department.pk).filter(in_scope).exists():
            raise PermissionDenied(_("You may only write notes on departments in your scope."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the note first."), code="invalid", field_errors={"text": [_("This field is required.")]})
    if len(text) > 5000:
        raise DomainError(_("The note is too long."), code="invalid", field_errors={"text": [_("A note has at most 5000 characters.")]})
    with transaction.atomic():
        note = CalibrationNote(cycle=cycle, department=department, author=actor, text=text)
        note.full_clean()
        note.save()
        audit_record(
            actor=actor,
            action="calibration.note_added",
            target=note,
            target_label=cycle.name,
            after={"cycle": cycle.pk, "department": department.pk if department else None, "text": text},
            company_id=cycle.company_id,
            department_path=department.path if department else "",
        )
    return note


def potential_set(*, actor: Any, assessment: Assessment, potential: str, comment: str = "") -> PotentialRating:
    """The manager (or HR) rates the employee's potential for the 9-box."""
    allowed = Assessment.objects.filter(pk=assessment.pk)
    if actor is not None:
        from django.db.models import Q

        q = Q(pk__in=[])
        for capability in POTENTIAL_CAPABILITIES:
            q |= scope_q(actor, capability, **ASSESSMENT_SCOPE_FIELDS)
        if actor.is_authenticated and getattr(assessment.employee, "user_id", None) == actor.pk and not actor.is_superuser:
            raise PermissionDenied(_("You cannot rate your own potential."))
        allowed = allowed.filter(q)
    if not allowed.exists():
        raise PermissionDenied(_("Only the manager or HR may rate this employee's potential."))
    if potential not in Performance.values:
        raise DomainError(_("Choose low, medium or high."), code="invalid", field_errors={"potential": [_("Choose low, medium or high.")]})
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError(_("The comment is too long."), code="invalid", field_errors={"comment": [_("At most 1000 characters.")]})
    with transaction.atomic():
        rating = PotentialRating.objects.select_for_update().filter(assessment=assessment).first()
        before = None if rating is None else {"potential": rating.potential, "comment": rating.comment}
        if rating is None:
            rating = PotentialRating(assessment=assessment)
        rating.potential, rating.comment = potential, comment
        rating.rated_by = actor if actor is not None and actor.is_authenticated else None
        rating.full_clean()
        rating.save()
        audit_record(
            actor=actor,
            action="calibration.potential_rated",
            target=rating,
            target_label=str(assessment.employee),
            before=before,
            after={"potential": potential, "comment": comment},
            company_id=assessment.cycle.company_id,
            department_path=assessment.department.path,
            subject_employee_id=assessment.employee_id,
        )
    return rating
