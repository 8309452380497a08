"""gunicorn settings, from the environment (README.md, "Deployment").

gunicorn reads this file from the working directory by default, so `make run`, the Docker
image and the outage test all use it; command-line flags override it.
"""

import os


def env_int(name, default):
    return int(os.environ.get(name, default))


wsgi_app = "engagements.infrastructure.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Threaded workers (gthread): WEB_CONCURRENCY processes of GUNICORN_THREADS threads each. With
# sync workers the timeout below counts from the start of a response, so a full CSV export of
# 100,000 encounters, streamed for longer than that, was killed half-way (make bench showed it).
# A gthread worker's main thread keeps reporting to the arbiter while a request streams, so the
# timeout only catches a worker that is really stuck.
# https://docs.gunicorn.org/en/stable/design.html#asyncio-workers
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = env_int("WEB_CONCURRENCY", 2)
threads = env_int("GUNICORN_THREADS", 4)
# A worker silent for this long is killed and replaced.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Longest request line (method, URL, protocol) accepted; longer ones get 414. gunicorn's default,
# stated because the API's schema documents it (engagements/surfaces/api.py, MAX_REQUEST_LINE).
limit_request_line = 4094
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Heartbeat files in memory, not on a container's (possibly read-only) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The proxy's X-Forwarded-* are honoured from these addresses (gunicorn's own setting and env
# variable, FORWARDED_ALLOW_IPS); Django's scheme comes from DJANGO_SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25+ opens a control socket in $HOME by default: unused here, shared by every
# gunicorn of the same user, and impossible on a read-only container.
control_socket_disable = True

# Django writes the access log itself (infrastructure/middleware.py: RequestIdMiddleware), with the
# request id and without query strings; gunicorn's own messages go to stdout as JSON too.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "engagements.infrastructure.logs.JsonFormatter"},
        "text": {"()": "engagements.infrastructure.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": os.environ.get("DJANGO_LOG_FORMAT", "json"),
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Off: Django's access line has the request id and no query string or client address.
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
