"""Facet counts beside the filters, and removable chips for the active ones."""

import pytest
from django.urls import reverse

from engagements.models import Encounter
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db
LIST = reverse("encounter-list")


def counts(response, name):
    group = next(g for g in response.context["facets"] if g.name == name)
    return {option.value: option.count for option in group.options}


def selected(response, name):
    group = next(g for g in response.context["facets"] if g.name == name)
    return [option.value for option in group.options if option.selected]


@pytest.fixture
def corpus(db):
    climate = TopicFactory(slug="climate", name="Climate")
    trade = TopicFactory(slug="trade", name="Trade")
    kerry = PersonFactory(slug="kerry")
    for kind, level, topics in [
        ("phone_call", "leader", [climate]),
        ("phone_call", "cabinet", [climate, trade]),
        ("visit", "cabinet", [trade]),
        ("talks", "envoy", [climate]),
    ]:
        encounter = EncounterFactory(kind=kind, level=level)
        encounter.topics.set(topics)
        if climate in topics:
            ParticipationFactory(encounter=encounter, person=kerry)


def test_counts_of_a_group_ignore_its_own_selection_but_respect_the_others(client, corpus):
    response = client.get(LIST, {"kind": "phone_call", "level": "cabinet"})
    assert response.context["paginator"].count == 1
    # Kinds are counted at the cabinet level, whatever kind is ticked:
    assert counts(response, "kind") == {
        "phone_call": 1,
        "visit": 1,
        "talks": 0,
        "video_call": 0,
        "meeting": 0,
        "summit_sideline": 0,
    }
    # Levels are counted among phone calls:
    assert counts(response, "level")["leader"] == 1
    assert counts(response, "level")["cabinet"] == 1
    assert selected(response, "kind") == ["phone_call"]


def test_topics_and_people_count_what_adding_them_would_leave(client, corpus):
    response = client.get(LIST, {"topic": "climate"})
    assert response.context["paginator"].count == 3
    assert counts(response, "topic") == {"climate": 3, "trade": 1}
    assert counts(response, "person") == {"kerry": 3}
    # Choice groups with nothing ticked are counted over the current results (one query):
    assert counts(response, "kind")["phone_call"] == 2
    assert counts(response, "kind")["visit"] == 0
    assert counts(response, "level") == {
        "leader": 1,
        "cabinet": 1,
        "envoy": 1,
        "deputy": 0,
        "working": 0,
    }
    assert "(3<span" in response.text


def test_chips_remove_one_value_and_clear_all(client, corpus):
    response = client.get(LIST, {"kind": ["phone_call", "visit"], "topic": "climate", "page": 1})
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert chips["Kind: Phone call"] == "?kind=visit&topic=climate"
    assert chips["Topics: Climate"] == "?kind=phone_call&kind=visit"
    assert 'class="clear-all" href="/encounters/"' in response.text


def test_invalid_filters_keep_the_form_without_counts(client, corpus):
    response = client.get(LIST, {"kind": "bogus", "topic": "climate"})
    assert response.status_code == 400
    assert counts(response, "kind")["phone_call"] is None
    assert selected(response, "topic") == ["climate"]


@pytest.mark.parametrize(
    "query, unfiltered",
    [
        ("", True),
        ("sort=date", True),
        ("page=1", True),
        ("q=", True),
        ("level=leader", False),
        ("q=trade", False),
        ("date_after=1900-01-01", False),
    ],
)
def test_the_list_and_the_api_decide_unfiltered_alike(client, corpus, query, unfiltered):
    """Both surfaces read the kept total exactly when no filter is active (facets.counts_kept):
    a kept total made different from the rows shows which of the two each one used."""
    from engagements.domain.counts import PublishedFacetCount

    counted = Encounter.objects.published().count()
    PublishedFacetCount.objects.filter(facet="total", value="").update(encounters=counted + 1000)
    html = client.get(f"{reverse('encounter-list')}?{query}")
    api = client.get(f"{reverse('api-encounter-list')}?{query}")
    assert html.status_code == api.status_code == 200
    html_total = html.context["paginator"].count
    api_total = api.json()["count"]
    assert (html_total == counted + 1000) is unfiltered
    assert (api_total == counted + 1000) is unfiltered
