#!/usr/bin/env python3
"""KPI cycle computation: a whole cycle end to end and one employee's recompute.

    .venv/bin/python bench/kpi_cycle.py --employees 100000 --database postgres

Seeds N employees (bench/directory.py's company), 8 indicators in one template, a cycle with
one assessment per employee and about 9 metric records per employee (bulk insert; a benchmark
may bypass the services), then times through the product's own service:

- full: a whole-cycle computation run (read records → aggregate → score → persist items and
  totals, with progress commits), as the Celery task executes it;
- single: one employee's recompute (median of 20), as after a correction or an adjustment.

PostgreSQL: $BENCH_DATABASE_URL, else $DATABASE_URL if PostgreSQL, else
postgres://postgres@127.0.0.1:5432/renshi_bench (created if missing). Seeded data is reused.
Last line: RESULT employees=… indicators=… full_s=… items_per_s=… single_ms=…
Targets (issue 3): 100,000 employees in under 8 s on PostgreSQL; single under 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.directory import configure_database, seed_company  # noqa: E402

# (code, aggregation, metric key, denominator, rule, target, when no data)
INDICATORS = (
    ("output_attainment", "sum", "output_pieces", "", {"type": "linear", "floor": 0, "cap": 120}, "1000", "missing"),
    (
        "defect_rate",
        "ratio",
        "defects",
        "output_pieces",
        {"type": "bands", "comparison": "le", "bands": [{"threshold": 1, "score": 100}, {"threshold": 3, "score": 60}], "otherwise": 0},
        "1",
        "missing",
    ),
    ("efficiency", "avg", "efficiency", "", {"type": "linear", "floor": 0, "cap": 120}, "100", "missing"),
    (
        "equipment_failure",
        "last",
        "failure_rate",
        "",
        {"type": "piecewise", "knots": [[0, 100], [3, 100], [5, 60], [10, 0]]},
        "3",
        "missing",
    ),
    (
        "sales_amount",
        "sum",
        "sales",
        "",
        {"type": "piecewise", "basis": "attainment", "knots": [[0, 0], [60, 40], [100, 100], [130, 120]]},
        "50000",
        "missing",
    ),
    ("late_count", "count", "late", "", {"type": "deduction", "per_occurrence": 5, "full": 100, "floor": 0}, None, "zero"),
    ("training_hours", "max", "training_hours", "", {"type": "binary", "comparison": "ge"}, "8", "missing"),
    (
        "satisfaction",
        "avg",
        "satisfaction",
        "",
        {"type": "formula", "expression": "min(actual / target * 100, 110)", "floor": 0, "cap": 110},
        "90",
        "missing",
    ),
)
WEIGHTS = ("20", "15", "15", "10", "15", "10", "5", "10")
CYCLE_NAME = "基准考核周期"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="KPI cycle computation benchmark.")
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--fresh", action="store_true", help="SQLite: start from a new database file")
    parser.add_argument("--repeat", type=int, default=1, help="full recomputes to time (the best is reported)")
    parser.add_argument("--samples", type=int, default=20, help="single-employee recomputes to time (the median is reported)")
    parser.add_argument("--single-only", action="store_true", help="time only the single-employee recompute (full_s=0 in RESULT)")
    parser.add_argument("--profile", action="store_true", help="with --single-only: print a pyinstrument profile of the samples")
    return parser.parse_args()


def seed_cycle(company):  # noqa: ANN001, ANN201
    from datetime import date

    from django.db import connection, transaction

    from hris.kpi.models import Assessment, Cycle, Indicator, Template, TemplateItem, TemplateVersion
    from hris.people.models import Employee

    cycle = Cycle.objects.filter(company=company, name=CYCLE_NAME).first()
    employees = Employee.objects.filter(company=company).count()
    if cycle is not None and Assessment.objects.filter(cycle=cycle).count() == employees:
        return cycle
    started = time.perf_counter()
    with transaction.atomic():
        indicators = [
            Indicator.objects.create(
                company=company,
                code=code,
                name_zh=code,
                aggregation=aggregation,
                metric_key=key,
                denominator_key=denominator,
                default_rule=rule,
                when_no_data=empty,
            )
            for code, aggregation, key, denominator, rule, _target, empty in INDICATORS
        ]
        template = Template.objects.create(company=company, code="bench", name_zh="基准模板")
        version = TemplateVersion.objects.create(template=template, number=1)
        for order, (indicator, weight, spec) in enumerate(zip(indicators, WEIGHTS, INDICATORS, strict=True)):
            TemplateItem.objects.create(version=version, indicator=indicator, weight=weight, rule=spec[4], target=spec[5], order=order)
        cycle = Cycle.objects.create(
            company=company,
            name=CYCLE_NAME,
            period_type="quarterly",
            period_start=date(2026, 7, 1),
            period_end=date(2026, 9, 30),
            state="scoring",
        )
        people = list(Employee.objects.filter(company=company).order_by("pk").values_list("pk", "department_id"))
        with connection.cursor() as cursor:
            _insert(
                cursor,
                Assessment._meta.db_table,
                (
                    "cycle_id",
                    "employee_id",
                    "department_id",
                    "template_version_id",
                    "adjustment_total",
                    "is_complete",
                    "computation_count",
                    "created_at",
                    "updated_at",
                ),
                [
                    (cycle.pk, pk, department, version.pk, "0", False, 0, "2026-10-01 00:00:00+08", "2026-10-01 00:00:00+08")
                    for pk, department in people
                ],
            )
            _insert_records(cursor, company.pk, people)
        cursor = connection.cursor()
        cursor.execute("ANALYZE")
    print(f"seeded cycle with {len(people)} assessments in {time.perf_counter() - started:.1f} s")
    return cycle


def _insert_records(cursor, company_id: int, people: list[tuple[int, int]]) -> None:  # noqa: ANN001
    import random

    from hris.kpi.models import MetricRecord

    rng = random.Random(7)
    columns = (
        "company_id",
        "employee_id",
        "metric_key",
        "period_start",
        "period_end",
        "value",
        "source",
        "external_id",
        "is_current",
        "recorded_at",
        "note",
    )
    rows = []
    for pk, _department in people:

        def add(key: str, value: object, day: int, suffix: str = "", pk: int = pk) -> None:
            month = 7 + day % 3
            when = f"2026-{month:02d}-{1 + day % 28:02d}"
            rows.append((company_id, pk, key, when, when, str(value), "bench", f"{key}-{pk}{suffix}", True, f"{when} 09:00:00+08", ""))

        add("output_pieces", rng.randint(700, 1300), 1)
        add("defects", rng.randint(0, 40), 2)
        add("efficiency", rng.randint(80, 115), 3, "a")
        add("efficiency", rng.randint(80, 115), 33, "b")
        add("failure_rate", f"{rng.randint(0, 800) / 100:.2f}", 4)
        add("sales", rng.randint(20000, 70000), 5)
        if rng.random() < 0.3:
            add("late", 1, 6)
        add("training_hours", rng.randint(0, 16), 7)
        add("satisfaction", rng.randint(70, 100), 8)
    _insert(cursor, MetricRecord._meta.db_table, columns, rows)
    print(f"  {len(rows)} metric records")


def _insert(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:  # noqa: ANN001
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


def clear_results(cycle) -> None:  # noqa: ANN001
    """Untimed: remove every computed item so the timed run writes the whole cycle (the worst case,
    as when scoring starts); a recompute of unchanged data would skip unchanged assessments."""
    from django.db import connection, transaction

    from hris.kpi.models import Assessment, AssessmentItem

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {AssessmentItem._meta.db_table} WHERE assessment_id IN "
            f"(SELECT id FROM {Assessment._meta.db_table} WHERE cycle_id = %s)",
            [cycle.pk],
        )
        Assessment.objects.filter(cycle=cycle).update(computed_total=None, final_score=None, is_complete=False, result_digest=None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {AssessmentItem._meta.db_table}")


def time_full(cycle) -> tuple[float, int, dict]:  # noqa: ANN001
    from hris.kpi.models import ComputationRun
    from hris.kpi.services.computation import computation_run_execute

    run = ComputationRun.objects.create(cycle=cycle, kind="full", reason="benchmark")
    started = time.perf_counter()
    run = computation_run_execute(run_id=run.pk)
    elapsed = time.perf_counter() - started
    if run.state != "succeeded":
        sys.exit(f"computation failed: {run.error}")
    return elapsed, run.items_written, run.timings


def time_single(cycle, count: int = 20, profile: bool = False) -> float:  # noqa: ANN001
    """Median of `count` recomputes, each of a different employee whose items were just written
    by the full run (so each sample deletes and rewrites 8 items and updates one total)."""
    from hris.kpi.models import Assessment
    from hris.kpi.services.computation import compute_assessments_now

    employee_ids = list(Assessment.objects.filter(cycle=cycle).order_by("pk").values_list("employee_id", flat=True)[: count + 1])
    compute_assessments_now(cycle=cycle, employee_ids=[employee_ids[0]])  # warm-up
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    samples = []
    for employee_id in employee_ids[1:]:
        started = time.perf_counter()
        result = compute_assessments_now(cycle=cycle, employee_ids=[employee_id])
        samples.append((time.perf_counter() - started) * 1000)
        assert result.items_written == len(INDICATORS)
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    quartiles = statistics.quantiles(samples, n=4) if len(samples) > 1 else samples * 3
    print(f"single samples: n={len(samples)} min={min(samples):.1f} q1={quartiles[0]:.1f} q3={quartiles[2]:.1f} max={max(samples):.1f} ms")
    return statistics.median(samples)


def main() -> None:
    options = parse_arguments()
    configure_database(options)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    company, _hr = seed_company(options.employees)
    cycle = seed_cycle(company)
    if options.single_only:
        single = time_single(cycle, options.samples, options.profile)
        print(f"single-employee recompute median {single:.1f} ms")
        print(f"RESULT employees={options.employees} indicators={len(INDICATORS)} full_s=0 items_per_s=0 single_ms={single:.1f}")
        return
    best = None
    for _ in range(options.repeat):
        clear_results(cycle)
        elapsed, items, timings = time_full(cycle)
        print(f"full compute, every item written: {elapsed:.2f} s, {items} items; " + ", ".join(f"{k}={v:.2f}" for k, v in timings.items()))
        best = elapsed if best is None else min(best, elapsed)
    unchanged, rewritten, timings = time_full(cycle)
    print(
        f"full recompute, inputs unchanged: {unchanged:.2f} s, {rewritten} items rewritten; "
        + ", ".join(f"{k}={v:.2f}" for k, v in timings.items())
    )
    single = time_single(cycle, options.samples)
    print(f"single-employee recompute median {single:.1f} ms")
    print(
        f"RESULT employees={options.employees} indicators={len(INDICATORS)} full_s={best:.2f} "
        f"items_per_s={items / best:.0f} single_ms={single:.1f}"
    )


if __name__ == "__main__":
    main()
