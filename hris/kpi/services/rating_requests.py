"""The rater workflow: rating settings per cycle, chosen peers, generating the rating requests
from each assessment's rated indicators, extending deadlines and reminding raters.

Who rates whom comes from the org chart: the manager is the employee's manager, the skip-level
that manager's manager, subordinates the employee's direct reports, self the employee; peers are
chosen (by HR or a manager) or, when the cycle's settings say so, same-department colleagues.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.audit.services import audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.core.events import emit
from hris.kpi.choices import RECOMPUTABLE_STATES, CycleState, RaterRole
from hris.kpi.models import Assessment, Cycle, PeerRater, Rating, RatingRequest, RatingSettings, RequestState, TemplateItem
from hris.kpi.permissions import EMPLOYEE_SCOPE_FIELDS, may_company
from hris.kpi.rules import ManualRule, RuleError, parse_rule
from hris.people.choices import EmployeeStatus
from hris.people.models import Employee

# The order in which a rater's role is decided when one person could rate in two roles.
ROLE_ORDER = (RaterRole.MANAGER, RaterRole.SKIP_LEVEL, RaterRole.SELF, RaterRole.SUBORDINATE, RaterRole.PEER)
RATINGS_LINK = "/kpi/ratings/"


def may_run_ratings(actor: Any, company_id: int) -> bool:
    """HR who configure KPIs or run the review for the whole company (the system too)."""
    return may_company(actor, Capability.CONFIGURE_KPI, company_id) or may_company(actor, Capability.MANAGE_REVIEW, company_id)


def require_rating_admin(actor: Any, cycle: Cycle) -> None:
    if not may_run_ratings(actor, cycle.company_id):
        raise PermissionDenied(_("Only HR may organise the ratings of this cycle."))


def _require_open(cycle: Cycle) -> None:
    if cycle.state not in RECOMPUTABLE_STATES:
        raise DomainError(_("Ratings can only be organised before the results are approved."), code="invalid_state")


# ---------------------------------------------------------------------------------------- settings


def rating_settings_set(
    *,
    actor: Any,
    cycle: Cycle,
    due_date: date,
    anonymous_peers: bool = True,
    reminder_days_before: int = 3,
    department_peers: int = 0,
    reason: str = "",
) -> RatingSettings:
    """Create or change the cycle's rating settings. A new deadline moves every pending request's
    due date with it (that is how HR extends the deadline); submitted requests keep theirs."""
    require_rating_admin(actor, cycle)
    if cycle.state != CycleState.DRAFT:
        _require_open(cycle)
    with transaction.atomic():
        current = RatingSettings.objects.select_for_update().filter(cycle=cycle).first()
        before = None if current is None else _settings_dict(current)
        settings = current or RatingSettings(cycle=cycle)
        settings.due_date, settings.anonymous_peers = due_date, anonymous_peers
        settings.reminder_days_before, settings.department_peers = reminder_days_before, department_peers
        settings.full_clean()
        settings.save()
        moved = RatingRequest.objects.filter(cycle=cycle, state=RequestState.PENDING).exclude(due_date=due_date).update(due_date=due_date)
        audit_record(
            actor=actor,
            action="kpi.rating_settings_set",
            target=cycle,
            target_label=cycle.name,
            before=before,
            after={**_settings_dict(settings), "pending_requests_moved": moved},
            reason=reason,
            company_id=cycle.company_id,
        )
    return settings


def _settings_dict(settings: RatingSettings) -> dict:
    return {
        "due_date": settings.due_date.isoformat(),
        "anonymous_peers": settings.anonymous_peers,
        "reminder_days_before": settings.reminder_days_before,
        "department_peers": settings.department_peers,
    }


def rating_request_extend(*, actor: Any, request: RatingRequest, due_date: date, reason: str = "") -> RatingRequest:
    """Give one rater more time (HR only), e.g. after the cycle's deadline has passed."""
    require_rating_admin(actor, request.cycle)
    _require_open(request.cycle)
    if request.state != RequestState.PENDING:
        raise DomainError(_("This rating has already been given."), code="invalid_state")
    with transaction.atomic():
        locked = RatingRequest.objects.select_for_update().get(pk=request.pk)
        before = {"due_date": locked.due_date.isoformat()}
        locked.due_date = due_date
        locked.full_clean()
        locked.save(update_fields=["due_date", "updated_at"])
        audit_record(
            actor=actor,
            action="kpi.rating_request_extended",
            target=locked,
            before=before,
            after={"due_date": due_date.isoformat()},
            reason=reason,
            company_id=locked.cycle.company_id,
            subject_employee_id=locked.assessment.employee_id,
        )
    return locked


# ------------------------------------------------------------------------------------------- peers


def may_choose_peers(actor: Any, employee: Employee) -> bool:
    """HR over the employee, or a manager above the employee in the reporting line."""
    if actor is None:
        return True
    for capability in (Capability.CONFIGURE_KPI, Capability.MANAGE_REVIEW):
        if Employee.objects.filter(pk=employee.pk).filter(scope_q(actor, capability, **EMPLOYEE_SCOPE_FIELDS)).exists():
            return True
    return actor.pk in _manager_user_ids(employee)


def _manager_user_ids(employee: Employee) -> set[int]:
    users, seen, current = set(), set(), employee.manager
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        if current.user_id:
            users.add(current.user_id)
        current = current.manager
    return users


def peer_rater_add(*, actor: Any, cycle: Cycle, employee: Employee, rater: Any) -> PeerRater:
    if not may_choose_peers(actor, employee) or employee.company_id != cycle.company_id:
        raise PermissionDenied(_("You may not choose the peers of %(employee)s.") % {"employee": employee.name})
    _require_open(cycle)
    if rater.pk == employee.user_id:
        raise DomainError(_("Employees cannot be their own peers."), code="invalid", field_errors={"rater": [_("Choose a colleague.")]})
    colleague = Employee.objects.filter(user=rater, company_id=cycle.company_id).exclude(status=EmployeeStatus.TERMINATED).first()
    if colleague is None:
        message = _("The peer must be a current employee of the same company.")
        raise DomainError(message, code="invalid", field_errors={"rater": [message]})
    with transaction.atomic():
        peer, created = PeerRater.objects.get_or_create(cycle=cycle, employee=employee, rater=rater, defaults={"chosen_by": actor})
        if created:
            audit_record(
                actor=actor,
                action="kpi.peer_rater_added",
                target=peer,
                target_label=f"{employee.name} ← {colleague.name}",
                after={"rater": rater.pk},
                company_id=cycle.company_id,
                department_path=employee.department.path,
                subject_employee_id=employee.pk,
            )
    return peer


def peer_rater_remove(*, actor: Any, cycle: Cycle, employee: Employee, rater: Any) -> int:
    """Remove a chosen peer and their still-pending peer requests (a given rating stays). Returns requests removed."""
    if not may_choose_peers(actor, employee) or employee.company_id != cycle.company_id:
        raise PermissionDenied(_("You may not choose the peers of %(employee)s.") % {"employee": employee.name})
    _require_open(cycle)
    with transaction.atomic():
        deleted, _details = PeerRater.objects.filter(cycle=cycle, employee=employee, rater=rater).delete()
        pending = RatingRequest.objects.filter(
            cycle=cycle, assessment__employee=employee, rater=rater, rater_role=RaterRole.PEER, state=RequestState.PENDING
        )
        removed = pending.count()
        pending.delete()
        if deleted or removed:
            audit_record(
                actor=actor,
                action="kpi.peer_rater_removed",
                target_type="kpi.peerrater",
                target_id=f"{cycle.pk}/{employee.pk}/{rater.pk}",
                target_label=employee.name,
                before={"rater": rater.pk},
                after={"pending_requests_removed": removed},
                company_id=cycle.company_id,
                department_path=employee.department.path,
                subject_employee_id=employee.pk,
            )
    return removed


# -------------------------------------------------------------------------------------- generation


@dataclass
class GenerationReport:
    created: int = 0
    by_role: Counter = field(default_factory=Counter)
    # employee name → what could not be assigned
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def problem_rows(self) -> list[tuple[str, list[str]]]:
        return sorted((name, messages) for name, messages in self.problems.items())


def _rated_items(cycle: Cycle) -> dict[int, list[tuple[int, ManualRule]]]:
    """Template version id → [(indicator id, manual rule)] for the versions this cycle uses."""
    version_ids = Assessment.objects.filter(cycle=cycle).values("template_version_id")
    rated: dict[int, list[tuple[int, ManualRule]]] = defaultdict(list)
    for item in TemplateItem.objects.filter(version_id__in=version_ids).order_by("version_id", "order", "pk"):
        try:
            rule = parse_rule(item.rule)
        except RuleError:
            continue
        if isinstance(rule, ManualRule):
            rated[item.version_id].append((item.indicator_id, rule))
    return rated


def _active_user_id(employee: Employee | None) -> int | None:
    if employee is None or employee.status == EmployeeStatus.TERMINATED or employee.user_id is None:
        return None
    return employee.user_id


def rating_requests_generate(*, actor: Any, cycle: Cycle) -> GenerationReport:
    """Create the missing rating requests of the cycle; running it again creates nothing new."""
    require_rating_admin(actor, cycle)
    _require_open(cycle)
    settings = RatingSettings.objects.filter(cycle=cycle).first()
    if settings is None:
        message = _("Set the rating deadline of this cycle first.")
        raise DomainError(message, code="invalid", field_errors={"due_date": [message]})
    with transaction.atomic():
        # one generation per cycle at a time: a second run waits and then finds everything present
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        return _generate(actor, cycle, settings)


def _generate(actor: Any, cycle: Cycle, settings: RatingSettings) -> GenerationReport:
    report = GenerationReport()
    rated = _rated_items(cycle)
    assessments = list(
        Assessment.objects.filter(cycle=cycle, template_version_id__in=list(rated))
        .select_related("employee__manager__manager", "department")
        .order_by("employee__employee_number", "pk")
    )
    employee_ids = [assessment.employee_id for assessment in assessments]
    reports_of: dict[int, list[Employee]] = defaultdict(list)
    for report_employee in Employee.objects.filter(manager_id__in=employee_ids).exclude(status=EmployeeStatus.TERMINATED):
        reports_of[report_employee.manager_id].append(report_employee)
    chosen_peers: dict[int, list[int]] = defaultdict(list)
    for employee_id, rater_id in PeerRater.objects.filter(cycle=cycle).order_by("pk").values_list("employee_id", "rater_id"):
        chosen_peers[employee_id].append(rater_id)
    colleagues_of: dict[int, list[Employee]] = defaultdict(list)
    if settings.department_peers:
        department_ids = {assessment.employee.department_id for assessment in assessments}
        colleagues = Employee.objects.filter(department_id__in=department_ids, user__isnull=False).exclude(status=EmployeeStatus.TERMINATED)
        for colleague in colleagues.order_by("employee_number", "pk"):
            colleagues_of[colleague.department_id].append(colleague)
    existing = set(RatingRequest.objects.filter(cycle=cycle).values_list("assessment_id", "indicator_id", "rater_id"))
    given = {
        (rating.assessment_id, rating.indicator_id, rating.rater_id): rating
        for rating in Rating.objects.filter(assessment__cycle=cycle).only("id", "assessment_id", "indicator_id", "rater_id")
    }
    new_requests: list[RatingRequest] = []
    now = timezone.now()
    for assessment in assessments:
        employee = assessment.employee
        candidates = _raters_by_role(employee, reports_of, chosen_peers, colleagues_of, settings.department_peers)
        for indicator_id, rule in rated[assessment.template_version_id]:
            weights = dict(rule.rater_weights)
            taken: set[int] = set()
            for role in ROLE_ORDER:
                if role not in weights:
                    continue
                rater_ids, problem = candidates[role]
                if problem and problem not in report.problems[employee.name]:
                    report.problems[employee.name].append(problem)
                for rater_id in rater_ids:
                    if rater_id in taken:
                        continue
                    taken.add(rater_id)
                    key = (assessment.pk, indicator_id, rater_id)
                    if key in existing:
                        continue
                    existing.add(key)
                    rating = given.get(key)
                    new_requests.append(
                        RatingRequest(
                            cycle=cycle,
                            assessment=assessment,
                            indicator_id=indicator_id,
                            rater_id=rater_id,
                            rater_role=role,
                            due_date=settings.due_date,
                            state=RequestState.SUBMITTED if rating else RequestState.PENDING,
                            rating=rating,
                            submitted_at=now if rating else None,
                        )
                    )
                    report.by_role[role] += 1
    report.problems = defaultdict(list, {name: messages for name, messages in report.problems.items() if messages})
    with transaction.atomic():
        RatingRequest.objects.bulk_create(new_requests, batch_size=1000)
        report.created = len(new_requests)
        if new_requests:
            audit_record(
                actor=actor,
                action="kpi.rating_requests_generated",
                target=cycle,
                target_label=cycle.name,
                after={"created": report.created, "by_role": dict(sorted(report.by_role.items()))},
                company_id=cycle.company_id,
            )
        pending_per_rater = Counter(request.rater_id for request in new_requests if request.state == RequestState.PENDING)
        for rater_id, count in sorted(pending_per_rater.items()):
            emit(
                "kpi.rating_requested",
                company_id=cycle.company_id,
                payload={"cycle_id": cycle.pk, "requests": count, "due_date": settings.due_date.isoformat()},
                recipients=[rater_id],
                title=_("Please rate your colleagues: %(cycle)s") % {"cycle": cycle.name},
                body=_("You have %(count)s rating(s) to give by %(date)s.") % {"count": count, "date": settings.due_date.isoformat()},
                link=RATINGS_LINK,
                actor_id=getattr(actor, "pk", None),
            )
    return report


def _raters_by_role(
    employee: Employee,
    reports_of: dict[int, list[Employee]],
    chosen_peers: dict[int, list[int]],
    colleagues_of: dict[int, list[Employee]],
    department_peers: int,
) -> dict[str, tuple[list[int], str]]:
    """Role → (rater user ids, what could not be assigned or "")."""
    manager = employee.manager
    skip = manager.manager if manager is not None else None
    manager_user, skip_user, own_user = _active_user_id(manager), _active_user_id(skip), _active_user_id(employee)
    subordinates = [user_id for user_id in (_active_user_id(person) for person in reports_of.get(employee.pk, [])) if user_id]
    peers = list(chosen_peers.get(employee.pk, []))
    if not peers and department_peers:
        excluded = {employee.pk, getattr(manager, "pk", None)}
        peers = [colleague.user_id for colleague in colleagues_of.get(employee.department_id, []) if colleague.pk not in excluded]
        peers = peers[:department_peers]
    return {
        RaterRole.MANAGER: ([manager_user] if manager_user else [], "" if manager_user else _("No manager with a user account.")),
        RaterRole.SKIP_LEVEL: ([skip_user] if skip_user else [], "" if skip_user else _("No skip-level manager with a user account.")),
        RaterRole.SELF: ([own_user] if own_user else [], "" if own_user else _("The employee has no user account for a self rating.")),
        RaterRole.SUBORDINATE: (subordinates, "" if subordinates else _("No subordinates with a user account.")),
        RaterRole.PEER: (peers, "" if peers else _("No peers chosen.")),
    }


# --------------------------------------------------------------------------------------- reminders


@dataclass
class ReminderReport:
    raters: int = 0
    requests: int = 0


def rating_reminders_send(*, actor: Any = None, cycle: Cycle | None = None, now=None) -> ReminderReport:  # noqa: ANN001
    """Remind each rater of their pending requests that are due within the cycle's reminder window
    or overdue. A request is reminded at most once per calendar day (Shanghai time), so running
    this twice a day (the schedule and HR's "send now") reminds nobody twice."""
    if cycle is not None:
        require_rating_admin(actor, cycle)
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_day = timezone.make_aware(datetime.combine(today, time.min))
    report = ReminderReport()
    with transaction.atomic():
        pending = (
            RatingRequest.objects.select_for_update(of=("self",))
            .filter(state=RequestState.PENDING, cycle__state__in=RECOMPUTABLE_STATES, cycle__rating_settings__isnull=False)
            .exclude(last_reminded_at__gte=start_of_day)
            .select_related("cycle__rating_settings")
            .order_by("rater_id", "due_date", "pk")
        )
        if cycle is not None:
            pending = pending.filter(cycle=cycle)
        due: dict[tuple[int, int], list[RatingRequest]] = defaultdict(list)
        for request in pending:
            window = request.cycle.rating_settings.reminder_days_before
            if request.due_date <= today + timedelta(days=window):
                due[(request.cycle.company_id, request.rater_id)].append(request)
        for (company_id, rater_id), requests in due.items():
            overdue = sum(1 for request in requests if request.due_date < today)
            first_due = min(request.due_date for request in requests)
            emit(
                "kpi.rating_reminder",
                company_id=company_id,
                payload={"requests": len(requests), "overdue": overdue, "first_due_date": first_due.isoformat()},
                recipients=[rater_id],
                title=_("Ratings due: %(count)s pending") % {"count": len(requests)},
                body=_("Please give your %(count)s pending rating(s); the first is due on %(date)s (%(overdue)s overdue).")
                % {"count": len(requests), "date": first_due.isoformat(), "overdue": overdue},
                link=RATINGS_LINK,
                actor_id=getattr(actor, "pk", None),
            )
            for request in requests:
                request.last_reminded_at = now
                request.reminder_count += 1
            RatingRequest.objects.bulk_update(requests, ["last_reminded_at", "reminder_count"])
            report.raters += 1
            report.requests += len(requests)
        if cycle is not None and report.requests:
            audit_record(
                actor=actor,
                action="kpi.rating_reminders_sent",
                target=cycle,
                target_label=cycle.name,
                after={"raters": report.raters, "requests": report.requests},
                company_id=cycle.company_id,
            )
    return report
