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


@pytest.fixture
def texts(db):
    """The Kerry–Wang Yi case: the US title says 气候 in Chinese; the PRC text says who asked."""
    TopicFactory(name="Environment and climate", slug="climate")
    TopicFactory(name="Taiwan", slug="taiwan")
    encounter = EncounterFactory(title="Kerry–Wang Yi call")
    SourceFactory(
        encounter=encounter, kind="us_readout", issuer="state", language="en",
        outlet="US Department of State", title="Secretary Kerry's call on 气候",
        text="Special Envoy Kerry discussed the climate crisis and fentanyl.",
        issued_on="2021-09-01", url="https://www.state.gov/readout-kerry",
    )  # fmt: skip
    SourceFactory(
        encounter=encounter, kind="prc_readout", issuer="prc_mfa", language="zh",
        outlet="Ministry of Foreign Affairs of the PRC", title="王毅同克里视频通话",
        text="2021年9月1日，国务委员兼外长王毅应约同美国总统气候问题特使克里视频通话。王毅谈及台湾问题。",
        text_is_excerpt=True, url="https://www.mfa.gov.cn/web/wjbzhd/x.shtml",
        copy_outlet="China Daily", copy_url="https://www.chinadaily.com.cn/x.html",
    )  # fmt: skip
    return encounter


def test_both_texts_side_by_side_read_in_both_languages(client, texts):
    response = client.get(reverse("encounter-accounts", args=[texts.slug]))
    us, prc = response.context["accounts"]
    # Climate is named by both: in English by the US text, in Chinese by the PRC one.
    assert [t.name for t in response.context["shared"]] == ["Environment and climate"]
    assert prc.words["climate"] == ["气候"]
    assert [t.name for t in us.only_here] == ["Fentanyl"]  # a codebook topic with no row yet
    assert [t.name for t in prc.only_here] == ["Taiwan"]
    assert prc.initiator_words == ["应约"] and prc.initiator_claim == "us"
    assert us.initiator_words == [] and us.initiator_claim == ""
    text = response.text
    assert "Text as published by US Department of State" in text
    assert "Text as published by PRC Ministry of Foreign Affairs" in text
    assert "excerpt: the opening; whole text at" in text
    assert 'href="https://www.mfa.gov.cn/web/wjbzhd/x.shtml"' in text
    assert "text as republished by" in text and "China Daily" in text
    assert '王毅谈及<mark class="only-here">台湾</mark>问题' in text
    assert "by these words, the United States asked" in text
    assert "On who asked:</strong> the stored text does not say." in text


def test_detail_page_shows_a_readouts_text_with_attribution(client, texts):
    text = client.get(texts.get_absolute_url()).text
    assert "国务委员兼外长王毅应约同美国总统气候问题特使克里视频通话" in text
    assert "Text as published by PRC Ministry of Foreign Affairs" in text
    assert "The readout’s text (its opening)" in text
