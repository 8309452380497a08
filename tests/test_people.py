"""People and topic pages."""

import datetime

import pytest
from django.urls import reverse

from engagements.models import Encounter
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_person_offices_over_time_and_encounters_in_order(client):
    wang = PersonFactory(slug="wang-yi", name="Wang Yi", side="prc")
    for day, office in [
        (datetime.date(2021, 3, 18), "State Councilor and Foreign Minister"),
        (datetime.date(2022, 11, 14), "State Councilor and Foreign Minister"),
        (datetime.date(2023, 6, 18), "Director of the Office of the Central Foreign Affairs"),
    ]:
        ParticipationFactory(encounter=EncounterFactory(start_date=day), person=wang, office=office)
    response = client.get(reverse("person-detail", args=["wang-yi"]))
    assert response.status_code == 200
    offices = [(o["office"], o["first"], o["count"]) for o in response.context["offices"]]
    assert offices == [
        ("State Councilor and Foreign Minister", datetime.date(2021, 3, 18), 2),
        ("Director of the Office of the Central Foreign Affairs", datetime.date(2023, 6, 18), 1),
    ]
    dates = [e.start_date for e in response.context["encounters"]]
    assert dates == sorted(dates)
    assert "March 2021 – November 2022" in response.text


def test_person_counterparts_met_most(client):
    kerry = PersonFactory(slug="kerry", side="us")
    xie = PersonFactory(slug="xie", name="Xie Zhenhua", side="prc")
    han = PersonFactory(slug="han", name="Han Zheng", side="prc")
    colleague = PersonFactory(slug="colleague", side="us")
    for partner in (xie, xie, han):
        encounter = EncounterFactory()
        ParticipationFactory(encounter=encounter, person=kerry)
        ParticipationFactory(encounter=encounter, person=partner)
        ParticipationFactory(encounter=encounter, person=colleague)
    response = client.get(reverse("person-detail", args=["kerry"]))
    counterparts = [(c["person__slug"], c["count"]) for c in response.context["counterparts"]]
    assert counterparts == [("xie", 2), ("han", 1)]  # own side is not a counterpart
    assert 'href="/encounters/?person=kerry&amp;person=xie"' in response.text


def test_person_page_hides_drafts_and_links_the_filtered_list(client):
    person = PersonFactory(slug="someone")
    ParticipationFactory(
        person=person,
        encounter=EncounterFactory(title="Draft", status=Encounter.Status.DRAFT, published_at=None),
        office="Secret office",
    )
    # Known only from a draft: as unknown as a slug never used (no name, no enumeration).
    response = client.get(reverse("person-detail", args=["someone"]))
    assert response.status_code == 404
    assert "Secret office" not in response.text and person.name not in response.text
    assert client.get(reverse("person-detail", args=["nobody"])).status_code == 404
    drafts_only = client.get(reverse("encounter-list"), {"person": "someone"})
    never_used = client.get(reverse("encounter-list"), {"person": "nobody"})
    assert drafts_only.status_code == never_used.status_code == 400
    assert drafts_only.context["form"].errors["person"] == [
        m.replace("nobody", "someone") for m in never_used.context["form"].errors["person"]
    ]
    ParticipationFactory(person=person, encounter=EncounterFactory(title="Public"))
    response = client.get(reverse("person-detail", args=["someone"]))
    assert "Secret office" not in response.text and "Draft" not in response.text
    assert 'href="/encounters/?person=someone"' in response.text


def test_people_list_finds_names_in_any_script_and_filters_by_side(client, seeded):
    response = client.get(reverse("person-list"), {"q": "王毅"})
    assert [p.slug for p in response.context["people"]] == ["wang-yi"]
    response = client.get(reverse("person-list"), {"side": "us"})
    assert {p.side for p in response.context["people"]} == {"us"}
    assert client.get(reverse("person-list"), {"side": "mars"}).status_code == 400


def test_topic_page_shows_its_encounters_over_time(client, seeded):
    response = client.get(reverse("topic-detail", args=["climate"]))
    assert response.status_code == 200
    dates = [e.start_date for e in response.context["encounters"]]
    assert dates == sorted(dates) and len(dates) == 6
    assert response.context["timeline"].total == 6
    assert '<svg class="timeline"' in response.text
    assert 'href="/encounters/?topic=climate"' in response.text


def test_topic_list_counts_published_encounters(client, seeded):
    response = client.get(reverse("topic-list"))
    counts = {t.slug: t.encounter_count for t in response.context["topics"]}
    # A topic of drafts only (or of none) is not listed: drafts never show through.
    assert counts["climate"] == 6 and "fentanyl" not in counts
    assert client.get(reverse("topic-detail", args=["fentanyl"])).status_code == 404
