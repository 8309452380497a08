import os

import pytest
from django.core.management import call_command

from engagements.models import Side
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory


@pytest.fixture
def seeded(db):
    call_command("load_seed", verbosity=0)


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
