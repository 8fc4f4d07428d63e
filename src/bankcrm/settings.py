"""Django settings for bankcrm.

Everything an operator sets comes from the environment (spec/cli.md):
``BANKCRM_HOME`` (data folder, default ``./var``), ``BANKCRM_DATABASE_URL``
(default SQLite inside the home), ``BANKCRM_DEBUG``, ``BANKCRM_SECRET_KEY``,
``BANKCRM_ALLOWED_HOSTS``, ``BANKCRM_HTTPS``. Metric thresholds can be
overridden in ``$BANKCRM_HOME/bankcrm.toml`` (see docs/configuration.md).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bankcrm.core.config import ConfigError, Decimal_, Rate, load_overrides

PACKAGE_DIR = Path(__file__).resolve().parent
BANKCRM_HOME = Path(os.environ.get("BANKCRM_HOME", "var")).resolve()
BANKCRM_HOME.mkdir(parents=True, exist_ok=True)
WAREHOUSE_DIR = BANKCRM_HOME / "warehouse"
LOG_DIR = BANKCRM_HOME / "logs"


def _env_flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    """An integer environment variable; a bad value stops start-up naming the variable (issue 15.9)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number ≥ {minimum}")
    return value


def _secret_key() -> str:
    if key := os.environ.get("BANKCRM_SECRET_KEY"):
        return key
    # A per-installation key kept in the home, so sessions survive restarts
    # without the operator having to invent one.
    key_file = BANKCRM_HOME / "secret_key"
    if not key_file.exists():
        # Written aside and linked into place: two first commands on an empty home must end up
        # with one key, and neither may read a half-written file (issue 15.8).
        draft = BANKCRM_HOME / f".secret_key.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_flag("BANKCRM_DEBUG")
ALLOWED_HOSTS = [h for h in os.environ.get("BANKCRM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
HTTPS = _env_flag("BANKCRM_HTTPS")
# The bank's reverse proxies (addresses or CIDRs, comma-separated): only their X-Forwarded-For is
# believed for the access log and lock-out (core/middleware.py client_address; docs/configuration.md).
BANKCRM_TRUSTED_PROXIES = os.environ.get("BANKCRM_TRUSTED_PROXIES", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets shipped locally (bank intranets have no CDN)
    "django_filters",
    "django_htmx",
    "axes",
    "bankcrm.core",
    "bankcrm.org",
    "bankcrm.customers",
    "bankcrm.ingest",
    "bankcrm.analytics",
    "bankcrm.campaigns",
    "bankcrm.complaints",
    "bankcrm.loans",
    "bankcrm.reports",
    "bankcrm.compliance",
    "bankcrm.apps.ProjectConfig",  # the top layer: demo, export, generate, serve; pages composing several apps
]

MIDDLEWARE = [
    "bankcrm.core.middleware.RequestLatencyMiddleware",  # first: /metrics sees the whole time
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bankcrm.core.middleware.NoStoreMiddleware",  # after whitenoise: static files stay cacheable
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bankcrm.org.logins.LoginSlowdownMiddleware",
    "axes.middleware.AxesMiddleware",
    "bankcrm.core.middleware.RequestContextMiddleware",
    "bankcrm.core.middleware.ApiVersionMiddleware",
    "bankcrm.core.idempotency.IdempotencyMiddleware",  # last: a replay runs no view, and no access log
]

ROOT_URLCONF = "bankcrm.urls"
WSGI_APPLICATION = "bankcrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bankcrm.core.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BANKCRM_DATABASE_URL", f"sqlite:///{BANKCRM_HOME / 'bankcrm.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Keep each web thread's connection: opening one and running the PRAGMAs below cost more
    # than a whole customer lookup (docs/adr/0603-serve.md).
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web app read while a nightly import writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "bankcrm.org.backends.RoleBackend",  # permissions and scope from the one role table (org/roles.py)
]
# The bank's password policy (issue 8.7): at least 12 characters, not a common password, not only
# digits, not like the user's name. `bankcrm user add|password` go through it.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# Sessions end after 30 idle minutes or when the browser closes (shared lobby tablets).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Lock a username *at an address* after 5 failures for 15 minutes; never a whole address (behind the
# bank's proxy that would lock out everyone) — an address is slowed down instead (org/logins.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "bankcrm.core.middleware.client_address"  # the access log's address, not raw XFF

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["bankcrm.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BANKCRM_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from finders; an absent root only makes it warn
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # the shipped Bootstrap, htmx, ECharts and our own assets
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Complaint evidence and recordings (docs/complaints.md "Attachments"): under BANKCRM_HOME, never
    # served by URL (downloads go through the desk, which checks scope and logs them). For S3-compatible
    # storage install django-storages[s3] and set this to its S3Storage with bucket options.
    "complaint_attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BANKCRM_HOME / "attachments"), "base_url": None},
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Request bodies (JSON or form fields; not uploaded files) above this are refused: 413 JSON on the API,
# a 413 page on the site (core/views.py bad_request). The largest legitimate body, a complaint's
# description, is a few KB; 1 MiB leaves room and keeps a flood of large bodies from filling memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = _env_int("BANKCRM_MAX_REQUEST_BYTES", 1024 * 1024, minimum=1024)

# --- bankcrm domain settings (spec defaults; override in $BANKCRM_HOME/bankcrm.toml) ---
# The defaults name the known keys and their kinds: core/config.py refuses an unknown key or a
# value of another kind with one line naming the file, line and key (issue 15.9).
_DEFAULTS = {
    "metrics": {
        # lower bounds of aum_avg per tier, CNY (spec/metrics.md "Tiers")
        "tier_bounds": {"vip": Decimal_("50000"), "wealth": Decimal_("500000"), "private": Decimal_("6000000")},
        # categories_held needed for cross-sell qualification per tier
        "cross_sell_min": {"vip": 3, "wealth": 4, "private": 5},
        "edge_ratio": Decimal_("0.8"),
        "dormancy_days": 365,
        "dormant_potential_months": 24,
        "dormant_potential_min_aum": Decimal_("50000"),
        "maturity_window_days": 30,
        "kyc_window_days": 30,
        "duckdb_memory_limit": os.environ.get("BANKCRM_DUCKDB_MEMORY", "8GB"),
        "duckdb_threads": _env_int("BANKCRM_DUCKDB_THREADS", 0),  # 0: all cores
    },
    "complaints": {
        "warn_days_before": 3,
        # in-app notifications to the handler this many working days before a deadline (and on the day);
        # comma-separated text
        "notify_working_days_before": "3,1",
        # attachments: the largest file, the kinds accepted (file-name extensions, comma-separated) and the
        # virus scan: a dotted path to a callable(file, name) -> ("clean" | "infected" | "not_scanned", detail)
        "attachment_max_bytes": 20 * 1024 * 1024,
        "attachment_types": "pdf,jpg,jpeg,png,gif,txt,eml,msg,docx,xlsx,mp3,wav,m4a,amr,mp4",
        "virus_scanner": "bankcrm.complaints.attachments.not_scanned",
    },
    # Alerts the compliance desk gets from the access log (compliance/access.py; docs/compliance.md):
    # per login and day, exports or reveals at or above these counts, and any access outside
    # working hours (local time, [start, end)); weekends count as outside when ``weekends_off`` is true.
    "access_alerts": {
        "bulk_exports_per_day": 10,
        "reveals_per_day": 20,
        "working_hours": ["08:00", "19:00"],
        "weekends_off": True,
        "scan_days": 7,
    },
    # A KYC assessment recorded on the 360 (customers/services.py record_kyc_assessment): the
    # questionnaire's score is mapped to C1..C5 by these upper bounds (inclusive), comma-separated:
    # score ≤ 20 → C1, ≤ 40 → C2, ≤ 60 → C3, ≤ 80 → C4, above → C5 (docs/user-guide.md).
    "kyc": {
        "bands": "20,40,60,80",
    },
    "api": {
        # Requests per signed-in user (whichever token or session they use) and per address for
        # anonymous calls; over it: 429 with Retry-After (core/api/throttling.py, docs/configuration.md).
        "throttle_user": Rate("1200/minute"),
        "throttle_anon": Rate("60/minute"),
        # /api/schema/ and /api/docs/ need a login unless an internal developer portal opens them.
        "docs_public": False,
    },
}
_conf = load_overrides(BANKCRM_HOME / "bankcrm.toml", _DEFAULTS)
BANKCRM_METRICS = _conf["metrics"]
BANKCRM_METRICS["duckdb_threads"] = BANKCRM_METRICS["duckdb_threads"] or None
BANKCRM_COMPLAINTS = _conf["complaints"]
BANKCRM_API = _conf["api"]
BANKCRM_KYC = dict(_conf["kyc"])
try:
    BANKCRM_KYC["bands"] = [int(bound) for bound in _conf["kyc"]["bands"].split(",")]
except ValueError:
    BANKCRM_KYC["bands"] = []
if len(BANKCRM_KYC["bands"]) != 4 or BANKCRM_KYC["bands"] != sorted(set(BANKCRM_KYC["bands"])):
    raise ConfigError(
        f"{BANKCRM_HOME / 'bankcrm.toml'}: [kyc] bands = {_conf['kyc']['bands']!r}: expected four increasing "
        'whole numbers, the upper scores of C1..C4, like "20,40,60,80"'
    )
BANKCRM_ACCESS_ALERTS = _conf["access_alerts"]
# API tokens expire this many days after they are issued (org/authentication.py; docs/security.md).
BANKCRM_TOKEN_DAYS = _env_int("BANKCRM_TOKEN_DAYS", 90, minimum=1)

# The API throttles' counters (core/api/throttling.py): files in the home are shared by the
# worker processes of `bankcrm serve`, which a per-process memory cache would not be, and need no
# table to create. Counts are per host; several hosts behind one balancer each count their own.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(BANKCRM_HOME / "cache" / "django"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

REST_FRAMEWORK = {
    # The API is JSON in, JSON out (spec/api.md): one content type per body in the schema, so a
    # generated client imports; no browsable API (a second UI around the same data).
    "DEFAULT_PARSER_CLASSES": ["bankcrm.core.api.parsers.JSONParser"],  # JSON without NUL characters
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bankcrm.org.authentication.ExpiringTokenAuthentication",  # 401 after BANKCRM_TOKEN_DAYS
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "bankcrm.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    # Unknown query parameters are a 400; ordering and changed_since on every list (core/api/filters.py).
    "DEFAULT_FILTER_BACKENDS": [
        "bankcrm.core.api.filters.KnownQueryParameters",
        "django_filters.rest_framework.DjangoFilterBackend",
        "bankcrm.core.api.filters.Ordering",
        "bankcrm.core.api.filters.ChangedSince",
    ],
    "DEFAULT_SCHEMA_CLASS": "bankcrm.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "bankcrm.core.api.exceptions.exception_handler",
    # Rates from bankcrm.toml [api] (core/api/throttling.py); 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "bankcrm.core.api.throttling.UserRateThrottle",
        "bankcrm.core.api.throttling.AnonRateThrottle",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bankcrm API",
    "DESCRIPTION": "Customer management for retail banks (spec/api.md).",
    "VERSION": "1",  # the /api/v1/ of the paths (issue 15.5)
    "SERVE_INCLUDE_SCHEMA": False,
    # Operation ids and tags from the path after /api/v1 (customers_list, tag customers), and only
    # the /api/v1/ paths: the unversioned /api/ aliases are served for one release, not advertised.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "PREPROCESSING_HOOKS": ["bankcrm.core.api.schema.only_versioned_paths"],
    # A login is needed to read the schema and the docs unless bankcrm.toml [api] docs_public
    # (core/views.py ApiSchemaView, ApiDocsView).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set shared by several fields (keeps the schema and check --deploy clean).
    "ENUM_NAME_OVERRIDES": {
        "WebhookEventTypeEnum": "bankcrm.core.models.WebhookEventType",
        "ComplaintStatusEnum": "bankcrm.complaints.choices.Status",
        "StaffStatusEnum": "bankcrm.org.choices.StaffStatus",
        "KycChannelEnum": "bankcrm.customers.choices.KycChannel",
        "ChannelEnum": "bankcrm.complaints.choices.Channel",
        "CampaignChannelEnum": "bankcrm.campaigns.choices.CampaignChannel",
        "SaleChannelEnum": "bankcrm.campaigns.choices.SaleChannel",
        "CampaignStatusEnum": "bankcrm.campaigns.choices.CampaignStatus",
        "SaleStatusEnum": "bankcrm.campaigns.choices.SaleStatus",
        "FindingStatusEnum": "bankcrm.compliance.choices.FindingStatus",
        "IndicatorStatusEnum": "bankcrm.compliance.choices.IndicatorStatus",
        "CaseStatusEnum": "bankcrm.compliance.choices.CaseStatus",
        "RegulationStatusEnum": "bankcrm.compliance.choices.RegulationStatus",
    },
}

LOG_DIR.mkdir(exist_ok=True)
# Tracebacks (a command's failure, a request's 500) go to logs/errors.log, each with its time,
# rotated by size: 10 files of 5 MB at most (issue 15.9). The operator's screen gets one line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors_one_line": {"()": "bankcrm.core.logfilters.ClientErrorsOnOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "errors_file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "errors.log"),
            "maxBytes": 5 * 1024 * 1024,
            "backupCount": 9,
            "encoding": "utf-8",
            "delay": True,  # no empty file until there is an error
            "level": "ERROR",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("BANKCRM_LOG_LEVEL", "WARNING")},
    "loggers": {
        "bankcrm.errors": {"handlers": ["errors_file"], "level": "ERROR", "propagate": False},
        # and on to the console as before; 403/404 as one line each, no traceback (core/logfilters.py):
        # the filter sits on the logger so every handler (console, the error log) gets the short form.
        "django.request": {"handlers": ["errors_file"], "filters": ["client_errors_one_line"]},
    },
}
