"""The hot queries of uncached pages use their indexes, at a size where the planner prefers them.

A few thousand generated encounters and ANALYZE: the plans PostgreSQL picks here are the ones
it picks at 100,000 (`make bench` prints those with EXPLAIN ANALYZE, docs/operators.md).
"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from engagements.domain.filters import filter_encounters
from engagements.models import Person
from engagements.surfaces import pagination

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(db):
    call_command("generate_encounters", count=3000, seed=5, no_history=True, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan_nodes(queryset):
    """Every node of the plan PostgreSQL chooses for `queryset` (EXPLAIN FORMAT JSON)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (document,) = cursor.fetchone()
    document = json.loads(document) if isinstance(document, str) else document
    nodes, stack = [], [document[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def uses(nodes, node_type, index):
    return any(n["Node Type"] == node_type and n.get("Index Name") == index for n in nodes)


def test_deep_page_ids_walk_the_date_index_only(analysed):
    _, listing = filter_encounters(QueryDict())
    # The ids of a deep page: an index-only walk of the date index, no row read from the table
    # (at 3,000 rows a page 1,500 rows deep is cheaper to sort; at 100,000 it is not).
    deep_ids = listing.values_list("pk", flat=True)[200:225]
    assert uses(plan_nodes(deep_ids), "Index Only Scan", "encounter_status_date")


def test_a_deep_page_shows_the_same_rows_as_an_offset(client, settings, monkeypatch, analysed):
    settings.PAGE_SIZE = 20
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 40)
    url = reverse("encounter-list")
    for params in ({"page": 5}, {"page": 4, "sort": "date", "level": "cabinet"}):
        response = client.get(url, params)
        assert response.status_code == 200
        shown = [e.pk for e in response.context["encounters"]]
        query = QueryDict(mutable=True)
        query.update({name: str(value) for name, value in params.items() if name != "page"})
        _, expected = filter_encounters(query)
        start = (params["page"] - 1) * 20
        assert shown == list(expected.values_list("pk", flat=True)[start : start + 20])
        assert all(hasattr(e, "principal_participations") for e in response.context["encounters"])


def test_people_list_counts_everyone_it_lists(client, analysed):
    response = client.get(reverse("person-list"), {"side": "us"})
    assert response.status_code == 200
    expected = Person.objects.with_published_counts().filter(side="us").count()
    assert response.context["paginator"].count == expected


def test_a_persons_newest_first_page_reads_only_their_years(analysed):
    """The person filter also bounds start_date by their kept first and last dates, so the
    newest-first walk of the date index starts at their last encounter and ends at their first,
    not at today (engagements/domain/filters.py, shared_dates)."""
    from engagements.domain.counts import PersonPublishedCount

    kept = (
        PersonPublishedCount.objects.filter(encounters__gt=0)
        .select_related("person")
        .order_by("first_date")
        .first()
    )
    _, listing = filter_encounters(QueryDict(f"person={kept.person.slug}"))
    conditions = " ".join(
        node.get("Index Cond", "") + node.get("Filter", "") + node.get("Recheck Cond", "")
        for node in plan_nodes(listing)
    )
    assert f"'{kept.first_date.isoformat()}'" in conditions
    assert f"'{kept.last_date.isoformat()}'" in conditions
    # The bounds change nothing: every one of their published encounters is listed, the first
    # and the last included.
    dates = list(listing.values_list("start_date", flat=True))
    assert len(dates) == kept.encounters
    assert min(dates) == kept.first_date and max(dates) == kept.last_date


def test_a_country_is_filtered_by_its_places_ids_not_a_join(analysed):
    """PostgreSQL estimates a join on the place from the average country; by place_id its
    statistics know a rare country is rare (engagements/domain/filters.py, filter_country)."""
    from engagements.models import Place

    country = Place.objects.values_list("country", flat=True).order_by("country").first()
    _, listing = filter_encounters(QueryDict(f"country={country.lower()}"))
    sql = str(listing.query)
    assert "engagements_place" not in sql and "place_id" in sql
    expected = set(
        Place.objects.filter(country=country).values_list("encounters__pk", flat=True)
    ) - {None}
    listed = set(listing.values_list("pk", flat=True))
    assert listed and listed <= expected


def test_a_country_without_places_lists_nothing(client):
    response = client.get(reverse("encounter-list"), {"country": "ZZ"})
    assert response.status_code == 200
    assert response.context["paginator"].count == 0


@pytest.mark.parametrize(
    "params",
    [
        {"level": "cabinet"},
        {"level": "cabinet", "sort": "date"},
        {"level": "cabinet", "sort": "-date", "page": 3},
        {"q": "trade", "page": 2},
        {"q": "trade", "sort": "date"},
    ],
)
def test_few_matches_are_paged_among_their_ids_with_the_same_rows(
    client, settings, monkeypatch, analysed, params
):
    """At most SPARSE_AT_MOST matches, the page is sorted among the matching ids read first:
    the rows and their order are those of the plain page, and the ids query is run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_SIZE = 20
    query = QueryDict(mutable=True)
    query.update({name: str(value) for name, value in params.items() if name != "page"})
    _, expected = filter_encounters(query)
    total = expected.count()
    start = (params.get("page", 1) - 1) * 20
    wanted = list(expected.values_list("pk", flat=True)[start : start + 20])
    url = reverse("encounter-list")
    for sparse_at_most, sparse in ((total, True), (total - 1, False)):
        monkeypatch.setattr(pagination, "SPARSE_AT_MOST", sparse_at_most)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200
        assert [e.pk for e in response.context["encounters"]] == wanted
        unordered_ids = [
            q["sql"]
            for q in captured
            if q["sql"].startswith('SELECT "engagements_encounter"."id" AS "pk" FROM')
            and "ORDER BY" not in q["sql"]
            and "LIMIT" not in q["sql"]
        ]
        assert bool(unordered_ids) == sparse, (sparse_at_most, total)


@pytest.mark.parametrize("params", [{"q": "trade"}, {"q": "trade", "page": 3}])
def test_relevance_pages_rank_ids_then_read_their_rows(
    client, settings, monkeypatch, analysed, params
):
    """Ranked by relevance, a page ranks ids (not whole rows) and reads its 20 rows by id; they
    are the rows, in the order, of the plain ranked page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_SIZE = 20
    monkeypatch.setattr(pagination, "SPARSE_AT_MOST", 0)  # not the few-matches path
    _, expected = filter_encounters(QueryDict("q=trade"))
    assert expected.count() > 100
    start = (params.get("page", 1) - 1) * 20
    wanted = list(expected.values_list("pk", flat=True)[start : start + 20])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("encounter-list"), params)
    assert response.status_code == 200
    assert [e.pk for e in response.context["encounters"]] == wanted
    ranked = [q["sql"] for q in captured if "ts_rank" in q["sql"] and "ORDER BY" in q["sql"]]
    assert ranked and all(
        sql.startswith('SELECT "engagements_encounter"."id" AS "pk"') for sql in ranked
    ), ranked
