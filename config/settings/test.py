import os
from urllib.parse import urlsplit

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
LANGUAGE_CODE = "en"

# A file, not an in-memory database, so that a real Celery worker process started by a
# test can open the same test database (pytest-xdist adds a per-worker suffix).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per process, so concurrent test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-renshi-{os.getpid()}.sqlite3")}  # noqa: F405
# Transactional tests are flushed with DELETE on SQLite; see audit migration 0002.
RENSHI_AUDIT_SQLITE_DELETE_GUARD = False

# With a Redis cache (CI), each pytest-xdist worker gets its own Redis database: tests clear the
# cache (FLUSHDB) and count rate limits, and two workers must not see each other's keys.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    _url = urlsplit(CACHES["default"]["LOCATION"])  # noqa: F405
    CACHES["default"]["LOCATION"] = _url._replace(path=f"/{int(_url.path.strip('/') or 0) + _worker}").geturl()  # noqa: F405

# Robot channels are tested against loopback servers replaying the vendors' answers.
RENSHI_ROBOT_EXTRA_HOSTS = ["127.0.0.1"]
