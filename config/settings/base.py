"""Settings shared by every environment. Values that differ come from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("RENSHI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "renshi-insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

# Key for protected personal fields (ID numbers). Derived from SECRET_KEY when not set.
FIELD_ENCRYPTION_KEY = os.environ.get("RENSHI_FIELD_ENCRYPTION_KEY", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "django_htmx",
    "bootstrap",
    "treebeard",
    "axes",
    "django_celery_beat",
    "hris.core",
    "hris.audit",
    "hris.accounts",
    "hris.org",
    "hris.people",
    "hris.kpi",
    "hris.reviews",
    "hris.calibration",
    "hris.notifications",
    "hris.integrations",
    "hris.integrations.connectors",
    "hris.integrations.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hris" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hris.core.context_processors.navigation",
                "hris.notifications.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite by default (embedded, zero set-up); PostgreSQL through DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'renshi.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web process and Celery workers share the file: WAL, a busy timeout and IMMEDIATE
    # transactions keep writers from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if os.environ.get("DB_CONN_MAX_AGE") is None else DATABASES["default"]["CONN_MAX_AGE"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "hris.accounts.backends.UsernameOrEmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username+IP after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("RENSHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Sessions, cookies and CSRF.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Internationalisation: Chinese first, English second; Asia/Shanghai, aware datetimes.
LANGUAGE_CODE = os.environ.get("RENSHI_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("RENSHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "hris" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hris.core.api.authentication.ServiceAccountOAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "hris.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hris.core.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "hris.core.api.throttling.ApiClientRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "60/minute",
        "user": "6000/minute",
        "api_client": os.environ.get("RENSHI_API_CLIENT_RATE", "1200/minute"),
        "metric_ingestion": os.environ.get("RENSHI_METRIC_INGESTION_RATE", "120/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Renshi HRIS API",
    "DESCRIPTION": "Open REST API of Renshi (人事). OAuth2 client-credentials with scopes for systems, session for the web UI.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Absolute links in e-mails and IM robot messages point here.
RENSHI_BASE_URL = os.environ.get("RENSHI_BASE_URL", "http://127.0.0.1:8000")
# Group robots: hosts allowed besides the vendors' own (oapi.dingtalk.com, qyapi.weixin.qq.com,
# open.feishu.cn, open.larksuite.com), e.g. a private deployment or an outbound relay. Comma-separated.
RENSHI_ROBOT_EXTRA_HOSTS = [host for host in os.environ.get("RENSHI_ROBOT_EXTRA_HOSTS", "").split(",") if host.strip()]
# /o/token/: failed client authentications allowed per client and address within the window (seconds), then 429.
RENSHI_TOKEN_FAILURE_LIMIT = int(os.environ.get("RENSHI_TOKEN_FAILURE_LIMIT", "10"))
RENSHI_TOKEN_FAILURE_WINDOW = int(os.environ.get("RENSHI_TOKEN_FAILURE_WINDOW", "900"))
# Outbound HTTP (robots, webhooks, connectors): (connect, read) seconds.
RENSHI_OUTBOUND_TIMEOUT = (3.05, 10.0)

OAUTH2_PROVIDER = {
    "SCOPES": {
        "org:read": "Read companies, branches, departments and positions",
        "org:write": "Create and change departments and positions",
        "employees:read": "Read employees within the client's data scope",
        "employees:write": "Create and update employees",
        "audit:read": "Read the audit trail within the client's data scope",
        "kpi:read": "Read KPI cycles, assessments and score breakdowns within the client's data scope",
        "kpi:write": "Request KPI computations",
        "metrics:write": "Submit metric records",
        "notifications:read": "Read the caller's own notifications",
        "notifications:write": "Mark the caller's own notifications read",
        "connectors:read": "Read connectors and their sync runs",
        "connectors:write": "Run connectors",
        "webhooks:read": "Read webhook subscriptions and their delivery log",
        "webhooks:write": "Register, change and delete webhook subscriptions, rotate secrets, send test events and redeliver",
    },
    "DEFAULT_SCOPES": ["org:read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "PKCE_REQUIRED": True,
    # Each client may only ask for the scopes it was registered with (create_api_client).
    "SCOPES_BACKEND_CLASS": "hris.accounts.api.oauth_scopes.ApiClientScopes",
}
# Named explicitly so migrations with a foreign key to the application (ApiClient) resolve
# DOT's swappable model; Renshi keeps DOT's own model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# Celery: embedded default broker is SQLite through kombu's SQLAlchemy transport.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Cache: API rate limits and vendor access tokens (DingTalk). Shared between processes only with
# Redis: set RENSHI_CACHE_URL=redis://host:6379/1 in production, so every web and Celery worker
# counts against the same limits and reuses one token. Without it each process keeps its own.
RENSHI_CACHE_URL = os.environ.get("RENSHI_CACHE_URL", "")
if RENSHI_CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": RENSHI_CACHE_URL, "KEY_PREFIX": "renshi"}
    }
elif RENSHI_CACHE_URL:
    raise ImproperlyConfigured(f"RENSHI_CACHE_URL must be a redis:// or rediss:// URL, not {RENSHI_CACHE_URL!r}")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "renshi"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RENSHI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Directory page size and import limits.
RENSHI_PAGE_SIZE = 25
RENSHI_IMPORT_MAX_ROWS = 200_000
RENSHI_IMPORT_ASYNC_THRESHOLD = 500

# SQLite cannot enforce the role-assignment unique key with NULL scope targets; the
# service checks it there, PostgreSQL enforces it.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
