"""The shared page cache: cached pages are keyed by the database's data version, so any change
is seen by the next request whatever wrote it, and Redis being down never costs a page (it is
served uncached, the outage logged once)."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from engagements.infrastructure import sharedcache
from engagements.models import Encounter

SLUG = "biden-xi-phone-call-2021-09-09"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_cache(port):
    return {
        "BACKEND": "engagements.infrastructure.sharedcache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "KEY_PREFIX": "pages",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


@pytest.fixture
def page_cache(settings):
    middleware = list(settings.MIDDLEWARE)
    session = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    middleware.insert(session, "engagements.infrastructure.pagecache.UpdatePublicPageCache")
    middleware.append("engagements.infrastructure.pagecache.FetchPublicPageCache")
    settings.MIDDLEWARE = middleware
    settings.CACHE_MIDDLEWARE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 60
    caches["pages"].clear()
    yield settings
    caches["pages"].clear()


@pytest.fixture
def redis_server(tmp_path):
    """A throwaway redis-server on a free port (Debian's; `make test` installs it)."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: apt-get install redis-server (make test does).")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def redis_keys(port):
    import redis

    return redis.Redis(host="127.0.0.1", port=port).keys("*")


@pytest.fixture(autouse=True)
def no_outage_left_over():
    sharedcache._outage.update(down=False, until=0.0)
    yield
    sharedcache._outage.update(down=False, until=0.0)


def publish_flow(client, django_capture_on_commit_callbacks):
    """Cache the page, then edit, unpublish and publish it again through save(): each change
    is seen by the next anonymous request."""
    url = reverse("encounter-detail", args=[SLUG])
    assert client.get(url).status_code == 200
    encounter = Encounter.objects.get(slug=SLUG)
    encounter.title = "Renamed call"
    with django_capture_on_commit_callbacks(execute=True):
        encounter.save()
    assert "Renamed call" in client.get(url).text
    encounter.status = Encounter.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        encounter.save()
    assert client.get(url).status_code == 404
    encounter.status = Encounter.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        encounter.save()
    assert client.get(url).status_code == 200


def test_any_write_is_seen_by_the_next_request_whatever_wrote_it(client, seeded, page_cache):
    """The version is the database's own (triggers, migration 0009): a save, a bulk UPDATE that
    sends no signal and plain SQL all move it, and the cached page with it."""
    from django.db import connection

    url = reverse("encounter-detail", args=[SLUG])
    assert "Renamed" not in client.get(url).text  # rendered, and now kept
    encounter = Encounter.objects.get(slug=SLUG)
    encounter.title = "Renamed by save"
    encounter.save()
    assert "Renamed by save" in client.get(url).text
    Encounter.objects.filter(slug=SLUG).update(title="Renamed by update")
    assert "Renamed by update" in client.get(url).text
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE engagements_encounter SET title = 'Renamed by SQL' WHERE slug = %s", [SLUG]
        )
    assert "Renamed by SQL" in client.get(url).text


def test_a_cached_page_costs_one_read_of_the_version(client, seeded, page_cache):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("encounter-detail", args=[SLUG])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert [q["sql"] for q in queries] == [
        "SELECT string_agg(number::text, '.' ORDER BY slot) FROM engagements_data_version"
    ]


def test_publishing_editing_and_unpublishing_show_at_once_through_redis(
    client, seeded, page_cache, redis_server, django_capture_on_commit_callbacks
):
    page_cache.CACHES = {**page_cache.CACHES, "pages": redis_cache(redis_server)}
    publish_flow(client, django_capture_on_commit_callbacks)
    # The page really is in Redis: a second anonymous request is answered with no query but
    # the version's.
    url = reverse("encounter-detail", args=[SLUG])
    client.get(url)
    assert any(b"pages" in key for key in redis_keys(redis_server))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 1


def test_redis_down_serves_pages_uncached_and_logs_once(client, seeded, page_cache, caplog):
    page_cache.CACHES = {**page_cache.CACHES, "pages": redis_cache(free_port())}
    url = reverse("encounter-detail", args=[SLUG])
    with caplog.at_level(logging.WARNING, logger="engagements.infrastructure.sharedcache"):
        assert client.get(url).status_code == 200
        Encounter.objects.filter(slug=SLUG).update(title="Renamed call")
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200
            assert "Renamed call" in response.text  # uncached
    outages = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outages) == 1
    assert outages[0].levelno == logging.ERROR


def test_the_cache_is_used_again_once_redis_is_back(redis_server, settings):
    settings.REDIS_RETRY_SECONDS = 0
    settings.CACHES = {**settings.CACHES, "pages": redis_cache(free_port())}
    assert caches["pages"].get("k", "fallback") == "fallback"
    assert caches["pages"].add("k", 1) is False
    assert sharedcache._outage["down"]
    settings.CACHES = {**settings.CACHES, "pages": redis_cache(redis_server)}
    caches["pages"].set("k", "v")
    assert caches["pages"].get("k") == "v"
    assert not sharedcache._outage["down"]
    with pytest.raises(ValueError):
        caches["pages"].incr("missing")  # Django's API: still an error, not an outage
    assert not sharedcache._outage["down"]
