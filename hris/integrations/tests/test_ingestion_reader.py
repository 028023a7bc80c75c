"""The reader's fast path for common records gives exactly the rows of the full reading, and leaves the rest to it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hris.integrations.ingestion import _Errors, _Reader

RECORDS = [
    {"employee": {"number": "E1"}, "metric_key": "defects", "date": "2026-07-03", "value": 3, "external_id": "a"},
    {"employee": {"number": "E1"}, "metric_key": "defects", "date": "2026-07-03", "value": 4, "external_id": "b"},
    {"employee": {"id": 7}, "metric_key": "defects", "date": "2026-07-03", "value": -12},
    {
        "employee": {"external": {"system": "jira", "id": "acc-1"}},
        "metric_key": "defects",
        "date": "2026-07-03",
        "value": 0,
        "external_id": "c",
    },
    {"employee": {"number": " E2 "}, "metric_key": "defects", "date": "2026-07-03", "value": 1, "external_id": " d "},
    {"employee": {"id": "8"}, "metric_key": "defects", "date": "2026-07-03", "value": True, "external_id": "e"},
    {"employee": {"number": "E3"}, "metric_key": "defects", "date": "2026-07-03", "value": 10**16, "external_id": "f"},
    {"employee": {"number": "E3"}, "metric_key": "defects", "date": "2026-7-3", "value": 2.5, "external_id": "g", "note": "n"},
    {"employee": {"number": "E3"}, "metric_key": "Bad key!", "date": "2026-07-03", "value": 1, "external_id": "h"},
    {"employee": {"number": "E3"}, "department": "ws1", "metric_key": "defects", "date": "2026-07-03", "value": 1},
]


def _read(records: list, *, fast: bool) -> tuple[list, list]:
    errors = _Errors()
    reader = _Reader("jira", errors)
    if not fast:
        reader._fast = lambda index, record: None
    reader.read(records)
    return reader.rows, errors.items


def test_fast_and_full_reading_agree_on_rows_and_errors():
    assert _read(RECORDS, fast=True) == _read(RECORDS, fast=False)
    rows, errors = _read(RECORDS, fast=True)
    assert rows[1] == (1, "number", "E1", "defects", date(2026, 7, 3), date(2026, 7, 3), Decimal("4.0000"), "jira", "b", "")
    assert rows[2] == (2, "id", 7, "defects", date(2026, 7, 3), date(2026, 7, 3), Decimal("-12.0000"), "jira", "", "")
    assert rows[3][2] == ("jira", "acc-1")
    assert rows[4][2] == "E2" and rows[4][8] == "d"
    assert [(error["index"], error["field"]) for error in errors] == [(5, "value"), (6, "value"), (8, "metric_key"), (9, "employee")]
