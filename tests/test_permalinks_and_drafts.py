"""Drafts never leak through exports or quotes, and permalinks never break."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from engagements.models import Encounter, FormerSlug, Quote
from tests.factories import EncounterFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_exports_leave_out_a_draft_parents_slug(client):
    trip = EncounterFactory(slug="secret-trip", status="draft", published_at=None)
    EncounterFactory(slug="session", parent=trip)
    EncounterFactory(slug="other-session", parent=EncounterFactory(slug="public-trip"))
    content = b"".join(client.get("/encounters.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    parents = {row["slug"]: row["parent_slug"] for row in rows}
    assert parents["session"] == "" and parents["other-session"] == "public-trip"
    exported = json.loads(b"".join(client.get("/encounters.json").streaming_content))
    assert "secret-trip" not in json.dumps(exported)
    assert {row["slug"]: row["parent_slug"] for row in exported}["session"] is None


def test_a_quote_cannot_cite_another_encounters_source():
    draft_source = SourceFactory(
        encounter=EncounterFactory(status="draft", published_at=None), outlet="Draft outlet"
    )
    encounter = EncounterFactory()
    quote = QuoteFactory.build(encounter=encounter, source=draft_source)
    with pytest.raises(ValidationError, match="this encounter's own sources"):
        quote.full_clean()
    # The database holds the rule too (a script, a shell, a bulk path).
    with (
        pytest.raises(IntegrityError, match="quote_source_same_encounter"),
        transaction.atomic(),
    ):
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS quote_source_same_encounter IMMEDIATE")
        quote.save()
    own = QuoteFactory(encounter=encounter, source=SourceFactory(encounter=encounter))
    own.full_clean()
    SourceFactory(encounter=encounter)  # a published encounter keeps a source
    own.source.delete()  # a deleted source leaves the quote unattributed, as before
    assert Quote.objects.get(pk=own.pk).source is None


def test_an_old_slug_answers_301_to_the_current_one(client):
    encounter = EncounterFactory(slug="blinken-wang-2024-04-26")
    encounter.slug = "blinken-wang-talks-2024-04-26"
    encounter.save()
    encounter.slug = "blinken-wang-beijing-2024-04-26"
    encounter.save()
    for old in ("blinken-wang-2024-04-26", "blinken-wang-talks-2024-04-26"):
        response = client.get(f"/encounters/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/encounters/blinken-wang-beijing-2024-04-26/"
        cite = client.get(f"/encounters/{old}/cite.bib")
        assert cite.status_code == 301
        assert cite["Location"] == "/encounters/blinken-wang-beijing-2024-04-26/cite.bib"
    assert client.get("/encounters/blinken-wang-beijing-2024-04-26/").status_code == 200
    assert client.get("/encounters/never-was/").status_code == 404
    # Taking an old slug back makes it current again, not a redirect loop.
    encounter.slug = "blinken-wang-2024-04-26"
    encounter.save()
    assert client.get("/encounters/blinken-wang-2024-04-26/").status_code == 200
    assert not FormerSlug.objects.filter(slug="blinken-wang-2024-04-26").exists()
    assert client.get("/encounters/blinken-wang-beijing-2024-04-26/").status_code == 301


def test_an_old_slug_of_a_draft_reveals_nothing(client):
    encounter = EncounterFactory(slug="old-name")
    encounter.slug = "new-name"
    encounter.status = Encounter.Status.DRAFT
    encounter.save()
    response = client.get("/encounters/old-name/")
    assert response.status_code == 404
    assert "new-name" not in response.text
