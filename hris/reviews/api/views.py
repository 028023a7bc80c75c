"""Review API under /api/v1/reviews/: adjustments of an assessment, cycle transitions and status,
acknowledgement and appeals. Scopes `kpi:read` / `kpi:write`; the services check roles and scopes."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from hris.core.api.schema import DETAIL_ERRORS, WRITE_ERRORS
from hris.core.api.viewsets import ScopedViewSet
from hris.core.errors import DomainError, NotFound
from hris.kpi import selectors as kpi_selectors
from hris.kpi.models import AssessmentItem, Cycle, Indicator
from hris.reviews import selectors
from hris.reviews.api import serializers as api
from hris.reviews.models import Appeal, ResultVersion, ScoreAdjustment
from hris.reviews.services import appeals, publication, transitions
from hris.reviews.services.adjustments import adjustment_create

TRANSITIONS = {
    "review_start": transitions.review_start,
    "calibration_start": transitions.calibration_start,
    "approval_request": transitions.approval_request,
    "approve": transitions.approval_decide,
    "return": transitions.approval_decide,
    "publish": publication.results_publish,
    "close": publication.cycle_close,
}


class _ReviewViewSet(ScopedViewSet):
    scope_resource = "kpi"

    def _input(self, serializer_class, data) -> dict:  # noqa: ANN001
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


def _indicator_of(assessment, indicator_id: int | None) -> Indicator | None:  # noqa: ANN001
    if indicator_id is None:
        return None
    if not AssessmentItem.objects.filter(assessment_id=assessment.pk, indicator_id=indicator_id).exists():
        message = _("This indicator is not part of the assessment.")
        raise DomainError(message, code="invalid", field_errors={"indicator": [message]})
    return Indicator.objects.get(pk=indicator_id)


class AssessmentAdjustmentViewSet(_ReviewViewSet):
    """/reviews/assessments/<id>/adjustments/"""

    serializer_class = api.AdjustmentSerializer
    queryset = ScoreAdjustment.objects.none()  # for the schema; reads go through the selectors

    @extend_schema(summary="List an assessment's adjustments", responses={200: api.AdjustmentSerializer(many=True), **DETAIL_ERRORS})
    def list(self, request: Request, assessment_pk: int) -> Response:
        assessment = kpi_selectors.assessment_get(self.actor(), assessment_pk)
        adjustments = selectors.adjustments_visible(self.actor(), assessment)
        if adjustments is None:
            raise NotFound(_("Assessment not found."))
        return Response(api.AdjustmentSerializer(adjustments, many=True).data)

    @extend_schema(
        summary="Adjust an assessment",
        description="In review or calibration, within the adjustment policy's limit for the caller's role (the limit applies "
        "to the sum of that role's adjustments on the assessment). A reason is required.",
        request=api.AdjustmentInputSerializer,
        responses={201: api.AdjustmentResultSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request, assessment_pk: int) -> Response:
        assessment = kpi_selectors.assessment_get(self.actor(), assessment_pk)
        data = self._input(api.AdjustmentInputSerializer, request.data)
        result = adjustment_create(
            actor=self.actor(),
            assessment=assessment,
            delta=data["delta"],
            reason=data["reason"],
            indicator=_indicator_of(assessment, data.get("indicator")),
        )
        body = {
            "adjustment": result.adjustment,
            "final_before": result.final_before,
            "final_after": result.final_after,
            "version": result.version.number if result.version else None,
        }
        return Response(api.AdjustmentResultSerializer(body).data, status=status.HTTP_201_CREATED)


class CycleReviewViewSet(_ReviewViewSet):
    """/reviews/cycles/<id>/status/ and /transitions/"""

    serializer_class = api.ReviewStatusSerializer
    queryset = Cycle.objects.none()

    @extend_schema(summary="Review status of a cycle", responses={200: api.ReviewStatusSerializer, **DETAIL_ERRORS})
    def status(self, request: Request, pk: int) -> Response:
        cycle = kpi_selectors.cycle_get(self.actor(), pk)
        return Response(api.ReviewStatusSerializer(selectors.cycle_review_status(cycle)).data)

    @extend_schema(
        summary="Move a cycle through review and approval",
        description="review_start, calibration_start, approval_request (HR); approve, return (executive; return needs a "
        "comment); publish, close (HR).",
        request=api.TransitionInputSerializer,
        responses={200: api.ReviewStatusSerializer, **WRITE_ERRORS},
    )
    def transition(self, request: Request, pk: int) -> Response:
        cycle = kpi_selectors.cycle_get(self.actor(), pk)
        data = self._input(api.TransitionInputSerializer, request.data)
        action = data["action"]
        kwargs = {"actor": self.actor(), "cycle": cycle}
        if action == "approval_request":
            kwargs["comment"] = data["comment"]
        if action in ("approve", "return"):
            kwargs.update(approve=action == "approve", comment=data["comment"])
        TRANSITIONS[action](**kwargs)
        cycle.refresh_from_db()
        return Response(api.ReviewStatusSerializer(selectors.cycle_review_status(cycle)).data)


class ResultViewSet(_ReviewViewSet):
    """/reviews/results/<assessment id>/ (own published result), acknowledge, appeal."""

    serializer_class = api.ResultVersionSerializer
    queryset = ResultVersion.objects.none()

    def _own(self, pk: int):  # noqa: ANN202
        return selectors.my_result_get(self.actor(), pk)

    @extend_schema(summary="My published result's versions", responses={200: api.ResultVersionSerializer(many=True), **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(api.ResultVersionSerializer(selectors.result_versions(self._own(pk)), many=True).data)

    @extend_schema(summary="Acknowledge my published result", request=None, responses={201: api.AcknowledgementSerializer, **WRITE_ERRORS})
    def acknowledge(self, request: Request, pk: int) -> Response:
        acknowledgement = publication.result_acknowledge(actor=self.actor(), assessment=self._own(pk))
        return Response(api.AcknowledgementSerializer(acknowledgement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Appeal my published result", request=api.ReasonInputSerializer, responses={201: api.AppealSerializer, **WRITE_ERRORS}
    )
    def appeal(self, request: Request, pk: int) -> Response:
        data = self._input(api.ReasonInputSerializer, request.data)
        appeal = appeals.appeal_file(actor=self.actor(), assessment=self._own(pk), reason=data["reason"])
        return Response(api.AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealViewSet(_ReviewViewSet):
    """/reviews/appeals/ (HR, executives) and /reviews/appeals/<id>/resolve/"""

    serializer_class = api.AppealSerializer
    queryset = Appeal.objects.none()

    @extend_schema(summary="Appeals in my scope", responses={200: api.AppealSerializer(many=True), **DETAIL_ERRORS})
    def list(self, request: Request) -> Response:
        rows = selectors.appeals_visible_to(self.actor()).order_by("state", "-created_at")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(api.AppealSerializer(page, many=True).data)

    @extend_schema(summary="Resolve an appeal", request=api.ResolveInputSerializer, responses={200: api.AppealSerializer, **WRITE_ERRORS})
    def resolve(self, request: Request, pk: int) -> Response:
        appeal = selectors.appeal_get(self.actor(), pk)
        data = self._input(api.ResolveInputSerializer, request.data)
        indicator = _indicator_of(appeal.assessment, data.get("indicator"))
        appeal = appeals.appeal_resolve(
            actor=self.actor(), appeal=appeal, upheld=data["upheld"], reason=data["reason"], delta=data.get("delta"), indicator=indicator
        )
        return Response(api.AppealSerializer(appeal).data)
