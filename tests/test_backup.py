"""`make backup` / `make restore`: pg_dump and pg_restore of the app's database
(engagements/infrastructure/backup.py; the Makefile targets call the manage.py commands)."""

import subprocess
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from engagements.infrastructure import backup
from engagements.infrastructure.seeding import SEED_FILE
from engagements.models import Encounter, Quote
from tests.factories import QuoteFactory, SourceFactory

RESTORED = "engagements_restore_test"


def table_rows(database=None):
    """Every row of every table of the app (history tables included), as JSON text."""
    args, env = backup.connection_args(database=database)
    conninfo = args[1]
    tables = set()
    for model in apps.get_app_config("engagements").get_models():
        tables.add(model._meta.db_table)
        tables.update(f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many)
    with psycopg.connect(conninfo, password=env.get("PGPASSWORD")) as conn:
        return {
            table: sorted(r[0] for r in conn.execute(f"SELECT to_jsonb(t)::text FROM {table} t"))
            for table in tables
        }


@pytest.fixture
def seeded_with_history(transactional_db):
    """The seed, plus edits, so that every kind of row and some history exist (committed, so
    that pg_dump sees them)."""
    call_command("load_seed", file=[SEED_FILE], verbosity=0)  # the seed only: fast
    encounter = Encounter.objects.order_by("start_date").first()
    encounter.title += " (corrected)"
    encounter.save()
    SourceFactory(encounter=encounter)
    QuoteFactory(encounter=encounter, text="Both sides agreed to keep talking.")
    return encounter


@pytest.fixture
def fresh_database(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{RESTORED}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{RESTORED}"')
    yield RESTORED
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{RESTORED}" WITH (FORCE)')


def test_backup_restores_into_a_fresh_database_unchanged(
    seeded_with_history, fresh_database, tmp_path
):
    path = backup.backup(tmp_path / "engagements.dump")
    assert path.stat().st_size > 0
    assert path.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    backup.restore(path, database=fresh_database)

    original, restored = table_rows(), table_rows(database=fresh_database)
    assert restored == original
    for table in [
        "engagements_encounter",
        "engagements_participation",
        "engagements_person",
        "engagements_source",
        "engagements_quote",
        "engagements_historicalencounter",
        "engagements_historicalparticipation",
        "engagements_historicalsource",
        "engagements_historicalquote",
    ]:
        assert original[table], f"{table} should have rows to compare"


def test_restore_replaces_the_current_data_with_the_backup(seeded_with_history, tmp_path):
    before = table_rows()
    call_command("backup", output=str(tmp_path / "before.dump"))
    [path] = tmp_path.glob("*.dump")
    Quote.objects.all().delete()
    Encounter.objects.filter(pk=seeded_with_history.pk).update(title="Vandalised")

    call_command("restore", str(path), interactive=False)

    assert table_rows() == before
    assert Quote.objects.filter(text="Both sides agreed to keep talking.").exists()


def test_backup_defaults_to_a_timestamped_file_in_backups(transactional_db, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    path = backup.backup()
    assert path.parent == tmp_path / "backups"
    assert path.name.startswith("engagements-") and path.suffix == ".dump"
    assert not list(path.parent.glob("*.partial"))


def test_restore_of_a_missing_file_is_a_clear_error(transactional_db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nope.dump"), interactive=False)


def test_the_client_programs_are_the_embedded_servers_own():
    version = subprocess.run(
        [backup.client_program("pg_dump"), "--version"], capture_output=True, text=True
    ).stdout
    assert "PostgreSQL" in version and " 18." in version


def test_make_targets_wrap_the_commands():
    root = Path(__file__).resolve().parent.parent
    dry_run = subprocess.run(
        ["make", "-n", "backup", "FILE=/tmp/x.dump"], cwd=root, capture_output=True, text=True
    )
    assert "manage.py backup --output /tmp/x.dump" in dry_run.stdout
    dry_run = subprocess.run(
        ["make", "-n", "restore", "FILE=/tmp/x.dump", "YES=1"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert "manage.py restore --noinput /tmp/x.dump" in dry_run.stdout
    missing = subprocess.run(["make", "restore"], cwd=root, capture_output=True, text=True)
    assert missing.returncode != 0
    assert "usage: make restore FILE=" in missing.stderr
