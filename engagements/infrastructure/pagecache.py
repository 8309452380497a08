"""A server-side cache of public pages for visitors without cookies (on in production).

Django's cache middleware (https://docs.djangoproject.com/en/5.2/topics/cache/#the-per-site-cache)
restricted to requests that carry no cookie and no Authorization header. A researcher browsing
anonymously gets a page rendered at most PAGE_CACHE_SECONDS ago (the time shared caches may keep
it anyway); anyone with a cookie (an editor's session, a CSRF or messages cookie) or API
credentials always gets a freshly rendered page, so nobody is ever served a page rendered for
someone else and editors see their changes at once.
Only GET and HEAD answers with status 200 that are not streamed and not marked private are kept.

Without REDIS_URL each gunicorn worker keeps its own entries (LocMemCache, bounded); with it,
every worker and node shares them (engagements/infrastructure/sharedcache.py). Keys carry the
page cache's version number, read once at the start of each anonymous request and used both to
look the page up and to store it: a publish, edit or unpublish bumps the number when it commits,
so every node misses its old copies from its next request on. A page rendered while a change
was committing is stored under the number read before it, which nobody asks for any more.
See docs/operators.md, "Performance" and "Scaling", for what it changes.
"""

import contextvars
import time

from django.conf import settings
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware

from engagements.infrastructure import replicas
from engagements.infrastructure.sharedcache import pages_state

# The key prefix of the current request and the time of the last change it read (set by
# FetchPublicPageCache, read by both middlewares; one worker thread serves one request at a time,
# and each anonymous request sets it afresh).
_key_prefix = contextvars.ContextVar("page_cache_key_prefix", default="")
_changed_at = contextvars.ContextVar("page_cache_changed_at", default=0.0)


def is_anonymous(request):
    """No cookie and no credentials: nothing can make the page differ for this visitor."""
    return not request.COOKIES and "Authorization" not in request.headers


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
        return super().process_response(request, response)


def read_before_replicas_caught_up():
    """Rendered from a replica so soon after the last change that it may predate it."""
    alias = replicas.read_database()
    recent = time.time() - _changed_at.get() < settings.DATABASE_REPLICA_MAX_LAG
    return alias not in (None, replicas.PRIMARY) and recent


class FetchPublicPageCache(VersionedKeyPrefix, FetchFromCacheMiddleware):
    """Answers an anonymous request from the cache (placed last).

    For any other request it does not look in the cache; it does not mark the request for
    storing either, and UpdatePublicPageCache stores only what a lookup here marked.
    """

    def process_request(self, request):
        if not is_anonymous(request):
            return None
        version, changed_at = pages_state()
        _key_prefix.set(f"{settings.CACHE_MIDDLEWARE_KEY_PREFIX}.v{version}")
        _changed_at.set(changed_at)
        return super().process_request(request)
