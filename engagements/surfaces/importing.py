"""Bulk import of encounters from CSV in the admin (django-import-export).

Columns: surfaces/csv_columns.py, the same as the public CSV export's: the export's research
columns are accepted and ignored, and cells it guarded against formula injection are unguarded
again. Every row creates a new draft encounter (an existing slug is an error: edit that encounter
in the admin instead), with its place, topics, principals and sources.
The whole file is one transaction: a single bad row imports nothing.

At scale (IMPORT_MAX_ROWS rows; docs/editors.md, "Bulk import") every query per row costs
seconds, so the dry run runs a fixed number of queries whatever the file's length:
- people, topics and places are looked up once per file (ImportLookups), existing slugs in one
  query (CachedInstanceLoader);
- the dry run writes nothing: every rule that writing would enforce is checked first (the
  model's field and clean() rules, the table's check constraints evaluated in Python, slugs
  against the database and the file's other rows, the parts by parse_*), so its errors are
  those the confirmed import would meet;
- only the first PREVIEW_ROWS rows get a preview (a diff); the rest are counted.
The confirmed import writes the rows in batches, with their history and parts, and applies the
coding rules to what it stored.
"""

import csv
import datetime
import functools
import io
import operator
import re
import unicodedata

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Q, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.encoding import force_str
from django.utils.html import conditional_escape
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV
from import_export.instance_loaders import CachedInstanceLoader
from import_export.tmp_storages import CacheStorage
from simple_history.utils import bulk_create_with_history

from engagements.domain import offices, ranks
from engagements.domain.models import CONSTRAINT_EXPLANATIONS
from engagements.models import (
    Encounter,
    FormerSlug,
    Participation,
    Person,
    Place,
    Source,
    Topic,
)
from engagements.surfaces import csv_columns

# Rows of the dry run shown on the preview page; the others are only counted there.
PREVIEW_ROWS = 100


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


class FileProblem(ValueError):
    """What is wrong with an uploaded file as a whole, in editors' words (shown on the form)."""


class CheckedCSV(CSV):
    """CSV, read once cheaply before the library parses it (check_csv_text): a file over the
    row limit, a NUL in a cell or a cell over the csv module's limit is refused with the line
    it is on, before the whole file is parsed into memory."""

    def create_dataset(self, in_stream, **kwargs):
        text = in_stream
        if isinstance(text, bytes) and self.encoding:
            text = text.decode(self.encoding)
        check_csv_text(text)
        return super().create_dataset(in_stream, **kwargs)


def check_csv_text(text):
    """Raise FileProblem for the first thing that stops TEXT being imported as a whole."""
    limit = settings.IMPORT_MAX_ROWS
    reader = csv.reader(io.StringIO(text))
    rows = 0
    try:
        for values in reader:
            if any("\x00" in value for value in values):
                raise FileProblem(
                    f"Line {reader.line_num} has a NUL character, which no field accepts. "
                    "Remove it (re-saving the file as CSV from a spreadsheet usually does)."
                )
            if any(value.strip() for value in values):
                rows += 1
            if rows > limit + 1:  # the header line and LIMIT rows
                raise FileProblem(
                    f"The file has more than {limit:,} rows; at most {limit:,} are imported at "
                    "once. Split it into smaller files."
                )
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise FileProblem(
                f"Line {reader.line_num} has a cell longer than {csv.field_size_limit():,} "
                "characters, more than any field holds (a summary has at most 20,000). Check "
                "that cell for a missing closing quote."
            ) from None
        raise FileProblem(
            f"Line {reader.line_num} cannot be read as CSV ({error}). Check its quotes."
        ) from None


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


class Preview:
    """What the dry run's page shows of its result: the counts, the first PREVIEW_ROWS rows, and
    every bad row's errors (with its values for the first PREVIEW_ROWS bad rows), so that the
    page stays small for a file of any length."""

    def __init__(self, result, size=None):
        size = PREVIEW_ROWS if size is None else size
        self.total = result.total_rows
        self.totals = result.totals
        self.errors = result.totals["invalid"] + result.totals["error"]
        valid = result.valid_rows()
        self.rows = valid[:size]
        self.hidden = len(valid) - len(self.rows)
        self.invalid_rows = result.invalid_rows[:size]
        self.more_invalid_rows = result.invalid_rows[size:]


class Unsupported(Exception):
    """A constraint condition that holds() cannot evaluate: the database is asked instead."""


COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def holds(condition, instance):
    """A check constraint's condition for an unsaved instance, in SQL's three-valued logic:
    True, False or None (unknown, which a CHECK lets pass). Raises Unsupported for anything
    but AND, OR, NOT, isnull, comparisons of fields, values and F() ± a value, and a text's
    length limit.

    CheckConstraint.validate() asks the database, a query per constraint and row; the
    encounter's constraints are plain comparisons, so the import evaluates them here and asks
    the database only about a row they fail (tests/test_import.py checks both agree).
    """
    if isinstance(condition, Q):
        values = [holds(child, instance) for child in condition.children]
        if condition.connector == Q.AND:
            result = False if False in values else None if None in values else True
        else:
            result = True if True in values else None if None in values else False
        return (None if result is None else not result) if condition.negated else result
    if isinstance(condition, LessThanOrEqual) and isinstance(condition.lhs, Length):
        # A text's length limit (encounter_texts_within_length).
        [source] = condition.lhs.get_source_expressions()
        value = field_value(instance, source.name)
        return None if value is None else len(value) <= condition.rhs
    if not isinstance(condition, tuple):
        raise Unsupported(condition)
    name, expected = condition
    field_name, _, lookup = name.partition("__")
    value = field_value(instance, field_name)
    if lookup == "isnull" or (lookup in ("", "exact") and expected is None):
        return (value is None) == (True if lookup != "isnull" else bool(expected))
    compare = COMPARISONS.get(lookup or "exact")
    if compare is None:
        raise Unsupported(name)
    other = expression_value(expected, instance)
    if value is None or other is None:
        return None
    return compare(value, other)


@functools.cache
def attname(name):
    if "__" in name:
        raise Unsupported(name)
    return Encounter._meta.get_field(name).attname


def field_value(instance, name):
    return getattr(instance, attname(name))


def expression_value(expression, instance):
    if isinstance(expression, F):
        return field_value(instance, expression.name)
    if isinstance(expression, Value):
        return expression.value
    if isinstance(expression, CombinedExpression) and expression.connector in ("+", "-"):
        left = expression_value(expression.lhs, instance)
        right = expression_value(expression.rhs, instance)
        if left is None or right is None:
            return None
        return left + right if expression.connector == "+" else left - right
    if hasattr(expression, "resolve_expression"):
        raise Unsupported(expression)
    return expression


def violated_constraints(instance, exclude):
    """The validation errors of the encounter's constraints for `instance`, as full_clean()
    would give them, with a query only for a constraint not shown to hold in Python."""
    using = router.db_for_write(Encounter)
    errors = []
    for constraint in Encounter._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            try:
                if holds(constraint.condition, instance) is not False:
                    continue
            except Unsupported:
                pass
        try:
            constraint.validate(Encounter, instance, exclude=exclude, using=using)
        except ValidationError as error:
            explained = CONSTRAINT_EXPLANATIONS.get(constraint.name)
            errors.append(ValidationError({explained[0]: explained[1]}) if explained else error)
    return errors


class ImportLookups:
    """People, topics and places by the names a file gives, each looked up once per file.

    A 10,000-row file names a few hundred people and topics: one query per distinct name, not
    one per row.
    """

    def __init__(self):
        self.people = None
        self.topics = {}
        self.places = {}
        self._former_slugs = None

    @property
    def former_slugs(self):
        """Every encounter's former slug: reserved for the permalinks redirecting from them (a
        new encounter may take none of them)."""
        if self._former_slugs is None:
            self._former_slugs = set(FormerSlug.objects.values_list("slug", flat=True))
        return self._former_slugs

    def person(self, name):
        """As find_person(name) answers, from every person loaded once."""
        if self.people is None:
            self.people = PeopleIndex(
                Person.objects.only("id", "name", "name_zh", "slug", "aliases", "side")
            )
        return self.people.find(name)

    def topics_named(self, names):
        wanted = [name for name in names if name not in self.topics]
        if wanted:
            query = Q()
            for name in wanted:
                query |= Q(name__iexact=name) | Q(slug=name)
            found = {}
            for topic in Topic.objects.filter(query):
                found[topic.name.lower()] = found[topic.slug] = topic
            for name in wanted:
                self.topics[name] = found.get(name) or found.get(name.lower())
        return {name: self.topics[name] for name in names}

    def valid_place(self, name, city, country):
        """An unsaved place, its fields checked once per file (uniqueness is settled by
        get_or_create on save)."""
        key = (name, city, country, "valid")
        if key not in self.places:
            place = Place(name=name, city=city, country=country)
            try:
                place.clean_fields()
            except ValidationError as error:
                place = error
            self.places[key] = place
        if isinstance(self.places[key], ValidationError):
            raise self.places[key]
        return self.places[key]

    def place(self, name, city, country, create):
        """The stored place, created when `create` (the confirmed import) and new."""
        key = (name, city, country)
        place = self.places.get(key)
        if place is None or (create and place.pk is None):
            if create:
                place, _ = Place.objects.get_or_create(name=name, city=city, country=country)
            else:
                stored = Place.objects.filter(name=name, city=city, country=country).first()
                place = stored or Place(name=name, city=city, country=country)
            self.places[key] = place
        return place


SOURCE_DEFAULTS = [f.name for f in Source._meta.fields if f.name not in {"outlet", "url", "kind"}]

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
        # The file's existing slugs in one query, not one per row.
        instance_loader_class = CachedInstanceLoader
        clean_model_instances = True  # named constraints are checked per row, with the row
        # Confirmed rows are written in batches (bulk_create: encounters with their history,
        # then their parts, then the coding rules), and no row has a savepoint of its own: the
        # file is one transaction, all or nothing, and a dry run writes nothing.
        use_bulk = True
        batch_size = 1000
        # The library would copy and read back every row for its preview; the dry run makes the
        # preview of the rows it shows only (save_instance).
        skip_diff = True
        skip_unchanged = False
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lookups = ImportLookups()
        self.slug_lines = {}  # slug -> the file's line that has it, for duplicates in the file
        self.dry_run = False
        self.row_number = None
        self.user = None
        self.previews = {}  # row number -> its preview, for the first PREVIEW_ROWS rows

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
        self.lookups = ImportLookups()
        self.slug_lines = {}  # slug -> the file's line that has it, for duplicates in the file
        super().before_import(dataset, **kwargs)

    def import_data(self, dataset, **kwargs):
        # All or nothing, also for rows that fail validation (not only for exceptions).
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self.dry_run = kwargs.get("dry_run", False)
        self.user = kwargs.get("user")
        return super().import_data(dataset, **kwargs)

    # --- Per row -----------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        self.row_number = kwargs.get("row_number")
        return super().import_row(row, instance_loader, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        row_result.diff = self.previews.pop(self.row_number, None)
        super().after_import_row(row, row_result, **kwargs)

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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's full_clean(), with its per-row queries replaced by equal checks without
        one: the slug against the file's existing slugs (loaded at once) and its earlier rows,
        the check constraints in Python (violated_constraints)."""
        errors = dict(import_validation_errors or {})
        # New rows only (an existing slug is refused): any former slug is another's.
        instance._others_former_slugs = self.lookups.former_slugs
        try:
            instance.full_clean(
                exclude=list(errors), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "slug" not in errors:
            earlier = self.slug_lines.setdefault(instance.slug, self.row_number)
            if earlier != self.row_number:
                errors["slug"] = [
                    f"Line {earlier} of this file has the same slug: give each row its own."
                ]
        violated = violated_constraints(instance, exclude=set(errors))
        if violated:
            errors = ValidationError(violated).update_error_dict(errors)
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
        return self.lookups.valid_place(name or city, city, country)

    def parse_topics(self, row):
        names = csv_columns.split_items(cell(row, "topics"))
        found = self.lookups.topics_named(names)
        unknown = [name for name in names if found[name] is None]
        if unknown:
            raise ValidationError("Unknown topic(s): " + ", ".join(unknown) + ".")
        return [found[name] for name in names]

    def parse_principals(self, row):
        principals, unknown, named = [], [], {}
        for item in csv_columns.split_items(cell(row, "principals")):
            name, office = csv_columns.split_item(item)
            person = self.lookups.person(name)
            if person is None:
                unknown.append(name)
            elif person.pk in named:
                raise ValidationError(
                    f"“{named[person.pk]}” and “{name}” are the same person ({person.name}): "
                    "list each principal once."
                )
            else:
                named[person.pk] = name
                # One string per post: rows are bulk-written, so save() does not do it here.
                principals.append((person, offices.canonical_office(office)))
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
                # The other fields keep their (valid) defaults: checking them for every source
                # of 10,000 rows took seconds.
                source.full_clean(exclude=SOURCE_DEFAULTS, validate_constraints=False)
            except ValidationError as error:
                raise ValidationError(f"Source “{item}”: " + " ".join(error.messages)) from None
            sources.append(source)
        return sources

    def save_instance(self, instance, is_create, row, **kwargs):
        place = instance._import_place
        if place is not None:
            instance.place = self.lookups.place(
                place.name, place.city, place.country, create=not self.dry_run
            )
        # The coding rules from the principals read, before the row is written: the dry run's
        # preview shows what will be stored, and the confirmed import inserts the row as it
        # stays (apply_coding_rules(), run again once the parts are stored, changes nothing).
        instance.apply_date_rules()
        instance.apply_level_rule(ranks.derive_level(self.leads(instance), instance.start_date))
        if self.dry_run:
            if self.row_number <= PREVIEW_ROWS:
                # The preview of a row as it will be stored (Meta.skip_diff: only for these):
                # every column through its dehydrate method, so the topics, principals and
                # sources read from the file show (the library's Diff reads only attributes).
                # Plain escaped text: every row is new, and the diff's markup has inline styles
                # the Content-Security-Policy refuses.
                self.previews[self.row_number] = [
                    conditional_escape(force_str(self.export_field(field, instance)))
                    for field in self.get_import_fields()
                ]
            return  # validated above; nothing is written
        # The search document from the same parts, so that saving does not rebuild it.
        # In the order the stored rows are read back (Participation.Meta.ordering).
        instance.searched_participations = sorted(
            (
                Participation(person=person, side=person.side, office=office, order=n)
                for n, (person, office) in enumerate(instance._import_principals)
            ),
            key=lambda participation: (participation.side, participation.order),
        )
        instance.searched_quotes = []  # an import brings no quotes
        instance.searched_topics = sorted(instance._import_topics, key=lambda topic: topic.name)
        instance.searched_readouts = []  # imported sources are of kind "other"
        instance.search_document = instance.build_search_document()
        # What Encounter.save() does before its insert (the dates' rules ran above; a draft
        # has no publication date), for the insert in bulk below.
        instance.end_date = instance.end_date or instance.start_date
        self.create_instances.append(instance)

    @staticmethod
    def leads(instance):
        return [
            (person.side, person.slug, office) for person, office in instance._import_principals
        ]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Write a batch of confirmed rows (Meta.batch_size): the encounters and their history
        in bulk, then their parts, then the coding rules on what is stored.

        A failure here fails the whole import (it is one transaction), never a row silently.
        """
        encounters, self.create_instances = self.create_instances, []
        if dry_run or not encounters:
            return
        try:
            self.write(encounters)
        except Exception as error:  # reported as the import's error, and everything rolled back
            self.handle_import_error(result, error, raise_errors)

    def write(self, encounters):
        # No new encounter takes another's former slug: validate_instance refused those rows.
        bulk_create_with_history(encounters, Encounter, default_user=self.user)
        Topics = Encounter.topics.through
        Topics.objects.bulk_create(
            Topics(encounter=encounter, topic=topic)
            for encounter in encounters
            for topic in encounter._import_topics
        )
        participations, sources = [], []
        for encounter in encounters:
            for participation in encounter.searched_participations:
                participation.encounter = encounter
                participations.append(participation)
            for source in encounter._import_sources:
                source.encounter = encounter
                sources.append(source)
        Participation.objects.bulk_create(participations)
        Source.objects.bulk_create(sources)
        for encounter in encounters:
            # The model's rules on the stored rows: computed above already, so nothing changes
            # (tests/test_import.py checks); kept as the authority on what is stored.
            encounter.apply_coding_rules()

    # --- Export (the same columns) -----------------------------------------------------------

    # A row being imported (an unsaved encounter in the dry run's preview) shows the parts it
    # read from the file.

    def dehydrate_place(self, encounter):
        place = imported(encounter, "place", encounter.place if encounter.place_id else None)
        return place.name if place else ""

    def dehydrate_city(self, encounter):
        place = imported(encounter, "place", encounter.place if encounter.place_id else None)
        return place.city if place else ""

    def dehydrate_country(self, encounter):
        place = imported(encounter, "place", encounter.place if encounter.place_id else None)
        return place.country if place else ""

    def dehydrate_topics(self, encounter):
        topics = imported(encounter, "topics", None)
        if topics is not None:
            return csv_columns.join_items(topic.name for topic in topics)
        return csv_columns.format_topics(encounter) if encounter.pk else ""

    def dehydrate_principals(self, encounter):
        principals = imported(encounter, "principals", None)
        if principals is not None:
            return csv_columns.join_items(
                f"{person.name}{csv_columns.PART_SEPARATOR}{office}" if office else person.name
                for person, office in principals
            )
        return csv_columns.format_principals(encounter) if encounter.pk else ""

    def dehydrate_sources(self, encounter):
        sources = imported(encounter, "sources", None)
        if sources is not None:
            return csv_columns.join_items(
                f"{s.outlet}{csv_columns.PART_SEPARATOR}{s.url.replace(';', '%3B')}"
                if s.url
                else s.outlet
                for s in sources
            )
        return csv_columns.format_sources(encounter) if encounter.pk else ""


def imported(encounter, part, default):
    """What the import read for `part` of this encounter, or `default` if it read nothing."""
    return getattr(encounter, f"_import_{part}", default)


def cell(row, column):
    value = row.get(column)
    return "" if value is None else str(value).strip()


class PeopleIndex:
    """find_person() for many names: people by slug, folded name and folded alias."""

    def __init__(self, people):
        self.by_slug, self.by_name, self.by_alias = {}, {}, {}
        for order, person in enumerate(sorted(people, key=lambda p: (p.name, p.pk))):
            person.order = order
            self.by_slug[person.slug] = person
            self.by_name.setdefault(fold(person.name), []).append(person)
            for alias in person.aliases.splitlines():
                if alias.strip():
                    self.by_alias.setdefault(fold(alias), []).append(person)

    def find(self, name):
        wanted = fold(name)
        found = [
            *([self.by_slug[name]] if name in self.by_slug else []),
            *self.by_name.get(wanted, []),
            *self.by_alias.get(wanted, []),
        ]
        return min(found, key=lambda person: person.order) if found else None


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
