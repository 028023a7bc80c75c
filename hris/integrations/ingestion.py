"""Metric records pushed by other systems: one batch of up to 10,000 records per request.

The same contract as the KPI submit service (hris/kpi/services/metrics.py, DESIGN.md §7):
idempotent on (company, source, external id) — the same record again is a duplicate and writes
nothing, a changed value, period or owner supersedes the current row, which stays as history —
and every record is validated on its own, so a rejected record never blocks the valid ones.

What differs is the speed the ingestion API needs (tens of thousands of records per second,
DESIGN.md §8), so the whole path is set-based: one pass of plain Python over the records, one
query per kind of owner reference, one query per source for the current records, ids taken
from the sequence in one query, one UPDATE for the replaced rows and one COPY (PostgreSQL) or
executemany (SQLite) for the new ones. The supersede chain is written in its final state at
once: foreign keys are deferred to the commit, and the replaced rows step back before the new
current rows arrive, so the "one current row per external id" constraint holds at every step.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hris.accounts.roles import ROLE_CAPABILITIES, Capability, ScopeType
from hris.accounts.scopes import grants_of, scope_q
from hris.audit.services import audit_record
from hris.core.errors import Conflict, DomainError, PermissionDenied
from hris.integrations.choices import BatchStatus
from hris.integrations.models import IngestionBatch
from hris.kpi import recompute
from hris.kpi.importing.common import LARGEST_STORED, LOOKUP_CHUNK, STORED_INTEGER_DIGITS, STORED_PLACES, chunked, parse_number
from hris.kpi.models import MetricRecord
from hris.kpi.permissions import EMPLOYEE_SCOPE_FIELDS
from hris.org.models import Company, Department
from hris.org.selectors import DEPARTMENT_SCOPE_FIELDS
from hris.people.importing.values import CellError, parse_date
from hris.people.models import Employee
from hris.people.selectors import employee_ids_by_external_identity

MAX_RECORDS = 10_000
ATTEMPTS = 3
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
LIMITS = {name: MetricRecord._meta.get_field(name).max_length for name in ("metric_key", "source", "external_id", "note")}
SYSTEM_MAX_LENGTH = 40
FAST_KEYS = frozenset(("employee", "metric_key", "date", "value", "external_id"))
FAST_INTEGER_LIMIT = 10**15  # whole numbers below this fit the stored column as they are
INSERT_COLUMNS = (
    "id",
    "company_id",
    "employee_id",
    "department_id",
    "metric_key",
    "period_start",
    "period_end",
    "value",
    "source",
    "external_id",
    "is_current",
    "superseded_by_id",
    "superseded_at",
    "recorded_at",
    "entered_by_id",
    "batch_id",
    "note",
)

COPY_TYPES = {
    "id": "bigint",
    "company_id": "bigint",
    "employee_id": "bigint",
    "department_id": "bigint",
    "metric_key": "varchar",
    "period_start": "date",
    "period_end": "date",
    "value": "numeric",
    "source": "varchar",
    "external_id": "varchar",
    "is_current": "bool",
    "superseded_by_id": "bigint",
    "superseded_at": "timestamptz",
    "recorded_at": "timestamptz",
    "entered_by_id": "bigint",
    "batch_id": "uuid",
    "note": "varchar",
}


@dataclass(slots=True)
class _Record:
    """A valid record, owner resolved: what gets stored."""

    index: int
    employee_id: int | None
    department_id: int | None
    metric_key: str
    period_start: date
    period_end: date
    value: Decimal
    source: str
    external_id: str
    note: str

    def content(self) -> tuple:
        return self.employee_id, self.department_id, self.metric_key, self.period_start, self.period_end, self.value


class _Errors:
    """Per-record problems in the order found: {index, field, code, message}."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.rejected: set[int] = set()

    def add(self, index: int, field: str, code: str, message: str) -> None:
        self.items.append({"index": index, "field": field, "code": code, "message": message})
        self.rejected.add(index)


# ---------------------------------------------------------------------------------------------
# Who may send, for which company


def _companies_with_metric_grant(actor: Any) -> tuple[set[int], set[int]] | None:
    """(companies with any WRITE_METRICS grant, companies with it company-wide); None: every company."""
    if actor is None or getattr(actor, "is_superuser", False):
        return None
    anywhere, whole = set(), set()
    for grant in grants_of(actor):
        if Capability.WRITE_METRICS in ROLE_CAPABILITIES.get(grant.role, ()):
            anywhere.add(grant.company_id)
            if grant.scope_type == ScopeType.COMPANY:
                whole.add(grant.company_id)
    return anywhere, whole


def ingestion_company(*, actor: Any, code: Any) -> Company:
    """The company a batch is for: by code, or the only one the sender may write metrics in."""
    grants = _companies_with_metric_grant(actor)
    if code not in (None, ""):
        company = Company.objects.filter(code=str(code)).first()
        if company is None:
            message = _("No company has the code “%(code)s”.") % {"code": code}
            raise DomainError(message, code="unknown_company", field_errors={"company": [message]})
        if grants is not None and company.pk not in grants[0]:
            raise PermissionDenied(_("You are not allowed to write metric records for %(company)s.") % {"company": company})
        return company
    candidates = None if grants is None else grants[0]
    if candidates is not None and len(candidates) == 1:
        return Company.objects.get(pk=next(iter(candidates)))
    if candidates == set():
        raise PermissionDenied(_("You are not allowed to write metric records."))
    message = _("Name the company by its code: you may write metric records for more than one.")
    raise DomainError(message, code="company_required", field_errors={"company": [message]})


# ---------------------------------------------------------------------------------------------
# Reading the records


class _Reader:
    """One pass over the raw records: owner references, fields checked, values parsed."""

    def __init__(self, source: str, errors: _Errors):
        self.default_source = source
        self.errors = errors
        self.dates: dict[Any, date | None] = {}
        self.good_slugs: set[str] = set()
        self.rows: list[tuple] = []  # (index, owner kind, owner value, metric key, start, end, value, source, external id, note)

    def read(self, records: list) -> None:
        add = self.errors.add
        fast = self._fast
        rows = self.rows
        for index, record in enumerate(records):
            if type(record) is dict:
                row = fast(index, record)
                if row is not None:
                    rows.append(row)
                    continue
            if type(record) is not dict:
                add(index, "record", "invalid_record", _("A record must be an object with an owner, a metric key, a value and a date."))
                continue
            failed = len(self.errors.items)
            kind, owner = self._owner(index, record)
            metric_key = self._slug(index, record.get("metric_key"), "metric_key", required=True)
            source = record.get("source")
            source = self.default_source if source in (None, "") else self._slug(index, source, "source", required=True)
            external_id = self._text(index, record.get("external_id"), "external_id")
            note = self._text(index, record.get("note"), "note")
            value = self._value(index, record.get("value"))
            start, end = self._period(index, record)
            if len(self.errors.items) == failed:
                self.rows.append((index, kind, owner, metric_key, start, end, value, source, external_id, note))

    def _fast(self, index: int, record: dict) -> tuple | None:
        """The common record (plain values already seen in this batch) without the general checks; None: read it in full.

        Only what the full reading would accept unchanged passes here, so both ways give the same row."""
        if not record.keys() <= FAST_KEYS:
            return None
        employee, metric_key, day, value = record.get("employee"), record.get("metric_key"), record.get("date"), record.get("value")
        external_id = record.get("external_id", "")
        if (
            type(employee) is not dict
            or len(employee) != 1
            or type(metric_key) is not str
            or metric_key not in self.good_slugs
            or type(day) is not str
            or type(value) is not int
            or not -FAST_INTEGER_LIMIT < value < FAST_INTEGER_LIMIT
            or type(external_id) is not str
            or len(external_id) > LIMITS["external_id"]
            or external_id.strip() != external_id
        ):
            return None
        day = self.dates.get(day)
        if day is None:
            return None
        ((kind, owner),) = employee.items()
        if kind == "id":
            if type(owner) is not int:
                return None
        elif kind == "number":
            if type(owner) is not str or not owner or owner.strip() != owner:
                return None
        elif kind == "external":
            if type(owner) is not dict or len(owner) != 2:
                return None
            system, identifier = owner.get("system"), owner.get("id")
            if (
                type(system) is not str
                or type(identifier) is not str
                or not system
                or not identifier
                or len(system) > SYSTEM_MAX_LENGTH
                or system.strip() != system
                or identifier.strip() != identifier
            ):
                return None
            owner = (system, identifier)
        else:
            return None
        number = Decimal(value).quantize(STORED_PLACES)
        return index, kind, owner, metric_key, day, day, number, self.default_source, external_id, ""

    def _owner(self, index: int, record: dict) -> tuple[str, Any]:
        employee, department = record.get("employee"), record.get("department")
        add = self.errors.add
        if employee is not None and department not in (None, ""):
            add(index, "employee", "ambiguous_owner", _("Give either an employee or a department, not both."))
            return "", None
        if department not in (None, ""):
            if type(department) is not str:
                add(index, "department", "invalid", _("The department is its code, a text."))
                return "", None
            return "department", department.strip()
        if employee is None:
            add(index, "employee", "required", _("Name the employee (id, number or external identity) or the department (code)."))
            return "", None
        if type(employee) is not dict or len(employee) != 1:
            add(
                index,
                "employee",
                "invalid",
                _("The employee is an object with exactly one of “id”, “number” or “external” ({“system”: …, “id”: …})."),
            )
            return "", None
        ((kind, value),) = employee.items()
        if kind == "id":
            if type(value) is int or (type(value) is str and value.isdigit()):
                return "id", int(value)
            add(index, "employee.id", "invalid", _("“%(value)s” is not an employee id.") % {"value": value})
        elif kind == "number":
            if type(value) in (str, int) and str(value).strip():
                return "number", str(value).strip()
            add(index, "employee.number", "invalid", _("The employee number must be a non-empty text."))
        elif kind == "external":
            system = value.get("system") if type(value) is dict else None
            identifier = value.get("id") if type(value) is dict else None
            if type(system) is str and system.strip() and len(system.strip()) <= SYSTEM_MAX_LENGTH and type(identifier) in (str, int):
                identifier = str(identifier).strip()
                if identifier:
                    return "external", (system.strip(), identifier)
            add(index, "employee.external", "invalid", _("An external identity is {“system”: “jira”, “id”: “…”}, both non-empty."))
        else:
            add(index, "employee", "invalid", _("Unknown employee reference “%(name)s”; use id, number or external.") % {"name": kind})
        return "", None

    def _slug(self, index: int, value: Any, name: str, *, required: bool) -> str:
        if type(value) is str and value in self.good_slugs:
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.errors.add(index, name, "required", _("This field is required."))
        elif len(text) > LIMITS[name] or not SLUG.fullmatch(text):
            message = _("Use at most %(limit)s letters, digits, hyphens or underscores.") % {"limit": LIMITS[name]}
            self.errors.add(index, name, "invalid", message)
        elif text == value:
            self.good_slugs.add(text)
        return text

    def _text(self, index: int, value: Any, name: str) -> str:
        if value is None:
            return ""
        text = value.strip() if type(value) is str else str(value).strip()
        if len(text) > LIMITS[name]:
            self.errors.add(index, name, "too_long", _("Keep it under %(limit)s characters.") % {"limit": LIMITS[name]})
        return text

    def _value(self, index: int, value: Any) -> Decimal | None:
        kind = type(value)
        try:
            if kind is int:
                number = Decimal(value)
            elif kind is float:
                number = Decimal(repr(value))
            elif kind is str and value.strip():
                try:
                    number = Decimal(value)
                except InvalidOperation:
                    number = parse_number(value)  # "1,234.5", full-width digits …
            elif value is None or value == "":
                self.errors.add(index, "value", "required", _("This field is required."))
                return None
            else:
                raise CellError(_("“%(value)s” is not a number.") % {"value": value})
            if not number.is_finite():
                raise CellError(_("“%(value)s” is not a number.") % {"value": value})
            if number.adjusted() >= STORED_INTEGER_DIGITS:
                raise CellError(_("“%(value)s” is not a number that fits: at most 16 digits before the decimal point.") % {"value": value})
            number = number.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)
            if abs(number) >= LARGEST_STORED:
                raise CellError(_("“%(value)s” is not a number that fits: at most 16 digits before the decimal point.") % {"value": value})
            return number
        except CellError as error:
            self.errors.add(index, "value", "invalid", str(error))
            return None

    def _date(self, index: int, record: dict, name: str) -> date | None:
        value = record.get(name)
        if value is None:
            return None
        try:
            return self.dates[value]
        except KeyError:
            pass
        except TypeError:  # unhashable (a list, an object)
            self.errors.add(index, name, "invalid", _("Write the date as 2024-03-01."))
            return None
        try:
            parsed = parse_date(value)
        except CellError as error:
            self.errors.add(index, name, "invalid", str(error))
            return None
        self.dates[value] = parsed
        return parsed

    def _period(self, index: int, record: dict) -> tuple[date | None, date | None]:
        failed = len(self.errors.items)
        day = self._date(index, record, "date")
        start, end = self._date(index, record, "period_start"), self._date(index, record, "period_end")
        if len(self.errors.items) != failed:
            return None, None
        add = self.errors.add
        if day is not None:
            if start is not None or end is not None:
                add(index, "date", "invalid_period", _("Give either a date or a period, not both."))
                return None, None
            return day, day
        if start is None or end is None:
            add(
                index,
                "period_end" if start else "period_start" if end else "date",
                "required",
                _("Give a date, or both period start and end."),
            )
        elif end < start:
            add(
                index,
                "period_end",
                "invalid_period",
                _("The period ends (%(end)s) before it starts (%(start)s).") % {"end": end, "start": start},
            )
        else:
            return start, end
        return None, None


# ---------------------------------------------------------------------------------------------
# Owners: one query per kind of reference


def _in_scope(actor: Any, queryset, fields: dict, ids: set[int]) -> set[int]:  # noqa: ANN001
    allowed: set[int] = set()
    condition = scope_q(actor, Capability.WRITE_METRICS, **fields)
    for chunk in chunked(sorted(ids)):
        allowed.update(queryset.filter(pk__in=chunk).filter(condition).values_list("id", flat=True))
    return allowed


class _Owners:
    def __init__(self, actor: Any, company: Company, rows: list[tuple], whole_company: bool):
        self.actor, self.company, self.whole_company = actor, company, whole_company
        wanted: dict[str, set] = {"id": set(), "number": set(), "department": set()}
        systems: dict[str, set[str]] = {}
        for row in rows:
            if row[1] == "external":
                systems.setdefault(row[2][0], set()).add(row[2][1])
            else:
                wanted[row[1]].add(row[2])
        employees = Employee.objects.filter(company=company)
        self.ids: set[int] = set()
        self.numbers: dict[str, int] = {}
        if connection.vendor == "postgresql":
            # One array parameter instead of thousands of placeholders to compile and bind.
            table = connection.ops.quote_name(Employee._meta.db_table)
            with connection.cursor() as cursor:
                if wanted["id"]:
                    cursor.execute(f"SELECT id FROM {table} WHERE company_id = %s AND id = ANY(%s)", [company.pk, list(wanted["id"])])
                    self.ids.update(row[0] for row in cursor.fetchall())
                if wanted["number"]:
                    cursor.execute(
                        f"SELECT employee_number, id FROM {table} WHERE company_id = %s AND employee_number = ANY(%s)",
                        [company.pk, list(wanted["number"])],
                    )
                    self.numbers.update(cursor.fetchall())
        else:
            for chunk in chunked(sorted(wanted["id"])):
                self.ids.update(employees.filter(pk__in=chunk).values_list("id", flat=True))
            for chunk in chunked(sorted(wanted["number"])):
                self.numbers.update(employees.filter(employee_number__in=chunk).values_list("employee_number", "id"))
        self.external: dict[tuple[str, str], int] = {}
        for system, identifiers in systems.items():
            for chunk in chunked(sorted(identifiers)):
                found = employee_ids_by_external_identity(company_id=company.pk, system=system, external_ids=chunk)
                self.external.update({(system, identifier): employee for identifier, employee in found.items()})
        self.departments: dict[str, int] = {}
        for chunk in chunked(sorted(wanted["department"])):
            self.departments.update(Department.objects.filter(company=company, code__in=chunk).values_list("code", "id"))
        self.employees_allowed: set[int] | None = None
        self.departments_allowed: set[int] | None = None
        if not whole_company:
            everyone = self.ids | set(self.numbers.values()) | set(self.external.values())
            self.employees_allowed = _in_scope(actor, Employee.objects.all(), EMPLOYEE_SCOPE_FIELDS, everyone)
            self.departments_allowed = _in_scope(actor, Department.objects.all(), DEPARTMENT_SCOPE_FIELDS, set(self.departments.values()))

    def resolve(self, index: int, kind: str, value: Any, errors: _Errors) -> tuple[int | None, int | None]:
        if kind == "department":
            department_id = self.departments.get(value)
            if department_id is None:
                errors.add(index, "department", "unknown_department", _("No department has the code “%(code)s”.") % {"code": value})
            elif self.departments_allowed is not None and department_id not in self.departments_allowed:
                errors.add(index, "department", "out_of_scope", _("You are not allowed to write metrics for this department."))
            else:
                return None, department_id
            return None, None
        if kind == "id":
            employee_id = value if value in self.ids else None
        elif kind == "number":
            employee_id = self.numbers.get(value)
        else:
            employee_id = self.external.get(value)
        if employee_id is not None and (self.employees_allowed is None or employee_id in self.employees_allowed):
            return employee_id, None
        field = f"employee.{kind}"
        if employee_id is not None:
            errors.add(index, field, "out_of_scope", _("You are not allowed to write metrics for this employee."))
        elif kind == "id":
            errors.add(index, field, "unknown_employee", _("No employee has the id %(id)s.") % {"id": value})
        elif kind == "number":
            errors.add(index, field, "unknown_employee", _("No employee has the number “%(number)s”.") % {"number": value})
        else:
            message = _("No employee is mapped to %(system)s identity “%(id)s”.") % {"system": value[0], "id": value[1]}
            errors.add(index, field, "unknown_external_identity", message)
        return None, None

    def forbidden(self, stored: dict[tuple[str, str], tuple]) -> set[int]:
        """Stored rows whose owner the sender may not write for: they cannot be superseded by it."""
        if self.whole_company or not stored:
            return set()
        employees = {row[1] for row in stored.values() if row[1] is not None}
        departments = {row[2] for row in stored.values() if row[2] is not None}
        allowed_employees = _in_scope(self.actor, Employee.objects.all(), EMPLOYEE_SCOPE_FIELDS, employees)
        allowed_departments = _in_scope(self.actor, Department.objects.all(), DEPARTMENT_SCOPE_FIELDS, departments)
        return {
            row[0]
            for row in stored.values()
            if (row[1] is not None and row[1] not in allowed_employees) or (row[2] is not None and row[2] not in allowed_departments)
        }


# ---------------------------------------------------------------------------------------------
# The current records of the batch's external ids


def _stored_records(company_id: int, keys: dict[str, set[str]]) -> dict[tuple[str, str], tuple]:
    """(source, external id) → (id, employee, department, metric key, start, end, value) of the current row."""
    found: dict[tuple[str, str], tuple] = {}
    table = connection.ops.quote_name(MetricRecord._meta.db_table)
    for source, external_ids in keys.items():
        if connection.vendor == "postgresql":
            # One array parameter, one index probe per id. Written as a lateral join on purpose: with
            # `external_id = ANY(…)` the planner weighs 10,000 probes against one sequential scan and, on a
            # table of a million rows, picks the scan (≈200 ms instead of ≈40 ms).
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT found.id, found.employee_id, found.department_id, found.metric_key, found.period_start, found.period_end, "
                    "found.value, found.external_id FROM unnest(%s::text[]) AS wanted(external_id) "
                    f"CROSS JOIN LATERAL (SELECT * FROM {table} WHERE company_id = %s AND source = %s AND is_current "
                    "AND external_id = wanted.external_id LIMIT 1) AS found",
                    [list(external_ids), company_id, source],
                )
                for *row, external_id in cursor.fetchall():
                    found[(source, external_id)] = tuple(row)
            continue
        for chunk in chunked(sorted(external_ids), LOOKUP_CHUNK):
            rows = MetricRecord.objects.filter(company_id=company_id, source=source, is_current=True, external_id__in=chunk).values_list(
                "id", "employee_id", "department_id", "metric_key", "period_start", "period_end", "value", "external_id"
            )
            for *row, external_id in rows:
                found[(source, external_id)] = tuple(row)
    return found


# ---------------------------------------------------------------------------------------------
# Writing


def _new_ids(count: int) -> list[int]:
    if count == 0:
        return []
    table = MetricRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the IMMEDIATE transaction holds the only write lock, so nobody else takes these ids.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0]
    return list(range(highest + 1, highest + 1 + count))


def _store(chains: dict[tuple[str, str], list], *, company_id: int, entered_by_id: int | None, batch_id: uuid.UUID) -> None:
    """chains: key → [stored row or None, new versions oldest first]. Written in their final state.

    Only rows that others point at (or that point at others) get their id up front; a record
    new to the system, the common case, takes its id from the column default."""
    linked_count = sum(len(versions) for stored, versions in chains.values() if stored is not None or len(versions) > 1)
    ids = iter(_new_ids(linked_count))
    now = timezone.now()
    operations = connection.ops
    moment = operations.adapt_datetimefield_value(now)
    batch = MetricRecord._meta.get_field("batch_id").get_db_prep_save(batch_id, connection)
    days: dict[date, Any] = {}
    for _stored, versions in chains.values():
        for record in versions:
            for day in (record.period_start, record.period_end):
                if day not in days:
                    days[day] = operations.adapt_datefield_value(day)

    plain: list[tuple] = []
    linked: list[tuple] = []
    retired: list[tuple[int, int]] = []  # (first successor, stored id)
    for stored, versions in chains.values():
        if stored is None and len(versions) == 1:
            record = versions[0]
            plain.append(
                (
                    company_id, record.employee_id, record.department_id, record.metric_key, days[record.period_start],
                    days[record.period_end], record.value, record.source, record.external_id, True, None, None, moment,
                    entered_by_id, batch, record.note,
                )
            )  # fmt: skip
            continue
        version_ids = [next(ids) for _version in versions]
        if stored is not None:
            retired.append((version_ids[0], stored[0]))
        last = len(versions) - 1
        for position, record in enumerate(versions):
            current = position == last
            linked.append(
                (
                    version_ids[position], company_id, record.employee_id, record.department_id, record.metric_key,
                    days[record.period_start], days[record.period_end], record.value, record.source, record.external_id, current,
                    None if current else version_ids[position + 1], None if current else moment, moment, entered_by_id, batch,
                    record.note,
                )
            )  # fmt: skip
    table = operations.quote_name(MetricRecord._meta.db_table)
    with connection.cursor() as cursor:
        if retired:
            _retire(cursor, table, retired, moment)
        for columns, rows in ((INSERT_COLUMNS[1:], plain), (INSERT_COLUMNS, linked)):
            if rows:
                _insert(cursor, table, columns, rows)


def _retire(cursor, table: str, retired: list[tuple[int, int]], moment: Any) -> None:  # noqa: ANN001
    """The replaced rows step back first; their successors arrive next, in this transaction."""
    if connection.vendor == "postgresql":
        cursor.execute(
            f"UPDATE {table} AS record SET is_current = false, superseded_by_id = retired.successor, superseded_at = %s "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS retired(successor, stored) "
            "WHERE record.id = retired.stored AND record.is_current",
            [moment, [successor for successor, _stored in retired], [stored for _successor, stored in retired]],
        )
        changed = cursor.rowcount
    else:
        changed = 0
        for successor, stored in retired:
            cursor.execute(
                f"UPDATE {table} SET is_current = 0, superseded_by_id = %s, superseded_at = %s WHERE id = %s AND is_current",
                [successor, moment, stored],
            )
            changed += cursor.rowcount
    if changed != len(retired):
        # Another batch replaced one of these rows since they were read: nothing of this one is kept.
        raise IntegrityError("a replaced metric record was superseded concurrently")


def _insert(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:  # noqa: ANN001
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        # Binary: the server skips parsing text (about 15 % of COPY's time on this table).
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([COPY_TYPES[column] for column in columns])
            write = copy.write_row
            for row in rows:
                write(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


# ---------------------------------------------------------------------------------------------
# The service


def _milliseconds(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _classify(records: list[_Record], stored: dict, forbidden: set[int], errors: _Errors) -> tuple[dict, dict[str, int]]:
    counts = {"created": 0, "duplicate": 0, "superseded": 0}
    chains: dict[tuple[str, str], list] = {}
    for record in records:
        key = (record.source, record.external_id)
        chain = chains.get(key)
        if chain is None:
            row = stored.get(key)
            if row is not None and row[0] in forbidden:
                errors.add(record.index, "external_id", "locked", _("This external id belongs to a record you are not allowed to change."))
                continue
            chain = [row, []]
        versions = chain[1]
        if versions:
            latest = versions[-1].content()
        elif chain[0] is not None:
            latest = chain[0][1:]
        else:
            latest = None
        content = record.content()
        if latest == content:
            counts["duplicate"] += 1
            continue
        counts["created" if latest is None else "superseded"] += 1
        versions.append(record)
        chains[key] = chain
    return chains, counts


def _check_source(source: Any) -> str:
    text = "" if source is None else str(source).strip()
    if not text:
        message = _("Name the system the records come from (e.g. jira).")
        raise DomainError(message, code="validation_error", field_errors={"source": [message]})
    if len(text) > LIMITS["source"] or not SLUG.fullmatch(text):
        message = _("Use at most %(limit)s letters, digits, hyphens or underscores.") % {"limit": LIMITS["source"]}
        raise DomainError(message, code="validation_error", field_errors={"source": [message]})
    return text


def check_record_count(records: Any) -> list:
    if not isinstance(records, list):
        message = _("“records” must be a list of metric records.")
        raise DomainError(message, code="validation_error", field_errors={"records": [message]})
    if not records:
        message = _("The batch has no records.")
        raise DomainError(message, code="validation_error", field_errors={"records": [message]})
    if len(records) > MAX_RECORDS:
        message = _("A batch holds at most %(limit)s records; this one has %(count)s. Split it; nothing was stored.") % {
            "limit": f"{MAX_RECORDS:,}",
            "count": f"{len(records):,}",
        }
        error = DomainError(message, code="too_many_records", field_errors={"records": [message]})
        error.status_code = 413
        raise error
    return records


def metric_batch_ingest(
    *, actor: Any, company: Company, source: Any, records: Any, application_id: int | None = None, received_at: float | None = None
) -> IngestionBatch:
    """Validate every record, store the valid ones set-based, and keep the batch with its counts and errors."""
    started = received_at or time.perf_counter()
    grants = _companies_with_metric_grant(actor)
    if grants is not None and company.pk not in grants[0]:
        raise PermissionDenied(_("You are not allowed to write metric records for %(company)s.") % {"company": company})
    source = _check_source(source)
    records = check_record_count(records)
    batch_id = uuid.uuid4()
    user = actor if getattr(actor, "pk", None) else None
    whole_company = grants is None or company.pk in grants[1]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _ingest(actor, user, company, source, records, application_id, batch_id, whole_company=whole_company, started=started)
        except IntegrityError:
            # A concurrent batch stored or replaced some of the same records and has committed by now
            # (the database made this one wait for it): matching again sees its rows.
            if attempt == ATTEMPTS:
                break
    IngestionBatch.objects.create(
        id=batch_id,
        company=company,
        application_id=application_id,
        submitted_by=user,
        source=source,
        status=BatchStatus.FAILED,
        received_count=len(records),
        failure=_("Another submission changed the same records at the same moment; nothing of this batch was stored."),
        finished_at=timezone.now(),
    )
    raise Conflict(
        _("Another submission changed the same records at the same moment; nothing of batch %(batch)s was stored. Retry.")
        % {"batch": batch_id}
    )


@transaction.atomic
def _ingest(
    actor: Any,
    user: Any,
    company: Company,
    source: str,
    records: list,
    application_id: int | None,
    batch_id: uuid.UUID,
    *,
    whole_company: bool,
    started: float,
) -> IngestionBatch:
    timings: dict[str, float] = {}
    step = time.perf_counter()
    errors = _Errors()
    reader = _Reader(source, errors)
    reader.read(records)
    timings["validate_ms"] = _milliseconds(step)

    step = time.perf_counter()
    owners = _Owners(actor, company, reader.rows, whole_company)
    valid: list[_Record] = []
    for index, kind, owner, metric_key, start, end, value, record_source, external_id, note in reader.rows:
        employee_id, department_id = owners.resolve(index, kind, owner, errors)
        if employee_id is None and department_id is None:
            continue
        if not external_id:
            # Like hand entry: without an id, the same owner, metric and period is the same record.
            owner_key = f"e{employee_id}" if employee_id is not None else f"d{department_id}"
            external_id = f"auto:{owner_key}:{metric_key}:{start.isoformat()}:{end.isoformat()}"
        valid.append(_Record(index, employee_id, department_id, metric_key, start, end, value, record_source, external_id, note))
    timings["resolve_ms"] = _milliseconds(step)

    step = time.perf_counter()
    keys: dict[str, set[str]] = {}
    for record in valid:
        keys.setdefault(record.source, set()).add(record.external_id)
    stored = _stored_records(company.pk, keys)
    chains, counts = _classify(valid, stored, owners.forbidden(stored), errors)
    timings["match_ms"] = _milliseconds(step)

    step = time.perf_counter()
    _store(chains, company_id=company.pk, entered_by_id=getattr(user, "pk", None), batch_id=batch_id)
    timings["store_ms"] = _milliseconds(step)

    errors.items.sort(key=lambda item: item["index"])  # stable: a record's problems stay in field order
    batch = IngestionBatch(
        id=batch_id,
        company=company,
        application_id=application_id,
        submitted_by=user,
        source=source,
        status=BatchStatus.COMPLETED_WITH_ERRORS if errors.rejected else BatchStatus.COMPLETED,
        received_count=len(records),
        accepted_count=counts["created"],
        duplicate_count=counts["duplicate"],
        superseded_count=counts["superseded"],
        rejected_count=len(errors.rejected),
        errors=errors.items,
    )
    if chains:
        step = time.perf_counter()
        touched = [version for _stored, versions in chains.values() for version in versions]
        replaced = [stored_row for stored_row, _versions in chains.values() if stored_row is not None]
        recompute.request_recompute_for_records(
            company_id=company.pk,
            employee_ids={r.employee_id for r in touched if r.employee_id} | {row[1] for row in replaced if row[1]},
            department_ids={r.department_id for r in touched if r.department_id} | {row[2] for row in replaced if row[2]},
            dates=(
                min([r.period_start for r in touched] + [row[4] for row in replaced]),
                max([r.period_end for r in touched] + [row[5] for row in replaced]),
            ),
            reason=_("Metric records batch %(batch)s") % {"batch": batch_id},
        )
        timings["recompute_ms"] = _milliseconds(step)
        audit_record(
            actor=actor,
            action="integrations.metric_batch_ingested",
            target_type="integrations.ingestionbatch",
            target_id=str(batch_id),
            target_label=_("Metric records batch %(batch)s") % {"batch": batch_id},
            after={
                "batch_id": str(batch_id),
                "source": source,
                "application_id": application_id,
                **counts,
                "rejected": batch.rejected_count,
            },
            company_id=company.pk,
        )
    timings["total_ms"] = _milliseconds(started)
    batch.timings = timings
    batch.finished_at = timezone.now()
    batch.save(force_insert=True)
    return batch
