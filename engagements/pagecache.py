"""A server-side cache of public pages for visitors without cookies (on in production).

Django's cache middleware (https://docs.djangoproject.com/en/5.2/topics/cache/#the-per-site-cache)
restricted to requests that carry no cookie at all. A researcher browsing anonymously gets a page
rendered at most PAGE_CACHE_SECONDS ago (the time shared caches may keep it anyway); anyone with a
cookie (an editor's session, a CSRF or messages cookie) always gets a freshly rendered page, so
nobody is ever served a page rendered for someone else and editors see their changes at once.
Only GET and HEAD answers with status 200 that are not streamed and not marked private are kept.

Each gunicorn worker keeps its own entries (LocMemCache, bounded): no shared state, so web
containers stay interchangeable. See README.md, "Performance", for what it changes.
"""

from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware


class UpdatePublicPageCache(UpdateCacheMiddleware):
    """Stores the response of a cookie-less request (placed before the session middleware)."""

    def _should_update_cache(self, request, response):
        return not request.COOKIES and super()._should_update_cache(request, response)


class FetchPublicPageCache(FetchFromCacheMiddleware):
    """Answers a cookie-less request from the cache (placed last)."""

    def process_request(self, request):
        if request.COOKIES:
            request._cache_update_cache = False
            return None
        return super().process_request(request)
