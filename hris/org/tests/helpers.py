"""Small helpers shared by the organisation, audit and role-management tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hris.accounts.models import RoleAssignment
from hris.audit.models import AuditEvent
from hris.org.models import Branch, Department, Position


def count_queries(action: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        result = action()
    return len(captured), result


def last_sequence() -> int:
    latest = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    return latest or 0


def org_state() -> dict[str, Any]:
    """Everything an organisation write could change, to assert "nothing changed"."""
    return {
        "departments": list(
            Department.objects.order_by("pk").values_list(
                "pk", "path", "depth", "numchild", "name", "name_en", "code", "branch_id", "head_id", "is_active", "closed_on"
            )
        ),
        "positions": list(
            Position.objects.order_by("pk").values_list(
                "pk", "code", "title", "title_en", "job_family", "level", "is_managerial", "is_active"
            )
        ),
        "branches": list(Branch.objects.order_by("pk").values_list("pk", "company_id", "name", "code", "city", "address")),
        "role_assignments": list(
            RoleAssignment.objects.order_by("pk").values_list(
                "pk", "user_id", "role", "scope_type", "company_id", "branch_id", "department_id"
            )
        ),
        "audit_sequence": last_sequence(),
    }


def login(client: Any, world: Any, key: str) -> Any:
    user = world.user(key)
    client.force_login(user)
    return user
