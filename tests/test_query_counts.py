"""Query counts are bounded: they do not grow with the page size or the number of participants."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements.models import Encounter, Participation
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    PlaceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# Facets of a filtered list: ONE query counts the total and every group over the current
# results (engagements/domain/current_counts.py).
FACET_QUERIES = 1
# Facets over every published encounter: one read of the kept counts (choice groups, countries
# and the total), one each for the busiest topics and people (engagements/domain/counts.py).
KEPT_FACET_QUERIES = 3
# A list of at most SPARSE_AT_MOST matches (every list here) reads their ids before its page
# (engagements/surfaces/pagination.py).
IDS_FIRST = 1
# data version + page + leads prefetch + kept facets and total
LIST_QUERIES = 3 + KEPT_FACET_QUERIES + IDS_FIRST
# data version + page + leads prefetch + facets and total, plus the level group's own count
# (it has a selection), validating the person and topic slugs, and the page's search headlines
FILTERED_LIST_QUERIES = 3 + FACET_QUERIES + 1 + 2 + 1 + IDS_FIRST


def many_encounters(count, participants=3):
    """`count` published encounters sharing topics, people and a place, made in bulk."""
    topics = [TopicFactory() for _ in range(3)]
    people = [PersonFactory(side="us" if i % 2 else "prc") for i in range(participants)]
    place = PlaceFactory()
    built = EncounterFactory.build_batch(count, place=place, summary="Talks on climate and trade.")
    for encounter in built:
        encounter.end_date = encounter.start_date
    encounters = Encounter.objects.bulk_create(built)
    Encounter.topics.through.objects.bulk_create(
        Encounter.topics.through(encounter=e, topic=t) for e in encounters for t in topics
    )
    Participation.objects.bulk_create(
        Participation(encounter=e, person=p, side=p.side) for e in encounters for p in people
    )
    return people, topics


@pytest.mark.parametrize("page_size", [10, 100])
def test_list_queries_do_not_grow_with_page_size(
    client, settings, django_assert_num_queries, page_size
):
    settings.PAGE_SIZE = page_size
    many_encounters(110)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("encounter-list"))
    assert response.status_code == 200
    assert len(response.context["encounters"]) == page_size


@pytest.mark.parametrize("page_size", [10, 100])
def test_filtered_list_queries_do_not_grow_with_page_size(
    client, settings, django_assert_num_queries, page_size
):
    settings.PAGE_SIZE = page_size
    people, topics = many_encounters(110)
    params = {"q": "climate", "person": people[0].slug, "topic": topics[0].slug, "level": "cabinet"}
    with django_assert_num_queries(FILTERED_LIST_QUERIES):
        response = client.get(reverse("encounter-list"), params)
    assert response.status_code == 200
    assert len(response.context["encounters"]) == page_size
    assert "<mark>climate</mark>" in response.text.lower()


def queries_for(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def encounter_with(participants, quotes=0):
    from tests.factories import QuoteFactory, SourceFactory

    # A date the record covers at this level, whatever the factories' sequences have reached:
    # the page then also asks for the previous encounter at its level.
    encounter = EncounterFactory(place=PlaceFactory(), start_date=datetime.date(2022, 6, 1))
    encounter.topics.set([TopicFactory(), TopicFactory()])
    people = [PersonFactory(side="us" if i % 2 else "prc") for i in range(participants)]
    for person in people:
        ParticipationFactory(encounter=encounter, person=person)
    for i in range(quotes):
        QuoteFactory(encounter=encounter, speaker=people[i % participants])
        SourceFactory(encounter=encounter)
    EncounterFactory(parent=encounter, level=encounter.level)
    return encounter, people


# encounter, 6 prefetches (participants, topics, sources, quotes, discrepancies, sessions),
# previous and next (one query), previous at level, public change log (2)
DETAIL_QUERIES = 11


def test_detail_queries_do_not_grow_with_participants(client):
    small, _ = encounter_with(2, quotes=1)
    large, _ = encounter_with(30, quotes=12)
    counts = [queries_for(client, e.get_absolute_url()) for e in (small, large)]
    assert counts == [DETAIL_QUERIES] * 2


# encounter, 6 prefetches (participants, topics, sources, quotes, discrepancies, sessions), topics
# for the codebook's names
ACCOUNTS_QUERIES = 8


def test_accounts_page_queries_do_not_grow_with_readouts_or_quotes(client):
    from tests.factories import QuoteFactory, SourceFactory

    counts = []
    for readouts in (1, 6):
        encounter, people = encounter_with(2)
        for n in range(readouts):
            for kind in ("us_readout", "prc_readout"):
                source = SourceFactory(
                    encounter=encounter, kind=kind, text=f"台湾 climate {n}", language="en"
                )
                QuoteFactory(encounter=encounter, source=source, speaker=people[0])
        counts.append(queries_for(client, reverse("encounter-accounts", args=[encounter.slug])))
    assert counts == [ACCOUNTS_QUERIES] * 2


# data version, kept facets, then the month grid (bounds, month chart and period marks in one
# query), marks, principals and leader gaps
TIMELINE_QUERIES = 1 + KEPT_FACET_QUERIES + 4


def test_timeline_queries_do_not_grow_with_encounters(client):
    many_encounters(5)
    few = queries_for(client, reverse("timeline"))
    many_encounters(60)
    assert queries_for(client, reverse("timeline")) == few == TIMELINE_QUERIES


def captured_sql(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return [query["sql"] for query in captured]


@pytest.mark.parametrize("name", ["encounter-list", "person-list", "topic-list"])
def test_pages_over_the_whole_record_count_no_rows(client, name):
    """Their counts come from the kept tables: no COUNT over encounters or participations."""
    many_encounters(30)
    counting = [sql for sql in captured_sql(client, reverse(name)) if "COUNT(" in sql.upper()]
    assert all("engagements_encounter" not in sql.split("FROM", 1)[1] for sql in counting), counting


# data version, person (with their kept count), page, leads, offices, counterparts, timeline
# (month grid, marks, principals, leader gaps), and the ids of their few encounters
PERSON_QUERIES = 10 + IDS_FIRST


def test_person_page_queries_do_not_grow_with_encounters_or_participants(client, settings):
    settings.PAGE_SIZE = 100
    people, _ = many_encounters(3, participants=2)
    few = queries_for(client, people[0].get_absolute_url())
    people, _ = many_encounters(40, participants=12)
    many = queries_for(client, people[0].get_absolute_url())
    assert few == many == PERSON_QUERIES
    assert queries_for(client, reverse("person-list")) == 3 + IDS_FIRST


# data version, count, ids first, page, principals, topics
API_LIST_QUERIES = 5 + IDS_FIRST
# the encounter with its place and parent, then participants, topics, sources, quotes and
# discrepancies (nothing the JSON does not show, such as the detail page's sessions)
API_DETAIL_QUERIES = 6


@pytest.mark.parametrize("page_size", [10, 100])
def test_api_list_queries_do_not_grow_with_page_size(client, page_size):
    many_encounters(110)
    url = reverse("api-encounter-list")
    assert queries_for(client, url, {"page_size": page_size}) == API_LIST_QUERIES


def test_api_detail_queries_do_not_grow_with_participants(client):
    small, _ = encounter_with(2, quotes=1)
    large, _ = encounter_with(30, quotes=12)
    urls = [reverse("api-encounter-detail", args=[e.slug]) for e in (small, large)]
    assert [queries_for(client, url) for url in urls] == [API_DETAIL_QUERIES] * 2


def test_the_unfiltered_api_list_reads_its_total_from_the_kept_counts(client):
    many_encounters(30)
    url = reverse("api-encounter-list")
    with CaptureQueriesContext(connection) as unfiltered:
        response = client.get(url, {"page_size": 10})
    assert response.json()["count"] == Encounter.objects.published().count() == 30
    assert not [q for q in unfiltered.captured_queries if "COUNT(*)" in q["sql"]]
    with CaptureQueriesContext(connection) as filtered:
        response = client.get(url, {"level": "leader"})
    assert response.json()["count"] == Encounter.objects.published().filter(level="leader").count()
    assert [q for q in filtered.captured_queries if "COUNT(*)" in q["sql"]]
