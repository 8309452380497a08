"""What got in editors' and publishers' way in the admin: the add form's first save, slugs that
lost words, history diffs, the delete confirmation, the changelist search, finding work."""

import pytest
from django.urls import reverse

from engagements.models import Encounter, Person
from tests.test_admin import formset_management

pytestmark = pytest.mark.django_db


def add_form_data(**overrides):
    return {
        "title": "Blinken–Wang call",
        "slug": "blinken-wang-call-2024-01-05",
        "status": "draft",
        "occurrence": "held",
        "kind": "phone_call",
        "venue": "remote",
        "level": "",
        "initiated_by": "unknown",
        "start_date": "2024-01-05",
        "end_date": "",
        "date_precision": "day",
        "tone": "unknown",
        "provenance": "curated",
        **formset_management("participations", 0),
        **formset_management("sources"),
        **formset_management("quotes"),
        **overrides,
    }


def with_principals(data, *rows):
    data.update(formset_management("participations", len(rows)))
    for index, (person, side, office) in enumerate(rows):
        data[f"participations-{index}-person"] = str(person.pk)
        data[f"participations-{index}-side"] = side
        data[f"participations-{index}-role"] = "principal"
        data[f"participations-{index}-office"] = office
        data[f"participations-{index}-order"] = str(index)
    return data


def test_add_form_first_save_derives_the_level_left_empty(admin_client, seeded):
    data = with_principals(
        add_form_data(),
        (Person.objects.get(slug="antony-blinken"), "us", "Secretary of State"),
        (Person.objects.get(slug="wang-yi"), "prc", "Foreign Minister"),
    )
    response = admin_client.post(reverse("admin:engagements_encounter_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    encounter = Encounter.objects.get(slug="blinken-wang-call-2024-01-05")
    assert encounter.level == encounter.derived_level == "cabinet"


def test_add_form_without_a_derivable_level_asks_for_one(admin_client, seeded):
    response = admin_client.post(reverse("admin:engagements_encounter_add"), add_form_data())
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["level"]
    assert "choose one" in errors[0]
    assert not Encounter.objects.filter(slug="blinken-wang-call-2024-01-05").exists()


def test_make_slug_keeps_words_joined_by_a_dash():
    from engagements.domain.links import make_slug

    assert make_slug("Rubio–Wang Yi phone call", "2025-01-24") == (
        "rubio-wang-yi-phone-call-2025-01-24"
    )
    assert make_slug("Biden—Xi summit") == "biden-xi-summit"


def test_add_form_fills_an_empty_slug_keeping_words_across_the_en_dash(admin_client, seeded):
    data = with_principals(
        add_form_data(title="Rubio–Wang Yi phone call", slug="", start_date="2025-01-24"),
        (Person.objects.get(slug="antony-blinken"), "us", "Secretary of State"),
        (Person.objects.get(slug="wang-yi"), "prc", "Foreign Minister"),
    )
    response = admin_client.post(reverse("admin:engagements_encounter_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Encounter.objects.filter(slug="rubio-wang-yi-phone-call-2025-01-24").exists()
    # The add page no longer runs the admin's own slug script, which drops the dash.
    page = admin_client.get(reverse("admin:engagements_encounter_add"))
    assert "#id_slug" not in page.context["prepopulated_fields_json"]
