"""sitemap.xml (an index of section sitemaps) and robots.txt."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from engagements.models import Encounter
from tests.factories import EncounterFactory, ParticipationFactory, TopicFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client):
    """Every <url> of every section the index lists: {location: lastmod or None}."""
    index = client.get(reverse("sitemap"))
    assert index.status_code == 200
    assert index["Content-Type"].startswith("application/xml")
    entries = {}
    for location in ET.fromstring(index.content).findall("sm:sitemap/sm:loc", NS):
        section = client.get(location.text.removeprefix("http://testserver"))
        assert section.status_code == 200
        for url in ET.fromstring(section.content).findall("sm:url", NS):
            lastmod = url.find("sm:lastmod", NS)
            entries[url.find("sm:loc", NS).text] = lastmod.text if lastmod is not None else None
    return entries


def test_sitemap_lists_published_encounters_people_and_topics(client):
    topic = TopicFactory(name="Climate", slug="climate")
    published = EncounterFactory(slug="published-one")
    published.topics.add(topic)
    participation = ParticipationFactory(encounter=published)
    entries = sitemap_entries(client)
    base = "http://testserver"
    assert f"{base}/" in entries and f"{base}/encounters/" in entries
    encounter_lastmod = entries[f"{base}/encounters/published-one/"]
    assert encounter_lastmod.startswith(published.updated_at.date().isoformat())
    assert f"{base}{participation.person.get_absolute_url()}" in entries
    assert entries[f"{base}/topics/climate/"] is not None


def test_sitemap_leaves_out_drafts_and_what_only_drafts_show(client):
    draft = EncounterFactory(slug="draft-one", status=Encounter.Status.DRAFT, published_at=None)
    draft.topics.add(TopicFactory(name="Secret", slug="secret-topic"))
    participation = ParticipationFactory(encounter=draft)
    EncounterFactory(slug="published-one")
    locations = "\n".join(sitemap_entries(client))
    assert "/encounters/published-one/" in locations
    assert "draft-one" not in locations
    assert "secret-topic" not in locations
    assert participation.person.slug not in locations


def test_sitemap_query_count_does_not_grow(client, django_assert_max_num_queries):
    for _ in range(20):
        ParticipationFactory(encounter=EncounterFactory())
    with django_assert_max_num_queries(2):
        assert client.get("/sitemap-encounters.xml").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/sitemap-people.xml").status_code == 200


def test_robots_txt_hides_admin_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /encounters/" not in lines
