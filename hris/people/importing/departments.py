"""Departments files: parents may come later in the same file; commit parents first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import DatabaseError
from django.utils.translation import gettext as _

from hris.accounts.roles import ROLE_CAPABILITIES, Capability, ScopeType
from hris.accounts.scopes import grants_of
from hris.core.errors import DomainError
from hris.org.models import Branch, Company, Department
from hris.org.selectors import departments_changeable_by
from hris.org.services import department_create
from hris.people.importing.columns import DEPARTMENT_COLUMNS, ColumnMapping, map_columns
from hris.people.importing.graph import nodes_on_cycles, parents_first
from hris.people.importing.lookups import BranchIndex, DepartmentIndex, NotResolved
from hris.people.importing.reading import Sheet
from hris.people.importing.results import CREATE, CommitFailed, Outcome, RowResult, messages_from_exception
from hris.people.importing.values import cell_text
from hris.people.validation import reporting_cycle

Progress = Callable[[int], None]
LIMITS = {name: Department._meta.get_field(name).max_length for name in ("code", "name", "name_en")}


def _may_change_whole_company(actor: Any, company: Company) -> bool:
    """Top-level departments need a company-wide organisation grant (as department_create)."""
    if actor is None or actor.is_superuser:
        return True
    return any(
        grant.company_id == company.pk
        and grant.scope_type == ScopeType.COMPANY
        and Capability.CHANGE_ORG in ROLE_CAPABILITIES.get(grant.role, ())
        for grant in grants_of(actor)
    )


class DepartmentImport:
    def __init__(self, *, actor: Any, company: Company):
        self.actor, self.company = actor, company
        self.departments = DepartmentIndex(company)
        self.branches = BranchIndex(company)
        self.changeable_ids = set(departments_changeable_by(actor).filter(company=company).values_list("id", flat=True))
        self.company_wide = _may_change_whole_company(actor, company)

    def validate(self, sheet: Sheet, *, on_progress: Progress | None = None) -> Outcome:
        mapping = map_columns(sheet.headers, DEPARTMENT_COLUMNS)
        outcome = Outcome(columns=dict(mapping.header_of))
        if mapping.unknown:
            outcome.warnings.append(
                _("These columns are not recognised and are ignored: %(columns)s.")
                % {"columns": ", ".join(f"“{name}”" for name in mapping.unknown)}
            )
        if mapping.errors:
            outcome.file_errors.extend(mapping.errors)
            return outcome
        for index, (row_number, values) in enumerate(sheet.rows, start=1):
            outcome.rows.append(self._check_row(row_number, values, mapping))
            if on_progress is not None:
                on_progress(index)
        self._check_across_rows(outcome.rows, mapping)
        for row in outcome.rows:
            row.finish(CREATE)
        return outcome

    def _check_row(self, row_number: int, values: list[object], mapping: ColumnMapping) -> RowResult:
        header = mapping.header_of
        texts = {key: cell_text(values[index]) for key, index in mapping.by_key.items()}
        result = RowResult(row_number, key=texts.get("code", ""))
        result.label = f"{texts.get('code', '')} {texts.get('name', '')}".strip()

        def problem(key: str, message: str) -> None:
            result.errors.append(f"{header.get(key, key)}: {message}")

        plan: dict[str, Any] = {}
        code = texts.get("code", "")
        if not code:
            problem("code", _("This field is required."))
        elif len(code) > LIMITS["code"]:
            problem("code", _("At most %(limit)d characters.") % {"limit": LIMITS["code"]})
        else:
            try:
                validate_slug(code)
            except ValidationError:
                problem("code", _("“%(code)s”: use only letters, digits, hyphens and underscores.") % {"code": code})
            else:
                existing = self.departments.by_code.get(code.lower())
                if existing is not None:
                    problem(
                        "code",
                        _("A department with the code “%(code)s” already exists (%(path)s).") % {"code": code, "path": existing.full_name},
                    )
                plan["code"] = code
        for key, required in (("name", True), ("name_en", False)):
            value = texts.get(key, "")
            if required and not value:
                problem(key, _("This field is required."))
            elif len(value) > LIMITS[key]:
                problem(key, _("At most %(limit)d characters.") % {"limit": LIMITS[key]})
            else:
                plan[key] = value
        if texts.get("branch"):
            try:
                plan["branch_id"] = self.branches.resolve(texts["branch"])
            except NotResolved as unresolved:
                problem("branch", str(unresolved))
        plan["parent_code"] = texts.get("parent_code", "") or None
        result.plan = plan
        return result

    def _check_across_rows(self, rows: list[RowResult], mapping: ColumnMapping) -> None:
        header = mapping.header_of

        def problem(row: RowResult, key: str, message: str) -> None:
            row.errors.append(f"{header.get(key, key)}: {message}")

        rows_by_code: dict[str, list[RowResult]] = defaultdict(list)
        for row in rows:
            if row.key:
                rows_by_code[row.key.lower()].append(row)
        for same in rows_by_code.values():
            if len(same) > 1:
                listed = ", ".join(str(row.row_number) for row in same)
                for row in same:
                    problem(
                        row,
                        "code",
                        _("The code “%(code)s” appears more than once in this file (rows %(rows)s).") % {"code": row.key, "rows": listed},
                    )
        file_codes = {code for code, same in rows_by_code.items() if len(same) == 1}
        parent_of: dict[str, str | None] = {}
        for row in rows:
            parent = row.plan.get("parent_code")
            code = row.key.lower()
            if parent is None:
                if not self.company_wide:
                    problem(row, "parent_code", _("Only a company-wide HR admin may add top-level departments; give a parent department."))
                continue
            parent_key = parent.lower()
            if parent_key == code:
                problem(row, "parent_code", _("A department cannot be its own parent."))
            elif parent_key in file_codes:
                parent_of[code] = parent_key
            elif parent_key in rows_by_code:
                continue  # a duplicated code: that row has its error already
            elif parent_key in self.departments.by_code:
                entry = self.departments.by_code[parent_key]
                if not entry.is_active:
                    problem(row, "parent_code", _("The parent department “%(code)s” is closed.") % {"code": parent})
                elif entry.id not in self.changeable_ids:
                    problem(
                        row,
                        "parent_code",
                        _("You are not allowed to add departments under “%(department)s”.") % {"department": entry.full_name},
                    )
            else:
                message = _("Unknown parent department “%(code)s”: no department has this code, in this file or in the company.") % {
                    "code": parent
                }
                try:
                    known = self.departments.resolve(parent)
                    message += " " + _("Did you mean the code “%(code)s” (%(path)s)?") % {"code": known.code, "path": known.full_name}
                except NotResolved:
                    pass
                problem(row, "parent_code", message)
        cyclic = nodes_on_cycles(parent_of)
        for row in rows:
            code = row.key.lower()
            if code in cyclic:
                cycle = reporting_cycle(code, parent_of[code], parent_of) or [code]
                problem(row, "parent_code", _("The parent departments form a cycle: %(cycle)s.") % {"cycle": " → ".join(map(str, cycle))})
        for row in rows:
            row.plan["parent_key"] = parent_of.get(row.key.lower())

    def commit(self, outcome: Outcome, *, reason: str = "", on_progress: Progress | None = None) -> dict[str, int]:
        """Create through department_create, parents first; inside the caller's transaction."""
        rows = {row.key.lower(): row for row in outcome.rows if row.action == CREATE}
        order = parents_first(rows, {code: row.plan.get("parent_key") for code, row in rows.items()})
        existing_parent_ids = {
            self.departments.by_code[row.plan["parent_code"].lower()].id
            for row in rows.values()
            if row.plan.get("parent_code") and row.plan.get("parent_key") is None
        }
        parents = Department.objects.in_bulk(existing_parent_ids)
        branches = Branch.objects.in_bulk({row.plan["branch_id"] for row in rows.values() if row.plan.get("branch_id")})
        created: dict[str, Department] = {}
        for done, code in enumerate(order, start=1):
            row = rows[code]
            plan = row.plan
            if plan.get("parent_key"):
                parent = created[plan["parent_key"]]
            elif plan.get("parent_code"):
                parent = parents[self.departments.by_code[plan["parent_code"].lower()].id]
            else:
                parent = None
            try:
                created[code] = department_create(
                    actor=self.actor,
                    company=self.company,
                    name=plan["name"],
                    code=plan["code"],
                    parent=parent,
                    branch=branches.get(plan.get("branch_id")) if plan.get("branch_id") else None,
                    name_en=plan.get("name_en", ""),
                )
            except (DomainError, ValidationError, DatabaseError, KeyError) as refused:
                raise CommitFailed(row.row_number, messages_from_exception(refused, outcome.columns))
            if on_progress is not None:
                on_progress(done)
        return {CREATE: len(created)}
