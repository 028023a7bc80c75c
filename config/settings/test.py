import os

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
