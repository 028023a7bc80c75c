"""Reads of the rater workflow: a rater's own requests, HR's progress of a cycle, and the ratings
of an assessment as the actor may see them (peer anonymity is enforced here, nowhere else)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.core.errors import NotFound, PermissionDenied
from hris.kpi.choices import RECOMPUTABLE_STATES, RaterRole
from hris.kpi.models import Assessment, Cycle, Rating, RatingRequest, RatingSettings, RequestState, TemplateItem
from hris.kpi.permissions import ASSESSMENT_SCOPE_FIELDS
from hris.kpi.rules import ManualRule, RuleError, parse_rule
from hris.kpi.services.rating_requests import may_run_ratings
from hris.people.models import Employee

TWO_PLACES = Decimal("0.01")


def _requests_of(actor: Any) -> QuerySet[RatingRequest]:
    return (
        RatingRequest.objects.filter(rater_id=actor.pk)
        .select_related("cycle", "indicator", "assessment__employee", "assessment__department", "rating")
        .order_by("cycle__period_start", "cycle_id", "due_date", "assessment__employee__employee_number", "pk")
    )


def pending_requests_of(actor: Any) -> QuerySet[RatingRequest]:
    """The actor's ratings still to give, in cycles whose scores may still change."""
    return _requests_of(actor).filter(state=RequestState.PENDING, cycle__state__in=RECOMPUTABLE_STATES)


def done_requests_of(actor: Any) -> QuerySet[RatingRequest]:
    return _requests_of(actor).filter(state=RequestState.SUBMITTED).order_by("-submitted_at", "-pk")


def own_request_get(actor: Any, request_id: int) -> RatingRequest:
    """A request of the actor's own; anybody else's is not found (the rater list is private)."""
    request = _requests_of(actor).filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("Rating request not found."))
    return request


def attach_scales(requests: list[RatingRequest]) -> None:
    """Set `scale_min`, `scale_max` and `rule` on each request from its template item (one query)."""
    versions = {request.assessment.template_version_id for request in requests}
    indicators = {request.indicator_id for request in requests}
    rules: dict[tuple[int, int], ManualRule | None] = {}
    for version_id, indicator_id, raw in TemplateItem.objects.filter(version_id__in=versions, indicator_id__in=indicators).values_list(
        "version_id", "indicator_id", "rule"
    ):
        try:
            rule = parse_rule(raw)
        except RuleError:
            rule = None
        rules[(version_id, indicator_id)] = rule if isinstance(rule, ManualRule) else None
    for request in requests:
        rule = rules.get((request.assessment.template_version_id, request.indicator_id))
        request.scale_min = rule.scale_min if rule else None
        request.scale_max = rule.scale_max if rule else None


@dataclass
class CycleGroup:
    cycle: Cycle
    requests: list[RatingRequest] = field(default_factory=list)


def my_pending_by_cycle(actor: Any) -> list[CycleGroup]:
    """Pending requests grouped by cycle, each with `overdue` set; three queries in all."""
    requests = list(pending_requests_of(actor))
    attach_scales(requests)
    today = timezone.localdate()
    groups: dict[int, CycleGroup] = {}
    for request in requests:
        request.overdue = request.due_date < today
        groups.setdefault(request.cycle_id, CycleGroup(request.cycle)).requests.append(request)
    return list(groups.values())


# ---------------------------------------------------------------------------------------- progress


@dataclass
class ProgressRow:
    key: Any
    label: str
    done: int = 0
    pending: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.pending

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 0


@dataclass
class CycleProgress:
    cycle: Cycle
    settings: RatingSettings | None
    total: ProgressRow
    raters: list[ProgressRow]
    departments: list[ProgressRow]

    @property
    def overdue_raters(self) -> list[ProgressRow]:
        return [row for row in self.raters if row.overdue]


def rating_progress(actor: Any, cycle: Cycle) -> CycleProgress:
    """Done / pending per rater and per department of the rated employee (HR of the company only)."""
    if not may_run_ratings(actor, cycle.company_id):
        raise PermissionDenied(_("Only HR may follow the ratings of this cycle."))
    today = timezone.localdate()
    rows = RatingRequest.objects.filter(cycle=cycle).values_list(
        "rater_id", "state", "due_date", "assessment__department_id", "assessment__department__name"
    )
    total = ProgressRow(None, _("All"))
    raters: dict[int, ProgressRow] = {}
    departments: dict[int, ProgressRow] = {}
    for rater_id, state, due_date, department_id, department_name in rows:
        for row in (
            total,
            raters.setdefault(rater_id, ProgressRow(rater_id, "")),
            departments.setdefault(department_id, ProgressRow(department_id, department_name)),
        ):
            if state == RequestState.SUBMITTED:
                row.done += 1
            else:
                row.pending += 1
                row.overdue += due_date < today
    names = dict(Employee.objects.filter(user_id__in=list(raters)).values_list("user_id", "name"))
    from django.contrib.auth import get_user_model

    usernames = dict(get_user_model().objects.filter(pk__in=list(raters)).values_list("pk", "username"))
    for rater_id, row in raters.items():
        row.label = names.get(rater_id) or usernames.get(rater_id, str(rater_id))
    return CycleProgress(
        cycle=cycle,
        settings=RatingSettings.objects.filter(cycle=cycle).first(),
        total=total,
        raters=sorted(raters.values(), key=lambda row: (-row.overdue, -row.pending, row.label)),
        departments=sorted(departments.values(), key=lambda row: row.label),
    )


# ------------------------------------------------------------------------------- assessment ratings


@dataclass
class NamedRating:
    role: str
    role_label: str
    rater_name: str
    value: Decimal
    comment: str


@dataclass
class PeerSummary:
    count: int
    average: Decimal
    comments: list[str]


@dataclass
class IndicatorRatings:
    indicator_id: int
    indicator_name: str
    named: list[NamedRating] = field(default_factory=list)
    peers: PeerSummary | None = None  # set when peer ratings are shown only aggregated
    pending: int = 0


@dataclass
class AssessmentRatings:
    anonymous_peers: bool
    names_hidden: bool
    indicators: list[IndicatorRatings]


def sees_peer_names(actor: Any, assessment: Assessment) -> bool:
    """Only HR who run the review (MANAGE_REVIEW over the assessment) see who the peers were."""
    if actor is None:
        return True
    return Assessment.objects.filter(pk=assessment.pk).filter(
        scope_q(actor, Capability.MANAGE_REVIEW, **ASSESSMENT_SCOPE_FIELDS)
    ).exists() and (actor.is_superuser or assessment.employee.user_id != actor.pk)


def assessment_ratings(actor: Any, assessment: Assessment) -> AssessmentRatings:
    """The ratings of an assessment the actor may already see (callers fetch it through
    assessments_visible_to). With anonymous peers, peers appear only as count and average unless
    the actor runs the review; comments then come without names, in alphabetical order."""
    settings = RatingSettings.objects.filter(cycle_id=assessment.cycle_id).first()
    anonymous = bool(settings and settings.anonymous_peers)
    hide = anonymous and not sees_peer_names(actor, assessment)
    ratings = list(
        Rating.objects.filter(assessment=assessment)
        .select_related("indicator", "rater__employee")
        .order_by("indicator_id", "rater_role", "pk")
    )
    pending = defaultdict(int)
    for indicator_id in RatingRequest.objects.filter(assessment=assessment, state=RequestState.PENDING).values_list(
        "indicator_id", flat=True
    ):
        pending[indicator_id] += 1
    labels = dict(RaterRole.choices)
    by_indicator: dict[int, IndicatorRatings] = {}
    peer_values: dict[int, list[Rating]] = defaultdict(list)
    for rating in ratings:
        entry = by_indicator.setdefault(rating.indicator_id, IndicatorRatings(rating.indicator_id, rating.indicator.display_name))
        if hide and rating.rater_role == RaterRole.PEER:
            peer_values[rating.indicator_id].append(rating)
            continue
        entry.named.append(
            NamedRating(
                rating.rater_role,
                str(labels.get(rating.rater_role, rating.rater_role)),
                rating.rater.display_name,
                rating.value,
                rating.comment,
            )
        )
    for indicator_id, peers in peer_values.items():
        average = (sum((rating.value for rating in peers), Decimal(0)) / len(peers)).quantize(TWO_PLACES, ROUND_HALF_UP)
        comments = sorted(rating.comment for rating in peers if rating.comment)
        by_indicator[indicator_id].peers = PeerSummary(count=len(peers), average=average, comments=comments)
    for indicator_id, count in pending.items():
        if indicator_id in by_indicator:
            by_indicator[indicator_id].pending = count
    return AssessmentRatings(anonymous_peers=anonymous, names_hidden=hide, indicators=list(by_indicator.values()))
