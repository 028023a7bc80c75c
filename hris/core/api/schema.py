"""OpenAPI pieces shared by every endpoint: the error body and the OAuth2 security scheme."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from hris.core.api.permissions import required_scope


class ApiErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable machine-readable code, e.g. validation_error, not_authenticated, invalid_token, "
        "permission_denied, insufficient_scope, not_found, method_not_allowed, parse_error, throttled, conflict."
    )
    message = serializers.CharField(help_text="Human-readable summary in the request's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (`non_field_errors` for the whole input); empty when the error is not about fields.",
    )


_DESCRIPTIONS = {
    400: "Invalid input; `errors` names the fields.",
    401: "No or invalid credentials.",
    403: "The token lacks the scope, or the user's role does not allow this.",
    404: "Not found, or outside the caller's data scope.",
    409: "Conflicting concurrent change.",
    429: "Too many requests.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {status: OpenApiResponse(ApiErrorSerializer, description=_DESCRIPTIONS[status]) for status in statuses}


READ_ERRORS = error_responses(401, 403, 429)
DETAIL_ERRORS = error_responses(401, 403, 404, 429)
LIST_ERRORS = error_responses(400, 401, 403, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 429)
CREATE_ERRORS = error_responses(400, 401, 403, 409, 429)


class ServiceAccountOAuth2Scheme(OpenApiAuthenticationExtension):
    target_class = "hris.core.api.authentication.ServiceAccountOAuth2Authentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):  # noqa: ANN001, ANN201
        return {
            "type": "oauth2",
            "description": "Client-credentials for system integrations; the client acts with its service account's data scope.",
            "flows": {"clientCredentials": {"tokenUrl": "/o/token/", "scopes": dict(settings.OAUTH2_PROVIDER["SCOPES"])}},
        }

    def get_security_requirement(self, auto_schema):  # noqa: ANN001, ANN201
        view = auto_schema.view
        if not hasattr(view, "scope_resource"):
            return {self.name: []}
        return {self.name: [required_scope(view, auto_schema.method)]}
