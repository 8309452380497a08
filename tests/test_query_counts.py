"""Query counts are bounded: they do not grow with the page size or the number of participants."""

import pytest
from django.urls import reverse

from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    PlaceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# count + page + principals prefetch + one aggregate per facet group (8)
LIST_QUERIES = 11
# ... plus validating the person and topic slugs, and the page's search headlines
FILTERED_LIST_QUERIES = LIST_QUERIES + 3


def many_encounters(count, participants=3):
    topics = [TopicFactory() for _ in range(3)]
    people = [PersonFactory() for _ in range(participants)]
    place = PlaceFactory()
    for _ in range(count):
        encounter = EncounterFactory(place=place, summary="Talks on climate and trade.")
        encounter.topics.set(topics)
        for person in people:
            ParticipationFactory(encounter=encounter, person=person)
    return people, topics


@pytest.mark.parametrize("page_size", [10, 100])
def test_list_queries_do_not_grow_with_page_size(
    client, settings, django_assert_max_num_queries, page_size
):
    settings.PAGE_SIZE = page_size
    many_encounters(110)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("encounter-list"))
    assert response.status_code == 200
    assert len(response.context["encounters"]) == page_size


@pytest.mark.parametrize("page_size", [10, 100])
def test_filtered_list_queries_do_not_grow_with_page_size(
    client, settings, django_assert_max_num_queries, page_size
):
    settings.PAGE_SIZE = page_size
    people, topics = many_encounters(110)
    params = {"q": "climate", "person": people[0].slug, "topic": topics[0].slug, "level": "cabinet"}
    with django_assert_max_num_queries(FILTERED_LIST_QUERIES):
        response = client.get(reverse("encounter-list"), params)
    assert response.status_code == 200
    assert len(response.context["encounters"]) == page_size
    assert "<mark>climate</mark>" in response.text.lower()
