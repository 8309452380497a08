"""The published record held in memory as columns: every count over any set of encounters in a
few milliseconds, exact and never older than the database.

Why. A researcher's filters match a set of encounters, and the page counts that set by kind,
level, venue, initiator, provenance, country, topic and person, and the timeline counts it by
month. PostgreSQL counts a set by reading every matching row and unnesting its people and
topics: 150–250 ms on two cores when the filters match a third of 100,000 encounters (a common
word, a busy person), whatever index finds the rows. Counting the same set in numpy arrays of
the published record takes a few milliseconds, so PostgreSQL only has to find the set (its ids).

What it holds, per published encounter in id order: the five choice columns and the country of
its place as small integer codes, its start and end months, and, as flat pairs (encounter,
person) and (encounter, topic), who took part and what it was tagged with (the arrays of
EncounterLinks). About 40 bytes per encounter plus 8 per participation and topic link: 6 MB at
100,000 encounters, 60 MB at 1,000,000, in each web process.

Freshness. Each index is read in one REPEATABLE READ transaction together with the data
version (engagements_data_version, infrastructure/derived.py), so it is exactly the record of
that version. A request uses it only when the version it reads itself is the same; otherwise
it counts in PostgreSQL as before, and (RECORD_INDEX = "background") a thread builds the index
of the new version for later requests. Counts are therefore never older than the database and
never approximate: the index is a second way of computing the same numbers, and the tests
compare both ways over many filter sets.

RECORD_INDEX: "background" (the default: built by a thread of each web process, after the
first request of a new version), "inline" (built inside the request that finds it missing: the
tests' setting, where each test's data lives in its own transaction) or "off".
"""

import datetime
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import psycopg
from django.conf import settings
from django.db import connections, router, transaction

from engagements.models import Encounter

logger = logging.getLogger(__name__)

# The encounter's single-valued columns counted per value (domain/facets.py's choice groups).
CHOICE_COLUMNS = ["kind", "level", "venue", "initiated_by", "provenance"]
CHOICE_VALUES = {
    "kind": Encounter.Kind.values,
    "level": Encounter.Level.values,
    "venue": Encounter.Venue.values,
    "initiated_by": Encounter.Initiator.values,
    "provenance": Encounter.Provenance.values,
}
# (facet, array of ids in engagements_encounter_links, the table its ids point to)
RELATED = [
    ("topic", "topic_ids", "engagements_topic"),
    ("person", "person_ids", "engagements_person"),
]


@dataclass
class Related:
    """Topics or people: the flat (encounter position, code) pairs and each code's row."""

    encounter: np.ndarray  # position of the encounter (into RecordIndex.ids) of each pair
    code: np.ndarray  # position of the topic or person (into slugs and names) of each pair
    slugs: list
    names: list
    name_rank: np.ndarray  # each code's place in the table ordered by name (ties: by id)


@dataclass
class RecordIndex:
    alias: str
    version: str
    ids: np.ndarray  # ids of the published encounters, ascending
    codes: dict  # column -> np.ndarray of codes into labels[column]
    labels: dict  # column -> list of values ("" for an encounter without a place's country)
    start_month: np.ndarray  # months since year 0 (year * 12 + month - 1)
    end_month: np.ndarray
    related: dict  # "topic" / "person" -> Related
    built_in: float = 0.0  # seconds the build took

    @property
    def size(self):
        return len(self.ids)

    @property
    def nbytes(self):
        arrays = [self.ids, self.start_month, self.end_month, *self.codes.values()]
        for related in self.related.values():
            arrays += [related.encounter, related.code, related.name_rank]
        return sum(array.nbytes for array in arrays)

    # --- Sets of encounters -------------------------------------------------------------------

    def positions(self, ids):
        """The positions of `ids` (published encounters' ids), or None when one is not here."""
        ids = np.asarray(ids, dtype=np.int64)
        found = np.searchsorted(self.ids, ids)
        found = np.minimum(found, len(self.ids) - 1) if len(self.ids) else found
        if len(ids) and (not len(self.ids) or not np.array_equal(self.ids[found], ids)):
            return None
        return found

    def mask(self, positions):
        selected = np.zeros(len(self.ids), dtype=bool)
        selected[positions] = True
        return selected

    # --- Counts -------------------------------------------------------------------------------

    def column_counts(self, positions, column, skip_blank=False):
        """{value: count} of one column over the encounters at `positions`."""
        labels = self.labels[column]
        counts = np.bincount(self.codes[column][positions], minlength=len(labels))
        return {
            labels[code]: int(counts[code])
            for code in np.flatnonzero(counts)
            if not (skip_blank and labels[code] == "")
        }

    def related_counts(self, selected, facet, limit):
        """[(slug, name, count)] of the `limit` most frequent topics or people among the
        encounters `selected` (a mask), most frequent first, then by name."""
        related = self.related[facet]
        counts = np.bincount(
            related.code[selected[related.encounter]], minlength=len(related.slugs)
        )
        codes = np.flatnonzero(counts)
        order = np.lexsort((related.name_rank[codes], -counts[codes]))[:limit]
        return [
            (related.slugs[code], related.names[code], int(counts[code])) for code in codes[order]
        ]

    def counts(self, positions, own_base=(), limits=None):
        """What domain/current_counts.py's current_counts() returns, for the encounters at
        `positions`: the total, the choice groups and countries not in `own_base`, and the
        most frequent topics and people."""
        result = {"total": int(len(positions))}
        for column in [*CHOICE_COLUMNS, "country"]:
            if column not in own_base:
                result[column] = self.column_counts(positions, column, skip_blank=True)
        selected = self.mask(positions)
        for facet, *_ in RELATED:
            limit = int((limits or {}).get(facet, 13))
            result[facet] = self.related_counts(selected, facet, limit)
        return result

    def month_grid(self, positions, lanes_by):
        """domain/timeline.py's month_grid() rows for the encounters at `positions`:
        [(month, lane value, count, first month, last month)], months as their first day."""
        labels = self.labels[lanes_by]
        lanes = self.codes[lanes_by][positions].astype(np.int64)
        months = self.start_month[positions].astype(np.int64)
        if not len(months):
            return []
        first = int(months.min())
        cells = (months - first) * len(labels) + lanes
        counts = np.bincount(cells)
        last = np.zeros(len(counts), dtype=np.int64)
        np.maximum.at(last, cells, self.end_month[positions].astype(np.int64))
        rows = []
        for cell in np.flatnonzero(counts):
            month = first + int(cell) // len(labels)
            rows.append(
                (
                    month_date(month),
                    labels[int(cell) % len(labels)],
                    int(counts[cell]),
                    month_date(month),
                    month_date(int(last[cell])),
                )
            )
        return rows


def month_number(day):
    return day.year * 12 + day.month - 1


def month_date(number):
    return datetime.date(number // 12, number % 12 + 1, 1)


# --- Building -----------------------------------------------------------------------------------

ENCOUNTERS_SQL = """
SELECT e.id, e.kind, e.level, e.venue, e.initiated_by, e.provenance, coalesce(p.country, ''),
       (extract(year FROM e.start_date) * 12 + extract(month FROM e.start_date) - 1)::int,
       (extract(year FROM e.end_date) * 12 + extract(month FROM e.end_date) - 1)::int
FROM engagements_encounter e LEFT JOIN engagements_place p ON p.id = e.place_id
WHERE e.status = %s ORDER BY e.id
"""
# One row: the pairs as two arrays (read in binary, so psycopg builds the lists in C).
PAIRS_SQL = """
SELECT coalesce(array_agg(l.encounter_id ORDER BY l.encounter_id), '{{}}'),
       coalesce(array_agg(x ORDER BY l.encounter_id), '{{}}')
FROM engagements_encounter_links l
JOIN engagements_encounter e ON e.id = l.encounter_id AND e.status = %s
CROSS JOIN LATERAL unnest(l.{array}) x
"""
NAMES_SQL = "SELECT id, slug, name FROM {table} ORDER BY name, id"


def build(alias):
    """The index of the published record as `alias` shows it now (one snapshot)."""
    from engagements.infrastructure.derived import data_version_on

    started = time.perf_counter()
    connection = connections[alias]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if outermost:
            # The transaction's first statement: every read below sees one snapshot. (Inside a
            # transaction, as in the tests' "inline" builds, that transaction's reads are it.)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        version = data_version_on(alias)
        cursor.execute(ENCOUNTERS_SQL, [Encounter.Status.PUBLISHED])
        rows = cursor.fetchall()
        pairs = {}
        for facet, array, table in RELATED:
            cursor.execute(NAMES_SQL.format(table=table))
            names = cursor.fetchall()
            cursor.execute(PAIRS_SQL.format(array=array), [Encounter.Status.PUBLISHED])
            pairs[facet] = (names, cursor.fetchone())
    columns = list(zip(*rows, strict=True)) if rows else [()] * 9
    ids = np.array(columns[0], dtype=np.int64)
    codes, labels = {}, {}
    for i, column in enumerate([*CHOICE_COLUMNS, "country"], start=1):
        values = list(CHOICE_VALUES.get(column, []))
        values += sorted(set(columns[i]) - set(values))
        lookup = {value: code for code, value in enumerate(values)}
        codes[column] = np.array([lookup[v] for v in columns[i]], dtype=np.int16)
        labels[column] = values
    related = {}
    for facet, (names, (encounter_ids, other_ids)) in pairs.items():
        table_ids = np.array([row[0] for row in names], dtype=np.int64)
        by_id = np.argsort(table_ids)
        code = by_id[np.searchsorted(table_ids, np.array(other_ids, dtype=np.int64), sorter=by_id)]
        related[facet] = Related(
            encounter=np.searchsorted(ids, np.array(encounter_ids, dtype=np.int64)).astype(
                np.int32
            ),
            code=code.astype(np.int32),
            slugs=[row[1] for row in names],
            names=[row[2] for row in names],
            name_rank=np.arange(len(names), dtype=np.int32),
        )
    return RecordIndex(
        alias=alias,
        version=version,
        ids=ids,
        codes=codes,
        labels=labels,
        start_month=np.array(columns[7], dtype=np.int32),
        end_month=np.array(columns[8], dtype=np.int32),
        related=related,
        built_in=time.perf_counter() - started,
    )


# --- The current index of each database ---------------------------------------------------------

_indexes = {}  # alias -> RecordIndex
_building = {}  # alias -> the thread building its index
_lock = threading.Lock()


def mode():
    return getattr(settings, "RECORD_INDEX", "background")


def current(version=None):
    """The index of the published record at the data version this request reads, or None
    (then count in PostgreSQL). `version`: the request's data version, when already read."""
    if mode() == "off":
        return None
    from engagements.infrastructure.derived import data_version

    alias = router.db_for_read(Encounter)
    if version is None:
        version = data_version()
    if version is None:
        return None
    index = _indexes.get(alias)
    if index is not None and index.version == version:
        return index
    if mode() == "inline":
        index = build(alias)
        _indexes[alias] = index
        return index if index.version == version else None
    start_building(alias)
    return None


def start_building(alias):
    with _lock:
        if alias in _building:
            return
        thread = threading.Thread(target=build_in_background, args=(alias,), daemon=True)
        _building[alias] = thread
    thread.start()


def wait_for_build(timeout=60):
    """Wait for the builds under way (the tests, and a server warming up)."""
    for thread in list(_building.values()):
        thread.join(timeout)


def build_in_background(alias):
    try:
        index = build(alias)
        _indexes[alias] = index
        logger.info(
            "record index built",
            extra={
                "alias": alias,
                "encounters": index.size,
                "megabytes": round(index.nbytes / 1e6, 1),
                "seconds": round(index.built_in, 3),
            },
        )
    except Exception:
        # The pages count in PostgreSQL meanwhile; the next new version tries again.
        logger.exception("record index build failed")
    finally:
        connections.close_all()
        with _lock:
            _building.pop(alias, None)


def forget():
    """Drop every index (tests)."""
    _indexes.clear()


# --- Reading a set's ids ------------------------------------------------------------------------


def matching_positions(index, queryset):
    """The positions in `index` of the encounters `queryset` matches (one query, its ids read
    as one binary array), or None when one of them is not in the index."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    connection = connections[queryset.db]
    connection.ensure_connection()
    # Django's cursors bind parameters on the client, which cannot ask for binary results; a
    # plain psycopg cursor on the same connection (and transaction) can.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"SELECT coalesce(array_agg(s.id), '{{}}') FROM ({sql}) s (id)", params, binary=True
        )
        (ids,) = cursor.fetchone()
    return index.positions(np.sort(np.array(ids, dtype=np.int64)))


def for_filterset(filterset):
    """The index a filter set's counts may use (read once per filter set), or None. The view
    gives the filter set its request's data version (`read_data_version`), read once per
    request."""
    index = getattr(filterset, "_record_index", False)
    if index is False:
        read_version = getattr(filterset, "read_data_version", None)
        index = current(read_version() if read_version and mode() != "off" else None)
        filterset._record_index = index
    return index


def positions_of(filterset, queryset):
    """The index and the positions of `queryset`'s encounters in it, or (None, None). Each
    distinct query is read once per filter set (the list's facets and the timeline share it)."""
    index = for_filterset(filterset)
    if index is None:
        return None, None
    read = filterset.__dict__.setdefault("_index_positions", {})
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    key = (sql, repr(params))
    if key not in read:
        read[key] = matching_positions(index, queryset)
    positions = read[key]
    return (index, positions) if positions is not None else (None, None)


@dataclass
class IndexedMonths:
    """A filtered timeline's month counts from the index: build_timeline()'s `kept`, like
    domain/timeline.py's KeptMonths."""

    index: RecordIndex
    positions: np.ndarray

    def grid(self, lanes_by):
        return self.index.month_grid(self.positions, lanes_by)


def months_of(filterset, queryset):
    """IndexedMonths of `queryset`'s encounters, or None when the index is not current."""
    index, positions = positions_of(filterset, queryset)
    return IndexedMonths(index, positions) if index is not None else None


def ranked_ids(filterset, queryset):
    """Every id `queryset` (a relevance-ranked list) matches, best first (rank, then newest,
    then highest id, as RELEVANCE_ORDERING), or None when the index is not current.

    One query reads each match's id, rank and start day; the same ids then give the facet
    counts (kept as the positions of the filter set's matches), so a common word's matches are
    found once per page instead of once for the page and once for its counts.
    """
    index = for_filterset(filterset)
    if index is None:
        return None
    rows = queryset.values("pk", "rank", "start_date")
    sql, params = rows.query.sql_with_params()
    connection = connections[queryset.db]
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            "SELECT coalesce(array_agg(s.id), '{}'), coalesce(array_agg(s.rank), '{}'), "
            "coalesce(array_agg(s.start_date - DATE '2000-01-01'), '{}') "
            f"FROM ({sql}) s (id, rank, start_date)",
            params,
            binary=True,
        )
        ids, ranks, days = cursor.fetchone()
    ids = np.array(ids, dtype=np.int64)
    order = np.lexsort((-ids, -np.array(days, dtype=np.int64), -np.array(ranks, dtype=np.float64)))
    ranked = ids[order]
    # The same set as the filter set's unsorted matches: their positions for the counts.
    matched = filterset.unsorted_queryset().order_by().values("pk").query.sql_with_params()
    read = filterset.__dict__.setdefault("_index_positions", {})
    read[(matched[0], repr(matched[1]))] = index.positions(np.sort(ids))
    return ranked
