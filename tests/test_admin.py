import datetime

import pytest
from django.urls import reverse

from engagements.models import Encounter, Person

pytestmark = pytest.mark.django_db


def test_changelist_search_add_and_change_pages(admin_client, seeded):
    changelist = reverse("admin:engagements_encounter_changelist")
    assert admin_client.get(changelist).status_code == 200
    response = admin_client.get(changelist, {"q": "Anchorage"})
    assert response.status_code == 200
    assert "Anchorage high-level strategic dialogue" in response.text
    assert "Biden–Xi phone call" not in response.text
    assert admin_client.get(reverse("admin:engagements_encounter_add")).status_code == 200
    encounter = Encounter.objects.get(slug="anchorage-talks-2021-03-18")
    change = reverse("admin:engagements_encounter_change", args=[encounter.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    assert "autocomplete" in response.text


@pytest.mark.parametrize(
    "model", ["person", "place", "topic", "source", "quote", "participation"][:5]
)
def test_other_changelists_and_add_pages(admin_client, seeded, model):
    assert admin_client.get(reverse(f"admin:engagements_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:engagements_{model}_add")).status_code == 200


def formset_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_editor_adds_a_meeting_with_a_participant(admin_client, seeded):
    blinken = Person.objects.get(slug="antony-blinken")
    data = {
        "title": "Blinken–Wang call",
        "slug": "blinken-wang-call-2024-01-05",
        "status": "draft",
        "occurrence": "held",
        "kind": "phone_call",
        "venue": "remote",
        "level": "cabinet",
        "initiated_by": "unknown",
        "start_date": "2024-01-05",
        "end_date": "",
        "date_precision": "day",
        "tone": "unknown",
        "provenance": "curated",
        **formset_management("participations", 1),
        "participations-0-person": str(blinken.pk),
        "participations-0-side": "us",
        "participations-0-role": "principal",
        "participations-0-office": "Secretary of State",
        "participations-0-order": "0",
        **formset_management("sources"),
        **formset_management("quotes"),
    }
    response = admin_client.post(reverse("admin:engagements_encounter_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    encounter = Encounter.objects.get(slug="blinken-wang-call-2024-01-05")
    assert encounter.end_date == datetime.date(2024, 1, 5)
    assert encounter.participations.get().office == "Secretary of State"
    assert "Blinken" in encounter.search_document


def test_admin_rejects_end_before_start_next_to_the_field(admin_client):
    data = {
        "title": "Bad dates",
        "slug": "bad-dates",
        "status": "draft",
        "occurrence": "held",
        "kind": "visit",
        "venue": "prc",
        "level": "cabinet",
        "initiated_by": "unknown",
        "start_date": "2024-01-05",
        "end_date": "2024-01-01",
        "date_precision": "day",
        "tone": "unknown",
        "provenance": "curated",
        **formset_management("participations"),
        **formset_management("sources"),
        **formset_management("quotes"),
    }
    response = admin_client.post(reverse("admin:engagements_encounter_add"), data)
    assert response.status_code == 200
    assert not Encounter.objects.filter(slug="bad-dates").exists()
    assert "encounter_end_not_before_start" in response.text or "end" in str(
        response.context["adminform"].form.errors
    )


def test_public_visitors_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:engagements_encounter_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
