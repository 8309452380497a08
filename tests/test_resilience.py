"""Health checks, 503s while the database is unreachable, error pages, and cache headers.

The real outage (PostgreSQL stopped under a running gunicorn) is tests/test_outage.py."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import path

from engagements.infrastructure import errors
from engagements.infrastructure.errors import server_error, service_unavailable
from engagements.surfaces import urls
from tests.factories import EncounterFactory


def loses_the_database(request):
    raise OperationalError("connection to server on socket failed: No such file or directory")


def loses_the_connection(request):
    raise InterfaceError("connection already closed")


class LosesTheDatabaseMiddleware:
    """Stands for any middleware that queries (sessions, axes...) while the database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("server closed the connection unexpectedly")


def raises_a_bug(request):
    raise ValueError("a bug")


urlpatterns = [
    *urls.urlpatterns,
    path("lost/", loses_the_database),
    path("closed/", loses_the_connection),
    path("bug/", raises_a_bug),
]
handler500 = urls.handler500


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


# --- Health -------------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database(client):
    # No `db` mark: pytest-django makes any database access fail this test.
    response = client.get("/healthz", headers={"host": "10.0.0.7:8000"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_asks_the_database_one_cheap_question(client, django_assert_max_num_queries):
    # SET LOCAL statement_timeout and SELECT 1, in a transaction (a savepoint under pytest).
    with django_assert_max_num_queries(4) as queries:
        response = client.get("/readyz")
    assert [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]] == [
        "SET LOCAL statement_timeout = 1000",
        "SELECT 1",
    ]
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response["Retry-After"]


# --- Database outages ---------------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/lost/", "/closed/"])
def test_a_view_that_loses_the_database_answers_503(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 503
    body = response.content.decode()
    assert "Temporarily unavailable" in body
    assert "temporarily unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]


@pytest.mark.urls(__name__)
def test_api_clients_get_the_503_as_json(anonymous):
    response = anonymous.get("/lost/", headers={"accept": "application/json"})
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The service is temporarily unavailable. Please try again in a moment."
    }
    assert response["Retry-After"]


def test_a_database_error_outside_the_view_also_answers_503(settings):
    position = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:position],
        f"{__name__}.LosesTheDatabaseMiddleware",
        *settings.MIDDLEWARE[position:],
    ]
    response = Client(raise_request_exception=False).get("/encounters/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()


@pytest.mark.urls(__name__)
def test_other_errors_are_a_500_page_without_traceback(anonymous):
    response = anonymous.get("/bug/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Server error" in body
    assert "Traceback" not in body and "ValueError" not in body


def test_error_pages_render_without_a_database(rf):
    # No `db` mark: pytest-django makes any database access fail this test.
    unavailable = service_unavailable()
    error = server_error(rf.get("/"))
    assert unavailable.status_code == 503
    assert "site.css" in unavailable.content.decode()  # in the site's style
    assert error.status_code == 500
    assert "site.css" in error.content.decode()


def test_error_pages_fall_back_to_plain_html_if_the_template_breaks(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template error")

    monkeypatch.setattr(errors, "render_to_string", broken)
    response = service_unavailable()
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


@pytest.mark.django_db
def test_404_is_the_sites_page(client):
    response = client.get("/encounters/no-such-encounter/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'href="/encounters/"' in body


# --- Caching and conditional GET ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/encounters/", "/people/"])
def test_anonymous_public_pages_are_cacheable_for_a_minute(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response["Vary"]
    assert response["ETag"]


@pytest.mark.django_db
def test_repeated_get_with_the_etag_is_a_304(client):
    encounter = EncounterFactory()
    first = client.get(encounter.get_absolute_url())
    assert first.status_code == 200
    again = client.get(encounter.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["Cache-Control"] == "public, max-age=60"
    # A changed page has a new ETag, so the old one no longer matches.
    encounter.title = "A new title"
    encounter.save()
    changed = client.get(encounter.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200


@pytest.mark.django_db
def test_logged_in_and_admin_responses_are_never_cached(admin_client):
    for url in ["/", "/encounters/", "/admin/", "/admin/engagements/encounter/"]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url
        assert "public" not in cache_control, url


@pytest.mark.django_db
def test_the_admin_login_page_is_never_cached(client):
    response = client.get("/admin/login/")
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.django_db
def test_requests_with_credentials_are_never_cached_publicly(client):
    response = client.get("/encounters/", headers={"authorization": "Token abc"})
    assert "public" not in response["Cache-Control"]
