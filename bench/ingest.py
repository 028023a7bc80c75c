#!/usr/bin/env python3
"""Metric ingestion through HTTP: batches of 10,000 records into PostgreSQL.

    .venv/bin/python bench/ingest.py [--employees 20000] [--batches 24] [--workers 2] [--clients 2]

PostgreSQL: $DATABASE_URL if PostgreSQL, else postgres://postgres@127.0.0.1:5432/renshi_bench
(created if missing); migrated; a company of N employees is seeded (bulk insert, reused between
runs), a few thousand of them mapped to Jira identities, and an OAuth2 client with
`metrics:write` is registered. Then gunicorn serves the product on 127.0.0.1 (production
settings, persistent connections) and `--clients` threads post the batches concurrently, each
obtaining its token through /o/token/ (client credentials) first.

The batches mix what an integration really sends: new records, exact repeats of records sent
before (duplicates: stored once) and changed values of earlier records (they supersede the
stored row, which stays as history); employees are named by number, by id and by Jira identity.
After the run the table is counted: rows and current rows must match what the batches said.

Last line: RESULT records_per_s=… batch_p95_ms=…
Target (issue): at least 25,000 records/s sustained on this 2-core machine, idempotency included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.support import create_postgres_database_if_missing  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/renshi_bench"
BATCH_SIZE = 10_000
SOURCE = "bench-ingest"
SECRET_KEY = "renshi-bench-ingest-not-a-production-secret"
TARGET = 25_000


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Metric ingestion API benchmark (HTTP, gunicorn, PostgreSQL).")
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--batches", type=int, default=24, help="timed batches of 10,000 records (after 2 warm-up batches)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=2, help="concurrent posting clients")
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (default: a free one)")
    return parser.parse_args()


def configure() -> str:
    from_environment = os.environ.get("DATABASE_URL", "")
    url = from_environment if from_environment.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES_URL
    create_postgres_database_if_missing(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY
    os.environ["DJANGO_SECURE_COOKIES"] = "0"
    os.environ["DB_CONN_MAX_AGE"] = "600"
    os.environ["RENSHI_LOG_LEVEL"] = "WARNING"
    # The benchmark measures throughput, not the per-client limit (120 batches a minute by default).
    os.environ["RENSHI_METRIC_INGESTION_RATE"] = "100000/minute"
    os.environ["RENSHI_API_CLIENT_RATE"] = "100000/minute"
    return url


def seed(size: int):  # noqa: ANN201 - (company, client id, client secret, employees)
    from django.db import connection

    from bench.directory import seed_company
    from hris.accounts.api.services import api_client_create
    from hris.people.models import Employee, ExternalIdentity

    company, _hr = seed_company(size)
    people = list(Employee.objects.filter(company=company).order_by("pk").values_list("pk", "employee_number"))
    mapped = people[: len(people) // 5]
    ExternalIdentity.objects.bulk_create(
        [ExternalIdentity(company=company, employee_id=pk, system="jira", external_id=f"jira-{number}") for pk, number in mapped],
        ignore_conflicts=True,
        batch_size=2000,
    )
    credentials = api_client_create(
        actor=None,
        name=f"bench ingest {int(time.time())}",
        company=company,
        role="hr_admin",
        scope_type="company",
        scopes=["metrics:write"],
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return company, credentials.client_id, credentials.client_secret, people, {pk for pk, _number in mapped}


class Batches:
    """Batch k: 60 % new records, 20 % exact repeats and 20 % changed values of records sent before.

    Each client repeats and changes only records of its own earlier batches, like integrations
    that each own their records (two batches changing the same record at the same moment are a
    conflict the service resolves by matching again, which is not what this measures)."""

    def __init__(self, people: list[tuple[int, str]], mapped: set[int], run: str, clients: int):
        self.people, self.mapped, self.run = people, mapped, run
        self.rng = random.Random(11)
        self.sent: list[list[dict]] = [[] for _client in range(clients)]  # latest version of each record, per client
        self.expected = {"created": 0, "duplicates": 0, "superseded": 0}
        self.serial = 0

    @property
    def distinct(self) -> int:
        return sum(len(sent) for sent in self.sent)

    def _owner(self, serial: int) -> dict:
        pk, number = self.people[serial % len(self.people)]
        kind = serial % 3
        if kind == 0 or (kind == 2 and pk not in self.mapped):
            return {"number": number}
        if kind == 1:
            return {"id": pk}
        return {"external": {"system": "jira", "id": f"jira-{number}"}}

    def next(self, client: int) -> bytes:
        sent = self.sent[client]
        records = []
        earlier = list(range(len(sent)))
        self.rng.shuffle(earlier)
        repeats, changes = earlier[: BATCH_SIZE // 5], earlier[BATCH_SIZE // 5 : 2 * BATCH_SIZE // 5]
        for position in repeats:
            records.append(sent[position])
            self.expected["duplicates"] += 1
        for position in changes:
            sent[position] = dict(sent[position], value=sent[position]["value"] + 1)
            records.append(sent[position])
            self.expected["superseded"] += 1
        while len(records) < BATCH_SIZE:
            serial = self.serial = self.serial + 1
            record = {
                "employee": self._owner(serial),
                "metric_key": ("story_points", "output_pieces", "defects", "sales")[serial % 4],
                "date": f"2026-{7 + serial % 3:02d}-{1 + serial % 28:02d}",
                "value": self.rng.randint(0, 5000),
                "external_id": f"{self.run}-{serial}",
            }
            sent.append(record)
            records.append(record)
            self.expected["created"] += 1
        self.rng.shuffle(records)
        return json.dumps({"source": SOURCE, "records": records}).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=os.environ.copy(), start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start within 30 s")


def token(base: str, client_id: str, client_secret: str) -> str:
    import requests

    response = requests.post(
        f"{base}/o/token/", data={"grant_type": "client_credentials", "scope": "metrics:write"}, auth=(client_id, client_secret), timeout=30
    )
    if response.status_code != 200:
        sys.exit(f"token request answered {response.status_code}: {response.text[:300]}")
    return response.json()["access_token"]


def post_all(base: str, client_id: str, client_secret: str, bodies: list[list[bytes]]) -> tuple[float, list[float], list[dict]]:
    """One thread per client, each posting its own batches in order."""
    import requests

    lock = threading.Lock()
    latencies: list[float] = []
    answers: list[dict] = []
    failures: list[str] = []

    def work(own: list[bytes]) -> None:
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token(base, client_id, client_secret)}", "Content-Type": "application/json"})
        for position, body in enumerate(own):
            started = time.perf_counter()
            response = session.post(f"{base}/api/v1/metrics/batches/", data=body, timeout=120)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if response.status_code != 201:
                    failures.append(f"batch {position}: {response.status_code} {response.text[:300]}")
                    continue
                latencies.append(elapsed)
                answers.append(response.json())

    threads = [threading.Thread(target=work, args=(own,)) for own in bodies]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        sys.exit("failed batches:\n" + "\n".join(failures))
    return wall, latencies, answers


def main() -> None:
    options = parse_arguments()
    url = configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hris.kpi.models import MetricRecord

    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    call_command("migrate", verbosity=0)
    company, client_id, client_secret, people, mapped = seed(options.employees)
    # The database is kept between runs, so the table grows: say how large it is (lookups and index
    # upkeep get dearer with size; the figure is only comparable at a similar size).
    before = MetricRecord.objects.count()
    print(f"metric records already stored: {before:,}")
    run = f"r{int(time.time())}"
    batches = Batches(people, mapped, run, options.clients)
    warmup = [[batches.next(client) for client in range(options.clients)]]
    warmup_expected = dict(batches.expected)
    timed: list[list[bytes]] = [[] for _client in range(options.clients)]
    for number in range(options.batches):
        timed[number % options.clients].append(batches.next(number % options.clients))
    print(f"{options.batches} batches of {BATCH_SIZE} records ({len(timed[0][-1]) / 1e6:.1f} MB each), {options.clients} clients, "
          f"{options.workers} gunicorn workers")  # fmt: skip
    connection.close()

    port = options.port or free_port()
    server = start_gunicorn(port, options.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        post_all(base, client_id, client_secret, warmup)
        wall, latencies, answers = post_all(base, client_id, client_secret, timed)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    totals = {key: sum(answer["counts"][key] for answer in answers) for key in ("created", "duplicates", "superseded", "rejected")}
    expected = {key: batches.expected[key] - warmup_expected[key] for key in batches.expected}
    records = options.batches * BATCH_SIZE
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    server_ms = statistics.median(answer["timings"]["total_ms"] for answer in answers)
    steps = {
        step: statistics.median(answer["timings"].get(step, 0) for answer in answers)
        for step in ("validate_ms", "resolve_ms", "match_ms", "store_ms")
    }
    print(f"counts {totals}; expected {expected}")
    print(
        f"batch latency p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms; service time median {server_ms:.0f} ms ("
        + ", ".join(f"{key} {value:.0f}" for key, value in steps.items())
        + ")"
    )

    rows = MetricRecord.objects.filter(company=company, source=SOURCE, external_id__startswith=f"{run}-")
    stored, current = rows.count(), rows.filter(is_current=True).count()
    distinct = batches.distinct
    print(f"rows stored {stored} (expected {batches.expected['created'] + batches.expected['superseded']}), "
          f"current {current} (expected {distinct})")  # fmt: skip
    if totals["rejected"] or any(totals[key] != expected[key] for key in expected):
        sys.exit("the batches' counts differ from what was sent")
    if stored != batches.expected["created"] + batches.expected["superseded"] or current != distinct:
        sys.exit("idempotency broken: the table does not hold each record once with its history")
    rate = records / wall
    print(f"{records} records in {wall:.2f} s: {rate:,.0f} records/s (target {TARGET:,})")
    print(f"RESULT records_per_s={rate:.0f} batch_p95_ms={p95:.0f}")


if __name__ == "__main__":
    main()
