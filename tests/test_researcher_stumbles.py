"""What got in researchers' way on the public pages: filters limited to the busiest names,
country codes, no page numbers or compact view, principals without sides."""

import pytest
from django.urls import reverse
from django.utils.html import escape

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


def test_about_uses_the_sites_own_address_and_states_licence_and_version(client, seeded, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "tracker.example"]
    text = client.get(reverse("about"), HTTP_HOST="tracker.example").content.decode()
    assert "127.0.0.1:8000" not in text
    assert "http://tracker.example/encounters.csv" in text
    assert "CC BY 4.0" in text and 'id="cite-dataset-heading"' in text
    assert "Version <strong>20" in text
    assert 'id="cameo-codes"' in text
    home = client.get("/").content.decode()
    assert "creativecommons.org/licenses/by/4.0" in home


def test_citation_cff_and_licence_files_name_the_data_licence():
    import yaml
    from django.conf import settings

    cff = yaml.safe_load((settings.BASE_DIR / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "CC-BY-4.0"
    assert cff["type"] == "dataset" and cff["authors"]
    assert "CC BY 4.0" in (settings.BASE_DIR / "DATA-LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in (settings.BASE_DIR / "LICENSE").read_text(encoding="utf-8")


def test_a_reader_reports_an_error_that_reaches_the_editors_as_text(client, settings, db):
    from engagements.models import CorrectionRequest

    settings.CORRECTION_REQUESTS_PER_HOUR = 2
    encounter = EncounterFactory()
    page = client.get(encounter.get_absolute_url()).content.decode()
    report = reverse("encounter-report-error", args=[encounter.slug])
    assert report in page
    text = "<b>The date is wrong</b>: the readout says 9 September."
    response = client.post(report, {"text": text, "contact": "me@example.org"})
    assert (
        response.status_code == 200 and "the editors have your report" in response.content.decode()
    )
    stored = CorrectionRequest.objects.get()
    assert stored.text == text and stored.encounter == encounter and stored.status == "open"
    assert client.post(report, {"text": "   "}).status_code == 400
    client.post(report, {"text": "Second report"})
    limited = client.post(report, {"text": "Third report"})
    assert limited.status_code == 429 and "try again in an hour" in limited.content.decode()
    assert limited["Retry-After"] == "3600"
    assert CorrectionRequest.objects.count() == 2
    assert client.get("/admin/engagements/correctionrequest/").status_code == 302  # no access


def test_editors_see_open_reports_in_the_admin(client, db):
    from engagements.models import CorrectionRequest
    from tests.conftest import make_staff

    encounter = EncounterFactory()
    CorrectionRequest.objects.create(encounter=encounter, text="<script>x</script> wrong")
    client.force_login(make_staff("eddie", "Editors"))
    index = client.get(reverse("admin:index")).content.decode()
    assert "1 open report" in index
    listing = client.get(reverse("admin:engagements_correctionrequest_changelist"))
    assert listing.status_code == 200
    assert "&lt;script&gt;x&lt;/script&gt; wrong" in listing.content.decode()


def test_a_deleted_published_encounter_answers_410_with_a_note(client, db):
    encounter = EncounterFactory(title="A call that never was")
    url = encounter.get_absolute_url()
    encounter.delete()
    response = client.get(url)
    assert response.status_code == 410
    text = response.content.decode()
    assert "A call that never was" in text and "removed" in text
    assert client.get("/encounters/never-existed-2020-01-01/").status_code == 404


def test_loaded_records_do_not_claim_a_first_published_date(client, seeded):
    from engagements.models import Encounter

    encounter = Encounter.objects.published().first()
    assert encounter.published_on_load
    text = client.get(encounter.get_absolute_url()).content.decode()
    assert "first published" not in text and "added to this database" in text


def test_cameo_badge_is_explained(client, db):
    encounter = EncounterFactory(kind="phone_call")
    text = client.get(encounter.get_absolute_url()).content.decode()
    assert "CAMEO 041" in text and "a discussion by telephone" in text
    assert reverse("about") + "#cameo-codes" in text


def test_people_are_listed_by_family_name(client, db):
    for name, side in [
        ("Antony Blinken", Side.US),
        ("Xi Jinping", Side.PRC),
        ("Joe Biden", Side.US),
        ("Wang Yi", Side.PRC),
        ("Zhou Enlai", Side.PRC),
        ("Henry Kissinger", Side.US),
    ]:
        ParticipationFactory(person=PersonFactory(name=name, side=side), side=side)
    people = [p.name for p in client.get(reverse("person-list")).context["people"]]
    assert people == [
        "Joe Biden",
        "Antony Blinken",
        "Henry Kissinger",
        "Wang Yi",
        "Xi Jinping",
        "Zhou Enlai",
    ]


def test_topics_page_is_a_codebook(client, seeded):
    response = client.get(reverse("topic-list"))
    text = response.content.decode()
    assert "codebook" in text
    topics = list(response.context["topics"])
    assert topics and all(topic.description for topic in topics)
    assert all(escape(topic.description) in text for topic in topics)
