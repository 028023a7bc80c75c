"""Companies, branches, departments and positions under /api/v1/."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hris.core.api.schema import CREATE_ERRORS, DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS
from hris.core.api.viewsets import ScopedViewSet
from hris.org import selectors, services
from hris.org.api import serializers as api
from hris.org.models import Department, Position


def _query_parameters(serializer_class, request: Request) -> dict:  # noqa: ANN001
    """Validated filters; a malformed one is a 400 naming the parameter."""
    serializer = serializer_class(data=request.query_params, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _with_parent_id(queryset: QuerySet[Department]) -> QuerySet[Department]:
    """The parent's id in the same query: the parent's path is the node's path minus one step."""
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Department.steplen)
    return queryset.annotate(parent_id=Subquery(Department.objects.filter(path=parent_path).values("pk")[:1]))


@extend_schema_view(
    list=extend_schema(summary="List companies", responses={200: api.CompanySerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="Get a company", responses={200: api.CompanySerializer, **DETAIL_ERRORS}),
)
class CompanyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Companies the caller works in or holds a role in."""

    scope_resource = "org"
    serializer_class = api.CompanySerializer

    def get_queryset(self) -> QuerySet:
        return selectors.companies_visible_to(self.actor()).order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="List branches", parameters=[api.BranchFilterSerializer], responses={200: api.BranchSerializer(many=True), **LIST_ERRORS}
    ),
    retrieve=extend_schema(summary="Get a branch", responses={200: api.BranchSerializer, **DETAIL_ERRORS}),
)
class BranchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    scope_resource = "org"
    serializer_class = api.BranchSerializer

    def get_queryset(self) -> QuerySet:
        queryset = selectors.branches_visible_to(self.actor()).order_by("company_id", "code")
        if self.action == "list":
            filters = _query_parameters(api.BranchFilterSerializer, self.request)
            if filters.get("company"):
                queryset = queryset.filter(company=filters["company"])
        return queryset


@extend_schema_view(
    list=extend_schema(
        summary="List departments",
        description="In tree order (parents before their children).",
        parameters=[api.DepartmentFilterSerializer],
        responses={200: api.DepartmentSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get a department", responses={200: api.DepartmentSerializer, **DETAIL_ERRORS}),
    create=extend_schema(
        summary="Create a department", request=api.DepartmentCreateSerializer, responses={201: api.DepartmentSerializer, **CREATE_ERRORS}
    ),
    update=extend_schema(
        summary="Replace a department's fields",
        request=api.DepartmentUpdateSerializer,
        responses={200: api.DepartmentSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some of a department's fields",
        request=api.DepartmentUpdateSerializer,
        responses={200: api.DepartmentSerializer, **WRITE_ERRORS},
    ),
    move=extend_schema(
        summary="Move a department with its subtree",
        request=api.DepartmentMoveSerializer,
        responses={200: api.DepartmentSerializer, **WRITE_ERRORS},
    ),
    close=extend_schema(
        summary="Close an empty department",
        request=api.DepartmentCloseSerializer,
        responses={200: api.DepartmentSerializer, **WRITE_ERRORS},
    ),
)
class DepartmentViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The structure is visible to everyone in the company; changes need an HR admin's grant."""

    scope_resource = "org"
    serializer_class = api.DepartmentSerializer

    def get_queryset(self) -> QuerySet[Department]:
        filters = _query_parameters(api.DepartmentFilterSerializer, self.request)
        queryset = selectors.departments_visible_to(self.actor(), include_closed=filters["include_closed"])
        if filters.get("company"):
            queryset = queryset.filter(company=filters["company"])
        if filters.get("branch"):
            queryset = queryset.filter(branch=filters["branch"])
        if filters.get("parent"):
            parent = filters["parent"]
            queryset = queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)
        return _with_parent_id(queryset)

    def _read(self, department_id: int) -> Department:
        """The department as the caller sees it; out of scope is a 404 (selectors.NotFound)."""
        department = selectors.department_get(self.actor(), department_id)
        return _with_parent_id(Department.objects.filter(pk=department.pk)).select_related("branch", "head").get()

    def _respond(self, department: Department, http_status: int = status.HTTP_200_OK) -> Response:
        return Response(api.DepartmentSerializer(self._read(department.pk)).data, status=http_status)

    def _input(self, serializer_class, *, partial: bool = False) -> dict:  # noqa: ANN001
        serializer = serializer_class(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(api.DepartmentSerializer(self._read(pk)).data)

    def create(self, request: Request) -> Response:
        data = self._input(api.DepartmentCreateSerializer)
        department = services.department_create(actor=self.actor(), **data)
        return self._respond(department, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int) -> Response:
        department = self._read(pk)
        partial = request.method == "PATCH"
        data = self._input(api.DepartmentUpdateSerializer, partial=partial)
        current = {
            "code": department.code,
            "name": department.name,
            "name_en": department.name_en,
            "branch": department.branch,
            "head": department.head,
        }
        department = services.department_update(actor=self.actor(), department=department, **{**current, **data})
        return self._respond(department)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk)

    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: int) -> Response:
        department = self._read(pk)
        data = self._input(api.DepartmentMoveSerializer)
        department = services.department_move(actor=self.actor(), department=department, new_parent=data["parent"], reason=data["reason"])
        return self._respond(department)

    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        department = self._read(pk)
        data = self._input(api.DepartmentCloseSerializer)
        department = services.department_close(
            actor=self.actor(), department=department, closed_on=data["closed_on"], reason=data["reason"]
        )
        return self._respond(department)


@extend_schema_view(
    list=extend_schema(
        summary="List positions",
        parameters=[api.PositionFilterSerializer],
        responses={200: api.PositionSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get a position", responses={200: api.PositionSerializer, **DETAIL_ERRORS}),
    create=extend_schema(
        summary="Create a position", request=api.PositionCreateSerializer, responses={201: api.PositionSerializer, **CREATE_ERRORS}
    ),
    update=extend_schema(
        summary="Replace a position's fields", request=api.PositionUpdateSerializer, responses={200: api.PositionSerializer, **WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change some of a position's fields",
        request=api.PositionUpdateSerializer,
        responses={200: api.PositionSerializer, **WRITE_ERRORS},
    ),
)
class PositionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    scope_resource = "org"
    serializer_class = api.PositionSerializer

    def get_queryset(self) -> QuerySet[Position]:
        queryset = selectors.positions_visible_to(self.actor()).order_by("company_id", "code")
        if self.action == "list":
            filters = _query_parameters(api.PositionFilterSerializer, self.request)
            if filters.get("company"):
                queryset = queryset.filter(company=filters["company"])
            if filters.get("job_family"):
                queryset = queryset.filter(job_family=filters["job_family"])
            if filters.get("is_active") is not None:
                queryset = queryset.filter(is_active=filters["is_active"])
        return queryset

    def create(self, request: Request) -> Response:
        serializer = api.PositionCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        position = services.position_create(actor=self.actor(), **serializer.validated_data)
        return Response(api.PositionSerializer(position).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int) -> Response:
        position = self.get_object()
        serializer = api.PositionUpdateSerializer(
            data=request.data, partial=request.method == "PATCH", context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        position = services.position_update(actor=self.actor(), position=position, **serializer.validated_data)
        return Response(api.PositionSerializer(position).data)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk)
