"""Error pages that must work when nothing else does: 500 and 503 (database unavailable).

They render their templates without a request, so no context processor, session or user lookup
can touch the database, and fall back to a fixed page if even that fails. 404 and 403 go through
Django's own handlers (templates/404.html, 403.html), which do have the request.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from psycopg.errors import QueryCanceled

logger = logging.getLogger("engagements.infrastructure.errors")

DATABASE_ERRORS = (OperationalError, InterfaceError)

FALLBACK = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
    "<h1>{title}</h1><p>{text}</p></html>"
)


def render_static_page(template_name, title, text):
    try:
        return render_to_string(template_name, {"site_name": settings.SITE_NAME})
    except Exception:
        logger.exception("Could not render %s; serving the fallback page", template_name)
        return FALLBACK.format(title=title, text=text)


UNAVAILABLE = "The service is temporarily unavailable. Please try again in a moment."


def wants_json(request):
    if request is None:
        return False
    accept = request.headers.get("Accept", "")
    return request.path_info.startswith("/api/") or (
        "application/json" in accept and "text/html" not in accept
    )


def service_unavailable(request=None):
    """The 503 page: the service is temporarily unavailable; try again in a moment. API clients
    (/api/, or asking for JSON only) get the same message as JSON."""
    if wants_json(request):
        response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        body = render_static_page("503.html", "Temporarily unavailable", UNAVAILABLE)
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


TOOK_TOO_LONG = (
    "This request took too long to answer, so it was stopped. Try fewer filters, a narrower "
    "date range or a shorter search, or try again in a moment."
)


def is_statement_timeout(exception):
    """A query stopped by statement_timeout (Django wraps psycopg's QueryCanceled)."""
    return isinstance(exception, QueryCanceled) or isinstance(
        getattr(exception, "__cause__", None), QueryCanceled
    )


def took_too_long(request=None):
    """503 for a public request whose query outran its statement timeout: the server is fine,
    this one request was too costly (infrastructure/limits.py)."""
    if wants_json(request):
        response = JsonResponse({"detail": TOOK_TOO_LONG}, status=503)
    else:
        body = render_static_page("took_too_long.html", "This took too long", TOOK_TOO_LONG)
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


def server_error(request):
    """handler500: a 503 when the uncaught exception is the database going away, else a 500."""
    if is_statement_timeout(sys.exc_info()[1]):
        return took_too_long(request)
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return service_unavailable(request)
    body = render_static_page(
        "500.html", "Server error", "Something went wrong on our side. It has been logged."
    )
    response = HttpResponseServerError(body)
    add_never_cache_headers(response)
    return response
