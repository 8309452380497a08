"""The drawing pages (/stats/, /map/, /people/network/…) keep to a fixed query budget, the list
page's before its facets were read from kept counts: their query counts do not grow with the
number of encounters."""

import pytest
from django.urls import reverse

from tests.test_query_counts import (
    FILTERED_LIST_QUERIES,
    many_encounters,
    queries_for,
)

pytestmark = pytest.mark.django_db

# data version + the page's aggregates; the drawing pages count over their own filtered rows.
DRAWING_QUERIES = 7


@pytest.mark.parametrize("name", ["stats", "map", "people-network"])
def test_queries_do_not_grow_with_encounters(client, name):
    many_encounters(5)
    few = queries_for(client, reverse(name))
    many_encounters(60)
    assert queries_for(client, reverse(name)) == few <= DRAWING_QUERIES


@pytest.mark.parametrize("name", ["stats", "map", "people-network"])
def test_filtered_queries_stay_within_the_filtered_lists_budget(client, name):
    people, topics = many_encounters(30)
    params = {"q": "climate", "person": people[0].slug, "topic": topics[0].slug, "level": "leader"}
    assert queries_for(client, reverse(name), params) <= FILTERED_LIST_QUERIES


def test_a_places_listing_on_the_map_stays_within_budget(client):
    from engagements.models import Place

    many_encounters(60)
    place = Place.objects.get()
    assert queries_for(client, reverse("map"), {"place": place.pk}) <= DRAWING_QUERIES
