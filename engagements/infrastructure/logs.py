"""Structured logs: one JSON object per line on stdout, each with the request id.

Used by Django's LOGGING (settings.py) and by gunicorn (gunicorn.conf.py), so it imports nothing
from Django. Only named fields are written: never the request object Django attaches to its
records, its cookies, headers, query string or body. Credentials that slip into a message (a
database URL, ``password=...``) are masked as a last line of defence.
"""

import contextvars
import datetime
import json
import logging
import re
import uuid

# The id of the request being served by this thread, for every log record it emits.
request_id_var = contextvars.ContextVar("request_id", default=None)

# Fields a record may carry in `extra=` that the JSON line keeps (the access log's).
EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "bytes")

# An incoming X-Request-ID is kept only if it looks like an id, so a client cannot inject
# anything into the logs through it.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

SECRET_PATTERNS = [
    # scheme://user:password@host
    (re.compile(r"(\w+://[^:/@\s]*:)[^@\s]+@"), r"\1***@"),
    # password=..., secret=..., token=..., key=... (conninfo strings, query strings)
    (re.compile(r"(?i)\b(password|passwd|secret|token|api_key|sessionid)=([^&\s]+)"), r"\1=***"),
]


def new_request_id(incoming=None):
    """The client's id if it is a well-formed one (a proxy's trace id), else a fresh one."""
    if incoming and VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def mask_secrets(text):
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_secrets(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = mask_secrets(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a human at a terminal (DJANGO_LOG_FORMAT=text); the same fields, on one line."""

    def format(self, record):
        request_id = getattr(record, "request_id", None) or request_id_var.get() or "-"
        line = f"{record.levelname} {record.name} [{request_id}] {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return mask_secrets(line)
