"""The kept counts of a person or topic go with it, whoever deletes it.

Django's own delete removes them first, but plain SQL does not: the synthetic data's removal
deletes unused people and topics with DELETE statements (a Django cascade would load every row),
which left their count rows pointing at nothing and failed the deferred foreign key check at
commit. ON DELETE CASCADE in the database makes either way correct.
"""

from django.db import migrations

TABLES = [
    ("engagements_person_published", "person_id", "engagements_person"),
    ("engagements_topic_published", "topic_id", "engagements_topic"),
]


def foreign_key_sql(table, column, target, on_delete):
    # The constraint's name is Django's generated one: found in the catalogue, not hard-coded.
    return f"""
DO $$
DECLARE name text;
BEGIN
    SELECT c.conname INTO STRICT name FROM pg_constraint c
    WHERE c.conrelid = '{table}'::regclass AND c.contype = 'f'
      AND c.confrelid = '{target}'::regclass;
    EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', name);
    EXECUTE format(
        'ALTER TABLE {table} ADD CONSTRAINT %I FOREIGN KEY ({column}) REFERENCES {target} (id) '
        '{on_delete} DEFERRABLE INITIALLY DEFERRED',
        name
    );
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("engagements", "0016_encounter_links")]

    operations = [
        migrations.RunSQL(
            foreign_key_sql(table, column, target, "ON DELETE CASCADE"),
            foreign_key_sql(table, column, target, ""),
        )
        for table, column, target in TABLES
    ]
