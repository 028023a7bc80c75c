"""RENSHI_CACHE_URL: Redis shared by every process, or each process's own memory; anything else refused at start."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
PRINT_CACHE = (
    "import django; django.setup(); from django.conf import settings; "
    "cache = settings.CACHES['default']; print(cache['BACKEND'], cache['LOCATION'])"
)


def _start(url: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("RENSHI_CACHE_URL", "PYTEST_XDIST_WORKER")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    if url is not None:
        env["RENSHI_CACHE_URL"] = url
    return subprocess.run([sys.executable, "-c", PRINT_CACHE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60)


def test_redis_url_gives_the_shared_redis_cache():
    started = _start("redis://cache.internal:6379/3")
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://cache.internal:6379/3"]


def test_without_a_url_each_process_keeps_its_own():
    started = _start(None)
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "renshi"]


def test_another_scheme_is_refused_with_the_reason():
    started = _start("memcached://cache.internal:11211")
    assert started.returncode != 0
    assert "RENSHI_CACHE_URL must be a redis:// or rediss:// URL, not 'memcached://cache.internal:11211'" in started.stderr
