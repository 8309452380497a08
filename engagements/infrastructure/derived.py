"""Counts and facets computed once per data version and filter set, exact and never stale.

The list, the timeline and the API share what is costly about a filtered set of encounters:
its total and its facet counts, which PostgreSQL must count over every matching row (100 ms
and more at 100,000 encounters). They do not depend on the page, the sort or the output, so a
researcher paging through results, re-sorting them or switching between list and timeline
asks for the same counts again. They are kept in the default cache under the data version:

- migration 0009 keeps the data version, engagements_data_version, that statement-level
  triggers change in the same transaction as any write to encounters, participations, topic
  links, people, topics or places; a reader sees the new version exactly when it can see the
  write, and no version ever recurs;
- the key is (data version, scope, the request's filter parameters without page and sort), so
  after a publish, edit or unpublish no request can find a count made before it: the old
  entries are never read again and expire.

One query per request reads the version (`DerivedCache.version`, read once and reused).
"""

import hashlib

from django.core.cache import cache
from django.db import connections, router

# Parameters that change which rows are shown or how, but not which rows match.
NOT_FILTERS = {"page", "page_size", "sort", "format"}
# Long enough to serve a burst of paging; short enough that a busy site's old entries go.
TIMEOUT = 600


def data_version():
    """The current data version (a text), or None when the table is empty (nothing is cached).

    Read from the database this request reads encounters from (a replica, for public pages
    when there are replicas): a replica replays the version and the rows it counts together,
    so counts are never kept under a version newer than the rows they were made from.
    """
    from engagements.models import Encounter

    return data_version_on(router.db_for_read(Encounter))


def data_version_on(alias):
    """The data version as the database `alias` shows it (see data_version())."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(number::text, '.' ORDER BY slot) FROM engagements_data_version"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def data_version_tag():
    """The data version, short enough for any cache key (the version itself is 64 numbers)."""
    version = data_version()
    return hashlib.blake2b(str(version).encode(), digest_size=10).hexdigest()


def filter_key_items(params):
    """The filter parameters of a QueryDict as (name, values), names sorted, values in order."""
    items = []
    if params is not None:
        for name in sorted(params.keys()):
            if name not in NOT_FILTERS:
                items.append((name, params.getlist(name)))
    return items


def filter_key(params):
    """The filter parameters of a QueryDict as a stable text: order of values kept, of names not."""
    return repr(filter_key_items(params))


class DerivedCache:
    """What one request reuses of earlier requests with the same filters: see the module doc."""

    def __init__(self, scope, params):
        self.scope = scope
        self.filters = filter_key(params)
        self._version = False

    @property
    def version(self):
        if self._version is False:
            self._version = data_version()
        return self._version

    def key(self, name):
        text = f"{self.version}\n{name}\n{self.scope}\n{self.filters}"
        return f"derived:{hashlib.sha256(text.encode()).hexdigest()}"

    def get(self, name, compute):
        """The cached value of `name` for these filters, else compute() (and keep it)."""
        if self.version is None:
            return compute()
        key = self.key(name)
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, TIMEOUT)
        return value
