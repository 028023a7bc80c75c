"""Read query results straight into Polars frames.

PostgreSQL streams `COPY (query) TO STDOUT` as CSV into Polars' parser (no Python row
objects); SQLite returns tuples. Either way the caller gives the column schema, so both
databases produce identical frames.
"""

from __future__ import annotations

import io

import polars as pl
from django.db import connection


def read_frame(sql: str, params: list, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _read_postgres(cursor, sql, params, schema)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return frame_from_rows(rows, schema)


def _read_postgres(cursor, sql: str, params: list, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    query = raw.mogrify(sql, params) if params else sql
    buffer = io.BytesIO()
    with raw.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
        for block in copy:
            buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    text_schema = {name: (pl.String if dtype == pl.Boolean else dtype) for name, dtype in schema.items()}
    frame = pl.read_csv(buffer, has_header=False, new_columns=list(schema), schema=text_schema)
    booleans = [name for name, dtype in schema.items() if dtype == pl.Boolean]
    if booleans:
        frame = frame.with_columns(pl.col(name) == "t" for name in booleans)
    return frame


def frame_from_rows(rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=schema)
    # Decimals arrive from SQLite as int/float/str depending on affinity: go through text so
    # 0.1 stays 0.1 (Decimal columns parse text exactly).
    # Dates and datetimes arrive as Python objects: text columns take their ISO form, as from COPY.
    text_columns = {index for index, dtype in enumerate(schema.values()) if isinstance(dtype, pl.Decimal) or dtype == pl.String}
    if text_columns:
        rows = [tuple(_text(value) if index in text_columns else value for index, value in enumerate(row)) for row in rows]
    text_schema = {name: (pl.String if isinstance(dtype, pl.Decimal) else dtype) for name, dtype in schema.items()}
    frame = pl.DataFrame(rows, schema=text_schema, orient="row")
    return frame.with_columns(pl.col(name).cast(dtype) for name, dtype in schema.items() if isinstance(dtype, pl.Decimal))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
