"""No lost updates (two editors, inlines included), history with restore, public change log."""

import pytest
from django.test import Client
from django.urls import reverse

from engagements.models import Encounter, Side, Source
from tests.adminforms import add_inline_row, change_url, form_data
from tests.conftest import make_staff
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(db):
    clients = []
    for name in ("alice", "bob"):
        client = Client()
        client.force_login(make_staff(name, "Editors"))
        clients.append(client)
    return clients


@pytest.fixture
def encounter(db):
    encounter = EncounterFactory(title="Blinken–Wang talks", summary="They met.")
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.US))
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.PRC))
    SourceFactory(encounter=encounter, outlet="Reuters")
    return encounter


def conflict_of(response):
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.conflict is not None, form.errors
    return form


def test_second_save_of_the_same_version_is_refused_and_nothing_is_lost(two_editors, encounter):
    alice, bob = two_editors
    alice_data = form_data(alice.get(change_url(encounter)))
    bob_data = form_data(bob.get(change_url(encounter)))
    alice_data["title"] = "Blinken–Wang talks in Munich"
    assert alice.post(change_url(encounter), alice_data).status_code == 302

    bob_data["summary"] = "Bob's summary."
    response = bob.post(change_url(encounter), bob_data)
    form = conflict_of(response)
    assert "alice changed this encounter after you opened it" in response.text
    title_change = next(c for c in form.conflict["changes"] if c["what"] == "Title")
    assert (title_change["before"], title_change["after"]) == (
        "Blinken–Wang talks",
        "Blinken–Wang talks in Munich",
    )
    assert title_change["who"] == "alice"
    assert 'id="edit-conflict"' in response.text
    # Bob's edit is still in the form he gets back, and Alice's change is intact.
    assert form["summary"].value() == "Bob's summary."
    encounter.refresh_from_db()
    assert encounter.title == "Blinken–Wang talks in Munich"
    assert encounter.summary == "They met."
    # Resubmitting the same stale form is refused again; a fresh one saves.
    assert conflict_of(bob.post(change_url(encounter), bob_data))
    fresh = form_data(bob.get(change_url(encounter))) | {"summary": "Bob's summary."}
    assert bob.post(change_url(encounter), fresh).status_code == 302
    encounter.refresh_from_db()
    assert (encounter.title, encounter.summary) == (
        "Blinken–Wang talks in Munich",
        "Bob's summary.",
    )


def test_an_inline_added_meanwhile_is_not_lost(two_editors, encounter):
    alice, bob = two_editors
    alice_data = form_data(alice.get(change_url(encounter)))
    bob_data = form_data(bob.get(change_url(encounter)))
    add_inline_row(alice_data, "sources", kind="us_readout", outlet="State Department")
    assert alice.post(change_url(encounter), alice_data).status_code == 302

    # Bob deletes the sources he saw and adds a quote: all refused.
    bob_data["sources-0-DELETE"] = "on"
    add_inline_row(bob_data, "quotes", text="Candid.", speaker_description="an official")
    form = conflict_of(bob.post(change_url(encounter), bob_data))
    assert any(
        c["what"] == "Source added" and "State Department" in c["after"]
        for c in form.conflict["changes"]
    )
    assert set(encounter.sources.values_list("outlet", flat=True)) == {
        "Reuters",
        "State Department",
    }
    assert not encounter.quotes.exists()


def test_an_inline_edited_meanwhile_is_reported_field_by_field(two_editors, encounter):
    alice, bob = two_editors
    bob_data = form_data(bob.get(change_url(encounter)))
    alice_data = form_data(alice.get(change_url(encounter)))
    office_field = next(k for k in alice_data if k.endswith("-office"))
    alice_data[office_field] = "Secretary of State"
    assert alice.post(change_url(encounter), alice_data).status_code == 302

    bob_data["title"] = "Another title"
    form = conflict_of(bob.post(change_url(encounter), bob_data))
    change = next(c for c in form.conflict["changes"] if c["what"].startswith("Participant"))
    assert "office: Minister" in change["before"]
    assert "office: Secretary of State" in change["after"]
    encounter.refresh_from_db()
    assert encounter.title == "Blinken–Wang talks"


def test_a_source_changed_on_its_own_page_makes_open_forms_stale(two_editors, encounter):
    alice, bob = two_editors
    bob_data = form_data(bob.get(change_url(encounter)))
    source = encounter.sources.get()
    source_url = reverse("admin:engagements_source_change", args=[source.pk])
    page = alice.get(source_url)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None} | {
        "encounter": encounter.pk,
        "outlet": "Reuters (corrected)",
        "url": source.url,
    }
    assert alice.post(source_url, data).status_code == 302
    conflict_of(bob.post(change_url(encounter), bob_data))
    assert Source.objects.get(pk=source.pk).outlet == "Reuters (corrected)"


def test_version_only_ever_increases(encounter):
    stale = Encounter.objects.get(pk=encounter.pk)
    start = stale.version
    encounter.save()
    encounter.save()
    stale.save()  # a stale in-memory copy still moves the version forward
    assert Encounter.objects.get(pk=encounter.pk).version == stale.version == start + 3


# --- History and restore -----------------------------------------------------------------------


def test_history_shows_who_what_and_the_inlines(editor_client, editor, encounter):
    data = form_data(editor_client.get(change_url(encounter)))
    data["title"] = "Renamed"
    data["change_note"] = "Corrected the title"
    add_inline_row(data, "sources", kind="news", outlet="AP")
    assert editor_client.post(change_url(encounter), data).status_code == 302
    history = editor_client.get(reverse("admin:engagements_encounter_history", args=[encounter.pk]))
    assert history.status_code == 200
    text = history.text
    assert "Renamed" in text and "Blinken–Wang talks" in text  # the title's diff
    assert "Corrected the title" in text
    assert "eddie" in text
    sources = next(p for p in history.context["part_histories"] if p["label"] == "Sources")
    assert sources["records"][0]["object"] == "AP"
    assert sources["records"][0]["record"].history_user == editor


def test_history_page_queries_are_bounded(editor_client, encounter, django_assert_max_num_queries):
    url = reverse("admin:engagements_encounter_history", args=[encounter.pk])
    for n in range(15):
        SourceFactory(encounter=encounter, outlet=f"Outlet {n}")
        encounter.title = f"Title {n}"
        encounter.save()
    with django_assert_max_num_queries(30):
        assert editor_client.get(url).status_code == 200


def test_restore_an_earlier_version(editor_client, encounter):
    original = encounter.history.earliest()
    encounter.title = "Vandalised"
    encounter.summary = "Nonsense."
    encounter.save()
    url = reverse("admin:engagements_encounter_simple_history", args=[encounter.pk, original.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    assert data["title"] == "Blinken–Wang talks"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    encounter.refresh_from_db()
    assert (encounter.title, encounter.summary) == ("Blinken–Wang talks", "They met.")
    assert encounter.version > 2
    assert encounter.history.count() == 3


def test_restore_cannot_be_used_by_an_editor_to_publish(editor_client, encounter):
    published = encounter.history.latest()
    encounter.status = Encounter.Status.DRAFT
    encounter.save()
    url = reverse("admin:engagements_encounter_simple_history", args=[encounter.pk, published.pk])
    response = editor_client.post(url, form_data(editor_client.get(url)))
    # The content is restored; publication is not (that is a publisher's separate act).
    assert response.status_code == 302
    encounter.refresh_from_db()
    assert encounter.status == "draft"


# --- Public change log -------------------------------------------------------------------------


def test_public_page_shows_last_updated_and_the_change_log(client, editor_client, encounter):
    data = form_data(editor_client.get(change_url(encounter)))
    data["summary"] = "They met for five hours."
    data["change_note"] = "Corrected the length of the meeting"
    assert editor_client.post(change_url(encounter), data).status_code == 302
    response = Client().get(encounter.get_absolute_url())
    assert "Last updated" in response.text
    assert "Corrected the length of the meeting" in response.text
    assert "eddie" not in response.text  # editors' names stay in the admin


def as_editor(instance, user):
    """Save as an editor would (the admin records its user on every history record)."""
    instance._history_user = user
    instance.save()
    return instance


def test_change_log_costs_a_fixed_number_of_queries(
    client, editor, encounter, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(encounter.get_absolute_url()).status_code == 200
        return len(captured)

    before = queries()
    for n in range(12):
        encounter.summary = f"Summary {n}"
        as_editor(encounter, editor)
        as_editor(SourceFactory.build(encounter=encounter), editor)
    assert queries() == before
    text = client.get(encounter.get_absolute_url()).text
    assert "Source added." in text and "Updated: summary." in text


def test_drafts_history_is_not_in_the_public_log(editor):
    from engagements.domain.editorial import public_change_log

    encounter = EncounterFactory(status="draft", published_at=None)
    encounter.summary = "Draft work"
    as_editor(encounter, editor)
    assert public_change_log(encounter) == []
    encounter.status = "published"
    as_editor(encounter, editor)
    encounter.tone = "candid"
    as_editor(encounter, editor)
    log = public_change_log(encounter)
    assert [entry["text"] for entry in log] == ["Updated: tone.", "Published."]


def test_how_a_record_was_loaded_is_not_in_the_public_log(client, editor, seeded):
    from engagements.domain.editorial import public_change_log

    # The seed (like the Office of the Historian import) adds parts after publishing.
    encounter = Encounter.objects.get(slug="biden-xi-phone-call-2021-02-10")
    assert encounter.participations.exists() and public_change_log(encounter) == []
    text = client.get(encounter.get_absolute_url()).text
    assert "Participant added" not in text and "Source added" not in text
    as_editor(SourceFactory.build(encounter=encounter, outlet="AP"), editor)
    assert [entry["text"] for entry in public_change_log(encounter)] == ["Source added."]


def test_restoring_a_version_from_before_publication_keeps_it_published(
    publisher_client, encounter
):
    encounter.status = Encounter.Status.DRAFT
    encounter.published_at = None
    encounter.save()
    draft_version = encounter.history.latest()
    encounter.status = Encounter.Status.PUBLISHED
    encounter.title = "Vandalised"
    encounter.save()
    first_published = encounter.published_at
    url = reverse(
        "admin:engagements_encounter_simple_history", args=[encounter.pk, draft_version.pk]
    )
    data = form_data(publisher_client.get(url))
    data["status"] = "draft"  # even if sent, the restore does not change publication
    response = publisher_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    encounter.refresh_from_db()
    assert encounter.title == "Blinken–Wang talks"
    assert encounter.status == Encounter.Status.PUBLISHED
    assert encounter.published_at == first_published
    assert Client().get(encounter.get_absolute_url()).status_code == 200


# --- Duplicate warning ---------------------------------------------------------------------------


def test_duplicate_warning_can_be_confirmed_past(editor_client, encounter):
    add = reverse("admin:engagements_encounter_add")
    data = form_data(editor_client.get(add))
    data |= {
        "title": "Same talks again",
        "slug": "same-talks-again",
        "kind": "meeting",
        "venue": "third_country",
        "level": "cabinet",
        "start_date": encounter.start_date.isoformat(),
    }
    for n, participation in enumerate(encounter.participations.all()):
        prefix = f"participations-{n}"
        data |= {
            f"{prefix}-person": str(participation.person_id),
            f"{prefix}-side": participation.side,
            f"{prefix}-role": "principal",
            f"{prefix}-order": "0",
        }
    data["participations-TOTAL_FORMS"] = "2"
    response = editor_client.post(add, data)
    assert response.status_code == 200
    assert "Possible duplicate" in response.text
    assert encounter.title in response.text
    assert 'name="confirm_not_duplicate"' in response.text
    assert not Encounter.objects.filter(slug="same-talks-again").exists()
    data["confirm_not_duplicate"] = "on"
    response = editor_client.post(add, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [i.formset.errors for i in response.context["inline_admin_formsets"]],
        [i.formset.non_form_errors() for i in response.context["inline_admin_formsets"]],
    )
    assert Encounter.objects.get(slug="same-talks-again").participations.count() == 2
