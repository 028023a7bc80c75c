"""Publication, corrections of published results, acknowledgement and closing the cycle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.audit.services import audit_record
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.core.events import emit
from hris.kpi.choices import CycleState
from hris.kpi.models import Assessment, Cycle
from hris.kpi.permissions import require_company
from hris.kpi.services.computation import compute_assessments_now
from hris.reviews.models import Acknowledgement, Appeal, CycleReviewSettings, ResultVersion
from hris.reviews.services.adjustments import lock_assessment
from hris.reviews.services.common import (
    clean_reason,
    cycle_link,
    hr_user_ids,
    lock_cycle,
    my_result_link,
    now,
    record_transition,
    require_over_assessment,
    require_state,
    review_settings,
)
from hris.reviews.services.versions import snapshots, version_create_next

PUBLISH_BATCH = 2000


def appeal_deadline(settings_row: CycleReviewSettings | None):  # noqa: ANN201
    if settings_row is None or settings_row.published_at is None:
        return None
    return settings_row.published_at + timedelta(days=settings_row.appeal_window_days)


@transaction.atomic
def results_publish(*, actor: Any, cycle: Cycle) -> int:
    """approved → published: version 1 of every result, and each employee is told."""
    require_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    cycle = lock_cycle(cycle)
    require_state(cycle, CycleState.APPROVED, action=_("published"))
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("employee").order_by("pk").select_for_update(of=("self",)))
    count = 0
    for start in range(0, len(assessments), PUBLISH_BATCH):
        batch = assessments[start : start + PUBLISH_BATCH]
        ResultVersion.objects.bulk_create(
            [
                ResultVersion(
                    assessment=snapshot["assessment"],
                    number=1,
                    final_score=snapshot["final_score"],
                    computed_total=snapshot["computed_total"],
                    adjustment_total=snapshot["adjustment_total"],
                    grade=snapshot["grade"],
                    items=snapshot["items"],
                    adjustments=snapshot["adjustments"],
                    reason=_("Published"),
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
                for snapshot in snapshots(cycle, batch)
            ]
        )
        count += len(batch)
    settings_row = review_settings(cycle)
    settings_row.published_at = now()
    settings_row.save(update_fields=["published_at", "updated_at"])
    old_state = cycle.state
    cycle.state = CycleState.PUBLISHED
    cycle.save(update_fields=["state", "updated_at"])
    record_transition(cycle, old_state, cycle.state, actor)
    audit_record(
        actor=actor,
        action="kpi.results_published",
        target=cycle,
        before={"state": old_state},
        after={"state": cycle.state, "results": count},
        company_id=cycle.company_id,
    )
    deadline = appeal_deadline(settings_row)
    for assessment in assessments:
        if not assessment.employee.user_id:
            continue
        emit(
            "kpi.score_published",
            company_id=cycle.company_id,
            payload={"cycle_id": cycle.pk, "assessment_id": assessment.pk},
            recipients=[assessment.employee.user_id],
            title=_("Your result for %(cycle)s is published") % {"cycle": cycle.name},
            body=_("Please acknowledge it or file an appeal by %(deadline)s.") % {"deadline": deadline.strftime("%Y-%m-%d %H:%M")},
            link=my_result_link(assessment),
            actor_id=getattr(actor, "pk", None),
        )
    return count


def close_blockers(cycle: Cycle) -> list[str]:
    """Why the cycle cannot be closed yet (empty: it can)."""
    reasons = []
    if Appeal.objects.filter(assessment__cycle=cycle, state=Appeal.State.OPEN).exists():
        reasons.append(_("Appeals are still open; resolve them first."))
    settings_row = CycleReviewSettings.objects.filter(cycle=cycle).first()
    deadline = appeal_deadline(settings_row)
    if deadline is not None and now() < deadline:
        unacknowledged = Assessment.objects.filter(cycle=cycle).exclude(acknowledgements__isnull=False).exists()
        if unacknowledged:
            reasons.append(
                _("The appeal window runs until %(deadline)s and not every employee has acknowledged their result.")
                % {"deadline": deadline.strftime("%Y-%m-%d %H:%M")}
            )
    return reasons


@transaction.atomic
def cycle_close(*, actor: Any, cycle: Cycle) -> Cycle:
    """published → closed, once no appeal is open and the appeal window has ended (or everyone
    has acknowledged). Closed locks everything."""
    require_company(actor, Capability.MANAGE_REVIEW, cycle.company_id)
    cycle = lock_cycle(cycle)
    require_state(cycle, CycleState.PUBLISHED, action=_("closed"))
    blockers = close_blockers(cycle)
    if blockers:
        raise DomainError(" ".join(blockers), code="cannot_close")
    settings_row = review_settings(cycle)
    settings_row.closed_at = now()
    settings_row.save(update_fields=["closed_at", "updated_at"])
    old_state = cycle.state
    cycle.state = CycleState.CLOSED
    cycle.save(update_fields=["state", "updated_at"])
    record_transition(cycle, old_state, cycle.state, actor)
    audit_record(
        actor=actor,
        action="kpi.cycle_closed",
        target=cycle,
        before={"state": old_state},
        after={"state": cycle.state},
        company_id=cycle.company_id,
    )
    emit(
        "kpi.cycle_closed",
        company_id=cycle.company_id,
        payload={"cycle_id": cycle.pk},
        recipients=hr_user_ids(cycle.company_id),
        title=_("%(cycle)s is closed") % {"cycle": cycle.name},
        link=cycle_link(cycle),
        actor_id=getattr(actor, "pk", None),
    )
    return cycle


@transaction.atomic
def published_result_correct(*, actor: Any, assessment: Assessment, reason: str) -> ResultVersion:
    """HR recomputes one published result (e.g. after a metric record was corrected): a new
    version with the diff, shown to the employee. Refused when nothing changed."""
    require_company(actor, Capability.MANAGE_REVIEW, assessment.cycle.company_id)
    require_over_assessment(actor, Capability.MANAGE_REVIEW, assessment)
    reason = clean_reason(reason)
    assessment = lock_assessment(assessment)
    cycle = assessment.cycle
    require_state(cycle, CycleState.PUBLISHED, action=_("corrected"))
    compute_assessments_now(cycle=cycle, employee_ids=[assessment.employee_id], reason=reason, actor=actor)
    assessment.refresh_from_db(fields=["computed_total", "final_score", "adjustment_total", "is_complete", "computed_at"])
    version = version_create_next(assessment=assessment, actor=actor, reason=reason)
    if not version.diff.get("totals") and not version.diff.get("indicators"):
        raise DomainError(_("The recomputation changed nothing; no new version was made."), code="no_change")
    audit_record(
        actor=actor,
        action="kpi.result_corrected",
        target=assessment,
        target_label=f"{cycle.name} · {assessment.employee}",
        before={"version": version.number - 1},
        after={"version": version.number, "diff": version.diff["totals"]},
        reason=reason,
        company_id=cycle.company_id,
        department_path=assessment.department.path,
        subject_employee_id=assessment.employee_id,
    )
    emit(
        "kpi.result_corrected",
        company_id=cycle.company_id,
        payload={"cycle_id": cycle.pk, "assessment_id": assessment.pk, "version": version.number},
        recipients=[assessment.employee.user_id] if assessment.employee.user_id else [],
        title=_("Your result for %(cycle)s was corrected") % {"cycle": cycle.name},
        body=reason,
        link=my_result_link(assessment),
        actor_id=getattr(actor, "pk", None),
    )
    return version


def require_own_published(actor: Any, assessment: Assessment) -> None:
    if actor is None or assessment.employee.user_id != actor.pk:
        raise PermissionDenied(_("Only the employee can do this for their own result."))


@transaction.atomic
def result_acknowledge(*, actor: Any, assessment: Assessment) -> Acknowledgement:
    """The employee confirms they have seen the latest version of their published result."""
    require_own_published(actor, assessment)
    assessment = lock_assessment(assessment)
    require_state(assessment.cycle, CycleState.PUBLISHED, action=_("acknowledged"))
    version = ResultVersion.objects.filter(assessment=assessment).order_by("-number").first()
    if version is None:
        raise DomainError(_("This result has not been published."), code="not_published")
    if Acknowledgement.objects.filter(version=version).exists():
        raise Conflict(_("You have already acknowledged this version of your result."), code="already_acknowledged")
    acknowledgement = Acknowledgement.objects.create(assessment=assessment, version=version, user=actor)
    audit_record(
        actor=actor,
        action="kpi.result_acknowledged",
        target=assessment,
        after={"version": version.number},
        company_id=assessment.cycle.company_id,
        department_path=assessment.department.path,
        subject_employee_id=assessment.employee_id,
    )
    emit(
        "kpi.acknowledged",
        company_id=assessment.cycle.company_id,
        payload={"cycle_id": assessment.cycle_id, "assessment_id": assessment.pk, "version": version.number},
        recipients=[],
        title=_("%(employee)s acknowledged their result") % {"employee": assessment.employee.name},
        link=cycle_link(assessment.cycle),
        actor_id=actor.pk,
    )
    return acknowledgement
