"""What got in researchers' way on the public pages: filters limited to the busiest names,
country codes, no page numbers or compact view, principals without sides."""

import pytest
from django.urls import reverse

from engagements.models import Person, Place, Side
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db
LIST = reverse("encounter-list")


def group(response, name):
    return next(g for g in response.context["facets"] if g.name == name)


@pytest.fixture
def crowd(db):
    """Fourteen busy people and one (Sherman) on a single encounter: off the facet's top 12."""
    busy = [PersonFactory(name=f"Busy Person {i:02}", slug=f"busy-{i:02}") for i in range(14)]
    for _ in range(3):
        encounter = EncounterFactory()
        for person in busy:
            ParticipationFactory(encounter=encounter, person=person, role="delegation")
    sherman = PersonFactory(name="Wendy Sherman", slug="wendy-sherman", side=Side.US)
    xie = PersonFactory(name="Xie Zhenhua", slug="xie-zhenhua", side=Side.PRC)
    rare = EncounterFactory(title="Sherman in Tianjin")
    ParticipationFactory(encounter=rare, person=sherman, side=Side.US)
    ParticipationFactory(encounter=rare, person=xie, side=Side.PRC)
    TopicFactory(slug="xinjiang", name="Xinjiang").encounters.add(rare)
    return rare


def test_a_person_off_the_top_twelve_can_be_added_by_name(client, crowd):
    assert "wendy-sherman" not in {o.value for o in group(client.get(LIST), "person").options}
    response = client.get(LIST, {"add_person": "sherman", "kind": "meeting"})
    assert response.status_code == 302
    assert "person=wendy-sherman" in response.url and "add_person" not in response.url
    assert "kind=meeting" in response.url
    followed = client.get(LIST, {"person": "wendy-sherman"})
    assert [e.title for e in followed.context["encounters"]] == ["Sherman in Tianjin"]


def test_a_topic_is_added_by_name_and_an_ambiguous_name_lists_the_choices(client, crowd):
    response = client.get(LIST, {"add_topic": "Xinjiang"})
    assert response.status_code == 302 and "topic=xinjiang" in response.url
    page = client.get(LIST, {"add_person": "busy person 0"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Several match" in text and "person=busy-03" in text
    missing = client.get(LIST, {"add_person": "Nobody at all"}).content.decode()
    assert "Nothing in the published record matches" in missing


def test_the_filter_form_offers_an_add_box_for_people_and_topics(client, crowd):
    text = client.get(LIST).content.decode()
    assert 'name="add_person"' in text and 'name="add_topic"' in text
    assert "<select" not in text.split('id="id_person"')[1].split("</fieldset>")[0]


def test_countries_are_named_and_country_and_venue_explained(client, db):
    geneva = Place.objects.create(name="Geneva", city="Geneva", country="CH")
    EncounterFactory(place=geneva)
    response = client.get(LIST)
    country = group(response, "country")
    assert [(o.value, o.label) for o in country.options] == [("CH", "Switzerland")]
    assert "recorded place" in country.note
    assert "every encounter" in group(response, "venue").note
    assert "Switzerland" in response.content.decode()
    chips = client.get(LIST, {"country": "CH"}).context["chips"]
    assert [c.label for c in chips] == ["Country: Switzerland"]


def test_the_list_has_page_numbers_and_a_compact_table(client, db, settings):
    settings.PAGE_SIZE = 2
    for _ in range(9):
        EncounterFactory()
    text = client.get(LIST, {"page": 3}).content.decode()
    assert 'aria-current="page">3<' in text
    assert 'href="?page=5"' in text and 'href="?page=1"' in text
    table = client.get(LIST, {"view": "table"})
    body = table.content.decode()
    assert '<table class="encounter-table">' in body and "encounter-list" not in body
    assert 'name="view" value="table"' in body  # the filters keep the table view


def test_principals_are_shown_with_their_sides(client, crowd):
    text = client.get(LIST, {"person": "wendy-sherman"}).content.decode()
    assert "Wendy Sherman</a> (US)" in text and "Xie Zhenhua</a> (PRC)" in text
    assert Person.objects.count() > 12
