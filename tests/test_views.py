import pytest
from django.urls import reverse

from engagements.models import Encounter
from tests.factories import EncounterFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def test_home_links_to_list_and_detail(client, seeded):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("encounter-list") in response.text
    assert reverse("encounter-detail", args=["biden-xi-meeting-lima-2024-11-16"]) in response.text


def test_list_is_newest_first(client, seeded):
    response = client.get(reverse("encounter-list"))
    assert response.status_code == 200
    encounters = list(response.context["encounters"])
    dates = [e.start_date for e in encounters]
    assert dates == sorted(dates, reverse=True)


def test_detail_shows_participants_place_sources_quotes(client, seeded):
    response = client.get(reverse("encounter-detail", args=["biden-xi-phone-call-2021-09-09"]))
    assert response.status_code == 200
    text = response.text
    assert "Xi Jinping" in text and "习近平" in text
    assert "Treaty Room, White House" in text
    assert "CBS News" in text
    assert "They’re trying to see if we’ll blink" in text
    assert "a senior administration official" in text


def test_drafts_are_never_shown(client):
    draft = EncounterFactory(title="Secret draft", status=Encounter.Status.DRAFT, published_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret draft" not in client.get(reverse("encounter-list")).text
    assert "Secret draft" not in client.get("/").text
    participation = ParticipationFactory(encounter=draft)
    person_page = client.get(participation.person.get_absolute_url())
    assert "Secret draft" not in person_page.text


def test_page_past_the_end_is_404(client, seeded):
    assert client.get(reverse("encounter-list"), {"page": 999}).status_code == 404
    assert client.get(reverse("encounter-list"), {"page": "abc"}).status_code == 404


def test_markdown_is_rendered_safely(client):
    encounter = EncounterFactory(
        summary="**Bold** <script>alert(1)</script> [x](javascript:alert(1))"
    )
    text = client.get(encounter.get_absolute_url()).text
    assert "<strong>Bold</strong>" in text
    assert "<script>alert(1)" not in text
    assert "javascript:" not in text
