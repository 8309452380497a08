"""The database router: public reads on a healthy replica, everything else on the primary.

The replicas here are simulated (their alias list and health answers); tests/test_cluster.py
runs the router against a real streaming replica.
"""

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory

from engagements.infrastructure import replicas
from engagements.models import Encounter

router = replicas.ReplicaRouter()


@pytest.fixture
def one_replica(monkeypatch, settings):
    """A configured replica whose health answer the test sets: {"state": …, "lag": …}."""
    answer = {"state": "ok", "lag": 0.0}
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(replicas, "measure", lambda alias: (answer["state"], answer["lag"]))
    monkeypatch.setattr(replicas, "health", replicas.ReplicaHealth())
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    return answer


def read_alias(request):
    """The alias the router picks for a read during REQUEST."""
    seen = {}

    def view(request):
        seen["alias"] = router.db_for_read(Encounter)
        return HttpResponse("ok")

    response = replicas.ReplicaRoutingMiddleware(view)(request)
    replicas._request_finished()
    return seen["alias"], response


factory = RequestFactory()


def test_without_replicas_every_read_goes_to_the_primary():
    assert read_alias(factory.get("/encounters/"))[0] == "default"
    assert router.db_for_read(Encounter) == "default"


@pytest.mark.parametrize("path", ["/", "/encounters/", "/api/v1/encounters/", "/encounters.csv"])
def test_public_reads_go_to_a_healthy_replica(one_replica, path):
    assert read_alias(factory.get(path))[0] == "replica1"


def test_writes_the_admin_and_code_outside_requests_use_the_primary(one_replica):
    assert read_alias(factory.get("/admin/engagements/encounter/"))[0] == "default"
    assert read_alias(factory.post("/encounters/"))[0] == "default"
    assert router.db_for_write(Encounter) == "default"
    assert router.db_for_read(Encounter) == "default"  # a command or the shell
    assert router.allow_migrate("replica1", "engagements") is False
    assert router.allow_migrate("default", "engagements") is True


def signed_in(request):
    request.user = type("Editor", (), {"is_authenticated": True})()
    return request


def test_after_a_write_that_browser_reads_from_the_primary(one_replica, settings):
    _, response = read_alias(signed_in(factory.post("/admin/engagements/encounter/1/change/")))
    cookie = response.cookies[replicas.PIN_COOKIE]
    assert cookie["max-age"] == settings.DATABASE_READ_YOUR_WRITES_SECONDS
    assert cookie["httponly"]
    pinned = factory.get("/encounters/")
    pinned.COOKIES[replicas.PIN_COOKIE] = cookie.value
    assert read_alias(pinned)[0] == "default"
    forged = factory.get("/encounters/")
    forged.COOKIES[replicas.PIN_COOKIE] = "1"  # unsigned: ignored
    assert read_alias(forged)[0] == "replica1"


def test_a_replica_down_or_behind_is_skipped_until_it_is_back(one_replica, settings):
    one_replica.update(state="unreachable", lag=None)
    assert read_alias(factory.get("/encounters/"))[0] == "default"
    one_replica.update(state="ok", lag=0.2)
    assert read_alias(factory.get("/encounters/"))[0] == "replica1"
    settings.DATABASE_REPLICA_MAX_LAG = 5
    one_replica.update(state="lagging", lag=30.0)
    assert read_alias(factory.get("/encounters/"))[0] == "default"
    one_replica.update(state="ok", lag=0.0)
    assert read_alias(factory.get("/encounters/"))[0] == "replica1"


def test_health_is_checked_at_most_once_per_interval(one_replica, settings, monkeypatch):
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60
    calls = []
    monkeypatch.setattr(replicas, "measure", lambda alias: calls.append(alias) or ("ok", 0.0))
    for _ in range(5):
        assert read_alias(factory.get("/"))[0] == "replica1"
    assert calls == ["replica1"]


def test_a_replica_lost_mid_page_is_marked_down_and_the_page_rendered_on_the_primary(
    one_replica, rf
):
    used = []

    def view(request):
        alias = router.db_for_read(Encounter)
        used.append(alias)
        if alias == "replica1":
            raise OperationalError("the replica went away")
        return HttpResponse(alias)

    from django.urls import ResolverMatch

    request = rf.get("/encounters/")
    request.resolver_match = ResolverMatch(view, (), {})
    middleware = replicas.ReplicaRoutingMiddleware(view)
    replicas._request_state.set({"used": None})
    with pytest.raises(OperationalError) as error:
        view(request)
    response = middleware.process_exception(request, error.value)
    replicas._request_finished()
    assert response.content == b"default"
    assert used == ["replica1", "default"]
    assert replicas.health.states["replica1"][0] is False


def test_a_replica_lost_while_the_page_cache_reads_the_version_leaves_it_for_the_primary(
    one_replica, monkeypatch
):
    """The page cache reads the data version before any view runs: a replica lost then is
    marked down and the version read from the primary, not answered with a 503."""
    from engagements.infrastructure import pagecache

    used = []

    def tag():
        alias = router.db_for_read(Encounter)
        used.append(alias)
        if alias == "replica1":
            raise OperationalError("the replica went away")
        return "tag"

    monkeypatch.setattr(pagecache, "data_version_tag", tag)
    replicas._request_state.set({"used": None})
    try:
        assert pagecache.version_tag() == "tag"
    finally:
        replicas._request_finished()
    assert used == ["replica1", "default"]
    assert replicas.health.states["replica1"][0] is False

    # Without replicas in play, the error is the outage it is (answered 503 by handler500).
    def primary_lost():
        raise OperationalError("the primary went away")

    replicas._request_state.set(None)
    monkeypatch.setattr(pagecache, "data_version_tag", primary_lost)
    with pytest.raises(OperationalError):
        pagecache.version_tag()


@pytest.mark.django_db
def test_readyz_reports_each_replica(client, one_replica):
    one_replica.update(state="lagging", lag=12.5)
    response = client.get("/readyz")
    assert response.status_code == 200  # reads fall back to the primary: still ready
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "replicas": {"replica1": {"status": "lagging", "lag_seconds": 12.5}},
    }


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_no_pin_for_an_anonymous_write_or_a_refused_one(one_replica, method):
    """Anyone could otherwise send every read of whoever holds the cookie to the primary."""
    request = getattr(factory, method)("/encounters/")
    request.user = type("Visitor", (), {"is_authenticated": False})()
    _, response = read_alias(request)
    assert replicas.PIN_COOKIE not in response.cookies

    def refused(request):
        return HttpResponse("no", status=403)

    response = replicas.ReplicaRoutingMiddleware(refused)(signed_in(getattr(factory, method)("/")))
    replicas._request_finished()
    assert replicas.PIN_COOKIE not in response.cookies


def test_an_anonymous_post_through_the_site_gets_no_pin(client, one_replica):
    for path in ("/encounters/", "/admin/login/", "/api/v1/encounters/"):
        response = Client(enforce_csrf_checks=True).post(path, {"x": "1"})
        assert replicas.PIN_COOKIE not in response.cookies, path


@pytest.mark.django_db
def test_readyz_through_the_proxy_keeps_replica_details_for_operators(client, one_replica):
    one_replica.update(state="lagging", lag=12.5)
    response = client.get("/readyz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
