"""Per person and side, the published encounters they took part in for it, kept by triggers
(engagements/domain/counts.py, PersonSideCount), as in 0015_published_counts: each statement
passes what it changed (+1, -1) to one function that adds it in place, in key order.
"""

import django.db.models.deletion
from django.db import migrations, models

TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def changed(op, columns, where):
    """Rows leaving (-1) and entering (+1) the counts, for a trigger on `op`."""
    parts = []
    if op in ("UPDATE", "DELETE"):
        parts.append(f"SELECT {columns}, -1 AS delta FROM old_rows WHERE {where}")
    if op in ("UPDATE", "INSERT"):
        parts.append(f"SELECT {columns}, 1 AS delta FROM new_rows WHERE {where}")
    return " UNION ALL ".join(parts)


FUNCTIONS = """
CREATE FUNCTION engagements_add_side_counts(keys bigint[], sides text[], deltas bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF keys IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO engagements_person_side_count AS t (person_id, side, encounters)
    SELECT k, s, sum(d) FROM unnest(keys, sides, deltas) u(k, s, d)
    GROUP BY k, s HAVING sum(d) <> 0 ORDER BY k, s
    ON CONFLICT (person_id, side) DO UPDATE SET encounters = t.encounters + excluded.encounters;
END $$;

-- Every count from the rows: the migration's first fill, and after a TRUNCATE.
CREATE FUNCTION engagements_recount_sides() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM engagements_person_side_count;
    INSERT INTO engagements_person_side_count (person_id, side, encounters)
    SELECT p.person_id, p.side, count(*) FROM engagements_participation p
    JOIN engagements_encounter e ON e.id = p.encounter_id AND e.status = 'published'
    GROUP BY p.person_id, p.side;
END $$;

CREATE FUNCTION engagements_recount_sides_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM engagements_recount_sides();
    RETURN NULL;
END $$;
"""


def encounter_branch(op):
    # Publishing, unpublishing or deleting an encounter counts or uncounts its participants (a
    # new encounter has none yet; Django deletes them before the encounter).
    rows = changed(op, "id", "status = 'published'")
    return f"""
        SELECT p.person_id, p.side, sum(c.delta) FROM ({rows}) c
        JOIN engagements_participation p ON p.encounter_id = c.id
        GROUP BY p.person_id, p.side HAVING sum(c.delta) <> 0"""


def participation_branch(op):
    rows = changed(op, "person_id, side, encounter_id", "true")
    return f"""
        SELECT c.person_id, c.side, sum(c.delta) FROM ({rows}) c
        JOIN engagements_encounter e ON e.id = c.encounter_id AND e.status = 'published'
        GROUP BY c.person_id, c.side HAVING sum(c.delta) <> 0"""


COUNTED = {
    "engagements_encounter": (encounter_branch, ("UPDATE", "DELETE")),
    "engagements_participation": (participation_branch, ("INSERT", "UPDATE", "DELETE")),
}


def trigger_sql(table, branch, ops):
    # Transition tables only on a trigger for one event: one trigger each, one function.
    body = "".join(
        f"""
    {"IF" if i == 0 else "ELSIF"} TG_OP = '{op}' THEN
        SELECT array_agg(x.k), array_agg(x.s), array_agg(x.d) INTO keys, sides, deltas
        FROM ({branch(op)}) x(k, s, d);"""
        for i, op in enumerate(ops)
    )
    sql = f"""
CREATE FUNCTION {table}_sides() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keys bigint[];
    sides text[];
    deltas bigint[];
BEGIN{body}
    END IF;
    PERFORM engagements_add_side_counts(keys, sides, deltas);
    RETURN NULL;
END $$;
"""
    for op in ops:
        sql += (
            f"CREATE TRIGGER {table}_sides_{op.lower()} AFTER {op} ON {table} "
            f"{TRANSITIONS[op]} FOR EACH STATEMENT EXECUTE FUNCTION {table}_sides();\n"
        )
    sql += (
        f"CREATE TRIGGER {table}_sides_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION engagements_recount_sides_trigger();\n"
    )
    return sql


# The counts go with their person, whoever deletes it: Django's delete removes them first, but
# the synthetic data's removal deletes people with plain DELETE statements (as in
# 0017_published_counts_cascade).
CASCADE = (
    "ALTER TABLE engagements_person_side_count ADD CONSTRAINT person_side_count_person "
    "FOREIGN KEY (person_id) REFERENCES engagements_person (id) "
    "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;\n"
)

CREATE_TRIGGERS = (
    CASCADE
    + FUNCTIONS
    + "".join(trigger_sql(table, *spec) for table, spec in COUNTED.items())
    + "SELECT engagements_recount_sides();\n"
    # The first fill's foreign key checks now, not at the end of the migration, where Django
    # creates the table's index (PostgreSQL refuses to with checks pending).
    + "SET CONSTRAINTS person_side_count_person IMMEDIATE;\n"
)
DROP_TRIGGERS = "".join(
    f"DROP TRIGGER IF EXISTS {table}_sides_{op.lower()} ON {table};\n"
    for table, (_, ops) in COUNTED.items()
    for op in (*ops, "TRUNCATE")
) + "".join(
    f"DROP FUNCTION IF EXISTS {name};\n"
    for name in [
        *(f"{table}_sides()" for table in COUNTED),
        "engagements_recount_sides_trigger()",
        "engagements_recount_sides()",
        "engagements_add_side_counts(bigint[], text[], bigint[])",
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0025_participation_person_side"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonSideCount",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "person",
                        "side",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("us", "United States"),
                            ("prc", "People's Republic of China"),
                            ("other", "Other"),
                        ],
                        help_text="The side they took part for.",
                        max_length=5,
                    ),
                ),
                (
                    "encounters",
                    models.IntegerField(
                        default=0,
                        help_text="Published encounters they took part in for it (kept by triggers).",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        help_text="The person counted.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="side_counts",
                        to="engagements.person",
                    ),
                ),
            ],
            options={
                "db_table": "engagements_person_side_count",
                "indexes": [
                    models.Index(fields=["side", "-encounters"], name="person_side_busiest")
                ],
            },
        ),
        migrations.RunSQL(CREATE_TRIGGERS, DROP_TRIGGERS),
    ]
