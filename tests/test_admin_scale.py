"""The encounter changelist at scale: bounded queries per page, no full COUNT, no big selects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements.models import Encounter, Side
from engagements.surfaces.admin import EncounterAdmin, EstimatedCountPaginator
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:engagements_encounter_changelist")


@pytest.fixture
def many_encounters(db):
    us, prc = PersonFactory(side=Side.US), PersonFactory(side=Side.PRC)
    encounters = EncounterFactory.create_batch(120)
    for encounter in encounters:
        ParticipationFactory(encounter=encounter, person=us)
        ParticipationFactory(encounter=encounter, person=prc)
    return encounters


def changelist_queries(client, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(CHANGELIST, params or {})
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("per_page", [10, 100])
def test_changelist_queries_do_not_grow_with_the_page(
    publisher_client, many_encounters, monkeypatch, per_page
):
    monkeypatch.setattr(EncounterAdmin, "list_per_page", per_page)
    response, queries = changelist_queries(publisher_client)
    assert len(response.context["cl"].result_list) == per_page
    # Session, user, groups/permissions, count, rows, principals' prefetch, date hierarchy…
    assert len(queries) <= 10, "\n".join(queries)
    assert response.text.count("Official ") >= per_page  # principals shown for every row


def test_filtered_and_searched_changelist_is_bounded_too(publisher_client, many_encounters):
    _, queries = changelist_queries(publisher_client, {"status__exact": "published", "q": "x"})
    assert len(queries) <= 14


def test_search_uses_the_full_text_index(publisher_client, many_encounters):
    _, queries = changelist_queries(publisher_client, {"q": "Encounter 5"})
    assert any("search_vector" in q and "websearch_to_tsquery" in q for q in queries)
    assert not any("UPPER(" in q and "title" in q for q in queries)


def test_large_unfiltered_tables_are_counted_from_statistics(
    publisher_client, many_encounters, monkeypatch
):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE engagements_encounter")
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 50)
    response, queries = changelist_queries(publisher_client)
    assert not any("COUNT(" in q.upper() and "engagements_encounter" in q for q in queries)
    assert any("reltuples" in q for q in queries)
    assert response.context["cl"].result_count == pytest.approx(120, abs=5)
    # A filtered list is counted exactly.
    response, queries = changelist_queries(publisher_client, {"status__exact": "draft"})
    assert response.context["cl"].result_count == 0
    assert any("COUNT(" in q.upper() for q in queries)


def test_change_form_has_no_select_of_every_row(publisher_client, many_encounters):
    encounter = many_encounters[0]
    response = publisher_client.get(
        reverse("admin:engagements_encounter_change", args=[encounter.pk])
    )
    # Parent, place, people are autocompletes: the other 119 encounters are not listed.
    assert response.text.count("<option") < 150
    assert Encounter.objects.count() == 120
