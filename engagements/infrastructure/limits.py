"""Limits that keep one anonymous request from taking the site down (docs/operators.md,
"Security limits"): a statement timeout on public requests' queries, and a bounded number of
exports streaming at once in each worker process.
"""

import contextlib
import threading
import time
import weakref

import psycopg
from django.conf import settings
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from engagements.infrastructure.errors import wants_json


def is_editor(request):
    """Signed in: the request's session is an authenticated user's. A session cookie or an
    Authorization header proves nothing by itself (anyone can send `sessionid=x`, and the API
    authenticates nobody), so those requests get the public limits. Needs the authentication
    middleware to have run."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class StatementTimeout:
    """A database execute wrapper: before a request's first query on a connection, set the
    session's statement_timeout (PUBLIC_STATEMENT_TIMEOUT_MS) or reset it to the server's
    default (after lift(): an editor's request). Limited connections are reset again when the
    request ends (reset()), so a connection, which outlives requests, is never left limited.
    Installed on every database alias, since public reads may go to a replica.

    Sent on the driver's connection, so it is not counted as one of the request's queries."""

    def __init__(self, milliseconds):
        self.milliseconds = milliseconds
        self.applied = {}  # alias: (the driver connection it was set on, the limit set)

    def __call__(self, execute, sql, params, many, context):
        database = context["connection"]
        raw = database.connection
        if raw is not None and self.applied.get(database.alias) != (raw, self.milliseconds):
            with database.wrap_database_errors:
                if self.milliseconds:
                    raw.execute(f"SET statement_timeout = {int(self.milliseconds)}")
                else:
                    raw.execute("RESET statement_timeout")
            self.applied[database.alias] = (raw, self.milliseconds)
        return execute(sql, params, many, context)

    def lift(self):
        """The request turned out to be an editor's: its next queries have no limit."""
        self.milliseconds = 0

    def reset(self):
        for alias, (raw, milliseconds) in self.applied.items():
            if milliseconds and raw is connections[alias].connection and not raw.closed:
                # A broken connection is discarded anyway; the answer is what matters.
                with contextlib.suppress(psycopg.Error):
                    raw.execute("RESET statement_timeout")
        self.applied = {}

    @contextlib.contextmanager
    def installed(self):
        with contextlib.ExitStack() as stack:
            for database in connections.all():
                stack.enter_context(database.execute_wrapper(self))
            yield


class PublicStatementTimeoutMiddleware:
    """Every query of a public request, streamed responses included, stops after
    PUBLIC_STATEMENT_TIMEOUT_MS: a costly query answers 503 "took too long" (see
    errors.took_too_long) instead of holding a database backend and a worker.

    Every request starts limited (the session lookup included); EditorStatementTimeoutMiddleware,
    after authentication, lifts the limit for a signed-in editor's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wrapper = StatementTimeout(settings.PUBLIC_STATEMENT_TIMEOUT_MS)
        request.statement_timeout = wrapper
        with wrapper.installed():
            response = self.get_response(request)
        if response.streaming:
            response.streaming_content = _within(wrapper, response.streaming_content)
        else:
            wrapper.reset()
        return response


class EditorStatementTimeoutMiddleware:
    """Lifts the public statement timeout once the session is known to be an editor's (placed
    right after django.contrib.auth's AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wrapper = getattr(request, "statement_timeout", None)
        if wrapper is not None and is_editor(request):
            wrapper.lift()
        return self.get_response(request)


def _within(wrapper, chunks):
    try:
        with wrapper.installed():
            yield from chunks
    finally:
        wrapper.reset()


# --- Exports ---------------------------------------------------------------------------------

_export_slots = None
_export_slots_lock = threading.Lock()


def export_slots():
    """The worker process's semaphore of EXPORT_CONCURRENCY concurrent exports."""
    global _export_slots
    with _export_slots_lock:
        if _export_slots is None or _export_slots.limit != settings.EXPORT_CONCURRENCY:
            _export_slots = threading.BoundedSemaphore(settings.EXPORT_CONCURRENCY)
            _export_slots.limit = settings.EXPORT_CONCURRENCY
        return _export_slots


class ExportDeadlinePassed(Exception):
    """An export still sending after EXPORT_DEADLINE_SECONDS: the server drops the connection,
    so the client sees an incomplete download rather than a file that looks whole."""


class HeldWhileStreaming:
    """Iterates `chunks`, then releases the export slot: at the end, on an error, when the
    server closes the response (a client that went away), or at the deadline, whichever comes
    first. At the deadline the slot is released even while the thread is still blocked
    sending to a client that reads slowly or not at all, and the next chunk stops the export
    (its database cursor is closed)."""

    def __init__(self, chunks, slots, deadline_seconds=None):
        self.chunks = iter(chunks)
        # Runs once: on close(), at the deadline, or when a response nobody closed is
        # garbage-collected.
        self.release = weakref.finalize(self, slots.release)
        self.ends_at = None
        self.timer = None
        if deadline_seconds:
            self.ends_at = time.monotonic() + deadline_seconds
            self.timer = threading.Timer(deadline_seconds, self.release)
            self.timer.daemon = True
            self.timer.start()

    def __iter__(self):
        return self

    def __next__(self):
        try:
            if self.ends_at is not None and time.monotonic() >= self.ends_at:
                raise ExportDeadlinePassed(
                    f"Export stopped after {settings.EXPORT_DEADLINE_SECONDS}s (deadline)."
                )
            return next(self.chunks)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.timer is not None:
            self.timer.cancel()
        self.release()
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


BUSY = (
    "Too many exports are running right now; this one did not start. Try again in a minute, "
    "or narrow the filters."
)


def exports_busy(request):
    """429 with Retry-After: every export slot of this worker is taken."""
    if wants_json(request) or request.path.endswith(".json"):
        response = JsonResponse({"detail": BUSY}, status=429)
    else:
        response = HttpResponse(BUSY + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(settings.EXPORT_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


# --- Logins ----------------------------------------------------------------------------------


def login_failure_limit(request, credentials):
    """django-axes' AXES_FAILURE_LIMIT. Axes counts failures for each lockout parameter
    (AXES_LOCKOUT_PARAMETERS: the user name on this address, and this address) and locks when
    the larger count, the address's, reaches the limit returned here: LOGIN_FAILURE_LIMIT once
    this user name has failed that often from this address, else LOGIN_ADDRESS_FAILURE_LIMIT,
    which slows password spraying (one address, many user names)."""
    from axes.helpers import get_client_ip_address, get_client_username
    from axes.models import AccessAttempt
    from django.db.models import Sum

    failures = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=get_client_ip_address(request),
    ).aggregate(total=Sum("failures_since_start"))["total"]
    if (failures or 0) >= settings.LOGIN_FAILURE_LIMIT:
        return settings.LOGIN_FAILURE_LIMIT
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT
