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
