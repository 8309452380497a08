"""Published encounters per month, level and kind, for the record, each person and each topic,
kept by triggers (engagements/domain/counts.py, MonthCount).

As in 0015_published_counts: each write statement passes what it changed, as +1 (a published
encounter counted in a cell) and -1 (one no longer counted), to one function that adds it in
place, in a fixed order so that two writers never wait for each other's rows crosswise. A write
that changes nothing counted (an edit of a summary) cancels out and locks nothing. An encounter
deleted by Django loses its participations and topic links first (their triggers subtract it from
its people's and topics' cells), then itself (the record's cells).
"""

from django.db import migrations, models

TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
# The cell of an encounter row `e`: its start and end months, level and kind.
CELL = (
    "date_trunc('month', e.start_date)::date, "
    "date_trunc('month', coalesce(e.end_date, e.start_date))::date, e.level, e.kind"
)


def changed(op, columns, where):
    """Rows leaving (-1) and entering (+1) the counts, for a trigger on `op`."""
    parts = []
    if op in ("UPDATE", "DELETE"):
        parts.append(f"SELECT {columns}, -1 AS delta FROM old_rows WHERE {where}")
    if op in ("UPDATE", "INSERT"):
        parts.append(f"SELECT {columns}, 1 AS delta FROM new_rows WHERE {where}")
    return " UNION ALL ".join(parts)


FUNCTIONS = """
CREATE FUNCTION engagements_add_month_counts(changes engagements_month_count[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF changes IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO engagements_month_count AS t
        (scope, key, month, end_month, level, kind, encounters)
    SELECT c.scope, c.key, c.month, c.end_month, c.level, c.kind, sum(c.encounters)
    FROM unnest(changes) c
    GROUP BY c.scope, c.key, c.month, c.end_month, c.level, c.kind
    HAVING sum(c.encounters) <> 0
    ORDER BY c.scope, c.key, c.month, c.end_month, c.level, c.kind
    ON CONFLICT (scope, key, month, end_month, level, kind)
    DO UPDATE SET encounters = t.encounters + excluded.encounters;
END $$;

-- Every count from the rows: the migration's first fill, and after a TRUNCATE.
CREATE FUNCTION engagements_recount_months() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM engagements_month_count;
    INSERT INTO engagements_month_count (scope, key, month, end_month, level, kind, encounters)
    SELECT 'record', 0, CELL, count(*) FROM engagements_encounter e
    WHERE e.status = 'published' GROUP BY 3, 4, 5, 6
    UNION ALL
    SELECT 'person', p.person_id, CELL, count(*) FROM engagements_participation p
    JOIN engagements_encounter e ON e.id = p.encounter_id AND e.status = 'published'
    GROUP BY 2, 3, 4, 5, 6
    UNION ALL
    SELECT 'topic', l.topic_id, CELL, count(*) FROM engagements_encounter_topics l
    JOIN engagements_encounter e ON e.id = l.encounter_id AND e.status = 'published'
    GROUP BY 2, 3, 4, 5, 6;
END $$;

CREATE FUNCTION engagements_recount_months_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM engagements_recount_months();
    RETURN NULL;
END $$;
""".replace("CELL", CELL)


def encounter_branch(op):
    rows = changed(op, "*", "status = 'published'")
    parts = [
        f"SELECT ROW('record', 0, {CELL}, e.delta)::engagements_month_count AS cell FROM ({rows}) e"
    ]
    if op != "INSERT":  # a new encounter has no participants or topics yet
        parts.append(
            f"SELECT ROW('person', p.person_id, {CELL}, e.delta)::engagements_month_count "
            f"FROM ({rows}) e JOIN engagements_participation p ON p.encounter_id = e.id"
        )
        parts.append(
            f"SELECT ROW('topic', l.topic_id, {CELL}, e.delta)::engagements_month_count "
            f"FROM ({rows}) e JOIN engagements_encounter_topics l ON l.encounter_id = e.id"
        )
    return parts


def link_branch(scope, column):
    def branch(op):
        rows = changed(op, f"{column}, encounter_id", "true")
        return [
            f"SELECT ROW('{scope}', c.{column}, {CELL}, c.delta)::engagements_month_count "
            f"FROM ({rows}) c "
            "JOIN engagements_encounter e ON e.id = c.encounter_id AND e.status = 'published'"
        ]

    return branch


COUNTED = {
    "engagements_encounter": encounter_branch,
    "engagements_participation": link_branch("person", "person_id"),
    "engagements_encounter_topics": link_branch("topic", "topic_id"),
}


def trigger_sql(table, branch):
    # PostgreSQL allows transition tables only on a trigger for one event: one trigger each,
    # one function whose branch per event names only the tables that event has.
    body = "".join(
        f"""
    {"IF" if i == 0 else "ELSIF"} TG_OP = '{op}' THEN
        PERFORM engagements_add_month_counts(ARRAY(
            {" UNION ALL ".join(branch(op))}
        ));"""
        for i, op in enumerate(TRANSITIONS)
    )
    sql = f"""
CREATE FUNCTION {table}_months() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{body}
    END IF;
    RETURN NULL;
END $$;
"""
    for op in TRANSITIONS:
        sql += (
            f"CREATE TRIGGER {table}_months_{op.lower()} AFTER {op} ON {table} "
            f"{TRANSITIONS[op]} FOR EACH STATEMENT EXECUTE FUNCTION {table}_months();\n"
        )
    sql += (
        f"CREATE TRIGGER {table}_months_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION engagements_recount_months_trigger();\n"
    )
    return sql


CREATE_TRIGGERS = (
    FUNCTIONS
    + "".join(trigger_sql(table, branch) for table, branch in COUNTED.items())
    + "SELECT engagements_recount_months();\n"
)
DROP_TRIGGERS = "".join(
    f"DROP TRIGGER IF EXISTS {table}_months_{op.lower()} ON {table};\n"
    for table in COUNTED
    for op in (*TRANSITIONS, "TRUNCATE")
) + "".join(
    f"DROP FUNCTION IF EXISTS {name};\n"
    for name in [
        *(f"{table}_months()" for table in COUNTED),
        "engagements_recount_months_trigger()",
        "engagements_recount_months()",
        "engagements_add_month_counts(engagements_month_count[])",
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0023_coverage_initiators"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthCount",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "scope",
                        "key",
                        "month",
                        "end_month",
                        "level",
                        "kind",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("record", "Every published encounter"),
                            ("person", "A person's published encounters"),
                            ("topic", "A topic's published encounters"),
                        ],
                        help_text="Whose encounters: the record's, a person's or a topic's.",
                        max_length=6,
                    ),
                ),
                (
                    "key",
                    models.BigIntegerField(
                        help_text="The person's or topic's id; 0 for the whole record."
                    ),
                ),
                (
                    "month",
                    models.DateField(help_text="First day of the month the encounters start in."),
                ),
                ("end_month", models.DateField(help_text="First day of the month they end in.")),
                (
                    "level",
                    models.CharField(
                        choices=[
                            ("leader", "Leader"),
                            ("cabinet", "Cabinet / Politburo"),
                            ("deputy", "Deputy"),
                            ("envoy", "Special envoy or ambassador"),
                            ("working", "Working level"),
                        ],
                        help_text="Their level.",
                        max_length=20,
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("phone_call", "Phone call"),
                            ("video_call", "Video call"),
                            ("meeting", "In-person meeting"),
                            ("visit", "Visit"),
                            ("talks", "Talks or dialogue"),
                            ("summit_sideline", "Summit sideline meeting"),
                        ],
                        help_text="Their kind.",
                        max_length=20,
                    ),
                ),
                (
                    "encounters",
                    models.IntegerField(
                        default=0, help_text="How many published encounters (kept by triggers)."
                    ),
                ),
            ],
            options={
                "db_table": "engagements_month_count",
            },
        ),
        migrations.RunSQL(CREATE_TRIGGERS, DROP_TRIGGERS),
    ]
