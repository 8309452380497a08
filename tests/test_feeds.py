"""/feeds/encounters.atom: newly published encounters, with the list's filters."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from engagements.models import Encounter
from tests.factories import EncounterFactory, TopicFactory

pytestmark = pytest.mark.django_db

FEED = "/feeds/encounters.atom"
ATOM = "{http://www.w3.org/2005/Atom}"


def parse_feed(response):
    """Parse the feed and check what RFC 4287 requires of a feed and of each entry."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text, required
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http")
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
    return feed, entries


def entry_links(entries):
    return [entry.find(f"{ATOM}link").get("href") for entry in entries]


def test_feed_is_newest_published_first(client):
    now = timezone.now()
    older = EncounterFactory(slug="older", published_at=now - datetime.timedelta(days=2))
    newer = EncounterFactory(slug="newer", published_at=now - datetime.timedelta(days=1))
    # An old encounter published today comes first: the feed follows publication, not events.
    late = EncounterFactory(slug="late", start_date=datetime.date(2021, 1, 1), published_at=now)
    _, entries = parse_feed(client.get(FEED))
    links = entry_links(entries)
    assert links == [f"http://testserver{e.get_absolute_url()}" for e in (late, newer, older)]
    assert entries[0].find(f"{ATOM}title").text == f"{late.title} (1 January 2021)"


def test_feed_honours_the_lists_filters(client):
    climate = TopicFactory(name="Climate", slug="climate")
    on_climate = EncounterFactory(slug="on-climate", level=Encounter.Level.CABINET)
    on_climate.topics.add(climate)
    leaders = EncounterFactory(slug="leaders", level=Encounter.Level.LEADER)
    feed, entries = parse_feed(client.get(FEED, {"topic": "climate"}))
    assert entry_links(entries) == ["http://testserver/encounters/on-climate/"]
    assert "topic climate" in feed.find(f"{ATOM}title").text
    assert (
        feed.find(f"{ATOM}link[@rel='alternate']")
        .get("href")
        .endswith("/encounters/?topic=climate")
    )
    assert [e.find(f"{ATOM}category").get("term") for e in entries] == ["Climate"]
    _, entries = parse_feed(client.get(FEED, {"level": "leader"}))
    assert entry_links(entries) == [f"http://testserver{leaders.get_absolute_url()}"]


def test_feed_leaves_out_drafts(client):
    EncounterFactory(slug="draft", status=Encounter.Status.DRAFT, published_at=None)
    EncounterFactory(slug="in-review", status=Encounter.Status.REVIEW, published_at=None)
    EncounterFactory(slug="public")
    _, entries = parse_feed(client.get(FEED))
    assert entry_links(entries) == ["http://testserver/encounters/public/"]


def test_bad_feed_filter_is_400_naming_the_field(client):
    response = client.get(FEED, {"date_after": "yesterday"})
    assert response.status_code == 400
    assert "date_after" in response.content.decode()


def test_every_page_advertises_the_feed(client):
    EncounterFactory()
    text = client.get("/").text
    assert '<link rel="alternate" type="application/atom+xml"' in text
    assert 'href="/feeds/encounters.atom"' in text
