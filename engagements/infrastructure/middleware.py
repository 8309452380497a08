"""Middleware for running in production: request ids and access logs, health checks, cache
headers for public pages, and 503s while the database is unreachable. Order: settings.MIDDLEWARE.
"""

import json
import logging
import time

from django.conf import settings
from django.db import connection, transaction
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

from engagements.infrastructure import replicas
from engagements.infrastructure.errors import (
    DATABASE_ERRORS,
    is_statement_timeout,
    service_unavailable,
    took_too_long,
    wants_json,
)
from engagements.infrastructure.logs import new_request_id, request_id_var

access_log = logging.getLogger("engagements.access")
logger = logging.getLogger("engagements.infrastructure.errors")

HEALTH_PATHS = {"/healthz", "/readyz"}


class RequestIdMiddleware:
    """Give every request an id (the client's X-Request-ID if well-formed), put it on every log
    record and on the response, and write one access-log line: method, path (never the query
    string, which can carry personal data), status and duration."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = new_request_id(request.headers.get(self.header))
        token = request_id_var.set(request.id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[self.header] = request.id
            self.log(request, response, started)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def log(request, response, started):
        quiet = request.path_info.rstrip("/") in HEALTH_PATHS and response.status_code == 200
        if quiet:  # load balancers call these every second
            return
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.INFO
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )


def health_response(http_status, **payload):
    response = HttpResponse(
        json.dumps(payload), status=http_status, content_type="application/json"
    )
    add_never_cache_headers(response)
    # These responses skip the security middleware (see HealthCheckMiddleware), so they carry
    # their own protective headers.
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


def database_answers():
    """SELECT 1, bounded by a one-second statement timeout on top of the connect timeout."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 1000")
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DATABASE_ERRORS:
        return False


class HealthCheckMiddleware:
    """/healthz: the process is up (no database). /readyz: the primary answers too (and each
    read replica's state is reported).

    Answered before host validation and the HTTPS redirect, because load balancers and Docker
    call them by IP address over plain HTTP. No session, no template, at most one round trip
    to the database: cheap enough to call every second."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path == "/healthz":
            return health_response(200, status="ok")
        if path == "/readyz":
            return self.readiness(request)
        return self.get_response(request)

    def readiness(self, request):
        """200 while the primary answers; each read replica's state and lag are reported (to
        operators: see for_operators) but do not make the node unready, since its reads fall
        back to the primary."""
        report = {}
        if replicas.replica_aliases() and self.for_operators(request):
            report = {"replicas": replicas.readiness()}
        if database_answers():
            return health_response(200, status="ok", database="ok", **report)
        response = health_response(503, status="unavailable", database="unreachable", **report)
        response["Retry-After"] = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
        return response

    @staticmethod
    def for_operators(request):
        """Asked from inside the deployment (the load balancer, Docker's health check, an
        operator's curl on the private network), not through the proxy: the proxy always adds
        X-Forwarded-For, and no client can take it off. Replica lag is for them only."""
        return "X-Forwarded-For" not in request.headers


NUL_MESSAGE = "Contains a NUL character (%00), which no parameter accepts."


class RejectNulMiddleware:
    """A NUL character in the path (404: no page has one) or in a query parameter (400); a
    cookie with one is ignored.

    PostgreSQL refuses NUL in text, so such a value would otherwise reach a query (a slug
    lookup, an admin filter or search) and fail there with a 500. The API gets its usual
    shapes: {"detail": …} for a 404, {parameter: [messages]} for a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A cookie with a NUL is no cookie the site set: ignored (a session lookup would fail).
        for name in [k for k, v in request.COOKIES.items() if "\x00" in k or "\x00" in v]:
            del request.COOKIES[name]
        if "\x00" in request.path:
            if wants_json(request):
                return JsonResponse({"detail": "Not found."}, status=404)
            raise Http404("No page has a NUL character in its address.")
        bad = sorted(
            {
                key.replace("\x00", "\\x00")
                for key, values in request.GET.lists()
                if "\x00" in key or any("\x00" in value for value in values)
            }
        )
        if not bad:
            return self.get_response(request)
        if wants_json(request):
            return JsonResponse({name: [NUL_MESSAGE] for name in bad}, status=400)
        lines = [f"{name}: {NUL_MESSAGE}" for name in bad]
        return HttpResponseBadRequest(
            "Bad parameters:\n" + "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
        )


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers with the 503 page instead of a 500 and a
    traceback. Errors raised outside views (in other middleware) reach handler500, which does
    the same (engagements/infrastructure/errors.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_statement_timeout(exception):
            logger.warning("Query stopped by the public statement timeout: %s", request.path)
            return took_too_long(request)
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("Database unavailable: %s", exception.__class__.__name__)
            return service_unavailable(request)
        return None


class CacheControlMiddleware:
    """Cache-Control for a CDN: anonymous GETs of public pages are `public, max-age=N`;
    admin, logged-in, authenticated-API and cookie-setting responses are never cached.

    Whether a request is anonymous is read from its cookies and headers, not request.user, so
    that deciding costs no query. Responses that set their own Cache-Control keep it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or response.has_header("Cache-Control"):
            return response
        # The decision below depends on the cookie, so shared caches must key on it.
        patch_vary_headers(response, ("Cookie",))
        if self.is_private(request, response):
            add_never_cache_headers(response)
        elif response.status_code == 200:
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        return response

    def is_private(self, request, response):
        return (
            request.path_info.startswith(self.admin_prefix)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "Authorization" in request.headers
            or bool(response.cookies)
        )


class UnknownParametersMiddleware:
    """A public page asked for with parameters it does not take: 301 to the same page without
    them.

    Deliberate load: the page cache keys a page by its whole address, so a throwaway parameter
    (`?x=<random>`) would buy a full render every time. Views name the parameters they read in
    `query_parameters` (engagements/surfaces/views.py); a view without that attribute (the API,
    exports, feeds, the admin) is left alone. The redirect renders nothing, and the page it
    leads to is the one the cache already holds. Tracking tags (`utm_source`, `fbclid`) are
    dropped the same way, so one page has one address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or not request.GET:
            return None
        view = getattr(view_func, "view_class", view_func)
        known = getattr(view, "query_parameters", None)
        if known is None:
            return None
        unknown = [name for name in request.GET if name not in known]
        if not unknown:
            return None
        kept = request.GET.copy()
        for name in unknown:
            del kept[name]
        query = kept.urlencode()
        return HttpResponsePermanentRedirect(f"{request.path}?{query}" if query else request.path)
