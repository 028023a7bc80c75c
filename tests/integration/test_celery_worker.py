"""A real Celery worker process runs a large import's validation and commit.

The worker is started as a separate process on the configured broker (the embedded
SQLite broker by default; Redis when CELERY_BROKER_URL says so, as in CI) against the
test database, exactly as `make demo` and production run it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from kombu import Connection

from config.celery import app as celery_app
from hris.audit.verification import verify_audit_chain
from hris.people.models import Employee
from hris.people.models_import import ImportJob, ImportStatus
from hris.people.tests.importing.helpers import EMPLOYEE_HEADERS_ZH, commit, upload, xlsx_bytes
from hris.tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
# The default queue: the code under test queues with .delay(), as in production. The
# broker is private to the test (a temporary SQLite file, or Redis database 15 in CI).
QUEUE = "celery"


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}"


def _purge(broker_url: str) -> None:
    """Leftovers of an earlier run on a shared broker (Redis in CI) must not reach this worker."""
    # A queue that does not exist yet has nothing to purge.
    with Connection(broker_url) as connection_to_broker, contextlib.suppress(Exception):
        connection_to_broker.default_channel.queue_purge(QUEUE)


def _reset_producer_pool() -> None:
    """The app caches its connection and producer pools with the broker URL of first use;
    drop them so the next send connects to the broker now configured."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker_queue(tmp_path, settings):  # noqa: ANN001, ANN201
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith(("file:memorydb", ":memory:")):
        pytest.fail("the SQLite test database must be a file for a worker process to share it (config/settings/test.py)")
    broker_url = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    # Uploads go to a real directory the worker can read.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**django_settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.RENSHI_IMPORT_ASYNC_THRESHOLD = 3
    _purge(broker_url)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "RENSHI_VAR_DIR": str(tmp_path),
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", QUEUE,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    previous = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=broker_url)
    _reset_producer_pool()
    try:
        yield log_path
    finally:
        celery_app.conf.update(previous)
        _reset_producer_pool()
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def _wait_for_status(job_id: int, status: str, log_path: Path, seconds: float = 90) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.status == status:
            return job
        if job.status == ImportStatus.FAILED:
            pytest.fail(f"import failed: {job.failure_message}\n{log_path.read_text()[-3000:]}")
        time.sleep(0.3)
    pytest.fail(f"job {job_id} never reached {status} (is {job.status})\nworker log:\n{log_path.read_text()[-3000:]}")


def test_worker_validates_and_commits_a_background_import(worker_queue, client):  # noqa: ANN001
    # Given an HR admin and a file above the background threshold (3 rows)
    world = build_world()
    client.force_login(world.user("hr_admin"))
    rows = [EMPLOYEE_HEADERS_ZH] + [[f"W{number:04d}", f"后台{number}", "二车间", date(2025, 5, number)] for number in range(1, 9)]

    # When it is uploaded, the worker process validates it
    assert upload(client, xlsx_bytes(rows)).status_code in {200, 302}
    job = ImportJob.objects.latest("id")
    assert job.run_in_background is True
    job = _wait_for_status(job.pk, ImportStatus.VALIDATED, worker_queue)
    assert (job.total_rows, job.processed_rows, job.error_count) == (8, 8, 0)

    # And when HR commits, the worker writes all eight employees through the services
    assert commit(client, job).status_code in {200, 302}
    _wait_for_status(job.pk, ImportStatus.COMMITTED, worker_queue)
    created = Employee.objects.filter(employee_number__startswith="W").order_by("employee_number")
    assert list(created.values_list("employee_number", "name", "department__code")) == [
        (f"W{number:04d}", f"后台{number}", "workshop2") for number in range(1, 9)
    ]
    assert verify_audit_chain().ok


def _wait_for_run(cycle, *, newer_than: int, log_path: Path, seconds: float = 90):  # noqa: ANN001, ANN202
    from hris.kpi.models import ComputationRun

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = ComputationRun.objects.filter(cycle=cycle, pk__gt=newer_than, state__in=["succeeded", "failed"]).order_by("-pk").first()
        if run is not None:
            assert run.state == "succeeded", f"{run.error}\n{log_path.read_text()[-3000:]}"
            return run
        time.sleep(0.3)
    pytest.fail(f"no computation finished\nworker log:\n{log_path.read_text()[-3000:]}")


def test_worker_computes_a_cycle_and_recomputes_when_a_record_arrives(worker_queue):  # noqa: ANN001
    from decimal import Decimal

    from hris.kpi.models import Assessment
    from hris.kpi.services.computation import computation_run_request
    from hris.kpi.services.metrics import metric_records_submit
    from hris.kpi.tests.engine.scenario import give_worker_data, manufacturing

    # Given the pinned manufacturing cycle with w1_worker's October data
    world = build_world()
    scenario = manufacturing(world)
    give_worker_data(world, scenario)
    worker = world.employee("w1_worker")

    # When HR asks for a computation, the worker process runs it
    first = computation_run_request(actor=world.user("hr_admin"), cycle=scenario.cycle)
    done = _wait_for_run(scenario.cycle, newer_than=first.pk - 1, log_path=worker_queue)
    assert (done.total, done.done, done.items_written) == (3, 3, 15)
    assert Assessment.objects.get(cycle=scenario.cycle, employee=worker).computed_total == Decimal("90.71")

    # And a new efficiency record (avg of 90, 96 and 102 = 96) is recomputed automatically
    metric_records_submit(
        actor=world.user("hr_admin"),
        company=world.company,
        records=[{"employee_id": worker.pk, "metric_key": "production_efficiency", "value": "102", "date": "2026-10-28",
                  "source": "erp", "external_id": "erp-late-october"}],
    )
    again = _wait_for_run(scenario.cycle, newer_than=done.pk, log_path=worker_queue)
    assert again.employee_ids == [worker.pk]
    # 96 × 30 % = 28.80 instead of 27.90
    assert Assessment.objects.get(cycle=scenario.cycle, employee=worker).computed_total == Decimal("91.61")
    assert verify_audit_chain().ok
