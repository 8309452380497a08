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


READOUT_URL = "https://www.state.gov/secretary-blinkens-call-with-prc-director-wang-yi"


def with_source_and_quote(data, quote_source_url):
    data.update(formset_management("sources", 1))
    data.update(
        {
            "sources-0-kind": "us_readout",
            "sources-0-outlet": "U.S. Department of State",
            "sources-0-title": "Secretary Blinken's Call with PRC Director Wang Yi",
            "sources-0-url": READOUT_URL,
        }
    )
    data.update(formset_management("quotes", 1))
    data.update(
        {
            "quotes-0-text": "We will manage the relationship responsibly.",
            "quotes-0-speaker_description": "Secretary Blinken",
            "quotes-0-source_url": quote_source_url,
            "quotes-0-language": "en",
        }
    )
    return data


def test_a_quote_names_its_source_on_the_first_save(admin_client, seeded):
    """A new encounter has no saved source to choose: the quote names one added above by its
    address, and is attributed to it when both are saved."""
    data = with_source_and_quote(
        with_principals(
            add_form_data(),
            (Person.objects.get(slug="antony-blinken"), "us", "Secretary of State"),
            (Person.objects.get(slug="wang-yi"), "prc", "Foreign Minister"),
        ),
        READOUT_URL,
    )
    response = admin_client.post(reverse("admin:engagements_encounter_add"), data)
    assert response.status_code == 302, response.context["errors"]
    quote = Encounter.objects.get(slug="blinken-wang-call-2024-01-05").quotes.get()
    assert quote.source is not None and quote.source.url == READOUT_URL


def test_a_quotes_source_address_must_be_among_the_sources(admin_client, seeded):
    data = with_source_and_quote(
        with_principals(
            add_form_data(),
            (Person.objects.get(slug="antony-blinken"), "us", "Secretary of State"),
        ),
        "https://example.org/not-listed",
    )
    response = admin_client.post(reverse("admin:engagements_encounter_add"), data)
    assert response.status_code == 200
    assert "No source in the Sources section has this address" in response.text
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


def test_history_shows_changes_in_full_and_related_rows_by_name(admin_client, seeded):
    from engagements.models import Quote, Source

    encounter = Encounter.objects.filter(sources__isnull=False).first()
    summary = "A made-up summary that runs on for well over a hundred characters, " * 3
    encounter.summary = summary + "and ends in the editorial workflow"
    encounter.save()
    source = encounter.sources.first()
    quote = Quote.objects.create(encounter=encounter, text="We talked.", speaker_description="x")
    quote.source = source
    quote.save()
    response = admin_client.get(reverse("admin:engagements_encounter_history", args=[encounter.pk]))
    page = response.content.decode()
    assert "and ends in the editorial workflow" in page
    assert "chars]" not in page
    assert f"→ {source.pk}<" not in page and f"→ {source.pk};" not in page
    assert str(Source.objects.get(pk=source.pk)) in page


def test_delete_confirmation_names_topics(admin_client, seeded):
    encounter = Encounter.objects.filter(topics__isnull=False).first()
    topic = encounter.topics.first()
    response = admin_client.get(reverse("admin:engagements_encounter_delete", args=[encounter.pk]))
    page = response.content.decode()
    assert "Encounter_topics object" not in page
    assert topic.name in page


def test_changelist_search_for_a_slug_beginning_with_hyphens(admin_client, seeded):
    encounter = Encounter.objects.first()
    start = "-".join(encounter.slug.split("-")[:3])
    response = admin_client.get(reverse("admin:engagements_encounter_changelist"), {"q": start})
    assert encounter in response.context["cl"].result_list


def test_admin_index_lists_what_waits_for_review_and_links_the_data_check(client, seeded):
    from tests.conftest import make_staff

    waiting = Encounter.objects.first()
    Encounter.objects.filter(pk=waiting.pk).update(status="review")
    client.force_login(make_staff("pat", "Publishers"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for review (1)" in page
    assert reverse("admin:engagements_encounter_change", args=[waiting.pk]) in page
    assert reverse("data-check") in page
    client.force_login(make_staff("eddie", "Editors"))
    page = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for review" not in page and reverse("data-check") in page


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain and response.redirect_chain[0][0].endswith(".svg")


def test_import_preview_shows_topics_principals_and_sources(publisher_client, db):
    from tests.factories import PersonFactory, TopicFactory
    from tests.test_import import csv_file, row, upload

    TopicFactory(name="Climate", slug="climate")
    PersonFactory(name="Antony Blinken", slug="antony-blinken", side="us")
    PersonFactory(name="Wang Yi", slug="wang-yi", side="prc", aliases="Wang Yee")
    preview = upload(publisher_client, csv_file(row()))
    cells = preview.text.split('<table class="import-preview">')[1].split("</table>")[0]
    assert "Climate" in cells
    assert "Antony Blinken" in cells and "Wang Yi" in cells
    assert "State Department" in cells


def test_import_explains_a_violated_constraint_in_words(publisher_client, db):
    from tests.test_import import csv_file, row, upload

    page = upload(
        publisher_client,
        csv_file(row(start_date="2024-04-26", end_date="2024-04-20", topics="", principals="")),
    ).text
    assert "encounter_end_not_before_start" not in page
    assert "The last day is before the first day" in page
