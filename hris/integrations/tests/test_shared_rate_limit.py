"""The ingestion rate limit lives in Django's cache: with Redis (RENSHI_CACHE_URL) every process —
each gunicorn worker, each Celery worker — counts against the same bucket. CI runs this on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from hris.integrations.models import IngestionBatch
from hris.integrations.tests.test_ingestion_api import post, record

BASE_DIR = Path(__file__).resolve().parents[3]
REDIS = settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
RATES = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "metric_ingestion": "2/minute"}


def _bucket() -> str:
    application_id = IngestionBatch.objects.latest("created_at").application_id
    return f"throttle_metric_ingestion_app-{application_id}"


def test_the_counter_is_kept_in_the_cache_per_client(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}):
        assert post(writer, [record(number, "a")]).status_code == 201
        assert post(writer, [record(number, "b")]).status_code == 201
        assert len(cache.get(_bucket())) == 2
        cache.delete(_bucket())  # what another process sees is what counts: emptied, the client may send again
        assert post(writer, [record(number, "c")]).status_code == 201


@pytest.mark.skipif(not REDIS, reason="a cache shared between processes needs RENSHI_CACHE_URL=redis://…")
def test_with_redis_another_process_sees_the_same_bucket(world, writer):  # noqa: ANN001
    number = world.employee("w1_worker").employee_number
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}):
        assert post(writer, [record(number, "a")]).status_code == 201
        assert post(writer, [record(number, "b")]).status_code == 201
        bucket = _bucket()
        # A second process with the same settings (a second web worker) reads the bucket and adds to it
        script = (
            "import django, time; django.setup(); from django.core.cache import cache; "
            f"seen = cache.get({bucket!r}) or []; print(len(seen)); cache.set({bucket!r}, [time.time()] + seen, 60)"
        )
        answer = subprocess.run(
            [sys.executable, "-c", script], cwd=BASE_DIR, env=dict(os.environ), capture_output=True, text=True, timeout=60, check=True
        )
        assert answer.stdout.strip() == "2"
        # …so this process now refuses: three batches were counted within the minute
        refused = post(writer, [record(number, "c")])
    assert refused.status_code == 429
