"""Reads of the review workflow, restricted to the actor's scope.

For the lead's dashboard and inbox: `review_tasks_for(actor)` (pending work with counts and links)
and `cycle_review_status(cycle)` (one cycle's progress through review and publication).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from hris.accounts.models import RoleAssignment
from hris.accounts.roles import ROLE_CAPABILITIES, Capability, Role, ScopeType
from hris.accounts.scopes import company_ids_with, grants_of, scope_q
from hris.core.errors import NotFound
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment, Cycle
from hris.kpi.permissions import ASSESSMENT_SCOPE_FIELDS
from hris.kpi.selectors import assessments_visible_to
from hris.org.models import Department
from hris.reviews.models import (
    Acknowledgement,
    Appeal,
    ApprovalRequest,
    CycleReviewSettings,
    CycleTransition,
    DepartmentReview,
    ResultVersion,
    ReviewState,
    ScoreAdjustment,
)

PUBLISHED_STATES = (CycleState.PUBLISHED, CycleState.CLOSED)


def departments_to_review(cycle: Cycle) -> list[Department]:
    """The departments whose managers review this cycle: scopes of department-manager grants
    of the company under which the cycle has assessments. Two queries."""
    grants = RoleAssignment.objects.filter(
        company_id=cycle.company_id, role=Role.DEPARTMENT_MANAGER, scope_type=ScopeType.DEPARTMENT, department__isnull=False
    ).select_related("department")
    paths = set(Assessment.objects.filter(cycle=cycle).values_list("department__path", flat=True).distinct())
    departments = {grant.department.pk: grant.department for grant in grants}
    covered = [department for department in departments.values() if any(path.startswith(department.path) for path in paths)]
    return sorted(covered, key=lambda department: department.path)


@dataclass
class DepartmentStatus:
    department: Department
    review: DepartmentReview | None
    assessments: int

    @property
    def done(self) -> bool:
        return self.review is not None


def department_review_status(cycle: Cycle) -> list[DepartmentStatus]:
    departments = departments_to_review(cycle)
    reviews = {
        review.department_id: review for review in DepartmentReview.objects.filter(cycle=cycle).select_related("completed_by__employee")
    }
    paths = Assessment.objects.filter(cycle=cycle).values("department__path").annotate(count=Count("pk")).order_by()
    per_path = {row["department__path"]: row["count"] for row in paths}
    return [
        DepartmentStatus(
            department=department,
            review=reviews.get(department.pk),
            assessments=sum(count for path, count in per_path.items() if path.startswith(department.path)),
        )
        for department in departments
    ]


def settings_of(cycle: Cycle) -> CycleReviewSettings:
    """The cycle's review settings; an unsaved default when none exist yet."""
    return CycleReviewSettings.objects.filter(cycle=cycle).first() or CycleReviewSettings(cycle=cycle)


def cycle_review_status(cycle: Cycle) -> dict[str, Any]:
    """Progress of one cycle through review and publication (for a dashboard). Seven queries."""
    settings_row = settings_of(cycle)
    assessments = Assessment.objects.filter(cycle=cycle)
    departments = department_review_status(cycle)
    return {
        "cycle": cycle,
        "state": cycle.state,
        "awaiting_approval": settings_row.review_state == ReviewState.AWAITING_APPROVAL,
        "settings": settings_row,
        "assessments": assessments.count(),
        "adjusted": assessments.filter(adjustments__isnull=False).distinct().count(),
        "departments_total": len(departments),
        "departments_done": sum(1 for status in departments if status.done),
        "published": ResultVersion.objects.filter(assessment__cycle=cycle, number=1).count(),
        "acknowledged": Acknowledgement.objects.filter(assessment__cycle=cycle).values("assessment_id").distinct().count(),
        "open_appeals": Appeal.objects.filter(assessment__cycle=cycle, state=Appeal.State.OPEN).count(),
    }


def approval_requests_of(cycle: Cycle) -> list[ApprovalRequest]:
    return list(
        ApprovalRequest.objects.filter(cycle=cycle).select_related("submitted_by__employee").prefetch_related("steps__actor__employee")
    )


def timeline_of(cycle: Cycle) -> list[CycleTransition]:
    return list(CycleTransition.objects.filter(cycle=cycle).select_related("actor__employee"))


def approver_company_ids(actor: Any) -> set[int] | None:
    return company_ids_with(actor, Capability.APPROVE_RESULTS)


def pending_approvals_for(actor: Any) -> QuerySet[ApprovalRequest]:
    companies = approver_company_ids(actor)
    requests = ApprovalRequest.objects.filter(state=ApprovalRequest.State.PENDING).select_related(
        "cycle__company", "submitted_by__employee"
    )
    if companies is not None:
        requests = requests.filter(cycle__company_id__in=companies)
    return requests.annotate(results=Count("cycle__assessments")).order_by("created_at")


def appeals_visible_to(actor: Any) -> QuerySet[Appeal]:
    """Appeals of employees within the actor's review scope (HR) or company (executives)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Appeal.objects.none()
    hr_scope = scope_q(actor, Capability.MANAGE_REVIEW, **{name: f"assessment__{field}" for name, field in ASSESSMENT_SCOPE_FIELDS.items()})
    executive = approver_company_ids(actor)
    condition = Q() if executive is None else hr_scope | Q(assessment__cycle__company_id__in=executive)
    return (
        Appeal.objects.filter(condition)
        .exclude(assessment__employee__user_id=actor.pk)
        .select_related("assessment__cycle", "assessment__employee", "assessment__department", "filed_by", "resolved_by__employee")
    )


def appeal_get(actor: Any, appeal_id: int) -> Appeal:
    appeal = appeals_visible_to(actor).filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(_("Appeal not found."))
    return appeal


def adjustments_visible(actor: Any, assessment: Assessment) -> list[ScoreAdjustment] | None:
    """The assessment's adjustments, or None when the actor may not see them (an employee's own
    assessment before publication). The caller has already checked the assessment is visible."""
    own = actor is not None and assessment.employee.user_id == actor.pk
    if own and assessment.cycle.state not in PUBLISHED_STATES:
        return None
    return list(ScoreAdjustment.objects.filter(assessment=assessment).select_related("indicator", "actor__employee", "appeal"))


def my_published_results(actor: Any) -> list[dict[str, Any]]:
    """The actor's own published results, newest cycle first, with their latest version. Three queries."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    assessments = list(
        Assessment.objects.filter(employee__user_id=actor.pk, cycle__state__in=PUBLISHED_STATES)
        .select_related("cycle", "department")
        .order_by("-cycle__period_start", "-cycle_id")
    )
    versions: dict[int, list[ResultVersion]] = defaultdict(list)
    for version in ResultVersion.objects.filter(assessment__in=assessments).order_by("-number"):
        versions[version.assessment_id].append(version)
    acknowledged = set(Acknowledgement.objects.filter(assessment__in=assessments).values_list("version_id", flat=True))
    rows = []
    for assessment in assessments:
        history = versions.get(assessment.pk, [])
        if not history:
            continue
        rows.append(
            {"assessment": assessment, "latest": history[0], "versions": len(history), "acknowledged": history[0].pk in acknowledged}
        )
    return rows


def my_result_get(actor: Any, assessment_id: int) -> Assessment:
    """The actor's own published result (anyone else's, or an unpublished one, is not found)."""
    assessment = (
        Assessment.objects.filter(pk=assessment_id, employee__user_id=getattr(actor, "pk", None), cycle__state__in=PUBLISHED_STATES)
        .select_related("cycle", "employee", "department")
        .first()
    )
    if assessment is None or not ResultVersion.objects.filter(assessment=assessment).exists():
        raise NotFound(_("Result not found."))
    return assessment


def result_versions(assessment: Assessment) -> list[ResultVersion]:
    return list(ResultVersion.objects.filter(assessment=assessment).select_related("created_by__employee").order_by("-number"))


@dataclass
class Task:
    kind: str
    label: str
    count: int
    link: str


def review_tasks_for(actor: Any) -> list[Task]:
    """Pending review work of the actor, each with a count and a link. At most six queries."""
    from hris.reviews.services.transitions import reviewable_departments

    tasks: list[Task] = []
    if actor is None or not getattr(actor, "is_authenticated", False):
        return tasks
    manager_companies = {grant.company_id for grant in grants_of(actor) if grant.role == Role.DEPARTMENT_MANAGER}
    if manager_companies:
        for cycle in Cycle.objects.filter(company_id__in=manager_companies, state=CycleState.REVIEW):
            done = set(DepartmentReview.objects.filter(cycle=cycle).values_list("department_id", flat=True))
            pending = [department for department in reviewable_departments(actor, cycle) if department.pk not in done]
            if pending:
                tasks.append(
                    Task(
                        "department_review",
                        _("%(cycle)s: mark your department as reviewed") % {"cycle": cycle.name},
                        len(pending),
                        reverse("reviews:cycle_panel", args=[cycle.pk]),
                    )
                )
    approvals = pending_approvals_for(actor).count() if approver_company_ids(actor) != set() else 0
    if approvals:
        tasks.append(Task("approval", _("Results awaiting your approval"), approvals, reverse("reviews:approvals")))
    if approver_company_ids(actor) != set() or any(
        Capability.MANAGE_REVIEW in ROLE_CAPABILITIES.get(grant.role, ()) for grant in grants_of(actor)
    ):
        appeals = appeals_visible_to(actor).filter(state=Appeal.State.OPEN).count()
        if appeals:
            tasks.append(Task("appeal", _("Appeals to resolve"), appeals, reverse("reviews:appeal_list")))
    review_companies = company_ids_with(actor, Capability.MANAGE_REVIEW)
    if review_companies is None or review_companies:
        ready = Cycle.objects.filter(state=CycleState.APPROVED)
        if review_companies is not None:
            ready = ready.filter(company_id__in=review_companies)
        ready = list(ready.order_by("pk")[:20])
        if ready:
            tasks.append(Task("publish", _("Approved results to publish"), len(ready), reverse("reviews:cycle_panel", args=[ready[0].pk])))
    unacknowledged = (
        Assessment.objects.filter(employee__user_id=actor.pk, cycle__state=CycleState.PUBLISHED)
        .filter(Exists(ResultVersion.objects.filter(assessment=OuterRef("pk"))))
        .exclude(Exists(Acknowledgement.objects.filter(assessment=OuterRef("pk"))))
        .count()
    )
    if unacknowledged:
        tasks.append(Task("acknowledge", _("Results to acknowledge"), unacknowledged, reverse("reviews:my_results")))
    return tasks


def assessment_for_staff(actor: Any, assessment_id: int) -> Assessment:
    """An assessment the actor sees as staff (not merely as its employee)."""
    assessment = assessments_visible_to(actor).filter(pk=assessment_id).select_related("employee__manager").first()
    if assessment is None:
        raise NotFound(_("Assessment not found."))
    return assessment
