"""What validating a file found: file-level problems and one result per data row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
ERROR = "error"


@dataclass
class RowResult:
    row_number: int
    key: str = ""  # employee number or department code, as cleaned
    label: str = ""
    action: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # typed values the commit hands to the services; never stored on the job
    plan: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def finish(self, action: str) -> None:
        self.action = ERROR if self.errors else action

    def as_stored(self) -> list:
        return [self.row_number, self.action, self.label, self.errors, self.warnings]


@dataclass
class Outcome:
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def error_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors or self.error_rows)

    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
        for row in self.rows:
            counts[row.action] = counts.get(row.action, 0) + 1
        counts["total"] = len(self.rows)
        counts["warnings"] = sum(1 for row in self.rows if row.warnings)
        return counts


class CommitFailed(Exception):
    """A service refused one row during the commit; the whole commit is rolled back."""

    def __init__(self, row_number: int, messages: list[str]):
        super().__init__(f"row {row_number}: {'; '.join(messages)}")
        self.row_number = row_number
        self.messages = messages


class RevalidationFailed(Exception):
    """The data changed between preview and commit so that some rows are now invalid."""

    def __init__(self, outcome: Outcome):
        super().__init__("revalidation failed")
        self.outcome = outcome


def messages_from_exception(error: Exception, header_of: dict[str, str] | None = None) -> list[str]:
    """Readable messages from whatever a service raised (domain, validation or database errors)."""
    from django.core.exceptions import ValidationError

    from hris.core.errors import DomainError

    header_of = header_of or {}
    if isinstance(error, DomainError):
        details = [
            f"{header_of.get(field_name, field_name)}: {message}"
            for field_name, messages in error.field_errors.items()
            for message in messages
        ]
        return details or [error.message]
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [f"{header_of.get(name, name)}: {message}" for name, errors in error.message_dict.items() for message in errors]
        return [str(message) for message in error.messages]
    return [str(error)]
