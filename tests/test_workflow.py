"""Roles, draft → review → published, the publish checklist and the draft preview."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from engagements.models import Encounter, Side
from tests.adminforms import add_inline_row, change_url, form_data
from tests.factories import EncounterFactory, ParticipationFactory, PersonFactory, SourceFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:engagements_encounter_changelist")


def draft(**kwargs):
    return EncounterFactory(status=Encounter.Status.DRAFT, published_at=None, **kwargs)


def complete(encounter):
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.US))
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.PRC))
    SourceFactory(encounter=encounter)
    return encounter


# --- Roles ---------------------------------------------------------------------------------


def test_groups_hold_the_right_permissions(editor, publisher):
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=1))
    publishers = set(
        Group.objects.get(name="Publishers").permissions.values_list("codename", flat=True)
    )
    assert {"add_encounter", "change_encounter", "add_source", "delete_source"} <= editors
    assert not {"publish_encounter", "delete_encounter", "delete_person"} & editors
    assert editors < publishers
    assert {"publish_encounter", "delete_encounter"} <= publishers
    assert not editor.has_perm("engagements.publish_encounter")
    assert publisher.has_perm("engagements.publish_encounter")


def test_create_editor_puts_the_user_in_the_chosen_group(db, monkeypatch):
    from tests.conftest import ensure_editorial_groups

    ensure_editorial_groups()
    monkeypatch.setenv("DJANGO_EDITOR_PASSWORD", "a long enough passphrase")
    out = io.StringIO()
    call_command("create_editor", username="ada", group="publishers", stdout=out)
    assert "Created publisher 'ada'" in out.getvalue()

    ada = User.objects.get(username="ada")
    assert ada.is_staff and not ada.is_superuser
    assert list(ada.groups.values_list("name", flat=True)) == ["Publishers"]
    call_command("create_editor", username="ada", group="editors", stdout=out)
    assert list(ada.groups.values_list("name", flat=True)) == ["Editors"]
    assert ada.check_password("a long enough passphrase")


def test_editor_cannot_publish_through_the_form(editor_client):
    encounter = complete(draft())
    page = editor_client.get(change_url(encounter))
    choices = [value for value, _ in page.context["adminform"].form.fields["status"].choices]
    assert choices == ["draft", "review"]
    data = form_data(page) | {"status": "published"}
    response = editor_client.post(change_url(encounter), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    encounter.refresh_from_db()
    assert encounter.status == "draft"


def test_editor_submits_for_review_in_the_form_and_by_action(editor_client):
    first, second = draft(), draft()
    data = form_data(editor_client.get(change_url(first))) | {"status": "review"}
    assert editor_client.post(change_url(first), data).status_code == 302
    response = editor_client.post(
        CHANGELIST, {"action": "submit_for_review", "_selected_action": [second.pk]}
    )
    assert response.status_code == 302
    assert set(Encounter.objects.values_list("status", flat=True)) == {"review"}


def test_editor_sees_no_publish_actions_and_cannot_use_them(editor_client):
    encounter = complete(draft())
    actions = editor_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    names = {name for name, _ in actions}
    assert "submit_for_review" in names
    assert not names & {"publish_selected", "unpublish_selected", "delete_selected"}
    editor_client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [encounter.pk]}
    )
    encounter.refresh_from_db()
    assert encounter.status == "draft"


def test_editor_cannot_delete_or_unpublish(editor_client):
    encounter = complete(EncounterFactory())
    delete = reverse("admin:engagements_encounter_delete", args=[encounter.pk])
    assert editor_client.get(delete).status_code == 403
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    page = editor_client.get(change_url(encounter))
    assert page.context["adminform"].form.fields["status"].disabled
    data = form_data(page) | {"status": "draft", "summary": "Corrected summary."}
    assert editor_client.post(change_url(encounter), data).status_code == 302
    encounter.refresh_from_db()
    # The correction is saved; the status stays published (the disabled field is ignored).
    assert (encounter.status, encounter.summary) == ("published", "Corrected summary.")
    assert Encounter.objects.filter(pk=encounter.pk).exists()


def test_publisher_can_delete(publisher_client):
    encounter = draft()
    delete = reverse("admin:engagements_encounter_delete", args=[encounter.pk])
    assert publisher_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Encounter.objects.filter(pk=encounter.pk).exists()


def test_the_public_never_sees_the_admin(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- The publish checklist -------------------------------------------------------------------


def test_checklist_names_everything_missing(db):
    encounter = draft(summary="")
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.US))
    problems = encounter.publish_problems()
    assert problems == [
        "Add a summary.",
        "Add at least one principal for the People's Republic of China (a participant with "
        "side “People's Republic of China” and role “Principal”, “Host”, “Visitor” or "
        "“Remote participant”).",
        "Add at least one source.",
    ]
    complete(encounter)
    encounter.summary = "Talks."
    assert encounter.publish_problems() == []


def test_a_visits_host_and_visitor_lead_their_sides(db):
    """A seeded trip (visitor and host, no “principal” role) can be published and corrected."""
    encounter = draft()
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.US), role="visitor")
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.PRC), role="host")
    SourceFactory(encounter=encounter)
    assert encounter.publish_problems() == []


def test_delegation_members_do_not_count_as_principals(db):
    encounter = complete(draft())
    encounter.participations.filter(side=Side.PRC).update(role="delegation")
    assert any("People's Republic" in p for p in encounter.publish_problems())


def test_publisher_publishes_a_complete_encounter_from_the_form(publisher_client):
    encounter = complete(draft())
    data = form_data(publisher_client.get(change_url(encounter))) | {"status": "published"}
    assert publisher_client.post(change_url(encounter), data).status_code == 302
    encounter.refresh_from_db()
    assert encounter.status == "published" and encounter.published_at is not None


def test_publishing_checks_what_is_submitted_including_inlines(publisher_client):
    encounter = draft()
    ParticipationFactory(encounter=encounter, person=PersonFactory(side=Side.US))
    page = publisher_client.get(change_url(encounter))
    data = form_data(page) | {"status": "published"}
    response = publisher_client.post(change_url(encounter), data)
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["status"])
    assert "principal for the People's Republic of China" in errors
    assert "Add at least one source." in errors
    assert "Add a summary." not in errors
    encounter.refresh_from_db()
    assert encounter.status == "draft"
    # Adding the missing rows in the same submission makes it publishable.
    wang = PersonFactory(side=Side.PRC, name="Wang Yi")
    add_inline_row(data, "participations", person=wang.pk, side="prc", role="principal", order=0)
    add_inline_row(data, "sources", kind="news", outlet="Xinhua", url="https://x.example/1")
    response = publisher_client.post(change_url(encounter), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    encounter.refresh_from_db()
    assert encounter.status == "published"
    assert encounter.sources.get().outlet == "Xinhua"


def test_removing_the_last_source_of_a_published_encounter_is_refused(publisher_client):
    encounter = complete(EncounterFactory())
    data = form_data(publisher_client.get(change_url(encounter)))
    data["sources-0-DELETE"] = "on"
    response = publisher_client.post(change_url(encounter), data)
    assert response.status_code == 200
    assert encounter.sources.count() == 1


def test_publish_action_reports_each_blocked_row(publisher_client):
    ready = complete(draft(title="Ready"))
    lacking = draft(title="Lacking", summary="")
    response = publisher_client.post(
        CHANGELIST,
        {"action": "publish_selected", "_selected_action": [ready.pk, lacking.pk]},
        follow=True,
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Published 1 encounter(s)." in text
    assert "Not published: Lacking" in text and "Add a summary." in text
    ready.refresh_from_db()
    lacking.refresh_from_db()
    assert (ready.status, lacking.status) == ("published", "draft")


def test_unpublish_action(publisher_client):
    encounter = complete(EncounterFactory())
    publisher_client.post(
        CHANGELIST, {"action": "unpublish_selected", "_selected_action": [encounter.pk]}
    )
    encounter.refresh_from_db()
    assert encounter.status == "draft"


# --- The transitions on the model -------------------------------------------------------------


def test_transitions_move_draft_to_review_to_published_and_back(publisher):
    encounter = complete(draft())
    assert encounter.submit_for_review(by=publisher) is True
    assert encounter.submit_for_review(by=publisher) is False  # only drafts are submitted
    assert encounter.publish(by=publisher) is True
    assert encounter.is_published and encounter.published_at is not None
    assert encounter.publish(by=publisher) is False
    assert encounter.unpublish(by=publisher) is True
    encounter.refresh_from_db()
    assert encounter.status == "draft" and not encounter.is_published
    records = encounter.history.order_by("history_date")
    assert [r.status for r in records][-3:] == ["review", "published", "draft"]
    assert {r.history_user for r in records[1:]} == {publisher}
    assert [r.history_change_reason for r in records][-3:] == [
        "Submitted for review",
        None,
        "Unpublished",
    ]


def test_publish_refuses_an_incomplete_encounter_and_an_editor(editor, publisher):
    lacking = draft(summary="")
    with pytest.raises(ValidationError) as refused:
        lacking.publish(by=publisher)
    assert "Add a summary." in refused.value.messages
    ready = complete(draft())
    with pytest.raises(PermissionDenied):
        ready.publish(by=editor)
    ready.refresh_from_db()
    lacking.refresh_from_db()
    assert (ready.status, lacking.status) == ("draft", "draft")


def test_the_published_queryset_and_property_agree(db):
    public, hidden = EncounterFactory(), draft()
    assert list(Encounter.objects.published()) == [public]
    assert (public.is_published, hidden.is_published) == (True, False)


# --- Draft preview ---------------------------------------------------------------------------


def test_draft_preview_is_for_staff_only(client, editor_client):
    encounter = draft(title="Secret draft")
    preview = reverse("encounter-preview", kwargs={"slug": encounter.slug})
    from django.test import Client

    anonymous = Client()
    assert anonymous.get(preview).status_code == 404
    assert anonymous.get(encounter.get_absolute_url()).status_code == 404
    response = editor_client.get(preview)
    assert response.status_code == 200
    assert "Secret draft" in response.text
    assert "preview-banner" in response.text and "The public cannot see it." in response.text
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_view_on_site_links_drafts_to_the_preview(editor_client):
    encounter = draft()
    response = editor_client.get(change_url(encounter))
    assert reverse("encounter-preview", kwargs={"slug": encounter.slug}) in response.text
