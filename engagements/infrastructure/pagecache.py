"""A server-side cache of public pages for visitors without cookies (on in production).

Django's cache middleware (https://docs.djangoproject.com/en/5.2/topics/cache/#the-per-site-cache)
restricted to requests that carry no cookie and no Authorization header. A researcher browsing
anonymously gets a page rendered at most PAGE_CACHE_SECONDS ago (the time shared caches may keep
it anyway); anyone with a cookie (an editor's session, a CSRF or messages cookie) or API
credentials always gets a freshly rendered page, so nobody is ever served a page rendered for
someone else and editors see their changes at once.
Only GET and HEAD answers with status 200 that are not streamed and not marked private are kept.

Each gunicorn worker keeps its own entries (LocMemCache, bounded): no shared state, so web
containers stay interchangeable. See docs/operators.md, "Performance", for what it changes.
"""

from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware


def is_anonymous(request):
    """No cookie and no credentials: nothing can make the page differ for this visitor."""
    return not request.COOKIES and "Authorization" not in request.headers


class UpdatePublicPageCache(UpdateCacheMiddleware):
    """Stores the response to an anonymous request (placed before the session middleware)."""

    def _should_update_cache(self, request, response):
        return is_anonymous(request) and super()._should_update_cache(request, response)


class FetchPublicPageCache(FetchFromCacheMiddleware):
    """Answers an anonymous request from the cache (placed last)."""

    def process_request(self, request):
        if not is_anonymous(request):
            request._cache_update_cache = False
            return None
        return super().process_request(request)
