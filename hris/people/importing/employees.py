"""Employees files: validate every row set-based, then commit through the services."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import Capability
from hris.accounts.scopes import scope_q
from hris.core.errors import DomainError
from hris.core.protected import keyed_digest
from hris.org.models import Company, Department, Position
from hris.org.selectors import DEPARTMENT_SCOPE_FIELDS
from hris.people.choices import EmployeeStatus
from hris.people.importing.columns import EMPLOYEE_COLUMNS, ColumnMapping, map_columns
from hris.people.importing.graph import nodes_on_cycles, parents_first
from hris.people.importing.lookups import DepartmentIndex, NotResolved, PositionIndex
from hris.people.importing.reading import Sheet
from hris.people.importing.results import CREATE, UNCHANGED, UPDATE, CommitFailed, Outcome, RowResult, messages_from_exception
from hris.people.importing.values import CellError, cell_text, parse_choice, parse_date
from hris.people.models import Employee
from hris.people.models_import import ImportMode
from hris.people.services import employee_create, employee_update
from hris.people.validation import email_error, id_number_error, normalize_phone, phone_error, reporting_cycle

Progress = Callable[[int], None]

TEXT_LIMITS = {
    name: Employee._meta.get_field(name).max_length
    for name in ("employee_number", "name", "english_name", "work_location", "email", "phone")
}
# Fields compared with the stored employee to tell an update from an unchanged row.
PLAIN_FIELDS = (
    "name",
    "english_name",
    "gender",
    "birth_date",
    "hire_date",
    "probation_end_date",
    "employment_type",
    "phone",
    "email",
    "work_location",
)
CURRENT_FIELDS = ("id", *PLAIN_FIELDS, "department_id", "position_id", "manager_id", "status", "id_number_digest")


def _chunks(items: list, size: int = 500):  # noqa: ANN202
    for start in range(0, len(items), size):
        yield items[start : start + size]


class EmployeeImport:
    """Everything validation compares against, loaded once: departments, positions, the
    company's employees with their reporting lines, ID-number digests and the actor's scope."""

    def __init__(self, *, actor: Any, company: Company, mode: str):
        self.actor, self.company, self.mode = actor, company, mode
        self.departments = DepartmentIndex(company)
        self.positions = PositionIndex(company)
        self.existing: dict[str, dict] = {}
        self.number_of_id: dict[int, str] = {}
        self.numbers_by_name: dict[str, list[str]] = defaultdict(list)
        self.digest_owner: dict[str, str] = {}
        for employee_id, number, manager_id, status, name, digest in Employee.objects.filter(company=company).values_list(
            "id", "employee_number", "manager_id", "status", "name", "id_number_digest"
        ):
            self.existing[number] = {"id": employee_id, "manager_id": manager_id, "status": status, "name": name}
            self.number_of_id[employee_id] = number
            self.numbers_by_name[name].append(number)
            if digest:
                self.digest_owner[digest] = number
        self.changeable_department_ids = set(
            Department.objects.filter(company=company)
            .filter(scope_q(actor, Capability.CHANGE_EMPLOYEES, **DEPARTMENT_SCOPE_FIELDS))
            .values_list("id", flat=True)
        )
        self.changeable_employee_ids = set(
            Employee.objects.filter(company=company).filter(scope_q(actor, Capability.CHANGE_EMPLOYEES)).values_list("id", flat=True)
        )
        self.current: dict[int, dict] = {}

    # ---- validation ---------------------------------------------------------------

    def required_columns(self) -> set[str]:
        if self.mode == ImportMode.UPDATE:
            return {"employee_number"}
        return {column.key for column in EMPLOYEE_COLUMNS if column.required}

    def validate(self, sheet: Sheet, *, on_progress: Progress | None = None) -> Outcome:
        mapping = map_columns(sheet.headers, EMPLOYEE_COLUMNS, required=self.required_columns())
        outcome = Outcome(columns=dict(mapping.header_of))
        if mapping.unknown:
            outcome.warnings.append(
                _("These columns are not recognised and are ignored: %(columns)s.")
                % {"columns": ", ".join(f"“{name}”" for name in mapping.unknown)}
            )
        if mapping.errors:
            outcome.file_errors.extend(mapping.errors)
            return outcome
        self._load_current(sheet, mapping)
        for index, (row_number, values) in enumerate(sheet.rows, start=1):
            outcome.rows.append(self._check_row(row_number, values, mapping))
            if on_progress is not None:
                on_progress(index)
        self._check_across_rows(outcome.rows, mapping)
        for row in outcome.rows:
            row.finish(row.plan.pop("_action", CREATE))
        return outcome

    def _load_current(self, sheet: Sheet, mapping: ColumnMapping) -> None:
        """Stored values of the employees this file updates, a few hundred per query."""
        if self.mode == ImportMode.CREATE:
            return
        column = mapping.by_key["employee_number"]
        ids = sorted({self.existing[number]["id"] for _row, values in sheet.rows if (number := cell_text(values[column])) in self.existing})
        for chunk in _chunks(ids):
            for values in Employee.objects.filter(pk__in=chunk).values(*CURRENT_FIELDS):
                self.current[values["id"]] = values

    def _check_row(self, row_number: int, values: list[object], mapping: ColumnMapping) -> RowResult:
        header = mapping.header_of
        result = RowResult(row_number)

        def raw(key: str) -> object:
            index = mapping.by_key.get(key)
            return values[index] if index is not None else None

        def problem(key: str, message: str) -> None:
            result.errors.append(f"{header.get(key, key)}: {message}")

        texts = {key: cell_text(values[index]) for key, index in mapping.by_key.items()}
        number = texts.get("employee_number", "")
        result.key = number
        existing = self.existing.get(number) if number else None
        is_update = existing is not None and self.mode != ImportMode.CREATE
        current = self.current.get(existing["id"], {}) if is_update else {}
        result.label = f"{number} {texts.get('name') or (existing or {}).get('name', '')}".strip()

        if not number:
            problem("employee_number", _("This field is required."))
        elif len(number) > TEXT_LIMITS["employee_number"]:
            problem("employee_number", _("At most %(limit)d characters.") % {"limit": TEXT_LIMITS["employee_number"]})
        elif existing is not None and self.mode == ImportMode.CREATE:
            problem(
                "employee_number",
                _("The employee number “%(number)s” already exists (%(name)s). To change existing employees, import in an update mode.")
                % {"number": number, "name": existing["name"]},
            )
        elif existing is None and self.mode == ImportMode.UPDATE:
            problem(
                "employee_number",
                _("No employee has the number “%(number)s”; this mode only updates existing employees.") % {"number": number},
            )

        plan: dict[str, Any] = {}
        if not is_update:
            for key in ("name", "department", "hire_date"):
                if key in header and not texts.get(key):
                    problem(key, _("This field is required."))
        for key in ("name", "english_name", "work_location"):
            if texts.get(key):
                if len(texts[key]) > TEXT_LIMITS[key]:
                    problem(key, _("At most %(limit)d characters.") % {"limit": TEXT_LIMITS[key]})
                else:
                    plan[key] = texts[key]
        if texts.get("department"):
            try:
                plan["department_id"] = self.departments.resolve(texts["department"]).id
            except NotResolved as unresolved:
                problem("department", str(unresolved))
        if texts.get("position"):
            try:
                plan["position_id"] = self.positions.resolve(texts["position"]).id
            except NotResolved as unresolved:
                problem("position", str(unresolved))
        if texts.get("manager"):
            plan["manager_number"] = texts["manager"]
        for key in ("hire_date", "probation_end_date", "birth_date"):
            try:
                parsed = parse_date(raw(key)) if key in header else None
            except CellError as bad_value:
                problem(key, str(bad_value))
            else:
                if parsed is not None:
                    plan[key] = parsed
        for key in ("employment_type", "status", "gender"):
            try:
                code = parse_choice(raw(key), key) if key in header else None
            except CellError as bad_value:
                problem(key, str(bad_value))
            else:
                if code is not None:
                    plan[key] = code
        if isinstance(raw("id_number"), int | float) and not isinstance(raw("id_number"), bool):
            # Excel keeps 15 significant digits: an 18-digit ID typed into a number cell is already damaged.
            problem(
                "id_number",
                _("The ID number is stored as a number, which loses its last digits; format the column as text and type it again."),
            )
            texts.pop("id_number", None)
        self._check_contact(texts, plan, is_update, problem, result, header)
        self._check_rules(plan, current, is_update, problem)
        self._check_scope(plan, existing, current, is_update, result, problem)

        if is_update:
            changes = self._changes(plan, current)
            result.plan = {"employee_id": existing["id"], "changes": changes, "_action": UPDATE if changes else UNCHANGED}
        else:
            result.plan = {**plan, "employee_number": number, "_action": CREATE}
        result.plan["is_update"] = is_update
        return result

    def _check_contact(self, texts: dict, plan: dict, is_update: bool, problem: Callable, result: RowResult, header: dict) -> None:
        masked_note = _("the masked value (with *) was left unchanged.")
        phone = normalize_phone(texts.get("phone", ""))
        email = texts.get("email", "").strip()
        id_number = texts.get("id_number", "").replace(" ", "").upper()
        for key, value in (("phone", phone), ("email", email), ("id_number", id_number)):
            if value and "*" in value and is_update:
                result.warnings.append(f"{header.get(key, key)}: {masked_note}")
        if phone and not ("*" in phone and is_update):
            message = phone_error(phone) or (
                _("At most %(limit)d characters.") % {"limit": TEXT_LIMITS["phone"]} if len(phone) > TEXT_LIMITS["phone"] else None
            )
            if message:
                problem("phone", message)
            else:
                plan["phone"] = phone
        if email and not ("*" in email and is_update):
            message = email_error(email) or (
                _("At most %(limit)d characters.") % {"limit": TEXT_LIMITS["email"]} if len(email) > TEXT_LIMITS["email"] else None
            )
            if message:
                problem("email", message)
            else:
                plan["email"] = email
        if id_number and not ("*" in id_number and is_update):
            message = id_number_error(id_number)
            if message:
                problem("id_number", message)
            else:
                plan["id_number"] = id_number
                plan["_digest"] = keyed_digest(id_number)

    def _check_rules(self, plan: dict, current: dict, is_update: bool, problem: Callable) -> None:
        status = plan.get("status")
        if status == EmployeeStatus.TERMINATED and not is_update:
            problem("status", _("A new employee cannot be imported as terminated."))
        if is_update and status and status != current.get("status"):
            problem(
                "status",
                _("An import cannot change the status (now “%(current)s”); confirm probation, leave or termination on the employee's page.")
                % {"current": EmployeeStatus(current["status"]).label},
            )
        hire_date = plan.get("hire_date") or current.get("hire_date")
        probation_end = plan.get("probation_end_date") or current.get("probation_end_date")
        if hire_date and probation_end and probation_end < hire_date:
            problem("probation_end_date", _("Probation cannot end before the hire date."))
        birth_date = plan.get("birth_date")
        if birth_date and birth_date > timezone.localdate():
            problem("birth_date", _("The birth date is in the future."))
        elif birth_date and hire_date and birth_date >= hire_date:
            problem("birth_date", _("The birth date must be before the hire date."))

    def _check_scope(self, plan: dict, existing: dict | None, current: dict, is_update: bool, result: RowResult, problem: Callable) -> None:
        department_id = plan.get("department_id")
        department_name = self.departments.by_id[department_id].full_name if department_id else ""
        if is_update:
            if existing["id"] not in self.changeable_employee_ids:
                problem("employee_number", _("You are not allowed to change %(employee)s.") % {"employee": result.label})
            elif department_id and department_id != current.get("department_id") and department_id not in self.changeable_department_ids:
                problem("department", _("You are not allowed to move employees to “%(department)s”.") % {"department": department_name})
        elif department_id and department_id not in self.changeable_department_ids:
            problem("department", _("You are not allowed to add employees to “%(department)s”.") % {"department": department_name})

    def _changes(self, plan: dict, current: dict) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key in PLAIN_FIELDS:
            if key in plan and plan[key] != current.get(key):
                changes[key] = plan[key]
        for key in ("department_id", "position_id"):
            if key in plan and plan[key] != current.get(key):
                changes[key] = plan[key]
        if "manager_number" in plan and plan["manager_number"] != self.number_of_id.get(current.get("manager_id")):
            changes["manager_number"] = plan["manager_number"]
        if "id_number" in plan and plan["_digest"] != current.get("id_number_digest"):
            changes["id_number"] = plan["id_number"]
            changes["_digest"] = plan["_digest"]
        return changes

    def _check_across_rows(self, rows: list[RowResult], mapping: ColumnMapping) -> None:
        """Duplicates, managers and reporting-line cycles: checks no single row can make."""
        header = mapping.header_of

        def problem(row: RowResult, key: str, message: str) -> None:
            row.errors.append(f"{header.get(key, key)}: {message}")

        rows_by_number: dict[str, list[RowResult]] = defaultdict(list)
        for row in rows:
            if row.key:
                rows_by_number[row.key].append(row)
        for number, same in rows_by_number.items():
            if len(same) > 1:
                listed = ", ".join(str(row.row_number) for row in same)
                for row in same:
                    problem(
                        row,
                        "employee_number",
                        _("The employee number “%(number)s” appears more than once in this file (rows %(rows)s).")
                        % {"number": number, "rows": listed},
                    )

        self._check_id_numbers(rows, problem)

        # The reporting lines as they would be after the import: stored ones, replaced by the file's.
        manager_of: dict[str, str | None] = {
            number: self.number_of_id.get(values["manager_id"]) for number, values in self.existing.items()
        }
        file_numbers = {number for number, same in rows_by_number.items() if len(same) == 1}
        for row in rows:
            if row.key not in file_numbers:
                continue
            proposed = self._proposed_manager(row)
            if proposed is not _UNCHANGED:
                manager_of[row.key] = proposed
        for row in rows:
            manager_number = self._proposed_manager(row)
            if manager_number in (None, _UNCHANGED):
                continue
            if manager_number == row.key:
                problem(row, "manager", _("An employee cannot be their own manager."))
            elif manager_number in file_numbers or manager_number in rows_by_number:
                continue
            elif manager_number in self.existing:
                if self.existing[manager_number]["status"] == EmployeeStatus.TERMINATED:
                    problem(row, "manager", _("The manager “%(number)s” has left the company.") % {"number": manager_number})
            else:
                message = _("Unknown manager “%(number)s”: no employee has this number, in this file or in the company.") % {
                    "number": manager_number
                }
                if manager_number in self.numbers_by_name:
                    message += " " + _("“%(name)s” is the name of %(numbers)s; write the employee number.") % {
                        "name": manager_number,
                        "numbers": ", ".join(self.numbers_by_name[manager_number]),
                    }
                problem(row, "manager", message)

        cyclic = nodes_on_cycles(manager_of)
        for row in rows:
            if row.key in cyclic and row.key in file_numbers and manager_of.get(row.key) != row.key:
                cycle = reporting_cycle(row.key, manager_of[row.key], manager_of) or [row.key]
                problem(
                    row, "manager", _("This reporting line forms a cycle: %(cycle)s.") % {"cycle": " → ".join(str(key) for key in cycle)}
                )

    def _check_id_numbers(self, rows: list[RowResult], problem: Callable) -> None:
        rows_by_digest: dict[str, list[RowResult]] = defaultdict(list)
        for row in rows:
            digest = (row.plan.get("changes", {}) if row.plan.get("is_update") else row.plan).get("_digest")
            if digest:
                rows_by_digest[digest].append(row)
        for digest, same in rows_by_digest.items():
            if len(same) > 1:
                listed = ", ".join(str(row.row_number) for row in same)
                for row in same:
                    problem(row, "id_number", _("The same ID number appears in rows %(rows)s.") % {"rows": listed})
            owner = self.digest_owner.get(digest)
            for row in same:
                if owner is not None and owner != row.key:
                    problem(row, "id_number", _("Another employee already has this ID number."))

    @staticmethod
    def _proposed_manager(row: RowResult) -> object:
        if row.plan.get("is_update"):
            return row.plan["changes"].get("manager_number", _UNCHANGED)
        return row.plan.get("manager_number")

    # ---- commit ---------------------------------------------------------------------

    def commit(self, outcome: Outcome, *, reason: str, on_progress: Progress | None = None) -> dict[str, int]:
        """Create and update through the services, managers before their reports. Must run
        inside the caller's transaction: the first refusal raises CommitFailed."""
        rows = [row for row in outcome.rows if row.action in (CREATE, UPDATE)]
        rows_by_number = {row.key: row for row in rows}
        order = parents_first(rows_by_number, {row.key: self._proposed_manager(row) for row in rows})
        plans = [row.plan if not row.plan["is_update"] else row.plan["changes"] for row in rows]
        departments = Department.objects.in_bulk({plan["department_id"] for plan in plans if plan.get("department_id")})
        positions = Position.objects.in_bulk({plan["position_id"] for plan in plans if plan.get("position_id")})
        wanted_ids = {row.plan["employee_id"] for row in rows if row.plan["is_update"]}
        wanted_ids |= {self.existing[plan["manager_number"]]["id"] for plan in plans if plan.get("manager_number") in self.existing}
        employees = Employee.objects.in_bulk(wanted_ids)
        by_number = {employee.employee_number: employee for employee in employees.values()}
        counts = {CREATE: 0, UPDATE: 0}
        for done, number in enumerate(order, start=1):
            row = rows_by_number[number]
            plan = row.plan["changes"] if row.plan["is_update"] else row.plan
            fields: dict[str, Any] = {key: value for key, value in plan.items() if not key.startswith("_") and key not in _REFERENCES}
            if plan.get("department_id"):
                fields["department"] = departments[plan["department_id"]]
            if plan.get("position_id"):
                fields["position"] = positions[plan["position_id"]]
            if plan.get("manager_number"):
                fields["manager"] = by_number[plan["manager_number"]]
            try:
                if row.plan["is_update"]:
                    employee_update(actor=self.actor, employee=employees[row.plan["employee_id"]], reason=reason, **fields)
                    counts[UPDATE] += 1
                else:
                    created = employee_create(actor=self.actor, company=self.company, **fields)
                    by_number[created.employee_number] = created
                    counts[CREATE] += 1
            except (DomainError, ValidationError, DatabaseError, KeyError) as refused:
                raise CommitFailed(row.row_number, messages_from_exception(refused, outcome.columns))
            if on_progress is not None:
                on_progress(done)
        return counts


_UNCHANGED = object()
_REFERENCES = {"department_id", "position_id", "manager_number", "employee_id", "is_update"}
