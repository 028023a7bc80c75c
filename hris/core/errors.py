"""Domain errors raised by services; the API and views turn them into clear messages."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A business rule refused the operation. `code` is stable for API clients."""

    code = "domain_error"
    status_code = 400

    def __init__(self, message: str, *, code: str | None = None, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field_errors = field_errors or {}


class PermissionDenied(DomainError):
    code = "permission_denied"
    status_code = 403


class NotFound(DomainError):
    code = "not_found"
    status_code = 404


class Conflict(DomainError):
    code = "conflict"
    status_code = 409


def field_errors_from_validation_error(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [message for item in errors for message in item.messages]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(message) for message in error.messages]}
