"""Writing planned metric record versions in bulk, keeping the supersede history valid at every step.

The table allows one current row per (company, source, external id), and a row that is not
current must name its successor. So the newest version of each chain is inserted first (as
current, or — while an older stored row is still current — provisionally pointing at that
row), then the older versions of the batch newest-first, each pointing at its successor;
finally the stored rows step back and the newest versions become current. Inserts use
executemany (one statement for the whole round, DESIGN.md §8) and the new ids are read back
by batch id: a handful of queries whatever the batch size.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Max

from hris.kpi.importing.common import chunked
from hris.kpi.models import MetricRecord
from hris.kpi.services.metric_plan import Candidate, Chain

INSERT_FIELDS = (
    "company",
    "employee",
    "department",
    "metric_key",
    "period_start",
    "period_end",
    "value",
    "source",
    "external_id",
    "is_current",
    "superseded_by",
    "superseded_at",
    "recorded_at",
    "entered_by",
    "batch_id",
    "note",
)


def _insert(rows: list[dict[str, Any]]) -> None:
    fields = [MetricRecord._meta.get_field(name) for name in INSERT_FIELDS]
    table = connection.ops.quote_name(MetricRecord._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    params = [[field.get_db_prep_save(row[field.attname], connection) for field in fields] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)


def _row(candidate: Candidate, *, company_id: int, entered_by_id: int | None, batch_id: uuid.UUID, now: datetime, **state: Any) -> dict:
    return {
        "company_id": company_id,
        "employee_id": candidate.employee_id,
        "department_id": candidate.department_id,
        "metric_key": candidate.metric_key,
        "period_start": candidate.period_start,
        "period_end": candidate.period_end,
        "value": candidate.value,
        "source": candidate.source,
        "external_id": candidate.external_id,
        "recorded_at": now,
        "entered_by_id": entered_by_id,
        "batch_id": batch_id,
        "note": candidate.note,
        **state,
    }


def store_chains(
    chains: dict[tuple[str, str], Chain], *, company_id: int, entered_by_id: int | None, batch_id: uuid.UUID, now: datetime
) -> dict[int, int]:
    """Insert every new version; returns candidate index → new record id."""
    if not chains:
        return {}
    common = {"company_id": company_id, "entered_by_id": entered_by_id, "batch_id": batch_id, "now": now}
    id_of: dict[int, int] = {}
    watermark = MetricRecord.objects.aggregate(highest=Max("id"))["highest"] or 0
    rounds = max(len(chain.versions) for chain in chains.values())
    for generation in range(1, rounds + 1):  # 1: newest version of each chain, 2: the one before, …
        rows = []
        for chain in chains.values():
            if len(chain.versions) < generation:
                continue
            candidate = chain.versions[-generation]
            if generation > 1:
                successor = id_of[chain.versions[-generation + 1].index]
                rows.append(_row(candidate, is_current=False, superseded_by_id=successor, superseded_at=now, **common))
            elif chain.stored is not None:  # provisional until the stored row steps back
                rows.append(_row(candidate, is_current=False, superseded_by_id=chain.stored.id, superseded_at=None, **common))
            else:
                rows.append(_row(candidate, is_current=True, superseded_by_id=None, superseded_at=None, **common))
        _insert(rows)
        inserted = MetricRecord.objects.filter(batch_id=batch_id, id__gt=watermark).values_list("id", "source", "external_id")
        for pk, source, external_id in inserted:
            id_of[chains[(source, external_id)].versions[-generation].index] = pk
            watermark = max(watermark, pk)
    _retire_stored(chains, id_of, now)
    return id_of


def _retire_stored(chains: dict[tuple[str, str], Chain], id_of: dict[int, int], now: datetime) -> None:
    """The stored rows point at their first successor and stop being current; then the newest versions become current."""
    retired = [(id_of[chain.versions[0].index], chain.stored.id) for chain in chains.values() if chain.stored is not None]
    if not retired:
        return
    table = connection.ops.quote_name(MetricRecord._meta.db_table)
    moment = MetricRecord._meta.get_field("superseded_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET is_current = %s, superseded_by_id = %s, superseded_at = %s WHERE id = %s",
            [(False, successor, moment, stored_id) for successor, stored_id in retired],
        )
    newest = [id_of[chain.versions[-1].index] for chain in chains.values() if chain.stored is not None]
    for chunk in chunked(newest):
        MetricRecord.objects.filter(pk__in=chunk).update(is_current=True, superseded_by=None, superseded_at=None)
