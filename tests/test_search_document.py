"""Search finds encounters by related rows, and keeps finding them as those rows change."""

import pytest
from django.http import QueryDict

from engagements.domain.filters import filter_encounters
from engagements.models import Encounter
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    PlaceFactory,
    QuoteFactory,
)

pytestmark = pytest.mark.django_db


def found(text):
    filterset, queryset = filter_encounters(query(q=text))
    assert filterset.is_valid()
    return list(queryset.values_list("slug", flat=True))


def query(**params):
    data = QueryDict(mutable=True)
    data.update(params)
    return data


def test_adding_and_removing_a_participant():
    encounter = EncounterFactory(slug="call")
    person = PersonFactory(name="Xie Zhenhua", name_zh="解振华")
    participation = ParticipationFactory(encounter=encounter, person=person, office="Envoy")
    assert found("Zhenhua") == ["call"]
    assert found("解振华") == ["call"]
    participation.delete()
    assert found("Zhenhua") == []


def test_renaming_a_person_updates_every_encounter():
    person = PersonFactory(name="Xi Jingping")
    for slug in ("one", "two"):
        ParticipationFactory(encounter=EncounterFactory(slug=slug), person=person)
    person.name = "Xi Jinping"
    person.save()
    assert sorted(found("Jinping")) == ["one", "two"]
    assert found("Jingping") == []


def test_quotes_are_searchable_once_added_and_gone_once_deleted():
    encounter = EncounterFactory(slug="talks")
    quote = QuoteFactory(encounter=encounter, text="Guardrails for competition")
    assert found("guardrails") == ["talks"]
    quote.delete()
    assert found("guardrails") == []


def test_place_changes_reach_the_index():
    place = PlaceFactory(name="Filoli estate", city="Woodside", country="US")
    EncounterFactory(slug="summit", place=place)
    assert found("Filoli") == ["summit"]
    place.name = "Filoli gardens"
    place.save()
    assert found("gardens") == ["summit"]
    encounter = Encounter.objects.get(slug="summit")
    encounter.place = PlaceFactory(name="Mulia", city="Bali", country="ID")
    encounter.save()
    assert found("Bali") == ["summit"]
    assert found("Filoli") == []


def test_deleting_an_encounter_with_participants_and_quotes():
    encounter = EncounterFactory()
    ParticipationFactory(encounter=encounter)
    QuoteFactory(encounter=encounter)
    encounter.delete()
    assert not Encounter.objects.exists()


def test_bulk_refresh_in_fixed_queries(django_assert_max_num_queries):
    encounters = [EncounterFactory() for _ in range(5)]
    for encounter in encounters:
        ParticipationFactory(encounter=encounter, person=PersonFactory(name="Bulk Name"))
    Encounter.objects.update(search_document="")
    with django_assert_max_num_queries(4):
        assert Encounter.objects.all().refresh_search_documents() == 5
    assert len(found("Bulk")) == 5
