"""Counts over the whole published record, kept by triggers (engagements/domain/counts.py)."""

import django.db.models.deletion
from django.db import migrations, models


# -- The triggers that keep the counts (engagements/domain/counts.py) --------------------------
#
# Each write statement passes what it changed, as +1 (a published row counted) and -1 (one no
# longer counted), to one of three functions that add it in place. Rows that change nothing
# counted (an edit of a summary) cancel out and lock nothing. The bounds of a person's dates
# only widen by addition; when an encounter on a bound leaves, the bound is read again in a new
# statement, after the row's lock is granted, so it sees every writer that held it before.

ENCOUNTER_COLUMNS = "id, kind, level, venue, initiated_by, provenance, place_id, start_date"


def changed(op, columns, where, old="old_rows", new="new_rows"):
    """Rows leaving (-1) and entering (+1) the counts, for a trigger on `op`."""
    parts = []
    if op in ("UPDATE", "DELETE"):
        parts.append(f"SELECT {columns}, -1 AS delta FROM {old} WHERE {where}")
    if op in ("UPDATE", "INSERT"):
        parts.append(f"SELECT {columns}, 1 AS delta FROM {new} WHERE {where}")
    return " UNION ALL ".join(parts)


FUNCTIONS = """
CREATE FUNCTION engagements_add_facet_counts(facets text[], vals text[], deltas bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- In a fixed order, so that two writers never wait for each other's rows crosswise.
    INSERT INTO engagements_published_facet AS t (facet, value, encounters)
    SELECT f, v, sum(d) FROM unnest(facets, vals, deltas) u(f, v, d)
    GROUP BY f, v HAVING sum(d) <> 0 ORDER BY f, v
    ON CONFLICT (facet, value) DO UPDATE SET encounters = t.encounters + excluded.encounters;
END $$;

CREATE FUNCTION engagements_add_person_counts(keys bigint[], days date[], deltas bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF keys IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO engagements_person_published AS t (person_id, encounters, first_date, last_date)
    SELECT k, sum(d), min(day) FILTER (WHERE d > 0), max(day) FILTER (WHERE d > 0)
    FROM unnest(keys, days, deltas) u(k, day, d) GROUP BY k ORDER BY k
    ON CONFLICT (person_id) DO UPDATE SET
        encounters = t.encounters + excluded.encounters,
        first_date = least(t.first_date, excluded.first_date),
        last_date = greatest(t.last_date, excluded.last_date);
    -- A new statement: it sees what every earlier holder of these rows' locks committed.
    UPDATE engagements_person_published t SET first_date = b.first, last_date = b.last
    FROM (
        SELECT k, min(day) AS low, max(day) AS high FROM unnest(keys, days, deltas) u(k, day, d)
        WHERE d < 0 GROUP BY k
    ) r
    CROSS JOIN LATERAL (
        SELECT min(e.start_date) AS first, max(e.start_date) AS last
        FROM engagements_participation p
        JOIN engagements_encounter e ON e.id = p.encounter_id AND e.status = 'published'
        WHERE p.person_id = r.k
    ) b
    WHERE t.person_id = r.k
      AND (t.encounters = 0 OR r.low <= t.first_date OR r.high >= t.last_date);
END $$;

CREATE FUNCTION engagements_add_topic_counts(keys bigint[], deltas bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF keys IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO engagements_topic_published AS t (topic_id, encounters)
    SELECT k, sum(d) FROM unnest(keys, deltas) u(k, d) GROUP BY k ORDER BY k
    ON CONFLICT (topic_id) DO UPDATE SET encounters = t.encounters + excluded.encounters;
END $$;

-- Every count from the rows: the migration's first fill, and after a TRUNCATE.
CREATE FUNCTION engagements_recount_published() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM engagements_published_facet;
    DELETE FROM engagements_person_published;
    DELETE FROM engagements_topic_published;
    INSERT INTO engagements_published_facet (facet, value, encounters)
    SELECT f.facet, f.value, count(*)
    FROM engagements_encounter e
    LEFT JOIN engagements_place pl ON pl.id = e.place_id
    CROSS JOIN LATERAL (VALUES ('total', ''), ('kind', e.kind), ('level', e.level),
        ('venue', e.venue), ('initiated_by', e.initiated_by), ('provenance', e.provenance),
        ('country', pl.country)) f(facet, value)
    WHERE e.status = 'published' AND f.value IS NOT NULL
    GROUP BY f.facet, f.value;
    INSERT INTO engagements_person_published (person_id, encounters, first_date, last_date)
    SELECT p.person_id, count(*), min(e.start_date), max(e.start_date)
    FROM engagements_participation p
    JOIN engagements_encounter e ON e.id = p.encounter_id AND e.status = 'published'
    GROUP BY p.person_id;
    INSERT INTO engagements_topic_published (topic_id, encounters)
    SELECT l.topic_id, count(*)
    FROM engagements_encounter_topics l
    JOIN engagements_encounter e ON e.id = l.encounter_id AND e.status = 'published'
    GROUP BY l.topic_id;
END $$;

CREATE FUNCTION engagements_recount_published_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM engagements_recount_published();
    RETURN NULL;
END $$;
"""


def encounter_branch(op):
    rows = changed(op, ENCOUNTER_COLUMNS, "status = 'published'")
    sql = f"""
        SELECT array_agg(f.facet), array_agg(f.value), array_agg(c.delta)
        INTO facets, vals, deltas
        FROM ({rows}) c
        LEFT JOIN engagements_place pl ON pl.id = c.place_id
        CROSS JOIN LATERAL (VALUES ('total', ''), ('kind', c.kind), ('level', c.level),
            ('venue', c.venue), ('initiated_by', c.initiated_by), ('provenance', c.provenance),
            ('country', pl.country)) f(facet, value)
        WHERE f.value IS NOT NULL;
        PERFORM engagements_add_facet_counts(facets, vals, deltas);"""
    if op == "INSERT":
        return sql  # a new encounter has no participants or topics yet
    return sql + f"""
        SELECT array_agg(k), array_agg(day), array_agg(d) INTO keys, days, deltas FROM (
            SELECT p.person_id AS k, c.start_date AS day, sum(c.delta) AS d
            FROM ({rows}) c JOIN engagements_participation p ON p.encounter_id = c.id
            GROUP BY p.person_id, c.id, c.start_date HAVING sum(c.delta) <> 0
        ) x;
        PERFORM engagements_add_person_counts(keys, days, deltas);
        SELECT array_agg(k), array_agg(d) INTO keys, deltas FROM (
            SELECT l.topic_id AS k, sum(c.delta) AS d
            FROM ({rows}) c JOIN engagements_encounter_topics l ON l.encounter_id = c.id
            GROUP BY l.topic_id, c.id HAVING sum(c.delta) <> 0
        ) x;
        PERFORM engagements_add_topic_counts(keys, deltas);"""


def participation_branch(op):
    rows = changed(op, "person_id, encounter_id", "true")
    return f"""
        SELECT array_agg(k), array_agg(day), array_agg(d) INTO keys, days, deltas FROM (
            SELECT c.person_id AS k, e.start_date AS day, sum(c.delta) AS d
            FROM ({rows}) c
            JOIN engagements_encounter e ON e.id = c.encounter_id AND e.status = 'published'
            GROUP BY c.person_id, c.encounter_id, e.start_date HAVING sum(c.delta) <> 0
        ) x;
        PERFORM engagements_add_person_counts(keys, days, deltas);"""


def topic_link_branch(op):
    rows = changed(op, "topic_id, encounter_id", "true")
    return f"""
        SELECT array_agg(k), array_agg(d) INTO keys, deltas FROM (
            SELECT c.topic_id AS k, sum(c.delta) AS d
            FROM ({rows}) c
            JOIN engagements_encounter e ON e.id = c.encounter_id AND e.status = 'published'
            GROUP BY c.topic_id, c.encounter_id HAVING sum(c.delta) <> 0
        ) x;
        PERFORM engagements_add_topic_counts(keys, deltas);"""


def place_branch(op):
    # Only a place's country is counted; a place with encounters cannot be deleted (PROTECT).
    return """
        SELECT array_agg('country'::text), array_agg(x.country), array_agg(x.n)
        INTO facets, vals, deltas FROM (
            SELECT o.country, -count(e.id) AS n FROM old_rows o JOIN new_rows w ON w.id = o.id
            JOIN engagements_encounter e ON e.place_id = o.id AND e.status = 'published'
            WHERE o.country IS DISTINCT FROM w.country GROUP BY o.country
            UNION ALL
            SELECT w.country, count(e.id) FROM old_rows o JOIN new_rows w ON w.id = o.id
            JOIN engagements_encounter e ON e.place_id = w.id AND e.status = 'published'
            WHERE o.country IS DISTINCT FROM w.country GROUP BY w.country
        ) x;
        PERFORM engagements_add_facet_counts(facets, vals, deltas);"""


COUNTED = {
    "engagements_encounter": (encounter_branch, ("INSERT", "UPDATE", "DELETE")),
    "engagements_participation": (participation_branch, ("INSERT", "UPDATE", "DELETE")),
    "engagements_encounter_topics": (topic_link_branch, ("INSERT", "UPDATE", "DELETE")),
    "engagements_place": (place_branch, ("UPDATE",)),
}
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def trigger_sql(table, branch, ops):
    # PostgreSQL allows transition tables only on a trigger for one event: one trigger each,
    # one function whose branch per event names only the tables that event has.
    body = "".join(
        f"\n    {'IF' if i == 0 else 'ELSIF'} TG_OP = '{op}' THEN{branch(op)}"
        for i, op in enumerate(ops)
    )
    sql = f"""
CREATE FUNCTION {table}_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    facets text[];
    vals text[];
    keys bigint[];
    days date[];
    deltas bigint[];
BEGIN{body}
    END IF;
    RETURN NULL;
END $$;
"""
    for op in ops:
        sql += (
            f"CREATE TRIGGER {table}_counts_{op.lower()} AFTER {op} ON {table} "
            f"{TRANSITIONS[op]} FOR EACH STATEMENT EXECUTE FUNCTION {table}_counts();\n"
        )
    if table != "engagements_place":
        sql += (
            f"CREATE TRIGGER {table}_counts_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION engagements_recount_published_trigger();\n"
        )
    return sql


CREATE_TRIGGERS = (
    FUNCTIONS
    + "".join(trigger_sql(table, *spec) for table, spec in COUNTED.items())
    + "SELECT engagements_recount_published();\n"
)
DROP_TRIGGERS = "".join(
    f"DROP TRIGGER IF EXISTS {table}_counts_{op.lower()} ON {table};\n"
    for table, (_, ops) in COUNTED.items()
    for op in (*ops, "TRUNCATE")
) + "".join(
    f"DROP FUNCTION IF EXISTS {name};\n"
    for name in [
        *(f"{table}_counts()" for table in COUNTED),
        "engagements_recount_published_trigger()",
        "engagements_recount_published()",
        "engagements_add_facet_counts(text[], text[], bigint[])",
        "engagements_add_person_counts(bigint[], date[], bigint[])",
        "engagements_add_topic_counts(bigint[], bigint[])",
    ]
)


class Migration(migrations.Migration):

    dependencies = [
        ('engagements', '0014_seed_audit_corrections'),
    ]

    operations = [
        migrations.CreateModel(
            name='PersonPublishedCount',
            fields=[
                ('person', models.OneToOneField(help_text='The person counted.', on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='published_count', serialize=False, to='engagements.person')),
                ('encounters', models.IntegerField(default=0, help_text='Published encounters they took part in (kept by triggers).')),
                ('first_date', models.DateField(blank=True, help_text='Start date of their first published encounter.', null=True)),
                ('last_date', models.DateField(blank=True, help_text='Start date of their last published encounter.', null=True)),
            ],
            options={
                'db_table': 'engagements_person_published',
                'indexes': [models.Index(fields=['-encounters'], name='person_published_busiest')],
            },
        ),
        migrations.CreateModel(
            name='PublishedFacetCount',
            fields=[
                ('pk', models.CompositePrimaryKey('facet', 'value', blank=True, editable=False, primary_key=True, serialize=False)),
                ('facet', models.CharField(choices=[('total', 'Every published encounter'), ('kind', 'Kind'), ('level', 'Level'), ('venue', 'Venue'), ('initiated_by', 'Initiated by'), ('provenance', 'Record source'), ('country', 'Country of the place')], help_text='The encounter field counted (or the total).', max_length=20)),
                ('value', models.CharField(blank=True, help_text="The field's value (a country code for countries; empty for the total).", max_length=64)),
                ('encounters', models.IntegerField(default=0, help_text='Published encounters with this value (kept by triggers).')),
            ],
            options={
                'db_table': 'engagements_published_facet',
            },
        ),
        migrations.CreateModel(
            name='TopicPublishedCount',
            fields=[
                ('topic', models.OneToOneField(help_text='The topic counted.', on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='published_count', serialize=False, to='engagements.topic')),
                ('encounters', models.IntegerField(default=0, help_text='Published encounters tagged with it (kept by triggers).')),
            ],
            options={
                'db_table': 'engagements_topic_published',
            },
        ),
        migrations.RunSQL(CREATE_TRIGGERS, DROP_TRIGGERS),
    ]
