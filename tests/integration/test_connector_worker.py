"""A real Celery worker process is killed (SIGKILL) in the middle of a connector sync; a new
worker resumes the run and every record is stored exactly once.

The replay server (127.0.0.1, random port) serves eight Jira pages slowly; the worker commits
each page with its checkpoint, so the run resumes after the last committed page.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from kombu import Connection

from config.celery import app as celery_app
from hris.integrations.connectors.models import SyncRun
from hris.integrations.connectors.tests.builders import W1, W2, issue, jira_connector, jira_page
from hris.integrations.connectors.tests.replay import Answer, ReplayServer
from hris.kpi.models import MetricRecord
from hris.tests.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
QUEUE = "celery"
PAGES = 8


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{database['USER']}@{host}:{port}/{database['NAME']}"


def _reset_producer_pool() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Workers:
    def __init__(self, tmp_path: Path, broker_url: str):
        self.tmp_path, self.broker_url = tmp_path, broker_url
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker_url,
            "RENSHI_VAR_DIR": str(tmp_path),
        }
        self.processes: list[subprocess.Popen] = []
        self.log_path = tmp_path / "workers.log"

    def start(self) -> subprocess.Popen:
        log = open(self.log_path, "a")  # noqa: SIM115 (kept open for the process's life)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", QUEUE,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
            cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def log(self) -> str:
        return self.log_path.read_text()[-3000:]

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def workers(tmp_path):  # noqa: ANN001, ANN201
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith(("file:memorydb", ":memory:")):
        pytest.skip("the SQLite test database must be a file for a worker process to share it")
    broker_url = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    with Connection(broker_url) as connection_to_broker, contextlib.suppress(Exception):
        connection_to_broker.default_channel.queue_purge(QUEUE)
    previous = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=broker_url)
    _reset_producer_pool()
    pool = Workers(tmp_path, broker_url)
    try:
        yield pool
    finally:
        celery_app.conf.update(previous)
        _reset_producer_pool()
        pool.stop_all()


def _pages() -> list[dict]:
    """Eight pages of two resolved issues each (w1 and w2 alternate), chained by nextPageToken."""
    pages = []
    for number in range(1, PAGES + 1):
        issues = [
            issue(f"EX-{number * 10 + offset}", W1 if offset == 0 else W2, created="2026-10-01T09:00:00.000+0800",
                  resolved=f"2026-10-{number + 1:02d}T10:00:00.000+0800", due="2026-10-31", points=offset + 1)
            for offset in (0, 1)
        ]  # fmt: skip
        pages.append(jira_page(issues, f"page-{number + 1}" if number < PAGES else None))
    return pages


def _wait(predicate, what: str, workers: Workers, seconds: float = 90):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen\nworker log:\n{workers.log()}")


def test_a_worker_killed_mid_sync_is_resumed_by_another_without_loss_or_duplicates(workers, tmp_path):  # noqa: ANN001
    from hris.integrations.connectors import engine
    from hris.integrations.connectors.tasks import run_sync

    # Given a Jira connector whose eight pages are served slowly (0.7 s each)
    pages = _pages()
    by_token = {None: pages[0], **{f"page-{number}": pages[number - 1] for number in range(2, PAGES + 1)}}
    server = ReplayServer().start()
    server.route("POST", "/rest/api/3/search/jql", lambda request: Answer(200, by_token[request.body.get("nextPageToken")], delay=0.7))
    try:
        world = build_world()
        connector = jira_connector(world, server.url)
        first = workers.start()

        # When HR runs it and the worker is killed after some pages are committed
        run = engine.sync_run_request(actor=world.user("hr_admin"), connector=connector)
        _wait(lambda: SyncRun.objects.get(pk=run.pk).pages >= 3, "three committed pages", workers)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        interrupted = SyncRun.objects.get(pk=run.pk)
        assert interrupted.state == "running" and 3 <= interrupted.pages < PAGES
        stored_before = MetricRecord.objects.filter(source="jira").count()
        assert stored_before == interrupted.pages * 8  # whole pages only: 2 issues × 4 metrics each

        # And a new worker takes the run up again (the "Resume" button queues the same task)
        workers.start()
        run_sync.delay(run.pk)
        finished = _wait(
            lambda: SyncRun.objects.filter(pk=run.pk, state__in=["succeeded", "partial", "failed"]).first(), "the resumed run", workers
        )

        # Then every page is in exactly once
        assert (finished.state, finished.pages, finished.fetched, finished.accepted, finished.duplicates, finished.attempts) == (
            "succeeded", PAGES, PAGES * 2, PAGES * 8, 0, 2,
        )  # fmt: skip
        external_ids = list(MetricRecord.objects.filter(source="jira").values_list("external_id", flat=True))
        assert len(external_ids) == PAGES * 8
        assert max(Counter(external_ids).values()) == 1
        tokens = [request.body.get("nextPageToken") for request in server.requests]
        # pages before the kill were fetched once; at most the page in flight at the kill was fetched twice
        assert tokens.count(None) == 1
        assert sum(count - 1 for count in Counter(tokens).values()) <= 1
    finally:
        server.stop()
