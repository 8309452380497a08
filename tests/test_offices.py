"""One office string per post, and the party post shown beside the state post where it counts."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from engagements.domain import offices
from engagements.models import OfficeTerm
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory

pytestmark = pytest.mark.django_db

PRC_PRESIDENT = "President of the People's Republic of China"


def test_variants_are_stored_as_the_posts_one_string():
    wang_yi = PersonFactory(slug="wang-yi", side="prc")
    meeting = EncounterFactory(start_date=datetime.date(2024, 2, 16))
    row = ParticipationFactory(
        encounter=meeting,
        person=wang_yi,
        office="Director, Office of the Central Foreign Affairs Commission; Foreign Minister",
    )
    assert row.office == (
        "Director of the Office of the Central Foreign Affairs Commission and Foreign Minister"
    )
    term = OfficeTerm.objects.create(person=wang_yi, office="Vice Premier")
    assert term.office == "Vice Premier of the State Council"
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeTerm.objects.filter(pk=term.pk).update(office="Vice Premier")


def test_every_variant_maps_to_a_string_that_is_itself_canonical():
    for variant, canonical in offices.CANONICAL.items():
        assert variant != canonical
        assert offices.is_canonical(canonical), variant


def test_the_general_secretary_is_shown_beside_the_state_post(client):
    xi = PersonFactory(slug="xi-jinping", name="Xi Jinping", side="prc")
    call = EncounterFactory(start_date=datetime.date(2025, 11, 24))
    ParticipationFactory(encounter=call, person=xi, office=PRC_PRESIDENT)
    page = client.get(reverse("encounter-detail", args=[call.slug])).text
    assert (
        f"General Secretary of the CPC Central Committee and {PRC_PRESIDENT}".replace("'", "&#x27;")
        in page
    )
    # Before he led the party, the state post alone.
    assert offices.office_shown("xi-jinping", "Vice President", datetime.date(2012, 2, 14)) == (
        "Vice President"
    )
    assert offices.office_shown("hu-jintao", PRC_PRESIDENT, datetime.date(2011, 1, 19)) == (
        f"General Secretary of the CPC Central Committee and {PRC_PRESIDENT}"
    )
