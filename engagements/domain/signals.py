"""What follows a save of an encounter or of a row it is built from: every receiver in one place.

Two things depend on the rows around an encounter:

- Its `version`: a participant, source or quote that changes changes the encounter too. Bumping
  the version makes an editor's form opened before the change stale, so their save is refused
  instead of silently undoing it (engagements/domain/editorial.py, "No lost updates").
- Its `search_document`: the full-text index covers participants' names and offices, quotes,
  topics, readouts' titles and texts and the place, which live in other tables
  (Encounter.build_search_document).

These rows are written through the admin's inlines, the seed loader, importers and the shell;
receivers on their saves and deletes catch every one of those paths without each having to
remember, which a view- or form-level hook would not. A database trigger would too, but would
hide search logic from the Python that builds the same document for bulk paths, and the two
would drift.

One save that writes many rows (the admin's form with its inlines) runs inside
`encounter_changes_batched()`: the receivers then note which encounters changed, and each one's
version is bumped and its search document rebuilt once, when the batch ends, instead of once per
row.

Bulk paths (bulk_create, QuerySet.update) send no signals: they must call
`build_search_document()` or `Encounter.objects.filter(...).refresh_search_documents()`.
"""

import contextlib
import contextvars

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from engagements.domain.models import bump_version
from engagements.domain.text import without_control_characters
from engagements.models import Encounter, Participation, Person, Place, Quote, Source, Topic

# The parts of an encounter that change its version; all of them are in its search document too
# (a source through its readout's title and text).
VERSIONED_PARTS = (Participation, Source, Quote)
SEARCHED_PARTS = (Participation, Quote, Source)

# Inside encounter_changes_batched(): {"bump": {ids}, "search": {ids}}; None outside.
_batch = contextvars.ContextVar("encounter_changes_batch", default=None)


@contextlib.contextmanager
def encounter_changes_batched():
    """Bump versions and rebuild search documents once per encounter, at the end of the block.

    Run it inside the transaction of the writes: the work happens when the block ends without an
    exception (on an exception the transaction is rolled back anyway). Nested blocks join the
    outer one.
    """
    if _batch.get() is not None:
        yield
        return
    changes = {"bump": set(), "search": set(), "rules": set()}
    token = _batch.set(changes)
    try:
        yield
    finally:
        _batch.reset(token)
    for encounter_id in sorted(changes["rules"]):
        apply_coding_rules(encounter_id)
    for encounter_id in sorted(changes["bump"]):
        bump_version(encounter_id)
    for encounter_id in sorted(changes["search"]):
        refresh_search_document(encounter_id)


def part_changed(instance, searched):
    batch = _batch.get()
    if batch is None:
        bump_version(instance.encounter_id)
        if searched:
            refresh_search_document(instance.encounter_id)
        return
    batch["bump"].add(instance.encounter_id)
    if searched:
        batch["search"].add(instance.encounter_id)


def apply_coding_rules(encounter_id):
    """The level is derived from the leads' offices: keep it following them."""
    encounter = Encounter.objects.filter(pk=encounter_id).select_related("place").first()
    if encounter is not None:
        encounter.apply_coding_rules()


def participants_changed(encounter_id):
    batch = _batch.get()
    if batch is None:
        apply_coding_rules(encounter_id)
    else:
        batch["rules"].add(encounter_id)


def search_changed(encounter_ids):
    """Rebuild these encounters' search documents now, or once when the batch ends."""
    batch = _batch.get()
    if batch is not None:
        batch["search"].update(encounter_ids)
    elif encounter_ids:
        Encounter.objects.filter(pk__in=encounter_ids).refresh_search_documents()


def refresh_search_document(encounter_id):
    encounter = Encounter.objects.filter(pk=encounter_id).select_related("place").first()
    if encounter is not None:  # gone already when the delete cascades from the encounter
        encounter.refresh_search_document()


# --- Receivers ---------------------------------------------------------------------------------


@receiver(post_save, sender=Participation, dispatch_uid="encounter-participation-saved")
@receiver(post_save, sender=Source, dispatch_uid="encounter-source-saved")
@receiver(post_save, sender=Quote, dispatch_uid="encounter-quote-saved")
def part_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return  # loaddata: leave fixtures as they are
    part_changed(instance, searched=sender in SEARCHED_PARTS)
    if sender is Participation:
        participants_changed(instance.encounter_id)


@receiver(post_delete, sender=Participation, dispatch_uid="encounter-participation-deleted")
@receiver(post_delete, sender=Source, dispatch_uid="encounter-source-deleted")
@receiver(post_delete, sender=Quote, dispatch_uid="encounter-quote-deleted")
def part_deleted(sender, instance, origin=None, **kwargs):
    if isinstance(origin, Encounter):
        return  # the encounter itself is being deleted
    part_changed(instance, searched=sender in SEARCHED_PARTS)
    if sender is Participation:
        participants_changed(instance.encounter_id)


@receiver(post_save, sender=Encounter, dispatch_uid="search-encounter-saved")
def encounter_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    # Encounter.save() bumps its own version. Only the place is read from the encounter's own
    # row into the search document; a new encounter has no other rows yet.
    if raw or (update_fields is not None and "place" not in update_fields):
        return
    if created and not instance.place_id:
        return
    batch = _batch.get()
    if batch is not None:
        batch["search"].add(instance.pk)
    else:
        instance.refresh_search_document()


@receiver(post_save, sender=Person, dispatch_uid="search-person-saved")
def person_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return  # a new person takes part in nothing yet
    Encounter.objects.filter(participations__person=instance).refresh_search_documents()


@receiver(post_save, sender=Place, dispatch_uid="search-place-saved")
def place_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    Encounter.objects.filter(place=instance).refresh_search_documents()


# Topic names are in the search document: tagging, untagging, renaming or deleting a topic
# changes what finds the encounters concerned.
@receiver(m2m_changed, sender=Encounter.topics.through, dispatch_uid="search-topics-changed")
def topics_changed(sender, instance, action, reverse, pk_set, raw=False, **kwargs):
    if raw:
        return
    if action == "pre_clear" and reverse:
        # Clearing a topic's encounters names none of them afterwards: note them now.
        instance._cleared_encounter_ids = list(instance.encounters.values_list("pk", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        search_changed([instance.pk])
    elif action == "post_clear":
        search_changed(getattr(instance, "_cleared_encounter_ids", []))
    else:
        search_changed(sorted(pk_set or ()))


@receiver(post_save, sender=Topic, dispatch_uid="search-topic-saved")
def topic_saved(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return  # a new topic tags nothing yet
    search_changed(list(instance.encounters.values_list("pk", flat=True)))


@receiver(pre_delete, sender=Topic, dispatch_uid="search-topic-deleting")
def topic_deleting(sender, instance, **kwargs):
    # The links go with the topic (no m2m signal for them): note the encounters first.
    instance._tagged_encounter_ids = list(instance.encounters.values_list("pk", flat=True))


@receiver(post_delete, sender=Topic, dispatch_uid="search-topic-deleted")
def topic_deleted(sender, instance, **kwargs):
    search_changed(getattr(instance, "_tagged_encounter_ids", []))


@receiver(pre_save, dispatch_uid="drop-control-characters")
def drop_control_characters(sender, instance, raw=False, **kwargs):
    """Every text field of the record, whatever the write path: no control characters
    (engagements/domain/text.py). A fixture load (raw) is stored as it is."""
    if raw or sender._meta.app_label != "engagements":
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and not field.generated:
            value = getattr(instance, field.attname)
            cleaned = without_control_characters(
                value, multiline=isinstance(field, models.TextField)
            )
            if cleaned is not value:
                setattr(instance, field.attname, cleaned)


def deletes_encounters(origin):
    """The deletion started from encounters: their sources go with them."""
    model = origin.model if isinstance(origin, models.QuerySet) else type(origin)
    return model is Encounter


@receiver(pre_delete, sender=Source, dispatch_uid="published-keeps-a-source")
def keep_a_source_on_published_encounters(sender, instance, origin=None, **kwargs):
    """Refuse to delete a published encounter's last source (Source.removal_problem). Inside
    the encounter form's batch the form has checked the submitted sources itself (a source
    replaced in one save is deleted before its successor is added)."""
    if _batch.get() is not None or deletes_encounters(origin):
        return
    leaving = ()
    if isinstance(origin, models.QuerySet):
        leaving = set(origin.values_list("pk", flat=True))
    problem = instance.removal_problem(leaving)
    if problem:
        raise ValidationError(problem)
