"""My ratings under /api/v1/kpi/my-ratings/: the caller's rating requests (pending by default,
or given) and submitting a rating for one of them. Only the assigned rater sees or answers a
request; anybody else's is a 404 like a missing one."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hris.core.api.schema import DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS
from hris.core.api.viewsets import ScopedViewSet
from hris.kpi.api.serializers import PlainDecimalField
from hris.kpi.choices import RaterRole
from hris.kpi.models import RatingRequest, RequestState
from hris.kpi.selectors_ratings import attach_scales, done_requests_of, own_request_get, pending_requests_of
from hris.kpi.services.ratings import rating_request_submit


class _Named(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _IndicatorRef(_Named):
    code = serializers.CharField()


class _GivenRating(serializers.Serializer):
    value = PlainDecimalField()
    comment = serializers.CharField()


class RatingRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cycle = _Named(help_text="The assessment cycle.")
    employee = _Named(help_text="The employee to rate.")
    indicator = _IndicatorRef()
    rater_role = serializers.ChoiceField(choices=RaterRole.choices)
    due_date = serializers.DateField()
    overdue = serializers.BooleanField()
    state = serializers.ChoiceField(choices=RequestState.choices)
    scale_min = PlainDecimalField(allow_null=True)
    scale_max = PlainDecimalField(allow_null=True)
    rating = _GivenRating(allow_null=True, help_text="The rating given, once submitted.")
    submitted_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, request: RatingRequest) -> dict:
        today = self.context.get("today") or timezone.localdate()
        data = {
            "id": request.pk,
            "cycle": {"id": request.cycle_id, "name": request.cycle.name},
            "employee": {"id": request.assessment.employee_id, "name": request.assessment.employee.name},
            "indicator": {"id": request.indicator_id, "code": request.indicator.code, "name": request.indicator.display_name},
            "rater_role": request.rater_role,
            "due_date": request.due_date,
            "overdue": request.state == RequestState.PENDING and request.due_date < today,
            "state": request.state,
            "scale_min": getattr(request, "scale_min", None),
            "scale_max": getattr(request, "scale_max", None),
            "rating": None if request.rating is None else {"value": request.rating.value, "comment": request.rating.comment},
            "submitted_at": request.submitted_at,
        }
        return super().to_representation(data)


class RatingRequestFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=RequestState.choices, required=False, default=RequestState.PENDING)


class RatingInputSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="On the indicator's scale (scale_min…scale_max).")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


@extend_schema_view(
    list=extend_schema(
        summary="List my rating requests",
        description="The caller's rating requests: pending (default; only cycles still open for ratings) or submitted.",
        parameters=[RatingRequestFilterSerializer],
        responses={200: RatingRequestSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get one of my rating requests", responses={200: RatingRequestSerializer, **DETAIL_ERRORS}),
)
class MyRatingViewSet(ScopedViewSet):
    scope_resource = "kpi"
    serializer_class = RatingRequestSerializer

    def get_queryset(self):  # noqa: ANN201
        return pending_requests_of(self.actor())

    def _data(self, requests: list[RatingRequest], **kwargs: Any) -> Any:
        attach_scales(requests)
        return RatingRequestSerializer(requests, context={"today": timezone.localdate()}, **kwargs).data

    def list(self, request: Request) -> Response:
        filters = RatingRequestFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        pending = filters.validated_data["state"] == RequestState.PENDING
        queryset = pending_requests_of(self.actor()) if pending else done_requests_of(self.actor())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self._data(list(page), many=True))

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(self._data([own_request_get(self.actor(), pk)], many=True)[0])

    @extend_schema(
        summary="Give the rating of one of my requests",
        description="Until the request's due date; giving it again replaces the rating. The score is recomputed.",
        request=RatingInputSerializer,
        responses={200: RatingRequestSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: int) -> Response:
        rating_request = own_request_get(self.actor(), pk)
        data = RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating_request_submit(
            actor=self.actor(), request=rating_request, value=data.validated_data["value"], comment=data.validated_data["comment"]
        )
        return Response(self._data([own_request_get(self.actor(), pk)], many=True)[0])
