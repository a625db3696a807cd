"""One settings module, configured only by environment variables.

With no variables set it runs embedded: SQLite in a data directory, background jobs in-process,
mail to the console. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS, …
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import dj_database_url

from servicedesk.core.envparse import (
    data_dir_secret_key,
    env_bool,
    env_int,
    env_list,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SERVICEDESK_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # Embedded mode: a key kept in the data directory so sessions survive restarts.
    SECRET_KEY = data_dir_secret_key(DATA_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin, whose forms it extends with a field per language.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "servicedesk.core",
    "servicedesk.accounts",
    "servicedesk.catalog",
    "servicedesk.tickets",
    "servicedesk.notifications",
    "servicedesk.sla",
    "servicedesk.alerts",
    "servicedesk.oncall",
    "servicedesk.statuspage",
    "servicedesk.appointments",
    "servicedesk.mailin",
    "servicedesk.majorincidents",
    "servicedesk.reports",
    "servicedesk.demo",
    "servicedesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "servicedesk.web.middleware.UserPreferencesMiddleware",
    "servicedesk.web.middleware.MovedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"
# Home sends each person on by role: desk staff to the console, requesters to the portal.
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _sqlite_options() -> dict:
    # WAL lets readers run beside the single writer; IMMEDIATE avoids lock upgrades that would
    # otherwise fail with "database is locked" under concurrent writes.
    return {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }


def _database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite"):
        config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60))
        config["CONN_HEALTH_CHECKS"] = True
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            # Parameters bound by the server, and a statement run twice on a connection is
            # prepared: PostgreSQL parses it once, Python no longer quotes every value. Turn off
            # behind a pooler in transaction mode (PgBouncer), where a connection is shared.
            config.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
        return config
    if url:
        name = dj_database_url.parse(url)["NAME"]
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        name = DATA_DIR / "servicedesk.sqlite3"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": _sqlite_options(),
        # A file, not memory, so that workers started by a test see the same database.
        "TEST": {"NAME": str(Path(name).with_name(f"test-{os.getpid()}-{Path(name).name}"))},
    }


DATABASES = {"default": _database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ro", "Română")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Reference data (catalogue, groups, SLA policies) is entered in both languages: `name_en`,
# `name_ro` … columns (each app's translation.py). English is the source and the fallback, and
# must be given; a row created in code from a plain `name=` fills the English column too.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_AUTO_POPULATE = "default"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Bucharest")
USE_I18N = True
USE_TZ = True
# One way of writing dates per language: servicedesk/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["servicedesk.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploads above this size are refused with 413 before they reach the ticket.
SERVICEDESK_MAX_ATTACHMENT_BYTES = env_int("SERVICEDESK_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# No ticket can have been reported before this (a typo, not history): SERVICEDESK_REPORTED_AT_EARLIEST
# is an ISO date or date and time, UTC unless it says otherwise.
SERVICEDESK_REPORTED_AT_EARLIEST = datetime.fromisoformat(
    os.environ.get("SERVICEDESK_REPORTED_AT_EARLIEST", "2000-01-01T00:00:00+00:00")
)
if SERVICEDESK_REPORTED_AT_EARLIEST.tzinfo is None:
    SERVICEDESK_REPORTED_AT_EARLIEST = SERVICEDESK_REPORTED_AT_EARLIEST.replace(tzinfo=UTC)
# Days after resolution during which a requester may reject the fix (a reopen).
SERVICEDESK_REOPEN_WINDOW_DAYS = env_int("SERVICEDESK_REOPEN_WINDOW_DAYS", 7)
# Minutes before a session with a requester that both people are reminded (docs/appointments.md).
SERVICEDESK_SESSION_REMINDER_MINUTES = env_int("SERVICEDESK_SESSION_REMINDER_MINUTES", 30)
# A resolved ticket nobody confirms or rejects closes after this many business days of the
# desk calendar (never a major incident).
SERVICEDESK_AUTO_CLOSE_BUSINESS_DAYS = env_int("SERVICEDESK_AUTO_CLOSE_BUSINESS_DAYS", 3)
# How often the SLA sweep looks for due warnings and breaches.
SERVICEDESK_SWEEP_SECONDS = env_int("SERVICEDESK_SWEEP_SECONDS", 30)
SERVICEDESK_DESK_CALENDAR = os.environ.get("SERVICEDESK_DESK_CALENDAR", "Office hours")
# How often an open console queue refreshes its rows and counts (seconds).
SERVICEDESK_QUEUE_POLL_SECONDS = env_int("SERVICEDESK_QUEUE_POLL_SECONDS", 30)
SERVICEDESK_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "servicedesk@localhost")
DEFAULT_FROM_EMAIL = SERVICEDESK_FROM_EMAIL
# The right-hand side of the Message-IDs the desk writes (and recognises in replies).
SERVICEDESK_MESSAGE_ID_DOMAIN = os.environ.get(
    "SERVICEDESK_MESSAGE_ID_DOMAIN", SERVICEDESK_FROM_EMAIL.rpartition("@")[2] or "localhost"
)
# Webhook targets on these hosts, addresses or networks are allowed although not public
# (e.g. "hooks.intranet,10.20.0.0/16"); every other private or loopback target is refused.
# Email in (docs/mailin.md): the mailbox `servicedesk mail-in` stores into when none is named,
# and how many messages one sender may send in an hour before the rest are ignored (a loop).
SERVICEDESK_MAILIN_DEFAULT_MAILBOX = os.environ.get("SERVICEDESK_MAILIN_DEFAULT_MAILBOX", "default")
SERVICEDESK_MAILIN_SENDER_HOURLY_CAP = env_int("SERVICEDESK_MAILIN_SENDER_HOURLY_CAP", 20)
SERVICEDESK_WEBHOOK_ALLOWED_TARGETS = env_list("SERVICEDESK_WEBHOOK_ALLOWED_TARGETS", [])
SERVICEDESK_WEBHOOK_TIMEOUT = float(os.environ.get("SERVICEDESK_WEBHOOK_TIMEOUT", "10"))

# On-call paging (docs/oncall.md): which incidents start an escalation when no policy says
# otherwise (priorities, and tiers of the assignment group), and how long a page's acknowledge
# link works.
SERVICEDESK_ONCALL_PAGE_PRIORITIES = [
    int(p) for p in env_list("SERVICEDESK_ONCALL_PAGE_PRIORITIES", ["1", "2"])
]
SERVICEDESK_ONCALL_PAGE_TIERS = [int(t) for t in env_list("SERVICEDESK_ONCALL_PAGE_TIERS", ["3"])]
SERVICEDESK_ONCALL_ACK_HOURS = env_int("SERVICEDESK_ONCALL_ACK_HOURS", 24)

# How deferred work runs: "celery" (a broker and workers), "thread" (in-process, embedded),
# or "inline" (right after commit, in the same thread; tests).
# Monitoring alerts: the largest body an intake endpoint takes, and how many raw events one
# processing batch applies (docs/alerts.md).
SERVICEDESK_ALERTS_MAX_BODY = 512 * 1024
# Events applied in one transaction. A storm's repeats cost per key and batch (each batch reads
# and writes the alerts of its keys, and tells each incident once), so larger batches amortise
# them: 5,000 events take well under a second.
SERVICEDESK_ALERTS_BATCH = env_int("SERVICEDESK_ALERTS_BATCH", 5000)
# With a broker, each web process sends the processing task at most this often.
SERVICEDESK_ALERTS_KICK_SECONDS = 0.25

SERVICEDESK_JOBS = os.environ.get(
    "SERVICEDESK_JOBS", "celery" if os.environ.get("CELERY_BROKER_URL") else "thread"
)
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "servicedesk"

# Django's SMTP backend, preparing a batch's envelope addresses once (notifications/smtp.py).
SERVICEDESK_SMTP_BACKEND = "servicedesk.notifications.smtp.EmailBackend"
MAILERS = {
    "default": parse_email_url(
        os.environ.get("EMAIL_URL", "console://"), smtp_backend=SERVICEDESK_SMTP_BACKEND
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "servicedesk.accounts.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["servicedesk.core.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "servicedesk.core.parsers.ObjectJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "servicedesk.core.schema.ServiceDeskAutoSchema",
    "EXCEPTION_HANDLER": "servicedesk.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "servicedesk API",
    "DESCRIPTION": "Incidents and service requests, their lifecycle, timeline and catalog.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Every id in a path (core/converters.py): what the route accepts, else a 404.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    # Served by the app itself: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "servicedesk.tickets.priority.Level",
        "HoldReasonEnum": "servicedesk.tickets.states.HoldReason",
        "CancelReasonEnum": "servicedesk.tickets.states.CancelReason",
        "StatusEnum": "servicedesk.tickets.states.Status",
        "AlertStatusEnum": "servicedesk.alerts.models.AlertStatus",
        "AlertSeverityEnum": "servicedesk.alerts.models.Severity",
        "AlertmanagerStatusEnum": ["firing", "resolved"],
        "GenericAlertStatusEnum": ["firing", "acknowledged", "resolved"],
        "ComponentStatusEnum": "servicedesk.statuspage.states.ComponentStatus",
        "IncidentStatusEnum": "servicedesk.statuspage.states.IncidentStatus",
        # The ticket's kind keeps its name beside the session's.
        "KindEnum": "servicedesk.tickets.models.Kind",
        "SessionKindEnum": "servicedesk.appointments.states.Kind",
        "SessionStatusEnum": "servicedesk.appointments.states.Status",
        "SessionAnswerEnum": "servicedesk.appointments.states.Answer",
        "SessionOutcomeEnum": "servicedesk.appointments.states.Outcome",
        "MajorStatusEnum": "servicedesk.majorincidents.models.MajorStatus",
        "MajorRoleEnum": "servicedesk.majorincidents.models.MajorRole",
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
