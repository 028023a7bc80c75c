"""Write computed items and totals in bulk: COPY on PostgreSQL, executemany on SQLite.

The ORM would manage ~30,000 rows/s; a cycle of 100,000 employees has 800,000 items
(DESIGN.md §8), so this path bypasses it. Callers hold the transaction.
"""

from __future__ import annotations

import io
from decimal import Decimal

import polars as pl
from django.db import connection
from django.utils import timezone

from hris.kpi.models import Assessment, AssessmentItem

ITEM_FIELDS = (
    "assessment_id",
    "indicator_id",
    "position",
    "weight",
    "target",
    "actual",
    "score",
    "points",
    "status",
    "message",
    "template_version_id",
    "record_ids",
)


MESSAGE = ITEM_FIELDS.index("message")
FEW_ITEMS = 400  # up to this many items (or totals), plain statements beat COPY and staging tables


def replace_items(items: pl.DataFrame, assessment_ids: list[int]) -> int:
    """Delete the assessments' previous items and write the new ones; returns the rows written."""
    table = AssessmentItem._meta.db_table
    if items.height <= FEW_ITEMS:
        with connection.cursor() as cursor:
            _delete_items(cursor, table, assessment_ids)
            return _insert_few(cursor, table, items)
    rows = _item_rows(items)
    with connection.cursor() as cursor:
        _delete_items(cursor, table, assessment_ids)
        if rows.is_empty():
            return 0
        if connection.vendor == "postgresql":
            _copy_csv(cursor, table, ITEM_FIELDS, rows, force_not_null=("message",))
        else:
            placeholders = ", ".join(["%s"] * len(ITEM_FIELDS))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(ITEM_FIELDS)}) VALUES ({placeholders})", rows.rows())
    return rows.height


def update_totals(totals: pl.DataFrame) -> None:
    """Set computed total, final score, completeness and computation time on each assessment."""
    if totals.is_empty():
        return
    now = timezone.now()
    table = Assessment._meta.db_table
    if totals.height <= FEW_ITEMS:
        rows = [
            (_text(total), _text(final), complete, digest, now, now, pk)
            for pk, total, final, complete, digest in totals.select(
                "assessment_id", "computed_total", "final_score", "is_complete", "result_digest"
            ).iter_rows()
        ]
        sql = (
            f"UPDATE {table} SET computed_total = %s, final_score = %s, is_complete = %s, result_digest = %s, computed_at = %s, "
            "updated_at = %s, computation_count = computation_count + 1 WHERE id = %s"
        )
        with connection.cursor() as cursor:
            if len(rows) == 1:
                cursor.execute(sql, rows[0])
            else:
                cursor.executemany(sql, rows)
        return
    frame = totals.select(
        "assessment_id",
        pl.col("computed_total").cast(pl.String),
        pl.col("final_score").cast(pl.String),
        pl.col("is_complete"),
        pl.col("result_digest"),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and frame.height > FEW_ITEMS:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS kpi_totals_stage "
                "(id bigint, computed_total numeric, final_score numeric, is_complete boolean, result_digest bigint) ON COMMIT DELETE ROWS"
            )
            _copy_csv(cursor, "kpi_totals_stage", ("id", "computed_total", "final_score", "is_complete", "result_digest"), frame)
            cursor.execute(
                f"UPDATE {table} AS a SET computed_total = s.computed_total, final_score = s.final_score, "
                "is_complete = s.is_complete, result_digest = s.result_digest, computed_at = %s, updated_at = %s, "
                "computation_count = a.computation_count + 1 "
                "FROM kpi_totals_stage AS s WHERE a.id = s.id",
                [now, now],
            )
            cursor.execute("DELETE FROM kpi_totals_stage")
        else:
            cursor.executemany(
                f"UPDATE {table} SET computed_total = %s, final_score = %s, is_complete = %s, result_digest = %s, computed_at = %s, "
                "updated_at = %s, "
                "computation_count = computation_count + 1 WHERE id = %s",
                [(total, final, complete, digest, now, now, pk) for pk, total, final, complete, digest in frame.iter_rows()],
            )


def _item_rows(items: pl.DataFrame) -> pl.DataFrame:
    ids_json = pl.concat_str(pl.lit("["), pl.col("record_ids").list.eval(pl.element().cast(pl.String)).list.join(","), pl.lit("]"))
    frame = items.with_columns(
        pl.col("weight", "target", "actual", "score", "points").cast(pl.String),
        ids_json.alias("record_ids"),
    )
    return frame.select(ITEM_FIELDS)


def _insert_few(cursor, table: str, items: pl.DataFrame) -> int:
    """One multi-row INSERT; values as text exactly as the COPY path writes them."""
    if items.is_empty():
        return 0
    rows = []
    for row in items.select(ITEM_FIELDS).iter_rows():
        values = [_text(value) for value in row]
        values[MESSAGE] = values[MESSAGE] or ""  # as COPY's FORCE_NOT_NULL
        ids = values[-1]
        values[-1] = None if ids is None else "[" + ",".join(str(value) for value in ids) + "]"
        rows.extend(values)
    row_placeholders = "(" + ", ".join(["%s"] * len(ITEM_FIELDS)) + ")"
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(ITEM_FIELDS)}) VALUES {', '.join([row_placeholders] * items.height)}",
        rows,
    )
    return items.height


def _text(value):
    """Decimals as Polars writes them to text (plain notation, every place); other values unchanged."""
    return format(value, "f") if isinstance(value, Decimal) else value


def _delete_items(cursor, table: str, assessment_ids: list[int]) -> None:
    if not assessment_ids:
        return
    if connection.vendor == "postgresql":
        cursor.execute(f"DELETE FROM {table} WHERE assessment_id = ANY(%s)", [assessment_ids])
        return
    for start in range(0, len(assessment_ids), 900):
        chunk = assessment_ids[start : start + 900]
        cursor.execute(f"DELETE FROM {table} WHERE assessment_id IN ({', '.join(['%s'] * len(chunk))})", chunk)


def _copy_csv(cursor, table: str, columns: tuple[str, ...], frame: pl.DataFrame, force_not_null: tuple[str, ...] = ()) -> None:
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False)
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(force_not_null)})" if force_not_null else "")
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH ({options})") as copy:
        copy.write(buffer.getvalue())


def changed_assessment_ids(totals: pl.DataFrame) -> list[int]:
    """Assessments whose new result fingerprint differs from the stored one (or is not stored yet).

    A recompute usually changes a few assessments (one record, one target, one weight); skipping
    the rest avoids rewriting hundreds of thousands of identical rows.
    """
    if totals.is_empty():
        return []
    from .reading import read_frame

    ids = totals.get_column("assessment_id")
    sql = f"SELECT id, result_digest FROM {Assessment._meta.db_table} WHERE id BETWEEN %s AND %s"
    stored = read_frame(sql, [ids.min(), ids.max()], {"assessment_id": pl.Int64, "result_digest": pl.Int64})
    changed = totals.select("assessment_id", "result_digest").join(
        stored, on=["assessment_id", "result_digest"], how="anti", nulls_equal=False
    )
    return sorted(changed.get_column("assessment_id").to_list())
