"""Counts and facets kept per data version (engagements/infrastructure/derived.py): reused by
every page of the same filters, never served after a write that changes them."""

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements.infrastructure.derived import data_version
from engagements.models import Encounter
from tests.factories import EncounterFactory, TopicFactory
from tests.test_query_counts import many_encounters

pytestmark = pytest.mark.django_db


def queries(client, url, params=None):
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, len(captured)


def facet_counts(response, name):
    group = next(g for g in response.context["facets"] if g.name == name)
    return {option.value: option.count for option in group.options}


def test_every_write_to_counted_rows_changes_the_data_version():
    before = data_version()
    encounter = EncounterFactory()
    after_insert = data_version()
    assert after_insert != before
    encounter.topics.add(TopicFactory())
    assert data_version() != after_insert


def test_a_rolled_back_write_never_hands_out_its_number_again():
    before = data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        EncounterFactory()
        rolled_back = data_version()
        raise RuntimeError
    assert data_version() == before  # the write is gone, and so is its number
    EncounterFactory()
    assert data_version() not in (before, rolled_back)


def test_other_pages_sorts_and_the_timeline_reuse_the_counts(client, settings):
    settings.PAGE_SIZE = 10
    many_encounters(30)
    url = reverse("encounter-list")
    first, cold = queries(client, url, {"level": "cabinet"})
    second, warm = queries(client, url, {"level": "cabinet", "page": 2, "sort": "date"})
    # data version, the page's ids, its rows, leads prefetch: the count and the facet queries
    # are not run again
    assert warm == 4 < cold
    assert second.context["paginator"].count == first.context["paginator"].count
    assert facet_counts(second, "kind") == facet_counts(first, "kind")
    _, timeline = queries(client, reverse("timeline"), {"level": "cabinet"})
    # data version, then the timeline's own: month grid (bounds, month chart), marks,
    # principals, leader gaps
    assert timeline == 1 + 4


def test_publish_and_unpublish_show_at_once_in_counts_and_facets(client):
    many_encounters(12)
    url = reverse("encounter-list")
    first, _ = queries(client, url)
    total = first.context["paginator"].count
    draft = EncounterFactory(status=Encounter.Status.DRAFT, kind=Encounter.Kind.VIDEO_CALL)
    assert queries(client, url)[0].context["paginator"].count == total
    draft.status = Encounter.Status.PUBLISHED
    draft.save()
    published, _ = queries(client, url)
    assert published.context["paginator"].count == total + 1
    assert facet_counts(published, "kind")[Encounter.Kind.VIDEO_CALL] == (
        facet_counts(first, "kind")[Encounter.Kind.VIDEO_CALL] + 1
    )
    api = client.get(reverse("api-encounter-list")).json()
    assert api["count"] == total + 1
    draft.status = Encounter.Status.DRAFT
    draft.save()
    assert queries(client, url)[0].context["paginator"].count == total
    assert client.get(reverse("api-encounter-list")).json()["count"] == total


def test_an_edit_changes_the_facets_at_once(client):
    many_encounters(5)
    encounter = Encounter.objects.published().first()
    url = reverse("encounter-list")
    before = facet_counts(queries(client, url)[0], "level")
    old = encounter.level
    new = next(level for level in Encounter.Level.values if level != old)
    Encounter.objects.filter(pk=encounter.pk).update(level=new)
    after = facet_counts(queries(client, url)[0], "level")
    assert after[new] == before[new] + 1
    assert after[old] == before[old] - 1


def test_the_version_is_read_from_the_database_the_request_reads(monkeypatch, settings):
    # With replicas, a public page's rows come from a replica: its version must come from the
    # same one, or counts could be kept under a version newer than the rows they were made of.
    from django.db import connections
    from django.http import HttpResponse
    from django.test import RequestFactory

    from engagements.infrastructure import derived, replicas

    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(replicas, "measure", lambda alias: ("ok", 0.0))
    monkeypatch.setattr(replicas, "health", replicas.ReplicaHealth())
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    asked = []

    class Connections:  # the simulated replica answers with the test database
        def __getitem__(self, alias):
            asked.append(alias)
            return connections["default"]

    monkeypatch.setattr(derived, "connections", Connections())

    def view(request):
        assert derived.data_version()
        return HttpResponse("ok")

    replicas.ReplicaRoutingMiddleware(view)(RequestFactory().get("/encounters/"))
    replicas._request_finished()
    assert asked == ["replica1"]
    assert derived.data_version() and asked[-1] == "default"  # outside a request: the primary
