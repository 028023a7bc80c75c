#!/usr/bin/env python3
"""Directory page and employee list API: latency and query counts at N employees.

    .venv/bin/python bench/directory.py --employees 2000 [--database sqlite|postgres]

Seeds N employees into a separate benchmark database (SQLite: var/bench/directory.sqlite3;
PostgreSQL: $BENCH_DATABASE_URL, else $DATABASE_URL if it is a PostgreSQL URL, else
postgres://postgres@127.0.0.1:5432/renshi_bench, created if missing), logs in an HR admin
with a company-wide scope and times requests in-process through Django's test client.
The data is kept between runs (one company per N), so a second run starts at once.

A small company of 100 employees is measured too: the query counts of both must be equal
(a count that grows with N is an N+1 query). The last line is machine-readable:

    RESULT page_p50_ms=… page_queries=… api_p50_ms=… api_queries=…

Targets (issue): the 2,000-employee directory page under 100 ms at p50, query count flat in N.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.support import create_postgres_database_if_missing  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/renshi_bench"
SMALL_COMPANY = 100
API_URL = "/api/v1/employees/"
PAGE_TARGET_MS = 100.0

# The department tree of every bench company: (code, name, parent code, branch, share of staff).
TREE = (
    ("gm", "总经办", None, "hq", 0.005),
    ("production", "生产部", None, "plant", 0.02),
    ("ws1", "一车间", "production", "plant", 0.01),
    ("ws1-a", "车削班", "ws1", "plant", 0.10),
    ("ws1-b", "铣削班", "ws1", "plant", 0.09),
    ("ws2", "二车间", "production", "plant", 0.01),
    ("ws2-a", "装配一班", "ws2", "plant", 0.11),
    ("ws2-b", "装配二班", "ws2", "plant", 0.10),
    ("ws3", "三车间", "production", "plant", 0.01),
    ("ws3-a", "焊接班", "ws3", "plant", 0.07),
    ("ws3-b", "涂装班", "ws3", "plant", 0.05),
    ("quality", "质检部", None, "plant", 0.03),
    ("quality-iqc", "来料检验组", "quality", "plant", 0.03),
    ("quality-oqc", "成品检验组", "quality", "plant", 0.03),
    ("equipment", "设备部", None, "plant", 0.05),
    ("sales", "销售部", None, "hq", 0.01),
    ("sales-east", "华东销售组", "sales", "hq", 0.04),
    ("sales-south", "华南销售组", "sales", "hq", 0.03),
    ("sales-overseas", "海外销售组", "sales", "hq", 0.02),
    ("rd", "研发部", None, "hq", 0.01),
    ("rd-mech", "机械设计组", "rd", "hq", 0.04),
    ("rd-elec", "电气控制组", "rd", "hq", 0.03),
    ("rd-soft", "软件组", "rd", "hq", 0.03),
    ("procurement", "采购部", None, "hq", 0.025),
    ("hr-admin", "行政人事部", None, "hq", 0.025),
    ("finance", "财务部", None, "hq", 0.02),
)
POSITIONS = (
    ("operator", "操作工", "production", "P1"), ("skilled-worker", "技工", "production", "P2"),
    ("engineer", "工程师", "research", "P3"), ("senior-engineer", "高级工程师", "research", "P4"),
    ("specialist", "专员", "hr_admin", "P2"), ("team-leader", "班组长", "production", "M1"),
    ("manager", "经理", "management", "M2"), ("director", "总监", "management", "M3"),
)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Directory page and employee list API benchmark.")
    parser.add_argument("--employees", type=int, default=2000, help="employees to seed (default 2000)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per URL (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per URL first (default 5)")
    parser.add_argument("--fresh", action="store_true", help="SQLite: start from a new database file")
    return parser.parse_args()


def configure_database(options: argparse.Namespace) -> str:
    """Point Django at the benchmark database (before django.setup())."""
    if options.database == "sqlite":
        bench_dir = BASE_DIR / "var" / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        path = bench_dir / "directory.sqlite3"
        if options.fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = os.environ.get("BENCH_DATABASE_URL") or ""
        if not url:
            from_environment = os.environ.get("DATABASE_URL", "")
            url = from_environment if from_environment.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES_URL
        create_postgres_database_if_missing(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"  # measure without DEBUG's query log and error pages
    os.environ.setdefault("RENSHI_LOG_LEVEL", "WARNING")
    return url


def seed_company(size: int):  # noqa: ANN201 - returns (company, hr admin user)
    """A company `bench-<size>` with a real department tree and `size` employees (bulk insert;
    a benchmark may bypass the services). Reused when it already exists."""
    from django.db import connection, transaction

    from hris.accounts.models import RoleAssignment, User
    from hris.core.protected import encrypt_text, keyed_digest
    from hris.org.models import Branch, Company, Department, Position
    from hris.people.demo import names
    from hris.people.demo.seeding import id_check_character
    from hris.people.models import Employee

    code = f"bench-{size}"
    company = Company.objects.filter(code=code).first()
    if company is not None and Employee.objects.filter(company=company).count() == size:
        return company, User.objects.get(username=f"{code}-hr")
    if company is not None:
        sys.exit(f"Company {code} exists with a different number of employees; use --fresh (SQLite) or drop the bench database.")

    started = time.perf_counter()
    rng = random.Random(size)
    with transaction.atomic():
        company = Company.objects.create(name=f"基准测试公司（{size} 人）", short_name=f"基准{size}", code=code)
        branches = {
            "hq": Branch.objects.create(company=company, name="上海总部", code="hq", city="上海"),
            "plant": Branch.objects.create(company=company, name="苏州工厂", code="plant", city="苏州"),
        }
        positions = {
            position_code: Position.objects.create(company=company, code=position_code, title=title, job_family=family, level=level,
                                                   is_managerial=level.startswith("M"))
            for position_code, title, family, level in POSITIONS
        }
        departments: dict[str, Department] = {}
        for department_code, name, parent_code, branch, _share in TREE:
            fields = {"company": company, "name": name, "code": department_code, "branch": branches[branch]}
            if parent_code is None:
                departments[department_code] = Department.objects.add_root(fields)
            else:
                departments[department_code] = Department.objects.add_child(Department.objects.get(pk=departments[parent_code].pk), fields)

        surnames = [surname for surname, _weight in names.SURNAMES]
        weights = [weight for _surname, weight in names.SURNAMES]
        today = date.today()
        counter = iter(range(1, 10**9))

        def person(department: Department, position: str, manager_id: int | None) -> Employee:
            number = next(counter)
            male = rng.random() < 0.6
            birth = today - timedelta(days=rng.randint(20 * 365, 55 * 365))
            body = f"{rng.choice(names.REGIONS_INLAND)}{birth:%Y%m%d}{(number % 500) * 2 + (1 if male else 0):03d}"
            id_number = body + id_check_character(body)
            first, second = (names.MALE_FIRST, names.MALE_SECOND) if male else (names.FEMALE_FIRST, names.FEMALE_SECOND)
            given = rng.choice(first) + rng.choice(second)
            return Employee(
                company=company, employee_number=f"E{number:06d}", name=rng.choices(surnames, weights)[0] + given,
                gender="male" if male else "female", birth_date=birth, department=department, position=positions[position],
                manager_id=manager_id, hire_date=today - timedelta(days=rng.randint(30, 15 * 365)),
                employment_type="full_time", status=rng.choices(("active", "probation", "on_leave"), (0.93, 0.05, 0.02))[0],
                phone=f"1{rng.choice('3589')}{number:09d}"[:11], email=f"e{number:06d}@{code}.example.cn",
                work_location=department.branch.name, id_number_encrypted=encrypt_text(id_number), id_number_digest=keyed_digest(id_number),
            )

        # Heads first (tree order), each reporting to the head of the parent department.
        heads: dict[str, Employee] = {}
        for department_code, _name, parent_code, _branch, _share in TREE:
            position = "director" if parent_code is None else "manager"
            manager_id = heads[parent_code].pk if parent_code else (heads["gm"].pk if heads else None)
            head = person(departments[department_code], position, manager_id)
            head.save()
            heads[department_code] = head
            Department.objects.filter(pk=departments[department_code].pk).update(head=head)
        remaining = size - len(heads)
        shares = [share for *_rest, share in TREE]
        staff_departments = rng.choices([row[0] for row in TREE], shares, k=max(0, remaining))
        staff_positions = ("operator", "operator", "skilled-worker", "engineer", "senior-engineer", "specialist")
        Employee.objects.bulk_create(
            [person(departments[code_], rng.choice(staff_positions), heads[code_].pk) for code_ in staff_departments], batch_size=1000
        )
        hr_user = User.objects.create(username=f"{code}-hr", email=f"hr@{code}.example.cn")
        RoleAssignment.objects.create(user=hr_user, role="hr_admin", scope_type="company", company=company)
        Employee.objects.filter(pk=heads["hr-admin"].pk).update(user=hr_user)
    # Fresh statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would give a live system.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {size} employees into {code} in {time.perf_counter() - started:.1f} s")
    return company, hr_user


def measure(client, url: str, *, warmup: int, requests: int) -> dict:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _number in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"GET {url} answered {response.status_code}, expected 200:\n{response.content[:500]!r}")
    timings = []
    for _number in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))],
        "queries": len(captured.captured_queries),
        "sql": [query["sql"] for query in captured.captured_queries],
    }


def main() -> int:
    options = parse_arguments()
    database_url = configure_database(options)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    try:
        page_url = reverse("people:directory")
    except NoReverseMatch:
        sys.exit("The directory page (URL name people:directory) does not exist yet; nothing to measure.")
    try:
        resolve(API_URL)
    except Resolver404:
        sys.exit(f"The employee list API ({API_URL}) does not exist yet; nothing to measure.")

    print(f"database: {connection.vendor} ({database_url.split('@')[-1]})")
    call_command("migrate", verbosity=0)
    results = {}
    for size in (SMALL_COMPANY, options.employees):
        _company, hr_user = seed_company(size)
        client = Client()
        client.force_login(hr_user)
        results[size] = {
            "page": measure(client, page_url, warmup=options.warmup, requests=options.requests),
            "api": measure(client, API_URL, warmup=options.warmup, requests=options.requests),
        }

    print(f"\n{options.requests} requests per URL after {options.warmup} warm-up, as an HR admin with company scope")
    print(f"{'':34}{'p50 ms':>10}{'p95 ms':>10}{'queries':>10}")
    for size, measured in results.items():
        for label, url in (("page", page_url), ("api", API_URL)):
            row = measured[label]
            print(f"{label + ' ' + url + ' @' + str(size):34}{row['p50']:>10.1f}{row['p95']:>10.1f}{row['queries']:>10}")
    big, small = results[options.employees], results[SMALL_COMPANY]
    flat = all(big[label]["queries"] == small[label]["queries"] for label in ("page", "api"))
    print(f"\nquery count flat in N ({SMALL_COMPANY} → {options.employees}): {'yes' if flat else 'NO'}")
    if not flat:
        for label in ("page", "api"):
            if big[label]["queries"] != small[label]["queries"]:
                print(f"  {label}: {small[label]['queries']} → {big[label]['queries']} queries; at N:")
                for statement in big[label]["sql"]:
                    print(f"    {statement[:160]}")
    if options.employees == 2000:
        verdict = "met" if big["page"]["p50"] < PAGE_TARGET_MS else "MISSED"
        print(f"target: directory page p50 < {PAGE_TARGET_MS:.0f} ms at 2,000 employees: {verdict}")
    print(
        f"RESULT page_p50_ms={big['page']['p50']:.1f} page_queries={big['page']['queries']} "
        f"api_p50_ms={big['api']['p50']:.1f} api_queries={big['api']['queries']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
