"""Bulk import of encounters from CSV in the admin (django-import-export).

Columns: surfaces/csv_columns.py, the same as the public CSV export's: the export's research
columns are accepted and ignored, and cells it guarded against formula injection are unguarded
again. Every row creates a new draft encounter (an existing slug is an error: edit that encounter
in the admin instead), with its place, topics, principals and sources.
The whole file is one transaction: a single bad row imports nothing.
"""

import datetime
import re
import unicodedata

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db.models import Q
from import_export import fields, resources, widgets
from import_export.tmp_storages import CacheStorage

from engagements.models import Encounter, Participation, Person, Place, Source, Topic
from engagements.surfaces import csv_columns


class UploadExpired(ValueError):
    """The upload named by a confirmation is not (or no longer) in the cache: it expired, was
    already imported by an earlier click, or the name was never ours."""


class DatabaseCacheStorage(CacheStorage):
    """Keeps an upload between dry run and confirmation in the "imports" database cache.

    Any web container can then serve the confirmation; nothing is written to local disk.
    """

    CACHE_LIFETIME = 60 * 60 * 6

    def save(self, data):
        if not self.name:
            super().save(b"")  # picks the name
        caches["imports"].set(self.CACHE_PREFIX + self.name, data, self.CACHE_LIFETIME)

    def read(self):
        data = caches["imports"].get(self.CACHE_PREFIX + self.name)
        if data is None:
            raise UploadExpired("The uploaded file has expired; upload it again.")
        return data

    def remove(self):
        caches["imports"].delete(self.CACHE_PREFIX + self.name)


class StrictDateWidget(widgets.DateWidget):
    """ISO dates only (2024-01-31): a spreadsheet's 01/02/2024 is ambiguous."""

    def __init__(self):
        super().__init__(format=csv_columns.DATE_FORMAT)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.datetime.strptime(str(value).strip(), csv_columns.DATE_FORMAT).date()
        except ValueError:
            raise ValueError(f"“{value}” is not a date in the form YYYY-MM-DD.") from None


MODEL_COLUMNS = [
    column
    for column in csv_columns.IMPORT_NAMES
    if column not in {"place", "city", "country", "topics", "principals", "sources"}
]


class EncounterResource(resources.ModelResource):
    start_date = fields.Field("start_date", "start_date", StrictDateWidget())
    end_date = fields.Field("end_date", "end_date", StrictDateWidget())
    beijing_date = fields.Field("beijing_date", "beijing_date", StrictDateWidget())
    place = fields.Field(column_name="place", dehydrate_method="dehydrate_place")
    city = fields.Field(column_name="city", dehydrate_method="dehydrate_city")
    country = fields.Field(column_name="country", dehydrate_method="dehydrate_country")
    topics = fields.Field(column_name="topics", dehydrate_method="dehydrate_topics")
    principals = fields.Field(column_name="principals", dehydrate_method="dehydrate_principals")
    sources = fields.Field(column_name="sources", dehydrate_method="dehydrate_sources")

    class Meta:
        model = Encounter
        fields = csv_columns.IMPORT_NAMES
        import_order = csv_columns.IMPORT_NAMES
        export_order = csv_columns.IMPORT_NAMES
        import_id_fields = ["slug"]
        clean_model_instances = True  # named constraints are checked per row, with the row
        skip_unchanged = False
        use_transactions = True

    # --- Whole-file checks -------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        headers = [(h or "").strip() for h in (dataset.headers or [])]
        known = set(csv_columns.IMPORT_NAMES) | set(csv_columns.EXPORT_ONLY_NAMES)
        missing = [c for c in csv_columns.REQUIRED_NAMES if c not in headers]
        unknown = [h for h in headers if h and h not in known]
        if missing or unknown:
            parts = []
            if missing:
                parts.append("missing column(s): " + ", ".join(missing))
            if unknown:
                parts.append("unknown column(s): " + ", ".join(unknown))
            raise ValidationError(
                "The file's first line must name the columns. It has "
                + "; ".join(parts)
                + ". Expected: "
                + ", ".join(csv_columns.IMPORT_NAMES)
                + ". Also accepted and ignored (the export's research columns): "
                + ", ".join(csv_columns.EXPORT_ONLY_NAMES)
                + "."
            )
        dataset.headers = headers
        # A spreadsheet often saves rows of only commas after the data: they are not rows.
        for index in reversed(range(len(dataset))):
            if not any(str(value or "").strip() for value in dataset[index]):
                del dataset[index]
        limit = settings.IMPORT_MAX_ROWS
        if len(dataset) > limit:
            raise ValidationError(
                f"The file has {len(dataset):,} rows; at most {limit:,} are imported at once. "
                "Split it into smaller files."
            )
        for name in csv_columns.EXPORT_ONLY_NAMES:
            if name in headers:
                del dataset[name]
        for index, values in enumerate(dataset):
            dataset[index] = [csv_columns.unprotect_cell(value) for value in values]
        super().before_import(dataset, **kwargs)

    def import_data(self, dataset, **kwargs):
        # All or nothing, also for rows that fail validation (not only for exceptions).
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    # --- Per row -----------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance.pk:
            errors.setdefault("slug", []).append(
                "An encounter with this slug already exists; edit it in the admin instead."
            )
        instance.status = Encounter.Status.DRAFT
        instance.provenance = Encounter.Provenance.CURATED
        instance.end_date = instance.end_date or instance.start_date
        for column in ("place", "topics", "principals", "sources"):
            try:
                setattr(instance, f"_import_{column}", getattr(self, f"parse_{column}")(row))
            except ValidationError as error:
                errors.setdefault(column, []).extend(error.messages)
        if errors:
            raise ValidationError(errors)

    def parse_place(self, row):
        name, city = cell(row, "place"), cell(row, "city")
        country = cell(row, "country").upper()
        if not (name or city or country):
            return None
        if not country:
            raise ValidationError("Give the country (ISO code such as US or CN) of the place.")
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValidationError(f"“{country}” is not a two-letter ISO country code (US, CN…).")
        place = Place(name=name or city, city=city, country=country)
        place.clean_fields()  # lengths; uniqueness is settled by get_or_create on save
        return place

    def parse_topics(self, row):
        names = csv_columns.split_items(cell(row, "topics"))
        found = {}
        if names:
            query = Q()
            for name in names:
                query |= Q(name__iexact=name) | Q(slug=name)
            for topic in Topic.objects.filter(query):
                found[topic.name.lower()] = found[topic.slug] = topic
        unknown = [name for name in names if name.lower() not in found and name not in found]
        if unknown:
            raise ValidationError("Unknown topic(s): " + ", ".join(unknown) + ".")
        return [found.get(name.lower()) or found[name] for name in names]

    def parse_principals(self, row):
        principals, unknown, named = [], [], {}
        for item in csv_columns.split_items(cell(row, "principals")):
            name, office = csv_columns.split_item(item)
            person = find_person(name)
            if person is None:
                unknown.append(name)
            elif person.pk in named:
                raise ValidationError(
                    f"“{named[person.pk]}” and “{name}” are the same person ({person.name}): "
                    "list each principal once."
                )
            else:
                named[person.pk] = name
                principals.append((person, office))
        if unknown:
            raise ValidationError(
                "Unknown person(s): " + ", ".join(unknown) + ". Add them under People first."
            )
        return principals

    def parse_sources(self, row):
        sources, urls = [], set()
        for item in csv_columns.split_items(cell(row, "sources")):
            outlet, url = csv_columns.split_item(item)
            if url and url in urls:
                raise ValidationError(f"The source URL {url} is listed twice: list it once.")
            urls.add(url)
            source = Source(outlet=outlet, url=url, kind=Source.Kind.OTHER)
            try:
                source.full_clean(exclude=["encounter"], validate_constraints=False)
            except ValidationError as error:
                raise ValidationError(f"Source “{item}”: " + " ".join(error.messages)) from None
            sources.append(source)
        return sources

    def save_instance(self, instance, is_create, row, **kwargs):
        place = instance._import_place
        if place is not None:
            instance.place, _ = Place.objects.get_or_create(
                name=place.name, city=place.city, country=place.country
            )
        super().save_instance(instance, is_create, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        instance.topics.set(instance._import_topics)
        Participation.objects.bulk_create(
            Participation(
                encounter=instance, person=person, side=person.side, office=office, order=n
            )
            for n, (person, office) in enumerate(instance._import_principals)
        )
        for source in instance._import_sources:
            source.encounter = instance
        Source.objects.bulk_create(instance._import_sources)
        instance.refresh_search_document()

    # --- Export (the same columns) -----------------------------------------------------------

    def dehydrate_place(self, encounter):
        return encounter.place.name if encounter.place_id else ""

    def dehydrate_city(self, encounter):
        return encounter.place.city if encounter.place_id else ""

    def dehydrate_country(self, encounter):
        return encounter.place.country if encounter.place_id else ""

    def dehydrate_topics(self, encounter):
        return csv_columns.format_topics(encounter)

    def dehydrate_principals(self, encounter):
        return csv_columns.format_principals(encounter)

    def dehydrate_sources(self, encounter):
        return csv_columns.format_sources(encounter)


def cell(row, column):
    value = row.get(column)
    return "" if value is None else str(value).strip()


def find_person(name):
    """A person by slug, exact name (accents ignored) or one of the listed aliases."""
    people = Person.objects.filter(
        Q(slug=name) | Q(name__unaccent__iexact=name) | Q(aliases__icontains=name)
    )[:5]
    wanted = fold(name)
    for person in people:
        aliases = {fold(alias) for alias in person.aliases.splitlines()}
        if person.slug == name or fold(person.name) == wanted or wanted in aliases:
            return person
    return None


def fold(text):
    """Lower case without accents, so "Wáng Yì" matches "Wang Yi"."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
