"""Employees under /api/v1/: reads through the people selectors, writes through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hris.core.api.schema import CREATE_ERRORS, DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS
from hris.core.api.viewsets import ScopedViewSet
from hris.people import selectors, services
from hris.people.api import serializers as api
from hris.people.models import Employee


@extend_schema_view(
    list=extend_schema(
        summary="List employees",
        description="Only employees in the caller's data scope, ordered by employee number.",
        parameters=[api.EmployeeFilterSerializer],
        responses={200: api.EmployeeSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Get an employee", responses={200: api.EmployeeSerializer, **DETAIL_ERRORS}),
    create=extend_schema(
        summary="Hire an employee", request=api.EmployeeCreateSerializer, responses={201: api.EmployeeSerializer, **CREATE_ERRORS}
    ),
    update=extend_schema(
        summary="Replace an employee's editable fields",
        request=api.EmployeeUpdateSerializer,
        responses={200: api.EmployeeSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change some of an employee's fields",
        request=api.EmployeeUpdateSerializer,
        responses={200: api.EmployeeSerializer, **WRITE_ERRORS},
    ),
    terminate=extend_schema(
        summary="Terminate employment", request=api.EmployeeTerminateSerializer, responses={200: api.EmployeeSerializer, **WRITE_ERRORS}
    ),
    confirm_probation=extend_schema(
        summary="Confirm that probation was passed",
        request=api.EmployeeConfirmProbationSerializer,
        responses={200: api.EmployeeSerializer, **WRITE_ERRORS},
    ),
)
class EmployeeViewSet(ScopedViewSet):
    """Out-of-scope employees answer 404 like missing ones; visible but not changeable, 403."""

    scope_resource = "employees"
    serializer_class = api.EmployeeSerializer

    def get_queryset(self) -> QuerySet[Employee]:
        filters = self._input(api.EmployeeFilterSerializer, data=self.request.query_params)
        return selectors.employee_search(
            self.actor(),
            text=filters.get("q", ""),
            department_id=filters["department"].pk if filters.get("department") else None,
            include_subdepartments=filters["include_subdepartments"],
            branch_id=filters["branch"].pk if filters.get("branch") else None,
            position_id=filters["position"].pk if filters.get("position") else None,
            status=filters.get("status", ""),
            employment_type=filters.get("employment_type", ""),
        ).order_by("employee_number", "pk")  # numbers repeat across companies; pages must not

    def _input(self, serializer_class, *, data: Any = None, partial: bool = False, instance: Employee | None = None) -> dict:  # noqa: ANN001
        serializer = serializer_class(
            instance, data=self.request.data if data is None else data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _respond(self, employee: Employee, http_status: int = status.HTTP_200_OK) -> Response:
        # Re-read through the selector so the answer shows what the caller may see now.
        fresh = selectors.employee_get(self.actor(), employee.pk)
        return Response(api.EmployeeSerializer(fresh, context=self.get_serializer_context()).data, status=http_status)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        context = {
            **self.get_serializer_context(),
            "sensitive_employee_ids": selectors.employee_ids_with_sensitive_access(self.actor(), page),
        }
        return self.get_paginated_response(api.EmployeeSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        employee = selectors.employee_get(self.actor(), pk)
        return Response(api.EmployeeSerializer(employee, context=self.get_serializer_context()).data)

    def create(self, request: Request) -> Response:
        data = self._input(api.EmployeeCreateSerializer)
        employee = services.employee_create(actor=self.actor(), company=data["department"].company, **data)
        return self._respond(employee, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int) -> Response:
        employee = selectors.employee_get(self.actor(), pk)
        changes = self._input(api.EmployeeUpdateSerializer, partial=request.method == "PATCH", instance=employee)
        effective_date, reason = changes.pop("effective_date", None), changes.pop("reason", "")
        employee = services.employee_update(actor=self.actor(), employee=employee, effective_date=effective_date, reason=reason, **changes)
        return self._respond(employee)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk)

    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: int) -> Response:
        employee = selectors.employee_get(self.actor(), pk)
        data = self._input(api.EmployeeTerminateSerializer)
        employee = services.employee_terminate(actor=self.actor(), employee=employee, **data)
        return self._respond(employee)

    @action(detail=True, methods=["post"])
    def confirm_probation(self, request: Request, pk: int) -> Response:
        employee = selectors.employee_get(self.actor(), pk)
        data = self._input(api.EmployeeConfirmProbationSerializer)
        employee = services.employee_confirm_probation(
            actor=self.actor(), employee=employee, effective_date=data["effective_date"] or timezone.localdate(), reason=data["reason"]
        )
        return self._respond(employee)
