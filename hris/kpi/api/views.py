"""KPI under /api/v1/kpi/: the library, cycles and their computation, assessments with their
breakdown and what-if. Reads go through the KPI selectors (data scope), writes through the
services. Out of scope answers 404 like missing; visible but not allowed, 403."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from oauth2_provider.models import AbstractAccessToken
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from hris.core.api.schema import DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS, error_responses
from hris.core.api.viewsets import ScopedViewSet
from hris.core.errors import DomainError, NotFound
from hris.kpi import selectors
from hris.kpi.api import serializers as api
from hris.kpi.models import Assessment, ComputationRun, Cycle, Indicator, Template, TemplateItem
from hris.kpi.permissions import library_company_ids
from hris.kpi.services.computation import computation_run_request
from hris.kpi.what_if import what_if


def _in_library(queryset: QuerySet, actor: Any) -> QuerySet:
    companies = library_company_ids(actor)
    return queryset if companies is None else queryset.filter(company_id__in=companies)


class HasApiReadScope(BasePermission):
    """For POSTs that write nothing (what-if): token clients need `<resource>:read` only."""

    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        if not (request.user and request.user.is_authenticated):
            return False
        scope = f"{view.scope_resource}:read"
        if not isinstance(request.auth, AbstractAccessToken) or request.auth.allow_scopes([scope]):
            return True
        raise exceptions.PermissionDenied(_("The access token lacks the scope “%(scope)s”.") % {"scope": scope}, code="insufficient_scope")


class _KpiViewSet(ScopedViewSet):
    scope_resource = "kpi"

    def _input(self, serializer_class, data: Any) -> dict:  # noqa: ANN001
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _page(self, queryset: QuerySet, serializer_class, **context: Any) -> Response:  # noqa: ANN001
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context={**self.get_serializer_context(), **context}).data
        return self.get_paginated_response(data)


@extend_schema_view(
    list=extend_schema(
        summary="List KPI indicators",
        description="The indicator libraries of the companies where the caller configures KPIs or views scores.",
        parameters=[api.IndicatorFilterSerializer],
        responses={200: api.IndicatorSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get a KPI indicator", responses={200: api.IndicatorSerializer, **DETAIL_ERRORS}),
)
class IndicatorViewSet(_KpiViewSet):
    serializer_class = api.IndicatorSerializer

    def get_queryset(self) -> QuerySet[Indicator]:
        return _in_library(Indicator.objects.all(), self.actor()).order_by("company_id", "code", "pk")

    def list(self, request: Request) -> Response:
        filters = self._input(api.IndicatorFilterSerializer, request.query_params)
        indicators = self.get_queryset()
        if text := filters.get("q", "").strip():
            indicators = indicators.filter(Q(code__icontains=text) | Q(name_zh__icontains=text) | Q(name_en__icontains=text))
        for name in ("category", "measurement"):
            if filters.get(name):
                indicators = indicators.filter(**{name: filters[name]})
        if filters.get("active") is not None:
            indicators = indicators.filter(is_active=filters["active"])
        return self._page(indicators, api.IndicatorSerializer)

    def retrieve(self, request: Request, pk: int) -> Response:
        indicator = self.get_queryset().filter(pk=pk).first()
        if indicator is None:
            raise NotFound(_("Indicator not found."))
        return Response(api.IndicatorSerializer(indicator, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(
        summary="List KPI templates",
        description="Templates of the caller's libraries with their current version number.",
        parameters=[api.TemplateFilterSerializer],
        responses={200: api.TemplateSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get a KPI template with the items of one version",
        description="The current (highest) version unless `version` names another; an unknown version is a 404.",
        parameters=[api.TemplateVersionQuerySerializer],
        responses={200: api.TemplateDetailSerializer, **error_responses(400, 401, 403, 404, 429)},
    ),
)
class TemplateViewSet(_KpiViewSet):
    serializer_class = api.TemplateSerializer

    def get_queryset(self) -> QuerySet[Template]:
        templates = Template.objects.annotate(current_version=Max("versions__number"))
        return _in_library(templates, self.actor()).order_by("company_id", "code", "pk")

    def list(self, request: Request) -> Response:
        filters = self._input(api.TemplateFilterSerializer, request.query_params)
        templates = self.get_queryset()
        if text := filters.get("q", "").strip():
            templates = templates.filter(Q(code__icontains=text) | Q(name_zh__icontains=text) | Q(name_en__icontains=text))
        if filters.get("active") is not None:
            templates = templates.filter(is_active=filters["active"])
        return self._page(templates, api.TemplateSerializer)

    def retrieve(self, request: Request, pk: int) -> Response:
        template = self.get_queryset().filter(pk=pk).first()
        if template is None:
            raise NotFound(_("Template not found."))
        wanted = self._input(api.TemplateVersionQuerySerializer, request.query_params).get("version", template.current_version)
        version = template.versions.filter(number=wanted).first() if wanted is not None else None
        if version is None and wanted is not None:
            raise NotFound(_("This template has no version %(number)s.") % {"number": wanted})
        template.shown_version = version
        template.version_numbers = list(template.versions.order_by("-number").values_list("number", flat=True))
        template.item_rows = api.template_item_rows(
            [] if version is None else version.items.select_related("indicator").order_by("order", "id")
        )
        return Response(api.TemplateDetailSerializer(template, context=self.get_serializer_context()).data)


def _cycles_with_counts(actor: Any) -> QuerySet[Cycle]:
    visible = selectors.assessments_visible_to(actor).filter(cycle_id=OuterRef("pk")).order_by().values("cycle_id")

    def count(assessments: QuerySet) -> Coalesce:
        return Coalesce(Subquery(assessments.annotate(n=Count("pk")).values("n")[:1]), Value(0), output_field=IntegerField())

    return (
        selectors.cycles_visible_to(actor)
        .annotate(assessment_count=count(visible), complete_count=count(visible.filter(is_complete=True)))
        .order_by("-period_start", "name", "pk")
    )


@extend_schema_view(
    list=extend_schema(
        summary="List assessment cycles",
        description="Cycles of the caller's companies (drafts only for those who configure KPIs), newest first.",
        responses={200: api.CycleSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get an assessment cycle", responses={200: api.CycleSerializer, **DETAIL_ERRORS}),
    compute=extend_schema(
        summary="Compute the whole cycle",
        description="Queues a computation of every assessment (needs `kpi:write` and the right to compute KPIs company-wide) "
        "and answers 202 with the run; poll `GET /api/v1/kpi/computation-runs/{id}/` (the `Location` header) for progress. "
        "A request while a run is still queued joins that run.",
        request=None,
        responses={202: api.ComputationRunSerializer, **WRITE_ERRORS},
    ),
)
class CycleViewSet(_KpiViewSet):
    serializer_class = api.CycleSerializer

    def get_queryset(self) -> QuerySet[Cycle]:
        return _cycles_with_counts(self.actor())

    def list(self, request: Request) -> Response:
        return self._page(self.get_queryset(), api.CycleSerializer)

    def retrieve(self, request: Request, pk: int) -> Response:
        cycle = self.get_queryset().filter(pk=pk).first()
        if cycle is None:
            raise NotFound(_("Cycle not found."))
        return Response(api.CycleSerializer(cycle, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["post"])
    def compute(self, request: Request, pk: int) -> Response:
        cycle = selectors.cycle_get(self.actor(), pk)
        run = computation_run_request(actor=self.actor(), cycle=cycle)
        location = reverse("kpi-computation-run-detail", kwargs={"pk": run.pk})
        return Response(api.ComputationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


@extend_schema_view(
    retrieve=extend_schema(
        summary="Get the status of a computation run",
        description="State, progress and timings of a (possibly long) run; for those who may compute KPIs.",
        responses={200: api.ComputationRunSerializer, **DETAIL_ERRORS},
    ),
)
class ComputationRunViewSet(_KpiViewSet):
    serializer_class = api.ComputationRunSerializer
    queryset = ComputationRun.objects.none()  # for the schema; reads go through computation_run_get

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(api.ComputationRunSerializer(selectors.computation_run_get(self.actor(), pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="List assessments",
        description="Assessments in the caller's data scope (an employee sees their own), ordered by employee number.",
        parameters=[api.AssessmentFilterSerializer],
        responses={200: api.AssessmentSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Get an assessment with its breakdown",
        description="Every indicator with target, actual, rule and rule in words, score, weight, points, status, and the "
        "metric records behind the actual.",
        responses={200: api.AssessmentDetailSerializer, **DETAIL_ERRORS},
    ),
    what_if=extend_schema(
        summary="Score hypothetical actuals (what-if)",
        description="Scores the assessment with the actuals sent in place of the measured ones, by the same engine; nothing "
        "is saved. Anyone who may see the assessment may ask (an employee their own, a manager within scope). Although a "
        "POST, it writes nothing, so token clients need only `kpi:read`. Invalid values are a 400 naming `actuals.<id>`.",
        request=api.WhatIfSerializer,
        responses={200: api.WhatIfResultSerializer, **error_responses(400, 401, 403, 404, 429)},
        auth=[{"oauth2": ["kpi:read"]}, {"cookieAuth": []}],
    ),
)
class AssessmentViewSet(_KpiViewSet):
    serializer_class = api.AssessmentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        return selectors.assessments_visible_to(self.actor())

    def list(self, request: Request) -> Response:
        filters = self._input(api.AssessmentFilterSerializer, request.query_params)
        assessments = self.get_queryset()
        if filters.get("cycle"):
            assessments = assessments.filter(cycle=filters["cycle"])
        if filters.get("department"):
            assessments = assessments.filter(department__path__startswith=filters["department"].path)
        if filters.get("employee"):
            assessments = assessments.filter(employee=filters["employee"])
        if filters.get("complete") is not None:
            assessments = assessments.filter(is_complete=filters["complete"])
        ordered = assessments.order_by("employee__employee_number", "-cycle__period_start", "pk")
        return self._page(ordered, api.AssessmentSerializer)

    def retrieve(self, request: Request, pk: int) -> Response:
        assessment = selectors.assessment_get(self.actor(), pk)
        context = {**self.get_serializer_context(), "breakdown": selectors.assessment_breakdown(assessment)}
        return Response(api.AssessmentDetailSerializer(assessment, context=context).data)

    @action(detail=True, methods=["post"], url_path="what-if", permission_classes=[HasApiReadScope])
    def what_if(self, request: Request, pk: int) -> Response:
        assessment = selectors.assessment_get(self.actor(), pk)
        actuals = self._input(api.WhatIfSerializer, request.data)["actuals"]
        try:
            result = what_if(assessment=assessment, actuals=actuals)
        except DomainError as error:
            errors = {f"actuals.{key}": messages for key, messages in error.field_errors.items()}
            raise DomainError(error.message, code=error.code, field_errors=errors) from error
        if selectors.final_score_withheld(request.user, assessment):
            result["final_score"] = None
        return Response(api.WhatIfResultSerializer({**result, "items": _in_template_order(assessment, result["items"])}).data)


def _in_template_order(assessment: Assessment, rows: list[dict]) -> list[dict]:
    """The engine's rows in the template's order, each naming its indicator like the breakdown does."""
    template_items = TemplateItem.objects.filter(version_id=assessment.template_version_id).order_by("order", "id")
    codes = dict(template_items.values_list("indicator_id", "indicator__code"))  # insertion order = template order
    position = {indicator_id: index for index, indicator_id in enumerate(codes)}
    return [
        {
            **row,
            "indicator": {"id": row["indicator_id"], "code": codes.get(row["indicator_id"], ""), "name": row["name"], "unit": row["unit"]},
        }
        for row in sorted(rows, key=lambda row: position.get(row["indicator_id"], len(position)))
    ]
