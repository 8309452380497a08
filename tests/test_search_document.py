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
    # Encounters with their places, then participants, quotes, topics and readouts (one
    # prefetch each), then one bulk update: never one query per encounter.
    with django_assert_max_num_queries(6):
        assert Encounter.objects.all().refresh_search_documents() == 5
    assert len(found("Bulk")) == 5


def test_an_admin_save_with_inline_rows_rebuilds_the_document_once(admin_client, monkeypatch):
    """The admin's save of a form and N inline rows: one rebuild and one version bump, not N+1."""
    from engagements.domain import signals
    from tests.adminforms import add_inline_row, change_url, form_data

    encounter = EncounterFactory(slug="summit", status=Encounter.Status.DRAFT, published_at=None)
    data = form_data(admin_client.get(change_url(encounter)))
    for name in ("Wang Yi", "Antony Blinken", "Qin Gang"):
        add_inline_row(
            data,
            "participations",
            person=PersonFactory(name=name).pk,
            side="us",
            role="delegation",
            order=0,
        )
    add_inline_row(
        data, "quotes", text="Guardrails", speaker_description="an official", language="en"
    )
    builds, bumps = [], []
    build, bump = Encounter.build_search_document, signals.bump_version
    monkeypatch.setattr(
        Encounter, "build_search_document", lambda self: builds.append(self.pk) or build(self)
    )
    monkeypatch.setattr(signals, "bump_version", lambda pk: bumps.append(pk) or bump(pk))
    version = encounter.version
    response = admin_client.post(change_url(encounter), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert builds == [encounter.pk]
    assert bumps == [encounter.pk]
    encounter.refresh_from_db()
    assert encounter.participations.count() == 3 and encounter.quotes.count() == 1
    assert encounter.version == version + 2  # the encounter's own save, then its parts
    assert "Antony Blinken" in encounter.search_document
    assert "Guardrails" in encounter.search_document
