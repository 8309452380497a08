"""The data version: it changes in the same transaction as any write to the rows that public
counts are made of (engagements/infrastructure/derived.py caches counts under it).

A small table updated by statement-level triggers on encounters, participations, topic links,
people, topics and places. Each write sets one slot, chosen by the writing connection, to a new
number from a sequence; the version is every slot's number read together:
- the rows are transactional, so a reader sees a new version exactly when it can see the write;
- numbers are never handed out twice, even by a rolled-back write, so no version recurs;
- a writer takes its connection's slot, or another one no other transaction holds, so a long
  import does not hold back an editor's save (one row for all would lock every writer until
  the other commits).
"""

from django.db import migrations

TABLES = [
    "engagements_encounter",
    "engagements_participation",
    "engagements_encounter_topics",
    "engagements_person",
    "engagements_topic",
    "engagements_place",
]

SLOTS = 64

CREATE = f"""
CREATE SEQUENCE engagements_data_version_seq;
CREATE TABLE engagements_data_version (
    slot smallint PRIMARY KEY CONSTRAINT data_version_slot_range CHECK (slot >= 0 AND slot < {SLOTS}),
    number bigint NOT NULL
);
INSERT INTO engagements_data_version
    SELECT slot, nextval('engagements_data_version_seq') FROM generate_series(0, {SLOTS - 1}) slot;
CREATE FUNCTION engagements_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    chosen smallint;
BEGIN
    -- The connection's own slot, else any slot no other transaction holds; only when all are
    -- held, wait for its own.
    SELECT slot INTO chosen FROM engagements_data_version
    ORDER BY slot = pg_backend_pid() % {SLOTS} DESC, slot LIMIT 1 FOR UPDATE SKIP LOCKED;
    UPDATE engagements_data_version SET number = nextval('engagements_data_version_seq')
    WHERE slot = coalesce(chosen, pg_backend_pid() % {SLOTS});
    RETURN NULL;
END $$;
""" + "".join(
    f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION engagements_bump_data_version();\n"
    for table in TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS engagements_bump_data_version();\n"
    "DROP TABLE IF EXISTS engagements_data_version;\n"
    "DROP SEQUENCE IF EXISTS engagements_data_version_seq;\n"
)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0008_source_title_is_description")]

    operations = [migrations.RunSQL(CREATE, DROP)]
