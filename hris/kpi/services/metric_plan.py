"""Planning a batch of metric records: parse, resolve owners, check scope, classify — nothing written.

Set-based: owners, scope and the current records are looked up for the whole batch at once
(a few queries, chunked only beyond thousands of values), then every record is classified
in memory as created, duplicate, superseded or rejected. The submit service stores the plan;
the file import shows it as the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from hris.kpi.importing.common import chunked, parse_number
from hris.kpi.models import MetricRecord
from hris.kpi.services.metric_owners import OwnerIndex
from hris.org.models import Company
from hris.people.importing.values import CellError, cell_text, parse_date

CREATED, DUPLICATE, SUPERSEDED, REJECTED = "created", "duplicate", "superseded", "rejected"
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
LIMITS = {name: MetricRecord._meta.get_field(name).max_length for name in ("metric_key", "source", "external_id", "note")}
Content = tuple[int | None, int | None, str, date, date, Decimal]


@dataclass
class Candidate:
    """A valid record of the batch, owner resolved."""

    index: int
    employee_id: int | None
    department_id: int | None
    metric_key: str
    period_start: date
    period_end: date
    value: Decimal
    source: str
    external_id: str
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.external_id

    @property
    def content(self) -> Content:
        return self.employee_id, self.department_id, self.metric_key, self.period_start, self.period_end, self.value


@dataclass
class StoredRecord:
    """The current stored record of a (source, external id)."""

    id: int
    employee_id: int | None
    department_id: int | None
    metric_key: str
    period_start: date
    period_end: date
    value: Decimal

    @property
    def content(self) -> Content:
        return self.employee_id, self.department_id, self.metric_key, self.period_start, self.period_end, self.value


@dataclass
class Chain:
    """The new versions of one (source, external id), oldest first, and the stored record they replace."""

    stored: StoredRecord | None
    versions: list[Candidate] = field(default_factory=list)


@dataclass
class RecordOutcome:
    index: int
    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    source: str = ""
    external_id: str = ""
    record_id: int | None = None  # the stored row (for a duplicate: the row it repeats)
    supersedes_id: int | None = None  # the row this record replaced
    # filled in by planning, turned into ids once stored
    candidate: Candidate | None = None
    same_as: Candidate | StoredRecord | None = None
    replaces: Candidate | StoredRecord | None = None


@dataclass
class MetricBatchPlan:
    outcomes: list[RecordOutcome]
    chains: dict[tuple[str, str], Chain]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((CREATED, DUPLICATE, SUPERSEDED, REJECTED), 0)
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return counts


class _Parsed:
    """One record's fields as given, before the owner is resolved."""

    def __init__(self, index: int, record: Any, source_default: str):
        self.index, self.errors = index, {}
        self.owner_field, self.owner_value, self.period_start, self.period_end = "", None, None, None
        if not isinstance(record, dict) or not record:
            self.add("record", _("A record must be an object with an owner, a metric key, a value and a date."))
            return
        self.owner_field, self.owner_value = self._owner(record)
        self.metric_key = self._slug(record.get("metric_key"), "metric_key", required=True)
        self.source = self._slug(record.get("source") or source_default, "source", required=True)
        self.external_id = self._text(record.get("external_id"), "external_id")
        self.note = self._text(record.get("note"), "note")
        self.value = self._value(record)
        self.period_start, self.period_end = self._period(record)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def _owner(self, record: dict) -> tuple[str, Any]:
        given = [name for name in ("employee_id", "employee_number", "department_code") if record.get(name) not in (None, "")]
        if not given:
            self.add("employee", _("Name the employee (employee_id or employee_number) or the department (department_code)."))
            return "", None
        if len(given) > 1:
            self.add(given[1], _("Give only one of employee_id, employee_number and department_code."))
            return "", None
        name, value = given[0], cell_text(record[given[0]])
        if name == "employee_id":
            if isinstance(record[name], bool) or not value.isdigit():
                self.add(name, _("“%(value)s” is not an employee id.") % {"value": value})
                return "", None
            return name, int(value)
        return name, value

    def _slug(self, value: Any, name: str, *, required: bool) -> str:
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.add(name, _("This field is required."))
        elif len(text) > LIMITS[name] or not SLUG.match(text):
            self.add(name, _("Use at most %(limit)s letters, digits, hyphens or underscores.") % {"limit": LIMITS[name]})
        return text

    def _text(self, value: Any, name: str) -> str:
        text = "" if value is None else str(value).strip()
        if len(text) > LIMITS[name]:
            self.add(name, _("Keep it under %(limit)s characters.") % {"limit": LIMITS[name]})
        return text

    def _value(self, record: dict) -> Decimal | None:
        value = record.get("value")
        if value is None or value == "":
            self.add("value", _("This field is required."))
            return None
        try:
            return parse_number(value)
        except CellError as error:
            self.add("value", str(error))
            return None

    def _date(self, record: dict, name: str) -> date | None:
        try:
            return parse_date(record.get(name))
        except CellError as error:
            self.add(name, str(error))
            return None

    def _period(self, record: dict) -> tuple[date | None, date | None]:
        day, start, end = (self._date(record, name) for name in ("date", "period_start", "period_end"))
        if self.errors.keys() & {"date", "period_start", "period_end"}:
            return None, None
        if day is not None and (start is not None or end is not None):
            self.add("date", _("Give either a date or a period, not both."))
        elif day is not None:
            return day, day
        elif start is None or end is None:
            self.add("period_end" if start else "period_start" if end else "date", _("Give a date, or both period start and end."))
        elif end < start:
            self.add("period_end", _("The period ends (%(end)s) before it starts (%(start)s).") % {"end": end, "start": start})
        else:
            return start, end
        return None, None


def _stored_records(company: Company, keys: set[tuple[str, str]]) -> dict[tuple[str, str], StoredRecord]:
    found: dict[tuple[str, str], StoredRecord] = {}
    external_ids = sorted({external_id for _source, external_id in keys})
    fields = ("id", "source", "external_id", "employee_id", "department_id", "metric_key", "period_start", "period_end", "value")
    for chunk in chunked(external_ids):
        rows = MetricRecord.objects.filter(company=company, is_current=True, external_id__in=chunk).values_list(*fields)
        for pk, source, external_id, *content in rows:
            if (source, external_id) in keys:
                found[(source, external_id)] = StoredRecord(pk, *content)
    return found


def _generated_external_id(parsed: _Parsed, employee_id: int | None, department_id: int | None) -> str:
    """Hand-entered records without an id: the same owner, metric and period is the same record."""
    owner = f"e{employee_id}" if employee_id is not None else f"d{department_id}"
    return f"auto:{owner}:{parsed.metric_key}:{parsed.period_start.isoformat()}:{parsed.period_end.isoformat()}"


def plan_metric_batch(*, actor: Any, company: Company, records: list[Any], source_default: str = "manual") -> MetricBatchPlan:
    """Classify every record (created / duplicate / superseded / rejected, by index); nothing is written."""
    parsed = [_Parsed(index, record, source_default) for index, record in enumerate(records)]
    owners = OwnerIndex.load(actor, company, [(item.owner_field, item.owner_value) for item in parsed if item.owner_field])
    candidates: list[Candidate] = []
    for item in parsed:
        employee_id, department_id = owners.resolve(item.owner_field, item.owner_value, item.add) if item.owner_field else (None, None)
        if item.errors:
            continue
        candidates.append(
            Candidate(
                index=item.index,
                employee_id=employee_id,
                department_id=department_id,
                metric_key=item.metric_key,
                period_start=item.period_start,
                period_end=item.period_end,
                value=item.value,
                source=item.source,
                external_id=item.external_id or _generated_external_id(item, employee_id, department_id),
                note=item.note,
            )
        )
    stored = _stored_records(company, {candidate.key for candidate in candidates})
    forbidden = owners.forbidden(stored.values())
    outcomes = [RecordOutcome(item.index, REJECTED, errors=item.errors) for item in parsed]
    chains: dict[tuple[str, str], Chain] = {}
    for candidate in candidates:
        outcome = outcomes[candidate.index]
        outcome.source, outcome.external_id = candidate.key
        chain = chains.get(candidate.key) or Chain(stored.get(candidate.key))
        if chain.stored is not None and chain.stored.id in forbidden:
            outcome.errors = {"external_id": [_("This external id belongs to a record you are not allowed to change.")]}
            continue
        latest = chain.versions[-1] if chain.versions else chain.stored
        if latest is not None and latest.content == candidate.content:
            outcome.status, outcome.same_as = DUPLICATE, latest
            continue
        outcome.status, outcome.replaces, outcome.candidate = (CREATED if latest is None else SUPERSEDED), latest, candidate
        chain.versions.append(candidate)
        chains[candidate.key] = chain
    return MetricBatchPlan(outcomes, chains)
