"""Who meets whom: /people/network/ and the counterparts on a person's page, counted as the
person filter counts."""

import pytest
from django.urls import reverse

from engagements.models import Person

pytestmark = pytest.mark.django_db
NETWORK = reverse("people-network")


def list_count(client, params):
    return client.get(reverse("encounter-list"), params).context["paginator"].count


def test_counts_equal_the_person_filters(client, seeded):
    network = client.get(NETWORK).context["network"]
    assert [node.name for node in network.us[:1]] == ["Joe Biden"]
    assert [node.name for node in network.prc[:1]] == ["Xi Jinping"]
    for node in network.us + network.prc:
        assert node.count == list_count(client, {"person": node.slug})
    assert network.ties
    for tie in network.ties:
        assert tie.count == list_count(client, {"person": [tie.us.slug, tie.prc.slug]})
    biden_xi = next(
        t for t in network.ties if (t.us.slug, t.prc.slug) == ("joe-biden", "xi-jinping")
    )
    assert biden_xi.count == 6 and str(biden_xi.first) == "2021-02-10"
    assert str(biden_xi.last) == "2024-11-16"


def test_the_network_honours_the_filters(client, seeded):
    params = {"level": "envoy"}
    network = client.get(NETWORK, params).context["network"]
    assert [node.name for node in network.us] == ["John Kerry"]
    for tie in network.ties:
        assert tie.count == list_count(client, {**params, "person": [tie.us.slug, tie.prc.slug]})
        assert "level=envoy" in tie.url
    response = client.get(NETWORK, params)
    assert '<svg class="network"' in response.text
    assert 'aria-label="John Kerry: 5 encounters"' in response.text


def test_bad_filters_answer_400(client, db):
    assert client.get(NETWORK, {"person": "nobody-at-all"}).status_code == 400


def test_person_page_counterparts_say_how_often_first_and_last(client, seeded):
    xi = Person.objects.get(slug="xi-jinping")
    response = client.get(xi.get_absolute_url())
    biden = next(c for c in response.context["counterparts"] if c["person__slug"] == "joe-biden")
    assert (biden["count"], str(biden["first"]), str(biden["last"])) == (
        6,
        "2021-02-10",
        "2024-11-16",
    )
    assert "10 Feb 2021</time> to <time" in response.text
    assert f"{NETWORK}?person=xi-jinping" in response.text
