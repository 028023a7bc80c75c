"""The demo logins as a table: what `manage.py demo_logins` (and so `make demo`) prints."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from hris.accounts.models import RoleAssignment, User
from hris.accounts.roles import ScopeType
from hris.people.demo.structure import COMPANY_CODE, DEMO_PASSWORD, PERSONAS, SUPERUSER_USERNAME


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    employee: str
    department: str
    scope: str


def _scope_label(assignment: RoleAssignment) -> str:
    if assignment.scope_type == ScopeType.COMPANY:
        return f"company {assignment.company.short_name or assignment.company.name}"
    if assignment.scope_type == ScopeType.BRANCH:
        return f"branch {assignment.branch.name}"
    if assignment.scope_type == ScopeType.DEPARTMENT:
        return f"department {assignment.department.name} (subtree)"
    return "self"


def demo_logins() -> list[DemoLogin]:
    """One row per demo persona (as stored, not as planned) plus the superuser."""
    rows: list[DemoLogin] = []
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[persona.username for persona in PERSONAS] + [SUPERUSER_USERNAME])
        .select_related("employee__department", "employee__position")
    }
    assignments = RoleAssignment.objects.filter(user__in=users.values(), company__code=COMPANY_CODE).select_related(
        "company", "branch", "department"
    )
    grants_by_user: dict[int, list[RoleAssignment]] = {}
    for assignment in assignments:
        grants_by_user.setdefault(assignment.user_id, []).append(assignment)
    for persona in PERSONAS:
        user = users.get(persona.username)
        if user is None:
            continue
        employee = getattr(user, "employee", None)
        grants = grants_by_user.get(user.pk, [])
        rows.append(
            DemoLogin(
                role=", ".join(grant.role for grant in grants) or "—",
                username=user.username,
                password=DEMO_PASSWORD,
                employee=f"{employee.name} {employee.employee_number} · {employee.position.title}" if employee else "—",
                department=employee.department.name if employee else "—",
                scope="; ".join(_scope_label(grant) for grant in grants) or "—",
            )
        )
    admin = users.get(SUPERUSER_USERNAME)
    if admin is not None and admin.is_superuser:
        rows.append(DemoLogin("superuser", admin.username, DEMO_PASSWORD, "—", "—", "everything, incl. /admin/"))
    return rows


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(character) in {"W", "F"} else 1 for character in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[DemoLogin]) -> str:
    header = DemoLogin("role", "username", "password", "employee", "department", "scope")
    columns = list(DemoLogin.__dataclass_fields__)
    table = [header, *rows]
    widths = {column: max(_width(getattr(row, column)) for row in table) for column in columns}
    lines = []
    for number, row in enumerate(table):
        lines.append("  ".join(_pad(getattr(row, column), widths[column]) for column in columns).rstrip())
        if number == 0:
            lines.append("  ".join("-" * widths[column] for column in columns))
    return "\n".join(lines)
