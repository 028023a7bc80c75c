"""Processed-row counters the preview page polls.

Validation runs outside any transaction and writes the counter on the job row. A commit
runs in one long transaction whose writes nobody sees until it ends, so its counter goes
through a side channel: a second database connection on PostgreSQL (autocommit, so the
page sees it at once and web and worker hosts may differ), a small file cache under
VAR_DIR on SQLite (whose single writer lock the commit holds).
"""

from __future__ import annotations

import hashlib
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection, connections

from hris.people.models_import import ImportJob

# Write at most this often; a poll every second does not need more.
MINIMUM_INTERVAL_SECONDS = 0.5


@lru_cache(maxsize=1)
def _file_cache() -> FileBasedCache:
    return FileBasedCache(str(settings.VAR_DIR / "cache" / "import-progress"), {"TIMEOUT": 24 * 3600})


def _cache_key(job_id: int) -> str:
    # Test runs and deployments may share VAR_DIR; the database name keeps their jobs apart.
    database = hashlib.sha256(str(connection.settings_dict.get("NAME", "")).encode()).hexdigest()[:12]
    return f"import-progress:{database}:{job_id}"


class ValidationProgress:
    """Counter on the job row, for work that runs outside a transaction."""

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self.last_write = 0.0

    def __call__(self, processed: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last_write >= MINIMUM_INTERVAL_SECONDS:
            ImportJob.objects.filter(pk=self.job_id).update(processed_rows=processed)
            self.last_write = now


class CommitProgress:
    """Counter written from inside the commit's transaction, visible to other processes."""

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self.last_write = 0.0
        self.side_connection = None

    def __call__(self, processed: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_write < MINIMUM_INTERVAL_SECONDS:
            return
        self.last_write = now
        try:
            if connection.vendor == "postgresql":
                if self.side_connection is None:
                    self.side_connection = connections.create_connection("default")
                with self.side_connection.cursor() as cursor:
                    cursor.execute(f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s WHERE id = %s", [processed, self.job_id])
            else:
                _file_cache().set(_cache_key(self.job_id), processed)
        except Exception:  # progress is a courtesy; never let it break the commit
            pass

    def close(self) -> None:
        if self.side_connection is not None:
            self.side_connection.close()
            self.side_connection = None
        if connection.vendor != "postgresql":
            _file_cache().delete(_cache_key(self.job_id))


def processed_rows(job: ImportJob) -> int:
    """What the page shows: the job row, or during a commit on SQLite the side channel."""
    if job.status == "committing" and connection.vendor != "postgresql":
        value = _file_cache().get(_cache_key(job.pk))
        if value is not None:
            return min(int(value), job.total_rows)
    return min(job.processed_rows, job.total_rows)
