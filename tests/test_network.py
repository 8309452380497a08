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


def test_the_whole_record_ranks_people_from_the_kept_counts_as_counting_does(client, seeded):
    """Unfiltered, each side's people come from the counts kept per person and side: the same
    people, counts and order as counting the participations, a side taken part for included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagements.domain.network import build_network
    from engagements.models import Encounter, Participation

    # Someone taking part for the other side counts for that side only.
    moved = Participation.objects.filter(person__slug="joe-biden").order_by("id").first()
    Participation.objects.filter(pk=moved.pk).update(side="prc")
    with CaptureQueriesContext(connection) as captured:
        shown = client.get(NETWORK).context["network"]
    assert any("engagements_person_side_count" in q["sql"] for q in captured)
    counted = build_network(Encounter.objects.published(), lambda *slugs: shown_url(shown, slugs))
    assert [(n.slug, n.count) for n in shown.us] == [(n.slug, n.count) for n in counted.us]
    assert [(n.slug, n.count) for n in shown.prc] == [(n.slug, n.count) for n in counted.prc]
    assert "joe-biden" in [n.slug for n in shown.prc]
    assert [(t.us.slug, t.prc.slug, t.count) for t in shown.ties] == [
        (t.us.slug, t.prc.slug, t.count) for t in counted.ties
    ]


def shown_url(network, slugs):
    """The URL the page gave the node or tie of these people."""
    nodes = {node.slug: node for node in network.us + network.prc}
    if len(slugs) == 1:
        return nodes[slugs[0]].url
    return next(t.url for t in network.ties if (t.us.slug, t.prc.slug) == tuple(slugs))
