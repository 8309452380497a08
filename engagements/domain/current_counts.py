"""Every count over the current results of a filtered list, in ONE query.

The total and most facet groups are counted over the same rows: the encounters every active
filter matches. Counted one query each, PostgreSQL found those rows again for each of them
(six times a full-text match of a common word, 350 ms each at 100,000 encounters); here it
finds them once (a MATERIALIZED common table expression of the few columns counted) and counts
each group from that:

- the total;
- each choice group with nothing selected (a group with a selection is counted without its
  own filter, so it has another base: domain/facets.py counts it on its own);
- countries, unless one is selected (same reason);
- the most frequent topics and people (they narrow, "all of", so they are always counted over
  the current results), with their slugs and names, most frequent first, then by name: from
  the arrays of ids kept per encounter (EncounterLinks), one narrow row per matching encounter
  instead of every participation.

Counts over the whole published record are never counted here: domain/counts.py keeps them.

Broad filters are counted from what they leave out. Counting "everything before 2024" reads
nine published encounters in ten and unnests their people and topics (640 ms at 100,000
encounters), while the kept whole-record counts minus the counts of the few encounters the
filters leave out are the same numbers. So when PostgreSQL expects the filters to match more
than 60% of the published record (its estimate only picks the way; both ways are exact), the
query counts the rest (published, and not matched) and subtracts: in Python for the total, the
choice groups and countries, in the query itself for the most frequent people and topics.
"""

import json

from django.db import connections
from django.db.models import Exists, OuterRef

from engagements.domain import record_index
from engagements.domain.counts import PersonPublishedCount, TopicPublishedCount
from engagements.models import Encounter

# The encounter's columns of the single-valued choice groups (see domain/facets.py).
CHOICE_COLUMNS = ["kind", "level", "venue", "initiated_by", "provenance"]
# (facet, the array of ids in engagements_encounter_links, the counted table)
RELATED = [
    ("topic", "topic_ids", "engagements_topic"),
    ("person", "person_ids", "engagements_person"),
]
# (facet, the table of its kept whole-record counts, that table's key column)
KEPT_RELATED = {
    "topic": (TopicPublishedCount._meta.db_table, "topic_id"),
    "person": (PersonPublishedCount._meta.db_table, "person_id"),
}
# Counted from what the filters leave out when they are expected to match more than this share
# of the published record.
COMPLEMENT_ABOVE = 0.6
RELATED_FACETS = {facet for facet, *_ in RELATED}


def current_counts(filterset, own_base=(), limits=None):
    """{"total": n, group: {value: n}, "topic"/"person": [(slug, name, n)]}.

    `own_base` names the groups counted elsewhere (those with a selection); `limits` gives how
    many rows of topics and people to return. Read once per filter set (kept on it).
    """
    kept = getattr(filterset, "_current_counts", None)
    if kept is not None:
        return kept
    matched = filterset.unsorted_queryset()
    index, positions = record_index.positions_of(filterset, matched)
    if index is not None:
        kept = index.counts(positions, own_base, limits)
    elif may_be_broad(filterset) and estimated_rows(matched) > COMPLEMENT_ABOVE * (
        whole_record_total(filterset)
    ):
        kept = counts_from_complement(filterset, matched, own_base, limits)
    else:
        kept = counted(matched.values("id", "place", *CHOICE_COLUMNS), own_base, limits)
    filterset._current_counts = kept
    return kept


def may_be_broad(filterset):
    """Filters on the encounter's own columns only (dates, kind, level, …), from every published
    encounter: the filter sets that can match most of the record, and for which PostgreSQL's
    estimate is good. A search, a person or a topic narrows the record, and is rarely the
    smaller part to count (the rest of a common word would be its matches)."""
    narrowing = ("q", "person", "topic")
    data = filterset.form.cleaned_data
    return filterset.whole_record and not any(data.get(n) for n in narrowing)


def whole_record_total(filterset):
    """Every published encounter, as kept."""
    from engagements.domain.facets import whole_record_counts

    return whole_record_counts(filterset).get("total", {}).get("", 0)


def estimated_rows(queryset):
    """PostgreSQL's estimate of the rows `queryset` matches (planning only, nothing is read)."""
    plan = json.loads(queryset.explain(format="json"))
    return plan[0]["Plan"]["Plan Rows"]


def counted(rows, own_base, limits, kept_related=False):
    """The counts over `rows` (a values() queryset of the encounter's id, place and choice
    columns), in one query. With `kept_related`, each person's and topic's count is its kept
    whole-record count minus its count over `rows`."""
    sql, params = rows.query.sql_with_params()
    # Every name below is one of this module's constants; only `params` come from the request.
    parts = ["SELECT 'total', '', '', count(*) FROM m"]
    parts += [
        f"SELECT '{column}', {column}::text, '', count(*) FROM m GROUP BY {column}"
        for column in CHOICE_COLUMNS
        if column not in own_base
    ]
    if "country" not in own_base:
        parts.append(
            "SELECT 'country', p.country, '', count(*) FROM m "
            "JOIN engagements_place p ON p.id = m.place GROUP BY p.country"
        )
    for facet, array, table in RELATED:
        limit = int((limits or {}).get(facet, 13))
        # Counted by id first, named after: a join of a few hundred rows, not of every id. The
        # arrays are unnested in the select list, several times faster than a lateral join.
        by_id = (
            f"SELECT id, count(*) AS n FROM (SELECT unnest(links.{array}) AS id FROM links) u "
            "GROUP BY id"
        )
        if kept_related:
            kept_table, key = KEPT_RELATED[facet]
            parts.append(
                f"(SELECT '{facet}', t.slug, t.name, k.encounters - coalesce(c.n, 0) AS n "
                f"FROM {kept_table} k JOIN {table} t ON t.id = k.{key} "
                f"LEFT JOIN ({by_id}) c ON c.id = k.{key} "
                f"WHERE k.encounters > coalesce(c.n, 0) ORDER BY n DESC, t.name LIMIT {limit})"
            )
        else:
            parts.append(
                f"(SELECT '{facet}', t.slug, t.name, c.n FROM ({by_id}) c "
                f"JOIN {table} t ON t.id = c.id ORDER BY c.n DESC, t.name LIMIT {limit})"
            )
    query = (
        f"WITH m AS MATERIALIZED ({sql}), links AS MATERIALIZED ("
        "SELECT l.person_ids, l.topic_ids FROM m "
        "JOIN engagements_encounter_links l ON l.encounter_id = m.id) "
    ) + " UNION ALL ".join(parts)
    with connections[rows.db].cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    result = {"total": 0, "topic": [], "person": []}
    for group in [*CHOICE_COLUMNS, "country"]:
        if group not in own_base:
            result[group] = {}
    for facet, value, label, count in rows:
        if facet == "total":
            result["total"] = count
        elif facet in RELATED_FACETS:
            result[facet].append((value, label, count))
        else:
            result[facet][value] = count
    return result


def counts_from_complement(filterset, matched, own_base, limits):
    """The same counts as counted(matched), from the published encounters `matched` leaves out
    (see the module's doc)."""
    from engagements.domain.facets import whole_record_counts

    left_out = (
        Encounter.objects.published()
        .filter(~Exists(matched.filter(pk=OuterRef("pk"))))
        .order_by()
        .values("id", "place", *CHOICE_COLUMNS)
    )
    rest = counted(left_out, own_base, limits, kept_related=True)
    whole = whole_record_counts(filterset)
    result = {
        "total": whole.get("total", {}).get("", 0) - rest["total"],
        "topic": rest["topic"],
        "person": rest["person"],
    }
    for group in [*CHOICE_COLUMNS, "country"]:
        if group in own_base:
            continue
        less = rest[group]
        counts = {value: n - less.get(value, 0) for value, n in whole.get(group, {}).items()}
        result[group] = {value: n for value, n in counts.items() if n > 0}
    return result
