"""One JSON error format for the whole API: {"code", "message", "errors"}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from hris.core.errors import DomainError, field_errors_from_validation_error


def _flatten(detail: Any) -> dict[str, list[str]] | list[str]:
    if isinstance(detail, dict):
        return {str(key): _flatten_list(value) for key, value in detail.items()}
    return _flatten_list(detail)


def _flatten_list(value: Any) -> list[str]:
    if isinstance(value, list):
        flat: list[str] = []
        for item in value:
            if isinstance(item, dict):
                flat.extend(f"{key}: {message}" for key, messages in item.items() for message in _flatten_list(messages))
            else:
                flat.extend(_flatten_list(item))
        return flat
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, messages in value.items() for message in _flatten_list(messages)]
    return [str(value)]


def error_response(*, code: str, message: str, errors: dict | None = None, http_status: int = 400) -> Response:
    return Response({"code": code, "message": message, "errors": errors or {}}, status=http_status)


def _with_drf_key(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Django calls errors about the whole object `__all__`; DRF (and our clients) `non_field_errors`."""
    return {("non_field_errors" if key == NON_FIELD_ERRORS else key): value for key, value in errors.items()}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return error_response(code=exc.code, message=exc.message, errors=_with_drf_key(exc.field_errors), http_status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return error_response(
            code="validation_error", message=_("The data is not valid."), errors=_with_drf_key(field_errors_from_validation_error(exc))
        )
    if isinstance(exc, IntegrityError):
        # A concurrent writer won the race past the service's own checks; the database
        # constraint held, so the client may simply retry or re-read.
        return error_response(code="conflict", message=_("The change conflicts with data saved at the same time."), http_status=409)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = _flatten(exc.detail)
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = {"code": "validation_error", "message": _("The data is not valid."), "errors": errors}
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        response.data = {"code": code, "message": str(exc.detail), "errors": {}}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["code"] = "throttled"
    return response
