"""The shared cache (REDIS_URL).

With REDIS_URL set, the "default" and "pages" caches are Django's own Redis backend
(https://docs.djangoproject.com/en/5.2/topics/cache/#redis), shared by every worker and web node;
without it they stay per-process LocMemCache, so `make run` needs nothing new.

Redis being down must never turn a page into a 5xx. ResilientRedisCache answers a failed
operation as a miss (get → default, set/add → False) and then leaves Redis alone for
REDIS_RETRY_SECONDS, so an outage costs no latency; it logs once when Redis goes away and once
when it is back (per worker process).

Invalidation is not kept here: cached pages and counts are keyed by the database's data version
(engagements/infrastructure/derived.py), which every node reads from the database it reads its
rows from, so nothing has to be told of a change.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("engagements.infrastructure.sharedcache")

# Django makes one cache object per thread, so the outage state is kept per process here.
_outage = {"until": 0.0, "down": False}
_outage_lock = threading.Lock()


def _safely(fallback, call, *args, **kwargs):
    if _outage["down"] and time.monotonic() < _outage["until"]:
        return fallback
    try:
        result = call(*args, **kwargs)
    except (RedisError, OSError) as error:  # the page is served uncached
        _went_down(error)
        return fallback
    _came_back()
    return result


def _went_down(error):
    with _outage_lock:
        first = not _outage["down"]
        _outage.update(down=True, until=time.monotonic() + settings.REDIS_RETRY_SECONDS)
    if first:
        logger.error(
            "Shared cache unreachable (%s): pages are served uncached until it is back",
            error.__class__.__name__,
        )


def _came_back():
    if _outage["down"]:
        with _outage_lock:
            was_down, _outage["down"] = _outage["down"], False
        if was_down:
            logger.warning("Shared cache is back: pages are cached again")


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose failures are cache misses, never errors (see the module).

    Configured like RedisCache; only the operations below are guarded, which are all the
    page cache, the version number and Django's cache API use."""

    def get(self, key, default=None, version=None):
        return _safely(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return _safely({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return _safely(False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return _safely(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return _safely(list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return _safely(False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return _safely(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return _safely(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return _safely(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError, as Django's API promises.
        return _safely(None, super().incr, key, delta, version)

    def clear(self):
        return _safely(False, super().clear)
