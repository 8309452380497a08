"""Both sides' accounts: the two readouts side by side, marking topics only one side names."""

import pytest
from django.urls import reverse

from tests.factories import EncounterFactory, QuoteFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_readouts(db):
    for name, slug in [("Taiwan", "taiwan"), ("Fentanyl", "fentanyl"),
                       ("Environment and climate", "climate")]:  # fmt: skip
        TopicFactory(name=name, slug=slug)
    encounter = EncounterFactory(title="Biden–Xi call")
    us = SourceFactory(
        encounter=encounter, kind="us_readout", outlet="White House",
        title="Readout of President Biden's Call with President Xi",
        note="Names fentanyl and climate cooperation.",
    )  # fmt: skip
    prc = SourceFactory(
        encounter=encounter, kind="prc_readout", outlet="Ministry of Foreign Affairs",
        title="President Xi Jinping Speaks with US President Biden", note="",
    )  # fmt: skip
    QuoteFactory(encounter=encounter, source=prc, text="The Taiwan question is the first red line.")
    QuoteFactory(encounter=encounter, source=us, text="On Taiwan, our policy has not changed.")
    return encounter


def test_side_by_side_with_one_sided_topics_marked(client, both_readouts):
    response = client.get(reverse("encounter-accounts", args=[both_readouts.slug]))
    assert response.status_code == 200
    us, prc = response.context["accounts"]
    assert [t.name for t in us.only_here] == ["Environment and climate", "Fentanyl"]
    assert prc.only_here == []
    assert [t.name for t in response.context["shared"]] == ["Taiwan"]
    text = response.text
    assert (
        'Names <mark class="only-here">fentanyl</mark> and <mark class="only-here">climate</mark>'
        in text
    )
    assert "The Taiwan question is the first red line." in text  # quoted as stored, unmarked
    assert "Readout of President Biden&#x27;s Call with President Xi" in text


def test_stored_text_is_escaped(client, both_readouts):
    QuoteFactory(
        encounter=both_readouts, source=both_readouts.sources.get(kind="prc_readout"),
        text="<script>alert(1)</script> fentanyl",
    )  # fmt: skip
    response = client.get(reverse("encounter-accounts", args=[both_readouts.slug]))
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_detail_page_links_to_it_only_with_both_readouts(client, both_readouts):
    url = reverse("encounter-accounts", args=[both_readouts.slug])
    assert url in client.get(both_readouts.get_absolute_url()).text
    one_sided = EncounterFactory()
    SourceFactory(encounter=one_sided, kind="us_readout")
    assert client.get(reverse("encounter-accounts", args=[one_sided.slug])).status_code == 404
    draft = EncounterFactory(status="draft")
    assert client.get(reverse("encounter-accounts", args=[draft.slug])).status_code == 404
