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
data version (engagements/infrastructure/derived.py), the one version number the app keeps:
database triggers change it in the same transaction as any write to what public pages show, and
it is read, at the start of each anonymous request, from the database the request reads its
rows from. So a publish, edit or unpublish makes every worker and node miss its old copies
from the moment the write can be seen, whatever wrote it (admin, importer, shell, SQL), and a
replica's pages are kept under the version that replica has replayed, never ahead of its rows.
See docs/operators.md, "Performance" and "Scaling", for what it changes.
"""

import contextlib
import contextvars

from django.conf import settings
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware

from engagements.infrastructure import replicas
from engagements.infrastructure.derived import data_version_tag
from engagements.infrastructure.errors import DATABASE_ERRORS
from engagements.infrastructure.limits import is_editor

# The key prefix of the current request (set by FetchPublicPageCache, read by both middlewares;
# one worker thread serves one request at a time, and each anonymous request sets it afresh).
_key_prefix = contextvars.ContextVar("page_cache_key_prefix", default="")


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
        if not is_anonymous(request):
            return response
        # Keyed as FetchPublicPageCache looks pages up: without the (empty) Cookie header.
        with without_cookies(request):
            return super().process_response(request, response)


def version_tag():
    """The data version's tag, read from the request's read database; a replica lost while
    reading it is left for the primary, as a view's reads are (replicas.py)."""
    try:
        return data_version_tag()
    except DATABASE_ERRORS as error:
        if not replicas.fail_over_to_primary(error):
            raise
        return data_version_tag()


class FetchPublicPageCache(VersionedKeyPrefix, FetchFromCacheMiddleware):
    """Answers an anonymous request from the cache (placed last).

    A request that is not signed in but sends cookies is answered from the same entries, looked
    up without its cookies; what it renders on a miss is not stored (UpdatePublicPageCache
    stores only anonymous requests' pages). A signed-in request is never looked up.
    """

    def process_request(self, request):
        if not may_be_served_stored_pages(request):
            return None
        # Read before the page's rows, from the same database: a page is never stored under a
        # version newer than what it shows.
        _key_prefix.set(f"{settings.CACHE_MIDDLEWARE_KEY_PREFIX}.v{version_tag()}")
        with without_cookies(request):
            return super().process_request(request)
