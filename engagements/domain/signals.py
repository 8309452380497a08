"""Keep `Encounter.search_document` in step with the rows it is built from.

The full-text index covers participants' names and offices, quotes and the place, which live in
other tables (see Encounter.build_search_document). They are written through the admin's
inlines, the seed loader, importers and the shell; receivers on their saves and deletes catch
every one of those paths without each having to remember, which a view- or form-level hook would
not. A database trigger would too, but would hide search logic from the Python that builds the
same document for bulk paths, and the two would drift.

Bulk paths (bulk_create, QuerySet.update) send no signals: they must call
`build_search_document()` or `Encounter.objects.filter(...).refresh_search_documents()`.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from engagements.models import Encounter, Participation, Person, Place, Quote


def refresh_encounter(encounter_id):
    encounter = Encounter.objects.filter(pk=encounter_id).select_related("place").first()
    if encounter is not None:  # gone already when the delete cascades from the encounter
        encounter.refresh_search_document()


@receiver(post_save, sender=Participation, dispatch_uid="search-participation-saved")
@receiver(post_save, sender=Quote, dispatch_uid="search-quote-saved")
def related_row_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_encounter(instance.encounter_id)


@receiver(post_delete, sender=Participation, dispatch_uid="search-participation-deleted")
@receiver(post_delete, sender=Quote, dispatch_uid="search-quote-deleted")
def related_row_deleted(sender, instance, origin=None, **kwargs):
    if isinstance(origin, Encounter):
        return  # the encounter itself is being deleted
    refresh_encounter(instance.encounter_id)


@receiver(post_save, sender=Encounter, dispatch_uid="search-encounter-saved")
def encounter_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    # Only the place is read from the encounter's own row; a new encounter has no other rows yet.
    if raw or (update_fields is not None and "place" not in update_fields):
        return
    if created and not instance.place_id:
        return
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
