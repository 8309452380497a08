"""Pages of a list: a total counted once per data version, deep pages found by id first.

Page 1,000 of the list is rows 24,976–25,000 in date order. Asking PostgreSQL for those rows
directly makes it fetch all 25,000 rows before them from the table (70 ms warm, over a second
from disk, at 100,000 encounters); asking first for their ids walks only the date index (an
index-only scan, 14 ms) and then fetches the 25 rows by id.

Few matches are found by id first too. For a first page newest first, PostgreSQL walks the
date index until it has 25 matches, which is right when matches are dense and ruinous when they
are few and old or its estimate of them is wrong: "talks" about "summit" was estimated at 420
rows and is 4, and the walk read all 90,000 published rows (380 ms). When the count (known
before the page) is small, the matching ids are read without an order (any index the filters
allow, a few milliseconds) and the page is sorted among them.

Pages ranked by relevance are found by id first as well, on every page. Ranking reads each
match's search vector, and the top 25 of a common word's 33,500 matches were chosen among whole
rows (every column, long texts included) carried through the sort: ranked as ids and ranks, the
same 25 are chosen in two thirds of the time (120 -> 80 ms at 100,000 encounters).
"""

from django.core.paginator import Paginator

from engagements.domain.filters import RELEVANCE_ORDERING

# From this many rows skipped on, a page looks its ids up first (one more query, far less I/O).
DEEP_OFFSET = 1000
# At most this many matches, a page is sorted among their ids (one more query).
SPARSE_AT_MOST = 2000


class ListPaginator(Paginator):
    """A paginator told its count (see DerivedCache) that finds deep pages by id first."""

    def __init__(self, object_list, per_page, *args, count=None, ranked_ids=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        # Every match's id in relevance order, or None: domain/record_index.py's ranked_ids(),
        # which reads them together with the ids the facets count.
        self.ranked_ids = ranked_ids
        self.count_given = count is not None
        if self.count_given:
            self.count = count  # overrides the cached_property of the same name

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.count_given and 0 < self.count <= SPARSE_AT_MOST:
            return self.page_among_matches(number, bottom)
        if bottom < DEEP_OFFSET and not self.ranked:
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        every_id = self.ranked_ids() if self.ranked and self.ranked_ids else None
        if every_id is not None:
            ids = [int(pk) for pk in every_id[bottom:top]]
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    @property
    def ranked(self):
        return self.is_ranked(self.object_list)

    @staticmethod
    def is_ranked(queryset):
        """True when the rows are in order of relevance (EncounterFilterSet's sort)."""
        query = getattr(queryset, "query", None)
        return query is not None and tuple(query.order_by) == RELEVANCE_ORDERING

    def page_among_matches(self, number, bottom):
        """The page, sorted among the ids of the few matching rows (read unordered)."""
        matches = list(self.object_list.order_by().values_list("pk", flat=True))
        rows = self.object_list.filter(pk__in=matches)[bottom : bottom + self.per_page]
        return self._get_page(list(rows), number, self)
