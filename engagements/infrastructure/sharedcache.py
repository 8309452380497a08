"""The shared cache (REDIS_URL) and the page cache's version number.

With REDIS_URL set, the "default" and "pages" caches are Django's own Redis backend
(https://docs.djangoproject.com/en/5.2/topics/cache/#redis), shared by every worker and web node;
without it they stay per-process LocMemCache, so `make run` needs nothing new.

Two concerns live here:

- Redis being down must never turn a page into a 5xx. ResilientRedisCache answers a failed
  operation as a miss (get → default, set/add → False) and then leaves Redis alone for
  REDIS_RETRY_SECONDS, so an outage costs no latency; it logs once when Redis goes away and once
  when it is back (per worker process).
- Invalidation on every node at once: page cache keys carry a version number kept in the cache
  itself. Saving or deleting anything a public page shows bumps it when the transaction
  commits; every node reads the new number on its next request and stops finding the old
  entries (they expire by themselves). Without Redis the number is per process, so other
  workers' copies live out their timeout, as before.
- A replica may replay the change a moment after the number moved: a page read from a replica
  within DATABASE_REPLICA_MAX_LAG seconds of the last change is served but not stored
  (engagements/infrastructure/pagecache.py), or it could keep the old rows under the new number.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from redis.exceptions import RedisError

logger = logging.getLogger("engagements.infrastructure.sharedcache")

VERSION_KEY = "version"
CHANGED_AT_KEY = "changed_at"

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


# --- The page cache's version ---------------------------------------------------------------


def pages_state():
    """(version, time of the last change) of the page cache, in one round trip."""
    values = caches[settings.CACHE_MIDDLEWARE_ALIAS].get_many([VERSION_KEY, CHANGED_AT_KEY])
    return values.get(VERSION_KEY, 0), values.get(CHANGED_AT_KEY, 0.0)


def pages_version():
    return pages_state()[0]


def bump_pages_version():
    cache = caches[settings.CACHE_MIDDLEWARE_ALIAS]
    # The time first: a reader that sees the new number must also see that it is recent.
    cache.set(CHANGED_AT_KEY, time.time(), timeout=None)
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the first change since the cache started
        if not cache.add(VERSION_KEY, 1, timeout=None):
            cache.incr(VERSION_KEY)


# What public pages show: the encounters and everything shown with them (the last one is the
# table behind Encounter.topics, the sender of m2m_changed).
PUBLIC_MODELS = {
    "encounter",
    "participation",
    "person",
    "place",
    "quote",
    "source",
    "topic",
    "encounter_topics",
}


def _shows_on_public_pages(sender):
    meta = getattr(sender, "_meta", None)
    return meta is not None and meta.app_label == "engagements" and meta.model_name in PUBLIC_MODELS


@receiver(post_save, dispatch_uid="pagecache-saved")
@receiver(post_delete, dispatch_uid="pagecache-deleted")
@receiver(m2m_changed, dispatch_uid="pagecache-m2m")
def invalidate_pages(sender, raw=False, **kwargs):
    """After the transaction commits (never before, or another node could cache the old rows
    again under the new number), move every node to a fresh set of page keys."""
    if raw or not _shows_on_public_pages(sender):
        return
    if settings.PAGE_CACHE_SECONDS > 0:
        transaction.on_commit(bump_pages_version, robust=True)
