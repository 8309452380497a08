"""Reads on PostgreSQL streaming replicas, writes on the primary (DATABASE_REPLICA_URLS).

Which database a query goes to is decided per request, not per model:

- Public reads (GET and HEAD outside the admin: pages, API, exports, feeds) go to a healthy
  replica. Everything else goes to the primary: writes, the admin, any request that is not a
  GET, and any code outside a request (management commands, loaders, migrations, the shell).
- Read-your-writes: a request that may have written (any POST, PUT, PATCH or DELETE) sets a
  short-lived signed cookie; while it lasts (DATABASE_READ_YOUR_WRITES_SECONDS) that browser's
  reads go to the primary, so an editor sees their own change before the replicas replay it.
- A replica is checked at most every DATABASE_REPLICA_CHECK_SECONDS: one that does not answer,
  or whose replay is behind by more than DATABASE_REPLICA_MAX_LAG seconds, is skipped until a
  later check finds it back; reads fall back to the primary meanwhile. A replica that fails in
  the middle of a page is marked down at once and the page is rendered again on the primary.

The per-request decision lives in a context variable set by ReplicaRoutingMiddleware and
cleared when the response is finished (request_finished), after a streamed export's last row.
"""

import contextvars
import itertools
import logging
import threading
import time

from django.conf import settings
from django.core.signals import request_finished
from django.db import connections, transaction
from django.dispatch import receiver

from engagements.infrastructure.errors import DATABASE_ERRORS, is_statement_timeout

logger = logging.getLogger("engagements.infrastructure.replicas")

PRIMARY = "default"
REPLICA_PREFIX = "replica"
PIN_COOKIE = "primary_reads"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# None: reads go to the primary. Otherwise a dict for this request: {"used": alias or None}.
_request_state = contextvars.ContextVar("replica_request_state", default=None)


def replica_aliases():
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


# --- Health ---------------------------------------------------------------------------------

# Lag is zero while the replica streams from the primary and has replayed all it received (an
# idle primary sends nothing, so the last replayed transaction's age alone would grow without
# any lag; and right after a restart the received position can trail the replayed one).
# Otherwise, replaying or not streaming, it is the age of the last replayed transaction.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() IS NOT NULL
   AND pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def measure(alias):
    """(state, lag in seconds or None): state is "ok", "lagging" or "unreachable"."""
    try:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1000")
            cursor.execute(LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except DATABASE_ERRORS:
        connections[alias].close()
        return "unreachable", None
    return ("ok" if lag <= settings.DATABASE_REPLICA_MAX_LAG else "lagging"), round(lag, 3)


class ReplicaHealth:
    """Each worker process's view of its replicas, refreshed at most every few seconds by
    whichever request thread needs it first (the others use the last answer meanwhile)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.states = {}  # alias -> (healthy, checked_at)

    def healthy(self, alias):
        healthy, checked_at = self.states.get(alias, (None, 0.0))
        due = time.monotonic() - checked_at >= settings.DATABASE_REPLICA_CHECK_SECONDS
        if due and self.lock.acquire(blocking=False):
            try:
                healthy = self.check(alias)
            finally:
                self.lock.release()
        return bool(healthy)

    def check(self, alias):
        state, lag = measure(alias)
        self.record(alias, state == "ok", detail=f"{state}, lag {lag}s")
        return state == "ok"

    def record(self, alias, healthy, detail=""):
        previous = self.states.get(alias, (None, 0.0))[0]
        self.states[alias] = (healthy, time.monotonic())
        if previous is not None and previous != healthy:
            # Logged on changes only: a replica down for an hour is one line, not thousands.
            if healthy:
                logger.warning("Replica %s is back: reads return to it", alias)
            else:
                logger.warning("Replica %s skipped (%s): reads go to the primary", alias, detail)

    def mark_down(self, alias):
        self.record(alias, False, detail="failed during a request")


health = ReplicaHealth()
_round_robin = itertools.count()


def pick_replica():
    """A healthy replica's alias, in turn, or None."""
    aliases = replica_aliases()
    if not aliases:
        return None
    start = next(_round_robin)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if health.healthy(alias):
            return alias
    return None


# --- The router ----------------------------------------------------------------------------


class ReplicaRouter:
    """settings.DATABASE_ROUTERS. Only reads inside a public GET may leave the primary."""

    def db_for_read(self, model, **hints):
        state = _request_state.get()
        if state is None:
            return PRIMARY
        if state["used"] is None:
            state["used"] = pick_replica() or PRIMARY
        return state["used"]

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on every database

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # replicas replay the primary's schema


# --- Per request ---------------------------------------------------------------------------


def reads_may_use_replica(request):
    return (
        request.method in SAFE_METHODS
        and not request.path_info.startswith("/admin/")
        and request.get_signed_cookie(
            PIN_COOKIE, default=None, max_age=settings.DATABASE_READ_YOUR_WRITES_SECONDS
        )
        is None
    )


def read_database():
    """The alias this request's reads went to so far: None outside a public GET or before its
    first read."""
    state = _request_state.get()
    return state["used"] if state else None


@receiver(request_finished, dispatch_uid="replica-routing-finished")
def _request_finished(**kwargs):
    _request_state.set(None)


def is_successful_write(request, response):
    """A signed-in editor's write that went through: only then is there anything of theirs
    for the replicas to be behind on. (An anonymous POST, or one refused with 403 or 405, gets
    no pin: it would send every read of whoever holds the cookie to the primary.)"""
    user = getattr(request, "user", None)
    return (
        request.method not in SAFE_METHODS
        and response.status_code < 400
        and user is not None
        and user.is_authenticated
    )


class ReplicaRoutingMiddleware:
    """Chooses the database for the request's reads (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        use_replica = bool(replica_aliases()) and reads_may_use_replica(request)
        _request_state.set({"used": None} if use_replica else None)
        response = self.get_response(request)
        if replica_aliases() and is_successful_write(request, response):
            self.pin_to_primary(response)
        return response

    @staticmethod
    def pin_to_primary(response):
        seconds = settings.DATABASE_READ_YOUR_WRITES_SECONDS
        response.set_signed_cookie(
            PIN_COOKIE,
            "1",
            max_age=seconds,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )

    def process_exception(self, request, exception):
        """A replica lost mid-page: mark it down and render the page again on the primary (a
        GET, so running the view twice is safe). Placed after DatabaseUnavailableMiddleware,
        so this runs first; if the primary fails too, that one answers 503."""
        if not fail_over_to_primary(exception):
            return None
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response


def fail_over_to_primary(exception):
    """When `exception` is a replica lost during this request's reads: mark it down and send
    the request's further reads to the primary, and say so (True). The view's reads are retried
    by ReplicaRoutingMiddleware; a read in other middleware (the page cache's data version)
    calls this and reads again."""
    state = _request_state.get()
    if not isinstance(exception, DATABASE_ERRORS) or not state:
        return False
    if is_statement_timeout(exception):
        return False  # a too costly public query, not a lost replica (infrastructure/limits)
    used = state["used"]
    if used in (None, PRIMARY):
        return False
    health.mark_down(used)
    state["used"] = PRIMARY
    return True


def readiness():
    """The replicas' part of /readyz: {alias: {"status": …, "lag_seconds": …}}."""
    report = {}
    for alias in replica_aliases():
        state, lag = measure(alias)
        health.record(alias, state == "ok", detail=f"{state}, lag {lag}s")
        report[alias] = {"status": state, "lag_seconds": lag}
    return report
