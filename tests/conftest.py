import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from engagements.infrastructure.seeding import SEED_FILE
from engagements.models import Side
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory


@pytest.fixture(autouse=True)
def every_export_slot_free(monkeypatch):
    """Each test starts with a fresh export semaphore (infrastructure/limits.py). The test
    client closes a streaming response only once its content is read, so an export a test
    fetched but never read holds its slot until the garbage collector finds it; without this,
    a later test's export would get 429 or not, by the collector's timing."""
    from engagements.infrastructure import limits

    monkeypatch.setattr(limits, "_export_slots", None)


@pytest.fixture
def seeded(db):
    """The curated seed (seed.json) only: small and fast; `full_record` adds the coverage files."""
    call_command("load_seed", file=[SEED_FILE], verbosity=0)


@pytest.fixture
def full_record(db):
    """Everything `make run` loads: the seed, the coverage files and the Office's records."""
    call_command("load_seed", verbosity=0)
    call_command("import_hsg", verbosity=0)


@pytest.fixture
def encounter_with_principals(db):
    """A published encounter with one principal on each side."""
    encounter = EncounterFactory()
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.US))
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.PRC))
    return encounter


@pytest.fixture(scope="session")
def test_database_url(django_db_setup):
    """DATABASE_URL of pytest's test database, for subprocesses (production probes, backups)."""
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


def ensure_editorial_groups():
    """The groups migration 0006 creates (a transactional test's flush removes them)."""
    migration = importlib.import_module("engagements.migrations.0006_editorial_groups")
    migration.create_groups(apps, None)
    # Later grants (readers' reports, removed encounters), found by name whatever its number.
    grants = next(Path(migration.__file__).parent.glob("*_reader_reports_and_tombstones.py"))
    importlib.import_module(f"engagements.migrations.{grants.stem}").grant_permissions(apps, None)


def make_staff(username, group):
    ensure_editorial_groups()
    user = get_user_model().objects.create_user(
        username=username, password="correct horse battery", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return make_staff("eddie", "Editors")


@pytest.fixture
def publisher(db):
    return make_staff("pat", "Publishers")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def publisher_client(publisher):
    from django.test import Client

    client = Client()
    client.force_login(publisher)
    return client


def pytest_terminal_summary(terminalreporter):
    """The readout parser's accuracy over the real readouts, when the session measured it
    (tests/test_readout_fixtures.py): one line per field, with its target."""
    from tests import readout_fixtures

    result = readout_fixtures.LAST_RESULT
    if result is not None or readout_holdout_result() is not None:
        terminalreporter.section("readout parser accuracy")
    if result is not None:
        write_fixture_accuracy(terminalreporter, result)
    if readout_holdout_result() is not None:
        write_holdout_accuracy(terminalreporter, readout_holdout_result())


def readout_holdout_result():
    from tests import readout_holdout

    return readout_holdout.LAST_RESULT


def write_fixture_accuracy(terminalreporter, result):
    from tests import readout_fixtures

    accuracy, misses, count = result
    terminalreporter.write_line(f"{count} real readouts (tests/fixtures/readouts/)")
    for field in readout_fixtures.FIELDS:
        target = readout_fixtures.TARGETS[field]
        verdict = "meets" if accuracy[field] >= target else "MISSES"
        terminalreporter.write_line(
            f"{field:<20} {accuracy[field]:7.1%}  (target {target:.0%}: {verdict})"
        )
    for name, field, expected, got in misses:
        terminalreporter.write_line(f"  {name}: {field} expected {expected}, got {got}")


def write_holdout_accuracy(terminalreporter, result):
    """The held-out readouts (tests/test_readout_holdout.py): the share right per field, out of
    the readouts where the record gives that field."""
    from tests import readout_holdout
    from tests.test_readout_holdout import HELD_OUT_TARGETS

    terminalreporter.write_line(
        f"{result.count} held-out readouts (official texts in engagements/fixtures/)"
    )
    for field in readout_holdout.FIELDS:
        share, total = result.share(field), result.total[field]
        if share is None:
            terminalreporter.write_line(f"{field:<20}     n/a  (no readout gives it)")
            continue
        target = HELD_OUT_TARGETS[field]
        held = total >= readout_holdout.MIN_HELD_OUT
        verdict = ("meets" if share >= target else "MISSES") if held else "too few to hold"
        terminalreporter.write_line(
            f"{field:<20} {share:7.1%}  of {total:<4} (target {target:.0%}: {verdict})"
        )
    terminalreporter.write_line(f"wrong initiators (guesses): {len(result.guesses)}")
    for encounter, source, field, expected, got in result.misses:
        terminalreporter.write_line(
            f"  {encounter} [{source}]: {field} expected {expected}, got {got}"
        )
