"""External identities: how other systems name employees (a Jira accountId, a DingTalk userId …).

Ingestion and connectors resolve records through them. HR maps them one by one, by CSV upload or
through the API (bulk upsert); every change is audited. An employee has at most one identity per
system, and an identity belongs to at most one employee of the company.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hris.audit.services import audit_batch, audit_record
from hris.core.errors import DomainError, PermissionDenied
from hris.integrations.selectors import integration_company_ids
from hris.org.models import Company
from hris.people.models import Employee, ExternalIdentity

SYSTEM_LIMIT = ExternalIdentity._meta.get_field("system").max_length
EXTERNAL_ID_LIMIT = ExternalIdentity._meta.get_field("external_id").max_length
MAX_ROWS = 10_000
CSV_HEADERS = {
    "employee_number": ("employee_number", "employee number", "number", "工号", "员工编号"),
    "system": ("system", "系统"),
    "external_id": ("external_id", "external id", "id", "外部id", "外部账号", "外部标识"),
}


def identities_visible_to(actor: Any) -> QuerySet[ExternalIdentity]:
    companies = integration_company_ids(actor)
    identities = ExternalIdentity.objects.select_related("employee", "company")
    return identities if companies is None else identities.filter(company_id__in=companies)


def _require_manager(actor: Any, company: Company) -> None:
    companies = integration_company_ids(actor)
    if companies is not None and company.pk not in companies:
        raise PermissionDenied(_("You are not allowed to manage external identities of %(company)s.") % {"company": company})


def _clean(system: Any, external_id: Any) -> tuple[str, str, dict[str, list[str]]]:
    system_text = "" if system is None else str(system).strip().lower()
    identifier = "" if external_id is None else str(external_id).strip()
    problems: dict[str, list[str]] = {}
    if not system_text:
        problems["system"] = [_("This field is required.")]
    elif len(system_text) > SYSTEM_LIMIT:
        problems["system"] = [_("Keep it under %(limit)s characters.") % {"limit": SYSTEM_LIMIT}]
    if not identifier:
        problems["external_id"] = [_("This field is required.")]
    elif len(identifier) > EXTERNAL_ID_LIMIT:
        problems["external_id"] = [_("Keep it under %(limit)s characters.") % {"limit": EXTERNAL_ID_LIMIT}]
    return system_text, identifier, problems


def _snapshot(identity: ExternalIdentity) -> dict[str, Any]:
    return {"employee_id": identity.employee_id, "system": identity.system, "external_id": identity.external_id}


@transaction.atomic
def external_identity_create(*, actor: Any, employee: Employee, system: Any, external_id: Any) -> ExternalIdentity:
    company = employee.company
    _require_manager(actor, company)
    system_text, identifier, problems = _clean(system, external_id)
    if problems:
        raise DomainError(_("The identity is not valid."), code="validation_error", field_errors=problems)
    taken = ExternalIdentity.objects.filter(company=company, system=system_text, external_id=identifier).select_related("employee").first()
    if taken is not None:
        message = _("%(system)s identity “%(id)s” is already mapped to %(employee)s.") % {
            "system": system_text,
            "id": identifier,
            "employee": taken.employee,
        }
        raise DomainError(message, code="identity_taken", field_errors={"external_id": [message]})
    if ExternalIdentity.objects.filter(employee=employee, system=system_text).exists():
        message = _("%(employee)s already has a %(system)s identity; change that one instead.") % {
            "employee": employee,
            "system": system_text,
        }
        raise DomainError(message, code="employee_mapped", field_errors={"system": [message]})
    identity = ExternalIdentity(company=company, employee=employee, system=system_text, external_id=identifier)
    identity.full_clean()
    identity.save()
    audit_record(
        actor=actor,
        action="integrations.external_identity_created",
        target=identity,
        after=_snapshot(identity),
        company_id=company.pk,
        subject_employee_id=employee.pk,
    )
    return identity


@transaction.atomic
def external_identity_delete(*, actor: Any, identity: ExternalIdentity) -> None:
    _require_manager(actor, identity.company)
    before = _snapshot(identity)
    audit_record(
        actor=actor,
        action="integrations.external_identity_deleted",
        target=identity,
        before=before,
        company_id=identity.company_id,
        subject_employee_id=identity.employee_id,
    )
    identity.delete()


@dataclass
class RowOutcome:
    index: int  # position in the input (for a CSV: the line number)
    status: str  # created, updated, unchanged, rejected
    errors: dict[str, list[str]] = field(default_factory=dict)
    identity_id: int | None = None


@dataclass
class UpsertResult:
    rows: list[RowOutcome]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in ("created", "updated", "unchanged", "rejected")}


@transaction.atomic
def external_identities_upsert(*, actor: Any, company: Company, rows: list[dict], first_index: int = 0) -> UpsertResult:
    """Each row: employee (number or id), system, external id. The employee's identity in that system is
    created or changed to the id given; a row whose id belongs to another employee is rejected."""
    _require_manager(actor, company)
    if len(rows) > MAX_ROWS:
        message = _("At most %(limit)s rows at once.") % {"limit": f"{MAX_ROWS:,}"}
        raise DomainError(message, code="too_many_rows", field_errors={"rows": [message]})
    numbers = {str(row.get("employee_number")).strip() for row in rows if isinstance(row, dict) and row.get("employee_number")}
    ids = {row.get("employee_id") for row in rows if isinstance(row, dict) and isinstance(row.get("employee_id"), int)}
    employees = Employee.objects.filter(company=company)
    by_number = dict(employees.filter(employee_number__in=numbers).values_list("employee_number", "id")) if numbers else {}
    known_ids = set(employees.filter(pk__in=ids).values_list("id", flat=True)) if ids else set()
    existing = list(ExternalIdentity.objects.filter(company=company))
    by_key = {(identity.system, identity.external_id): identity for identity in existing}
    by_employee = {(identity.employee_id, identity.system): identity for identity in existing}
    outcomes: list[RowOutcome] = []
    with audit_batch():
        for position, row in enumerate(rows):
            outcome = RowOutcome(first_index + position, "rejected")
            outcomes.append(outcome)
            if not isinstance(row, dict):
                outcome.errors = {"row": [_("A row must be an object with employee_number, system and external_id.")]}
                continue
            system, identifier, problems = _clean(row.get("system"), row.get("external_id"))
            employee_id = None
            number = str(row.get("employee_number") or "").strip()
            if number:
                employee_id = by_number.get(number)
                if employee_id is None:
                    problems["employee_number"] = [_("No employee has the number “%(number)s”.") % {"number": number}]
            elif isinstance(row.get("employee_id"), int):
                employee_id = row["employee_id"] if row["employee_id"] in known_ids else None
                if employee_id is None:
                    problems["employee_id"] = [_("No employee has the id %(id)s.") % {"id": row["employee_id"]}]
            else:
                problems["employee_number"] = [_("This field is required.")]
            if problems:
                outcome.errors = problems
                continue
            holder = by_key.get((system, identifier))
            if holder is not None and holder.employee_id != employee_id:
                outcome.errors = {
                    "external_id": [
                        _("%(system)s identity “%(id)s” is already mapped to another employee.") % {"system": system, "id": identifier}
                    ]
                }
                continue
            current = by_employee.get((employee_id, system))
            if current is not None and current.external_id == identifier:
                outcome.status, outcome.identity_id = "unchanged", current.pk
                continue
            if current is not None:
                before = _snapshot(current)
                del by_key[(current.system, current.external_id)]
                current.external_id = identifier
                current.full_clean()
                current.save(update_fields=["external_id", "updated_at"])
                identity, outcome.status, action = current, "updated", "integrations.external_identity_changed"
            else:
                before = None
                identity = ExternalIdentity(company=company, employee_id=employee_id, system=system, external_id=identifier)
                identity.full_clean(validate_unique=False, validate_constraints=False)
                identity.save()
                outcome.status, action = "created", "integrations.external_identity_created"
            by_key[(system, identifier)] = identity
            by_employee[(employee_id, system)] = identity
            outcome.identity_id = identity.pk
            audit_record(
                actor=actor,
                action=action,
                target=identity,
                before=before,
                after=_snapshot(identity),
                company_id=company.pk,
                subject_employee_id=employee_id,
            )
    return UpsertResult(outcomes)


def read_identity_csv(content: bytes) -> tuple[list[dict], list[str]]:
    """Rows (with their line numbers) from a CSV of employee number, system, external id; file problems."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            return [], [_("The file is not a text (CSV) file in UTF-8 or GB18030.")]
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], [_("The file is empty.")]
    column_of: dict[str, int] = {}
    for position, name in enumerate(header):
        normalized = name.strip().lower()
        for key, spellings in CSV_HEADERS.items():
            if normalized in spellings and key not in column_of:
                column_of[key] = position
    missing = [key for key in CSV_HEADERS if key not in column_of]
    if missing:
        return [], [
            _("The header must name the columns employee_number, system and external_id; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        ]
    rows: list[dict] = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            row = {key: (values[position] if position < len(values) else "") for key, position in column_of.items()}
            row["line"] = reader.line_num
            rows.append(row)
    except csv.Error as error:
        return [], [_("The file could not be read as CSV: %(error)s") % {"error": error}]
    if len(rows) > MAX_ROWS:
        return [], [_("At most %(limit)s rows at once.") % {"limit": f"{MAX_ROWS:,}"}]
    return rows, []
