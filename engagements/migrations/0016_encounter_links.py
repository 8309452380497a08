"""Who took part in each encounter and its topics as arrays, kept by triggers
(engagements/domain/counts.py, EncounterLinks)."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models


# The arrays are read again from the rows for each encounter a statement touched, after its
# row is locked (first statement), in a statement of its own (second): under READ COMMITTED
# that one sees every writer that held the lock before, so concurrent edits of one encounter's
# participants cannot leave an array without one of them.
LINKS = {
    # table: (array column, linked column)
    "engagements_participation": ("person_ids", "person_id"),
    "engagements_encounter_topics": ("topic_ids", "topic_id"),
}
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def refresh(table, array, column):
    return f"""
CREATE FUNCTION {table}_refresh_links(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO engagements_encounter_links AS t (encounter_id, person_ids, topic_ids)
    SELECT e.id, '{{}}', '{{}}' FROM engagements_encounter e
    WHERE e.id = ANY(ids) ORDER BY e.id
    ON CONFLICT (encounter_id) DO UPDATE SET {array} = t.{array};
    UPDATE engagements_encounter_links t SET {array} = coalesce(
        (SELECT array_agg(l.{column} ORDER BY l.{column}) FROM {table} l
         WHERE l.encounter_id = t.encounter_id), '{{}}')
    WHERE t.encounter_id = ANY(ids);
END $$;
"""


def trigger(table, op):
    sources = {
        "INSERT": ["new_rows"],
        "UPDATE": ["old_rows", "new_rows"],
        "DELETE": ["old_rows"],
    }[op]
    ids = " UNION ".join(f"SELECT encounter_id FROM {rows}" for rows in sources)
    return f"""
CREATE FUNCTION {table}_links_{op.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM {table}_refresh_links(ARRAY(SELECT DISTINCT encounter_id FROM ({ids}) c));
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_links_{op.lower()} AFTER {op} ON {table} {TRANSITIONS[op]}
FOR EACH STATEMENT EXECUTE FUNCTION {table}_links_{op.lower()}();
"""


def truncate(table, array):
    return f"""
CREATE FUNCTION {table}_links_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE engagements_encounter_links SET {array} = '{{}}' WHERE {array} <> '{{}}';
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_links_truncate AFTER TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION {table}_links_truncate();
"""


CREATE_TRIGGERS = (
    # Deleted with its encounter by the database (Django's model does not cascade).
    "ALTER TABLE engagements_encounter_links ADD CONSTRAINT encounter_links_encounter "
    "FOREIGN KEY (encounter_id) REFERENCES engagements_encounter (id) "
    "ON DELETE CASCADE;\n"
    + "".join(
        refresh(table, array, column)
        + "".join(trigger(table, op) for op in TRANSITIONS)
        + truncate(table, array)
        for table, (array, column) in LINKS.items()
    )
    + """
INSERT INTO engagements_encounter_links (encounter_id, person_ids, topic_ids)
SELECT e.id,
    coalesce((SELECT array_agg(p.person_id ORDER BY p.person_id) FROM engagements_participation p
              WHERE p.encounter_id = e.id), '{}'),
    coalesce((SELECT array_agg(l.topic_id ORDER BY l.topic_id) FROM engagements_encounter_topics l
              WHERE l.encounter_id = e.id), '{}')
FROM engagements_encounter e;
"""
)
DROP_TRIGGERS = "".join(
    f"DROP TRIGGER IF EXISTS {table}_links_{op} ON {table};\n"
    f"DROP FUNCTION IF EXISTS {table}_links_{op}();\n"
    for table in LINKS
    for op in ("insert", "update", "delete", "truncate")
) + "".join(f"DROP FUNCTION IF EXISTS {table}_refresh_links(bigint[]);\n" for table in LINKS)


class Migration(migrations.Migration):

    dependencies = [
        ('engagements', '0015_published_counts'),
    ]

    operations = [
        migrations.CreateModel(
            name='EncounterLinks',
            fields=[
                ('encounter', models.OneToOneField(db_constraint=False, help_text='The encounter.', on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='links', serialize=False, to='engagements.encounter')),
                ('person_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), default=list, help_text='Ids of everyone who took part.', size=None)),
                ('topic_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), default=list, help_text='Ids of its topics.', size=None)),
            ],
            options={
                'db_table': 'engagements_encounter_links',
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['person_ids'], name='encounter_links_people'), django.contrib.postgres.indexes.GinIndex(fields=['topic_ids'], name='encounter_links_topics')],
            },
        ),
        migrations.RunSQL(CREATE_TRIGGERS, DROP_TRIGGERS),
    ]
