"""External identities under /api/v1/external-identities/: list, create, delete, bulk upsert.

Token clients read with `employees:read` and write with `employees:write` or `metrics:write` (an
ingestion client may keep its own mapping up to date); the service account, like people signed
in, needs to manage integrations (HR admin) in the company."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from oauth2_provider.models import AbstractAccessToken
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hris.core.api import schema  # noqa: F401  (registers the OAuth2 security scheme)
from hris.core.api.pagination import StandardPagination
from hris.core.api.schema import error_responses
from hris.core.errors import DomainError, NotFound
from hris.integrations.identities import (
    external_identities_upsert,
    external_identity_create,
    external_identity_delete,
    identities_visible_to,
)
from hris.integrations.selectors import integration_company_ids, may_manage_integrations
from hris.org.models import Company
from hris.people.models import Employee


class CanManageIdentities(BasePermission):
    def has_permission(self, request, view) -> bool:  # noqa: ANN001
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if isinstance(token, AbstractAccessToken):
            wanted = ["employees:read"] if request.method in SAFE_METHODS else ["employees:write", "metrics:write"]
            if not any(token.allow_scopes([scope]) for scope in wanted):
                raise exceptions.PermissionDenied(
                    _("The access token lacks the scope “%(scope)s”.") % {"scope": " or ".join(wanted)}, code="insufficient_scope"
                )
        if may_manage_integrations(request.user):
            return True
        raise exceptions.PermissionDenied(_("You are not allowed to manage external identities."), code="permission_denied")


class ExternalIdentitySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    company = serializers.CharField(source="company.code", read_only=True)
    employee_id = serializers.IntegerField(read_only=True)
    employee_number = serializers.CharField(source="employee.employee_number", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    system = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class IdentityInputSerializer(serializers.Serializer):
    company = serializers.CharField(required=False, help_text="Company code; optional when you manage one company only.")
    employee_id = serializers.IntegerField(required=False)
    employee_number = serializers.CharField(required=False)
    system = serializers.CharField(max_length=40, help_text="jira, dingtalk, wecom, erp …")
    external_id = serializers.CharField(max_length=128, help_text="The employee's id in that system (Jira accountId, DingTalk userId …).")

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("employee_id") and not attrs.get("employee_number"):
            raise serializers.ValidationError({"employee_number": [_("Give the employee number or the employee id.")]})
        return attrs


class BulkRowSerializer(serializers.Serializer):
    employee_number = serializers.CharField(required=False)
    employee_id = serializers.IntegerField(required=False)
    system = serializers.CharField()
    external_id = serializers.CharField()


class BulkInputSerializer(serializers.Serializer):
    company = serializers.CharField(required=False)
    identities = serializers.ListField(child=serializers.DictField(), max_length=10_000, help_text="Up to 10,000 rows (see BulkRow).")


class BulkOutcomeSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = serializers.ListField(child=serializers.DictField(), help_text="index, status (created/updated/unchanged/rejected), errors, id.")


def _company(actor: Any, code: Any) -> Company:
    companies = integration_company_ids(actor)
    if code:
        company = Company.objects.filter(code=str(code)).first()
        if company is None:
            message = _("No company has the code “%(code)s”.") % {"code": code}
            raise DomainError(message, code="unknown_company", field_errors={"company": [message]})
        return company
    if companies is not None and len(companies) == 1:
        return Company.objects.get(pk=next(iter(companies)))
    message = _("Name the company by its code.")
    raise DomainError(message, code="company_required", field_errors={"company": [message]})


class _IdentityView(APIView):
    permission_classes = [CanManageIdentities]
    scope_resource = "employees"


class ExternalIdentityListView(_IdentityView):
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="external_identities_list",
        summary="List external identities",
        description="Mappings of employees to their ids in other systems, filter by `system` or `employee_number`.",
        responses={200: ExternalIdentitySerializer(many=True), **error_responses(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        identities = identities_visible_to(request.user).order_by("company_id", "system", "external_id")
        if system := request.query_params.get("system", "").strip():
            identities = identities.filter(system=system.lower())
        if number := request.query_params.get("employee_number", "").strip():
            identities = identities.filter(employee__employee_number=number)
        paginator: PageNumberPagination = self.pagination_class()
        page = paginator.paginate_queryset(identities, request, view=self)
        return paginator.get_paginated_response(ExternalIdentitySerializer(page, many=True).data)

    @extend_schema(
        operation_id="external_identities_create",
        summary="Map an employee to an identity in another system",
        request=IdentityInputSerializer,
        responses={201: ExternalIdentitySerializer, **error_responses(400, 401, 403, 429)},
        examples=[
            OpenApiExample("Jira", value={"employee_number": "E000123", "system": "jira", "external_id": "5b10a2844c20165700ede21g"})
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = IdentityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        company = _company(request.user, data.get("company"))
        employees = Employee.objects.filter(company=company)
        employee = (
            employees.filter(pk=data["employee_id"]).first()
            if data.get("employee_id")
            else employees.filter(employee_number=data["employee_number"].strip()).first()
        )
        if employee is None:
            message = _("No such employee in %(company)s.") % {"company": company}
            raise DomainError(message, code="unknown_employee", field_errors={"employee_number": [message]})
        identity = external_identity_create(actor=request.user, employee=employee, system=data["system"], external_id=data["external_id"])
        return Response(ExternalIdentitySerializer(identity).data, status=status.HTTP_201_CREATED)


class ExternalIdentityDetailView(_IdentityView):
    @extend_schema(operation_id="external_identities_retrieve", summary="Get an external identity",
                   responses={200: ExternalIdentitySerializer, **error_responses(401, 403, 404, 429)})  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        return Response(ExternalIdentitySerializer(self._identity(request, pk)).data)

    @extend_schema(operation_id="external_identities_destroy", summary="Remove an external identity",
                   responses={204: None, **error_responses(401, 403, 404, 429)})  # fmt: skip
    def delete(self, request: Request, pk: int) -> Response:
        external_identity_delete(actor=request.user, identity=self._identity(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _identity(request: Request, pk: int):  # noqa: ANN205
        identity = identities_visible_to(request.user).filter(pk=pk).first()
        if identity is None:
            raise NotFound(_("External identity not found."))
        return identity


class ExternalIdentityBulkView(_IdentityView):
    @extend_schema(
        operation_id="external_identities_bulk_upsert",
        summary="Create or change many external identities",
        description="Each row names the employee (employee_number or employee_id), the system and the external id; the employee's "
        "identity in that system is created or changed. Rows are checked one by one: a rejected row (unknown employee, an id "
        "mapped to another employee) is reported with its index and does not stop the others.",
        request=BulkInputSerializer,
        responses={200: BulkOutcomeSerializer, **error_responses(400, 401, 403, 429)},
        examples=[
            OpenApiExample(
                "DingTalk user ids",
                value={"identities": [{"employee_number": "E000123", "system": "dingtalk", "external_id": "manager4521"}]},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = BulkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = _company(request.user, serializer.validated_data.get("company"))
        result = external_identities_upsert(actor=request.user, company=company, rows=serializer.validated_data["identities"])
        rows = [
            {"index": row.index, "status": row.status, "errors": row.errors, "id": row.identity_id}
            for row in result.rows
        ]  # fmt: skip
        return Response({"counts": result.counts, "rows": rows})
