"""Benchmark: validate and commit an employees workbook of N rows (default 5,000).

Prints figures; not a pass/fail test. Uses a fresh SQLite database in a temporary
directory, or the PostgreSQL database named by DATABASE_URL (which it migrates and fills
with the test company; use a throw-away database).

    .venv/bin/python bench/import_employees.py [--rows 5000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renshi_import_bench .venv/bin/python bench/import_employees.py
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["RENSHI_VAR_DIR"] = tempfile.mkdtemp(prefix="renshi-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "false")  # as in production: no per-query debug logging
os.environ.setdefault("RENSHI_LOG_LEVEL", "WARNING")
if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    from bench.support import create_postgres_database_if_missing

    create_postgres_database_if_missing(os.environ["DATABASE_URL"])


def _id_number(serial: int) -> str:
    first17 = f"110105199003{serial:05d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True)) % 11]


def build_workbook(rows: int, existing_manager: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["工号", "姓名", "部门", "职位", "直属上级", "入职日期", "用工类型", "手机", "邮箱", "身份证号", "性别"])
    departments = ["生产部/一车间", "二车间", "sales", "人事行政部"]
    leads = max(1, rows // 50)
    for number in range(1, rows + 1):
        manager = existing_manager if number <= leads else f"B{(number % leads) + 1:06d}"
        sheet.append(
            [
                f"B{number:06d}",
                f"员工{number}",
                departments[number % len(departments)],
                "班组长" if number <= leads else "操作工",
                manager,
                date(2020, 1, 1) + timedelta(days=number % 1500),
                "全职",
                f"139{number:08d}",
                f"b{number}@example.cn",
                _id_number(number),
                "男" if number % 2 else "女",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from hris.people.importing import jobs
    from hris.people.models import Employee
    from hris.people.models_import import ImportStatus
    from hris.tests.world import build_world

    call_command("migrate", verbosity=0)
    if Employee.objects.exists():
        sys.exit("The benchmark needs an empty database.")
    settings.RENSHI_IMPORT_ASYNC_THRESHOLD = 10**9  # run in this process, to time it
    queries = [0]

    def count_query(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        queries[0] += 1
        return execute(sql, params, many, context)

    world = build_world()
    actor = world.user("hr_admin")

    content = build_workbook(arguments.rows, world.employee("prod_head").employee_number)
    print(f"database: {connection.vendor}; rows: {arguments.rows:,}; workbook {len(content) // 1024:,} KiB")

    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count_query):
        job = jobs.job_create(
            actor=actor, company=world.company, kind="employees", mode="create", filename="bench.xlsx", content=content, language="en"
        )
    validate_seconds, validate_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    validate_queries, queries[0] = queries[0], 0
    assert job.status == ImportStatus.VALIDATED and job.error_count == 0, (job.status, job.errors.get("file"), job.rows[:3])
    print(f"validate (read XLSX + check every row): {validate_seconds:.2f} s wall, {validate_cpu:.2f} s CPU, {validate_queries} queries")

    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count_query):
        assert jobs.start_commit(job)
    commit_seconds, commit_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    commit_queries = queries[0]
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED, job.failure_message
    print(
        f"commit (re-validate + {arguments.rows:,} × employee_create with audit, one transaction): "
        f"{commit_seconds:.2f} s wall, {commit_cpu:.2f} s CPU, "
        f"{commit_queries:,} queries ({commit_queries / arguments.rows:.1f} per row), {arguments.rows / commit_seconds:,.0f} rows/s"
    )
    print(f"employees now: {Employee.objects.count():,}")


if __name__ == "__main__":
    main()
