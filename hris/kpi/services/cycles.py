"""Cycles and who they assess: create and edit a draft cycle, assign template versions to populations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import Conflict, DomainError, field_errors_from_validation_error
from hris.kpi.choices import RECOMPUTABLE_STATES, AssignmentKind, CycleState, PeriodType
from hris.kpi.models import Cycle, CycleAssignment, TemplateVersion
from hris.kpi.permissions import require_company
from hris.org.models import Company, Department, Position
from hris.people.models import Employee

# Before publication targets and weights may still change.
INPUT_EDITABLE_STATES = (CycleState.DRAFT, *RECOMPUTABLE_STATES)
ASSIGNABLE_STATES = (CycleState.DRAFT, CycleState.OPEN)
# The longest period each period type may span; loose on purpose (fiscal calendars differ).
LONGEST_PERIOD_DAYS = {PeriodType.MONTHLY: 31, PeriodType.QUARTERLY: 92, PeriodType.HALF_YEARLY: 184, PeriodType.ANNUAL: 366}
CYCLE_FIELDS = ("name", "period_type", "period_start", "period_end", "score_floor", "score_cap")


def clean_or_refuse(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """full_clean, turning Django's ValidationError into a DomainError with field errors."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        field_errors = field_errors_from_validation_error(error)
        first = next(iter(field_errors.values()), [_("The data is not valid.")])[0]
        raise DomainError(first, code="invalid", field_errors=field_errors)


def require_cycle_state(cycle: Cycle, allowed: tuple[str, ...], *, code: str = "invalid_state") -> None:
    if cycle.state not in allowed:
        labels = ", ".join(str(CycleState(state).label) for state in allowed)
        raise DomainError(
            _("This cannot be done while the cycle is %(state)s; only when it is: %(allowed)s.")
            % {"state": cycle.get_state_display(), "allowed": labels},
            code=code,
        )


def lock_cycle(cycle: Cycle) -> Cycle:
    """The cycle row, locked for the transaction: state checks then hold until commit."""
    return Cycle.objects.select_for_update().get(pk=cycle.pk)


def cycle_snapshot(cycle: Cycle) -> dict[str, Any]:
    return {name: getattr(cycle, name) for name in (*CYCLE_FIELDS, "state")}


def _score_bound(value: Any, field_name: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        message = _("“%(value)s” is not a number.") % {"value": value}
        raise DomainError(message, code="invalid", field_errors={field_name: [message]})


def _check_period(cycle: Cycle) -> None:
    if cycle.period_start is None or cycle.period_end is None:
        return  # full_clean reports the missing date
    if cycle.period_end < cycle.period_start:
        message = _("The period ends (%(end)s) before it starts (%(start)s).") % {"end": cycle.period_end, "start": cycle.period_start}
        raise DomainError(message, code="invalid", field_errors={"period_end": [message]})
    longest = LONGEST_PERIOD_DAYS.get(cycle.period_type)
    days = (cycle.period_end - cycle.period_start).days + 1
    if longest is not None and days > longest:
        message = _("A %(type)s cycle spans at most %(longest)s days; %(start)s – %(end)s is %(days)s days.") % {
            "type": cycle.get_period_type_display().lower(),
            "longest": longest,
            "start": cycle.period_start,
            "end": cycle.period_end,
            "days": days,
        }
        raise DomainError(message, code="invalid", field_errors={"period_end": [message]})
    if cycle.score_cap <= cycle.score_floor:
        message = _("The highest final score must be above the lowest.")
        raise DomainError(message, code="invalid", field_errors={"score_cap": [message]})


def _validate_cycle(cycle: Cycle) -> None:
    cycle.name = (cycle.name or "").strip()
    _check_period(cycle)
    clean_or_refuse(cycle, exclude=["company"])
    if Cycle.objects.filter(company_id=cycle.company_id, name=cycle.name).exclude(pk=cycle.pk).exists():
        message = _("A cycle named “%(name)s” already exists.") % {"name": cycle.name}
        raise Conflict(message, field_errors={"name": [message]})


@transaction.atomic
def cycle_create(
    *,
    actor: Any,
    company: Company,
    name: str,
    period_type: str,
    period_start: date,
    period_end: date,
    score_floor: Decimal | int = 0,
    score_cap: Decimal | int = 120,
) -> Cycle:
    require_company(actor, Capability.CONFIGURE_KPI, company.pk)
    cycle = Cycle(
        company=company,
        name=name,
        period_type=period_type,
        period_start=period_start,
        period_end=period_end,
        score_floor=_score_bound(score_floor, "score_floor"),
        score_cap=_score_bound(score_cap, "score_cap"),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _validate_cycle(cycle)
    cycle.save()
    audit_record(actor=actor, action="kpi.cycle_created", target=cycle, after=cycle_snapshot(cycle), company_id=company.pk)
    return cycle


@transaction.atomic
def cycle_update(*, actor: Any, cycle: Cycle, **changes: Any) -> Cycle:
    """Change name, period or score bounds of a draft cycle; `changes` takes the CYCLE_FIELDS."""
    require_company(actor, Capability.CONFIGURE_KPI, cycle.company_id)
    unknown = sorted(set(changes) - set(CYCLE_FIELDS))
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}, code="invalid")
    cycle = lock_cycle(cycle)
    require_cycle_state(cycle, (CycleState.DRAFT,))
    before = cycle_snapshot(cycle)
    for name, value in changes.items():
        setattr(cycle, name, _score_bound(value, name) if name in ("score_floor", "score_cap") else value)
    _validate_cycle(cycle)
    cycle.save()
    after = cycle_snapshot(cycle)
    changed = {name for name in CYCLE_FIELDS if before[name] != after[name]}
    if changed:
        audit_record(
            actor=actor,
            action="kpi.cycle_updated",
            target=cycle,
            before={name: before[name] for name in sorted(changed)},
            after={name: after[name] for name in sorted(changed)},
            company_id=cycle.company_id,
        )
    return cycle


def _refuse_other_company(label: str, field_name: str) -> None:
    message = _("The %(what)s belongs to another company.") % {"what": label}
    raise DomainError(message, code="invalid", field_errors={field_name: [message]})


def _population_label(field_name: str) -> str:
    return {"department": _("department"), "position": _("position"), "job_family": _("job family"), "employee": _("employee")}[field_name]


def _population_fields(
    cycle: Cycle, kind: str, department: Department | None, position: Position | None, job_family: str, employee: Employee | None
) -> dict[str, Any]:
    """The one population field the kind names; the others must stay empty."""
    given = {"department": department, "position": position, "job_family": job_family or "", "employee": employee}
    wanted = {
        AssignmentKind.DEPARTMENT: "department",
        AssignmentKind.POSITION: "position",
        AssignmentKind.JOB_FAMILY: "job_family",
        AssignmentKind.EMPLOYEE: "employee",
    }.get(kind)
    if wanted is None:
        message = _("Choose who the template is for: a department, a position, a job family or an employee.")
        raise DomainError(message, code="invalid", field_errors={"kind": [message]})
    if not given[wanted]:
        message = _("Choose the %(what)s.") % {"what": _population_label(wanted)}
        raise DomainError(message, code="invalid", field_errors={wanted: [message]})
    extra = sorted(name for name, value in given.items() if value and name != wanted)
    if extra:
        message = _("A %(kind)s assignment names only its %(kind)s; leave %(fields)s empty.") % {"kind": kind, "fields": ", ".join(extra)}
        raise DomainError(message, code="invalid", field_errors={name: [message] for name in extra})
    value = given[wanted]
    if wanted != "job_family" and value.company_id != cycle.company_id:
        _refuse_other_company(_population_label(wanted), wanted)
    return {name: (value if name == wanted else ("" if name == "job_family" else None)) for name in given}


def assignment_snapshot(assignment: CycleAssignment) -> dict[str, Any]:
    return {
        "kind": assignment.kind,
        "template_version_id": assignment.template_version_id,
        "department_id": assignment.department_id,
        "position_id": assignment.position_id,
        "job_family": assignment.job_family,
        "employee_id": assignment.employee_id,
    }


@transaction.atomic
def assignment_add(
    *,
    actor: Any,
    cycle: Cycle,
    template_version: TemplateVersion,
    kind: str,
    department: Department | None = None,
    position: Position | None = None,
    job_family: str = "",
    employee: Employee | None = None,
) -> CycleAssignment:
    """Assign a template version to a population; in an open cycle, sync the population afterwards."""
    require_company(actor, Capability.CONFIGURE_KPI, cycle.company_id)
    cycle = lock_cycle(cycle)
    require_cycle_state(cycle, ASSIGNABLE_STATES)
    if template_version.template.company_id != cycle.company_id:
        _refuse_other_company(_("template"), "template_version")
    fields = _population_fields(cycle, kind, department, position, job_family, employee)
    assignment = CycleAssignment(cycle=cycle, template_version=template_version, kind=kind, **fields)
    clean_or_refuse(assignment, exclude=["cycle", "template_version", "department", "position", "employee"])
    if CycleAssignment.objects.filter(cycle=cycle, template_version=template_version, kind=kind, **fields).exists():
        raise Conflict(_("This template version is already assigned to this population."), code="duplicate_assignment")
    assignment.save()
    audit_record(
        actor=actor, action="kpi.assignment_added", target=assignment, after=assignment_snapshot(assignment), company_id=cycle.company_id
    )
    return assignment


@transaction.atomic
def assignment_remove(*, actor: Any, assignment: CycleAssignment) -> None:
    """Remove an assignment; assessments an open cycle already made from it stay (sync reports them)."""
    require_company(actor, Capability.CONFIGURE_KPI, assignment.cycle.company_id)
    cycle = lock_cycle(assignment.cycle)
    require_cycle_state(cycle, ASSIGNABLE_STATES)
    before = assignment_snapshot(assignment)
    audit_record(actor=actor, action="kpi.assignment_removed", target=assignment, before=before, company_id=cycle.company_id)
    assignment.delete()
