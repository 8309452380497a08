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
"""

from django.db import connections

# The encounter's columns of the single-valued choice groups (see domain/facets.py).
CHOICE_COLUMNS = ["kind", "level", "venue", "initiated_by", "provenance"]
# (facet, the array of ids in engagements_encounter_links, the counted table)
RELATED = [
    ("topic", "topic_ids", "engagements_topic"),
    ("person", "person_ids", "engagements_person"),
]
RELATED_FACETS = {facet for facet, *_ in RELATED}


def current_counts(filterset, own_base=(), limits=None):
    """{"total": n, group: {value: n}, "topic"/"person": [(slug, name, n)]}.

    `own_base` names the groups counted elsewhere (those with a selection); `limits` gives how
    many rows of topics and people to return. Read once per filter set (kept on it).
    """
    kept = getattr(filterset, "_current_counts", None)
    if kept is not None:
        return kept
    base = filterset.unsorted_queryset().values("id", "place", *CHOICE_COLUMNS)
    sql, params = base.query.sql_with_params()
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
        # Counted by id first, named after: a join of a few hundred rows, not of every id.
        parts.append(
            f"(SELECT '{facet}', t.slug, t.name, c.n FROM (SELECT u.id, count(*) AS n "
            f"FROM links CROSS JOIN LATERAL unnest(links.{array}) u(id) GROUP BY u.id) c "
            f"JOIN {table} t ON t.id = c.id ORDER BY c.n DESC, t.name LIMIT {limit})"
        )
    query = (
        f"WITH m AS MATERIALIZED ({sql}), links AS MATERIALIZED ("
        "SELECT l.person_ids, l.topic_ids FROM m "
        "JOIN engagements_encounter_links l ON l.encounter_id = m.id) "
    ) + " UNION ALL ".join(parts)
    with connections[base.db].cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    kept = {"total": 0, "topic": [], "person": []}
    for group in [*CHOICE_COLUMNS, "country"]:
        if group not in own_base:
            kept[group] = {}
    for facet, value, label, count in rows:
        if facet == "total":
            kept["total"] = count
        elif facet in RELATED_FACETS:
            kept[facet].append((value, label, count))
        else:
            kept[facet][value] = count
    filterset._current_counts = kept
    return kept
