"""Limits on what one anonymous request may ask of the database (docs/operators.md,
"Security limits"): repeated filter values are capped on every surface, person and topic
filters cost one subquery whatever their number, and a public request's query that runs too
long is stopped with an answer the visitor understands."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client

from engagements.domain.filters import MAX_VALUES, filter_encounters
from engagements.models import Encounter, Side
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db

SURFACES = [
    "/encounters/",
    "/timeline/",
    "/encounters.csv",
    "/encounters.json",
    "/feeds/encounters.atom",
    "/api/v1/encounters/",
]


@pytest.fixture
def crowd(db):
    """An encounter with MAX_VALUES + 1 people and as many topics."""
    encounter = EncounterFactory()
    people = [PersonFactory(slug=f"p{n}", side=Side.US) for n in range(MAX_VALUES + 1)]
    for person in people:
        ParticipationFactory(encounter=encounter, person=person)
    topics = [TopicFactory(slug=f"t{n}", name=f"Topic {n}") for n in range(MAX_VALUES + 1)]
    encounter.topics.set(topics)
    return encounter, people, topics


def query(**values):
    params = QueryDict(mutable=True)
    for name, slugs in values.items():
        params.setlist(name, slugs)
    return params


@pytest.mark.parametrize("path", SURFACES)
@pytest.mark.parametrize("name", ["person", "topic", "kind"])
def test_more_than_the_cap_of_values_is_a_400_on_every_surface(client, crowd, path, name):
    values = {
        "person": [f"p{n}" for n in range(MAX_VALUES + 1)],
        "topic": [f"t{n}" for n in range(MAX_VALUES + 1)],
        "kind": ["call"] * (MAX_VALUES + 1),
    }[name]
    response = client.get(path + "?" + query(**{name: values}).urlencode())
    assert response.status_code == 400
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert f"Give at most {MAX_VALUES} values for this filter ({MAX_VALUES + 1} were given)" in (
        body.decode()
    )


@pytest.mark.parametrize("path", SURFACES)
def test_the_cap_itself_is_allowed(client, crowd, path):
    people = [f"p{n}" for n in range(MAX_VALUES)]
    topics = [f"t{n}" for n in range(MAX_VALUES)]
    response = client.get(path + "?" + query(person=people, topic=topics).urlencode())
    assert response.status_code == 200


def test_people_and_topics_cost_one_condition_each_whatever_their_number(crowd):
    encounter, people, topics = crowd
    other = EncounterFactory()
    ParticipationFactory(encounter=other, person=people[0])
    for count in (1, 2, MAX_VALUES):
        params = query(
            person=[p.slug for p in people[:count]], topic=[t.slug for t in topics[:count]]
        )
        filterset, queryset = filter_encounters(params)
        assert filterset.is_valid(), filterset.errors
        sql = str(queryset.query)
        assert "EXISTS" not in sql and "HAVING" not in sql
        # One `@>` each on the kept arrays (EncounterLinks), joined once.
        assert sql.count("@>") == 2
        assert sql.count("JOIN") == 1
        # Still "all of": the other encounter has only the first person and no topic.
        assert list(queryset) == [encounter]


def test_a_repeated_value_counts_once_for_all_of(crowd):
    encounter, people, _ = crowd
    filterset, queryset = filter_encounters(query(person=[people[0].slug, people[0].slug]))
    assert list(queryset) == [encounter]


def slow_home_page(monkeypatch, seconds):
    """The home page runs a query taking SECONDS (pg_sleep), as a costly filter would."""
    from engagements.surfaces import views

    original = views.HomeView.get_context_data

    def get_context_data(self, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
        return original(self, **kwargs)

    monkeypatch.setattr(views.HomeView, "get_context_data", get_context_data)


def test_a_public_query_that_runs_too_long_is_stopped_with_a_clear_503(
    transactional_db, settings, monkeypatch, editor
):
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 100
    slow_home_page(monkeypatch, 0.5)
    anonymous = Client(raise_request_exception=False)
    response = anonymous.get("/")
    assert response.status_code == 503
    assert "took too long" in response.text
    assert "Traceback" not in response.text
    assert int(response["Retry-After"]) > 0
    answer = anonymous.get("/", headers={"Accept": "application/json"})
    assert answer.status_code == 503 and "took too long" in answer.json()["detail"]
    # The connection is fine afterwards, and editors' requests have no such limit.
    assert Encounter.objects.count() == 0
    signed_in = Client()
    signed_in.force_login(editor)
    assert signed_in.get("/").status_code == 200
    # The limit follows the request, not the connection: public again, limited again.
    assert anonymous.get("/").status_code == 503


@pytest.mark.parametrize(
    "cookies, headers",
    [
        ({"sessionid": ""}, {}),
        ({"sessionid": "made-up-session-key"}, {}),
        ({}, {"Authorization": "Basic ZWRkaWU6eA=="}),
    ],
)
def test_a_session_cookie_or_credentials_alone_do_not_lift_the_public_limit(
    transactional_db, settings, monkeypatch, cookies, headers
):
    """Only an authenticated session is an editor's: anyone can send `sessionid=x`."""
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 100
    slow_home_page(monkeypatch, 0.5)
    visitor = Client(raise_request_exception=False)
    for name, value in cookies.items():
        visitor.cookies[name] = value
    response = visitor.get("/", headers=headers)
    assert response.status_code == 503 and "took too long" in response.text


def test_a_signed_out_editors_old_session_cookie_is_limited_again(
    transactional_db, settings, monkeypatch, editor
):
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 100
    slow_home_page(monkeypatch, 0.5)
    browser = Client(raise_request_exception=False)
    browser.force_login(editor)
    old_cookie = browser.cookies["sessionid"].value
    assert browser.get("/").status_code == 200
    browser.logout()
    browser.cookies["sessionid"] = old_cookie
    assert browser.get("/").status_code == 503
