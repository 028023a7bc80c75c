"""The one error type of the rule engine, so callers (API, batch engine) handle a single `code`."""

from __future__ import annotations

from hris.core.errors import DomainError


class RuleError(DomainError):
    """A rule spec is invalid, or a rule cannot score the given inputs."""

    code = "invalid_rule"

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message, field_errors=field_errors)


def single_field_error(field: str, message: str) -> RuleError:
    return RuleError(message, {field: [message]})
