"""What keeps pages fast at 100,000 encounters: index use, query shapes and the page cache.

Speed itself is measured by `make bench` (docs/operators.md, "Performance"); these tests lock in the
mechanisms it relies on.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.urls import reverse

from engagements.domain.filters import EncounterFilterSet
from engagements.models import Encounter, Person

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def plan(queryset):
    """EXPLAIN of a queryset with sequential scans priced out, as on a large table."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def generated(db):
    call_command("generate_encounters", count=60, seed=3, verbosity=0)


def test_full_text_search_uses_the_gin_index(generated):
    # The list's search filter, alone so that no other index competes on a small table: its
    # expression must match the GIN index (same column, same text search configuration).
    # `make bench` checks the whole list query's plan on 100,000 rows.
    for text in ("gallium", '"joint working group" -tariffs'):
        params = QueryDict(mutable=True)
        params["q"] = text
        searched = EncounterFilterSet(params, queryset=Encounter.objects.all()).qs
        assert "Bitmap Index Scan on encounter_search_vector" in plan(searched)


def test_admin_changelist_order_uses_the_date_index(generated):
    newest = Encounter.objects.order_by("-start_date", "-id")[:100]
    assert "encounter_date" in plan(newest)


def test_person_page_lists_encounters_in_date_order(client, generated):
    person = (
        Person.objects.annotate(n=Count("participations")).filter(n__gt=3).order_by("slug").first()
    )
    expected = list(
        Encounter.objects.published().involving(person).chronological().values_list("pk", flat=True)
    )
    few = Encounter.objects.published().involving(person).chronological_few()
    assert list(few.values_list("pk", flat=True)) == expected
    response = client.get(person.get_absolute_url())
    shown = [e.pk for e in response.context["encounters"]]
    assert shown == expected[: len(shown)]


# -- the page cache -----------------------------------------------------------------------------


def production_settings(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://user:pass@db.example.org:5432/engagements",
        **env,
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.MIDDLEWARE, settings.CACHE_MIDDLEWARE_SECONDS]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "engagements.infrastructure.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_caches_pages_outside_the_session_and_fetches_innermost():
    middleware, seconds = production_settings()
    update = middleware.index("engagements.infrastructure.pagecache.UpdatePublicPageCache")
    session = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert update < session
    assert middleware[-1] == "engagements.infrastructure.pagecache.FetchPublicPageCache"
    assert seconds == 60
    middleware, _ = production_settings(DJANGO_PAGE_CACHE_SECONDS="0")
    assert not any("pagecache" in name for name in middleware)


def test_development_and_tests_never_cache_pages(settings):
    assert not any("pagecache" in name for name in settings.MIDDLEWARE)


@pytest.fixture
def page_cache(settings):
    middleware = list(settings.MIDDLEWARE)
    session = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    middleware.insert(session, "engagements.infrastructure.pagecache.UpdatePublicPageCache")
    middleware.append("engagements.infrastructure.pagecache.FetchPublicPageCache")
    settings.MIDDLEWARE = middleware
    settings.CACHE_MIDDLEWARE_SECONDS = 60
    caches["pages"].clear()
    yield
    caches["pages"].clear()


# A page served from the store renders no template: `response.templates` (the test client's
# record of what was rendered) is empty. Any write moves the data version the store is keyed by
# (tests/test_sharedcache.py), so a silent change cannot tell a stored page from a fresh one.
DETAIL = reverse("encounter-detail", args=["biden-xi-phone-call-2021-09-09"])


def test_anonymous_visitors_get_the_cached_page(
    client, seeded, page_cache, django_assert_num_queries
):
    first = client.get(DETAIL)
    assert first.status_code == 200 and first.templates
    with django_assert_num_queries(1):  # the data version the page is filed under
        again = client.get(DETAIL)
    assert again.content == first.content
    assert not again.templates
    Encounter.objects.filter(slug="biden-xi-phone-call-2021-09-09").update(title="Renamed call")
    assert "Renamed call" in client.get(DETAIL).text
    other_filter = client.get(reverse("encounter-list"), {"level": "leader"})
    assert other_filter.status_code == 200 and other_filter.templates


def test_visitors_with_cookies_always_get_a_fresh_page(client, seeded, page_cache):
    client.get(DETAIL)  # cached for anonymous visitors
    editor = get_user_model().objects.create_user("ed", password="x" * 12, is_staff=True)
    client.force_login(editor)
    assert client.get(DETAIL).templates
    client.logout()
    client.cookies.clear()
    assert not client.get(DETAIL).templates  # anonymous: the stored copy


def test_editors_pages_are_not_stored_for_anonymous_visitors(client, seeded, page_cache):
    editor = get_user_model().objects.create_user("ed", password="x" * 12, is_staff=True)
    client.force_login(editor)
    client.get(DETAIL)
    client.logout()
    client.cookies.clear()
    assert client.get(DETAIL).templates


@pytest.mark.parametrize(
    "cookies, headers",
    [
        ({"sessionid": ""}, {}),
        ({"sessionid": "made-up-session-key"}, {}),
        ({"csrftoken": "x" * 32, "throwaway": "1"}, {}),
        ({}, {"Authorization": "Token abc"}),
    ],
)
def test_requests_not_signed_in_are_served_the_stored_page_whatever_they_send(
    client, seeded, page_cache, cookies, headers, django_assert_max_num_queries
):
    """A made-up session cookie or credentials the site ignores must not buy a fresh render."""
    first = client.get(DETAIL)
    for name, value in cookies.items():
        client.cookies[name] = value
    with django_assert_max_num_queries(2):  # the data version, and a made-up session's lookup
        again = client.get(DETAIL, headers=headers)
    assert again.status_code == 200 and again.content == first.content
    assert not again.templates


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(client, seeded, page_cache):
    client.get(DETAIL)
    client.cookies["messages"] = "anything"
    assert client.get(DETAIL).templates


def test_previous_and_next_start_the_index_walk_at_the_encounters_date(generated):
    encounter = Encounter.objects.published().order_by("start_date", "id")[30]
    published = Encounter.objects.published()
    before, after = published.before(encounter), published.after(encounter)
    for queryset, bound in ((before, "start_date <= "), (after, "start_date >= ")):
        index_conditions = [
            line for line in plan(queryset[:1]).splitlines() if "Index Cond" in line
        ]
        assert any(bound in line for line in index_conditions)
    ordered = list(published.order_by("start_date", "id"))
    position = ordered.index(encounter)
    assert before.first() == ordered[position - 1]
    assert after.first() == ordered[position + 1]
