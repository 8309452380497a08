"""A server-side cache of public pages for visitors without cookies (on in production).

Django's cache middleware (https://docs.djangoproject.com/en/5.2/topics/cache/#the-per-site-cache)
restricted to pages rendered for requests that carry no cookie and no Authorization header. A
researcher browsing anonymously gets a page rendered at most PAGE_CACHE_SECONDS ago (the time
shared caches may keep it anyway). Those stored pages are also served to any request that is not
signed in and has no messages waiting, whatever cookies it sends (a stale or made-up session
cookie, a CSRF cookie, an Authorization header the site ignores), with the cookies left out of
the key: such cookies must not buy a fresh render each time. A signed-in editor, and anyone with
a message to show, always gets a freshly rendered page, so nobody is ever served a page rendered
for someone else and editors see their changes at once.
Only GET and HEAD answers with status 200 that are not streamed and not marked private are kept.

Without REDIS_URL each gunicorn worker keeps its own entries (LocMemCache, bounded); with it,
every worker and node shares them (engagements/infrastructure/sharedcache.py). Keys carry the
page cache's version number, read once at the start of each anonymous request and used both to
look the page up and to store it: a publish, edit or unpublish bumps the number when it commits,
so every node misses its old copies from its next request on. A page rendered while a change
was committing is stored under the number read before it, which nobody asks for any more.
See docs/operators.md, "Performance" and "Scaling", for what it changes.
"""

import contextlib
import contextvars
import time

from django.conf import settings
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware

from engagements.infrastructure import replicas
from engagements.infrastructure.limits import is_editor
from engagements.infrastructure.sharedcache import pages_state

# The key prefix of the current request and the time of the last change it read (set by
# FetchPublicPageCache, read by both middlewares; one worker thread serves one request at a time,
# and each anonymous request sets it afresh).
_key_prefix = contextvars.ContextVar("page_cache_key_prefix", default="")
_changed_at = contextvars.ContextVar("page_cache_changed_at", default=0.0)


def is_anonymous(request):
    """No cookie and no credentials: nothing can make the page differ for this visitor."""
    return not request.COOKIES and "Authorization" not in request.headers


# django.contrib.messages keeps waiting messages in this cookie, or in the session under this key.
MESSAGES_COOKIE = "messages"
MESSAGES_SESSION_KEY = "_messages"


def may_be_served_stored_pages(request):
    """Not signed in and no message waiting: the page stored for an anonymous visitor is the
    page this request would get (needs the session and authentication middleware to have run)."""
    if is_anonymous(request):
        return True
    if is_editor(request) or MESSAGES_COOKIE in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return session is None or MESSAGES_SESSION_KEY not in session


@contextlib.contextmanager
def without_cookies(request):
    """Leave the cookies out of the cache key (pages vary on Cookie: see CacheControlMiddleware)."""
    cookie = request.META.pop("HTTP_COOKIE", None)
    try:
        yield
    finally:
        if cookie is not None:
            request.META["HTTP_COOKIE"] = cookie


class VersionedKeyPrefix:
    """Django's cache middleware reads `self.key_prefix` when it builds a key; here that is the
    request's versioned prefix, not a fixed string shared by every thread."""

    @property
    def key_prefix(self):
        return _key_prefix.get()

    @key_prefix.setter
    def key_prefix(self, value):
        pass  # the base class's __init__ sets the fixed one; settings give the base instead


class UpdatePublicPageCache(VersionedKeyPrefix, UpdateCacheMiddleware):
    """Stores the response to an anonymous request (placed before the session middleware).

    Any other response passes through untouched, as Django's middleware leaves a response it
    does not cache (no Expires or max-age added).
    """

    def process_response(self, request, response):
        if not is_anonymous(request) or read_before_replicas_caught_up():
            return response
        # Keyed as FetchPublicPageCache looks pages up: without the (empty) Cookie header.
        with without_cookies(request):
            return super().process_response(request, response)


def read_before_replicas_caught_up():
    """Rendered from a replica so soon after the last change that it may predate it."""
    alias = replicas.read_database()
    recent = time.time() - _changed_at.get() < settings.DATABASE_REPLICA_MAX_LAG
    return alias not in (None, replicas.PRIMARY) and recent


class FetchPublicPageCache(VersionedKeyPrefix, FetchFromCacheMiddleware):
    """Answers an anonymous request from the cache (placed last).

    A request that is not signed in but sends cookies is answered from the same entries, looked
    up without its cookies; what it renders on a miss is not stored (UpdatePublicPageCache
    stores only anonymous requests' pages). A signed-in request is never looked up.
    """

    def process_request(self, request):
        if not may_be_served_stored_pages(request):
            return None
        version, changed_at = pages_state()
        _key_prefix.set(f"{settings.CACHE_MIDDLEWARE_KEY_PREFIX}.v{version}")
        _changed_at.set(changed_at)
        with without_cookies(request):
            return super().process_request(request)
