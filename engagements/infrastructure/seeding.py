"""Load the curated encounters: engagements/fixtures/seed.json plus fixtures/coverage/*.json.

The files share one format (seed.json's, plus "terms", "parent", "initiator_source",
"title_is_description" and per-encounter "discrepancies"; docs/editors.md, "Curated data files").

- Idempotent and never overwriting: every row is looked up by its natural key (slug; a place by
  name, city and country) and created only when missing. An encounter that exists is left as it
  is, with its participants, sources and quotes, so an editor's later corrections survive and a
  second run changes nothing.
- All files load in one transaction: a problem in any of them stops the run with a message
  naming the file, the encounter and the fault, and nothing is written.
- Place keys are local to their file (each data file names its own); people and topics are
  shared by slug; a session's parent may come from an earlier file or the database.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, models, transaction

from engagements.models import (
    Discrepancy,
    Encounter,
    Participation,
    Person,
    Place,
    Quote,
    Source,
    Topic,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED_FILE = FIXTURES / "seed.json"
COVERAGE_DIR = FIXTURES / "coverage"

# Keys of an encounter row that are not plain Encounter fields.
NESTED = {
    "participants",
    "sources",
    "quotes",
    "topics",
    "place",
    "parent",
    "discrepancies",
    "initiator_source",
}

# A discrepancy's "field" in the data files names a column; the record stores its kind.
DISCREPANCY_FIELDS = {
    "start_date": Discrepancy.Field.DATES,
    "end_date": Discrepancy.Field.DATES,
    "dates": Discrepancy.Field.DATES,
    "beijing_date": Discrepancy.Field.DATES,
    "washington_date": Discrepancy.Field.DATES,
    "local_start_time": Discrepancy.Field.DATES,
    "place": Discrepancy.Field.PLACE,
    "venue": Discrepancy.Field.PLACE,
    "office": Discrepancy.Field.OFFICE,
    "person_name": Discrepancy.Field.PERSON_NAME,
    "name": Discrepancy.Field.PERSON_NAME,
}


# Fields a data file states and the coding rules may recompute: a difference is reported.
RECODED_FIELDS = ("level", "beijing_date", "washington_date")


class SeedError(Exception):
    """A data file that cannot be loaded as it stands; the message names where and why."""


def seed_files(coverage_dir=COVERAGE_DIR, seed_file=SEED_FILE):
    """seed.json first, then the coverage files in name order."""
    coverage = sorted(Path(coverage_dir).glob("*.json")) if Path(coverage_dir).is_dir() else []
    return [Path(seed_file), *coverage]


def field_names(model):
    return {f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)}


def known_fields(model, row, skip=()):
    """The row's keys that are fields of `model` (a data file may carry keys for fields a later
    migration adds; they are reported, not fatal)."""
    names = field_names(model)
    return {k: v for k, v in row.items() if k in names and k not in skip}


def format_date(value):
    """“16 November 2024” for a date or an ISO date string; other text as it is."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, datetime.time):
        return f"{value:%H:%M}"
    return "" if value is None else str(value)


@dataclass
class LoadResult:
    files: list = field(default_factory=list)
    created: list = field(default_factory=list)  # slugs created by this run
    present: list = field(default_factory=list)  # slugs already in the database
    terms: int = 0
    ignored: set = field(default_factory=set)  # (model, key) the schema has no field for
    rules_applied: int = 0
    recoded: list = field(default_factory=list)  # (slug, field, the file's value, the rules')

    def summary(self):
        return (
            f"Seed: {len(self.created)} encounter(s) created, {len(self.present)} already "
            f"present, from {len(self.files)} file(s)."
        )


class SeedLoader:
    def __init__(self, files=None):
        self.files = seed_files() if files is None else [Path(f) for f in files]
        self.result = LoadResult()
        self.topics = {}
        self.people = {}
        self.encounters = {}

    @transaction.atomic
    def run(self):
        for path in self.files:
            self.load_file(path)
        return self.result

    def load_file(self, path):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SeedError(f"{path.name}: cannot read it as JSON ({error}).") from error
        self.result.files.append(path.name)
        self.current = path.name
        for row in data.get("topics", []):
            self.topic(row)
        places = {row["key"]: self.place(row) for row in data.get("places", [])}
        for row in data.get("people", []):
            self.person(row)
        for row in data.get("terms", []):
            self.term(row)
        for row in data.get("encounters", []):
            self.encounter(row, places)

    def fail(self, where, message):
        raise SeedError(f"{self.current}: {where}: {message}")

    # Shared rows -------------------------------------------------------------------------

    def topic(self, row):
        slug = row["slug"]
        if slug not in self.topics:
            self.topics[slug] = Topic.objects.get_or_create(
                slug=slug, defaults=known_fields(Topic, row, skip={"slug"})
            )[0]
        return self.topics[slug]

    def place(self, row):
        fields = self.fields(Place, row, skip={"key", "name", "city", "country"})
        try:
            return Place.objects.get_or_create(
                name=row["name"], city=row.get("city", ""), country=row["country"], defaults=fields
            )[0]
        except (KeyError, IntegrityError) as error:
            self.fail(f"place {row.get('key')}", f"not a valid place ({error}).")

    def person(self, row):
        slug = row["slug"]
        if slug in self.people:
            return self.people[slug]
        person = Person.objects.filter(slug=slug).first()
        if person is None:
            if not row.get("name") or row.get("side") not in {"us", "prc", "other"}:
                self.fail(f"person {slug}", "a new person needs a name and a side.")
            person = Person.objects.create(**self.fields(Person, row))
        self.people[slug] = person
        return person

    def term(self, row):
        """An office a person held, with its dates, where the schema has a table for terms."""
        model = term_model()
        if model is None:
            self.result.ignored.add(("Term", "terms"))
            return
        person = self.people.get(row["person"]) or Person.objects.filter(slug=row["person"]).first()
        if person is None:
            self.fail(f"term {row['person']}", "names a person the file does not list.")
        fields = {
            "start": row.get("start"),
            "end": row.get("end"),
            "note": row.get("note", ""),
        }
        names = field_names(model)
        start_name = "start_date" if "start_date" in names else "start"
        end_name = "end_date" if "end_date" in names else "end"
        lookup = {"person": person, "office": row["office"], start_name: fields["start"]}
        defaults = {end_name: fields["end"]}
        if "note" in names:
            defaults["note"] = fields["note"]
        _, created = model.objects.get_or_create(**lookup, defaults=defaults)
        self.result.terms += created

    def fields(self, model, row, skip=()):
        names = field_names(model)
        for key in row:
            if key not in names and key not in skip and not key.startswith("_"):
                self.result.ignored.add((model.__name__, key))
        return known_fields(model, row, skip)

    # Encounters --------------------------------------------------------------------------

    def parent(self, slug, where):
        if not slug:
            return None
        parent = self.encounters.get(slug) or Encounter.objects.filter(slug=slug).first()
        if parent is None:
            self.fail(where, f"its parent “{slug}” is not listed before it.")
        return parent

    def encounter(self, row, places):
        slug = row.get("slug")
        where = f"encounter {slug}"
        existing = Encounter.objects.filter(slug=slug).first()
        if existing:
            self.encounters[slug] = existing
            self.result.present.append(slug)
            return existing
        if row.get("place") and row["place"] not in places:
            self.fail(where, f"place “{row['place']}” is not in the file's places.")
        try:
            with transaction.atomic():
                encounter = self.create_encounter(row, places, where)
        except IntegrityError as error:
            self.fail(where, f"breaks a rule of the database: {error}".strip())
        except (KeyError, ValueError, TypeError) as error:
            self.fail(where, f"malformed row ({error!r}).")
        self.encounters[slug] = encounter
        self.result.created.append(slug)
        return encounter

    def create_encounter(self, row, places, where):
        encounter = Encounter.objects.create(
            **self.fields(Encounter, row, skip=NESTED),
            place=places.get(row.get("place")),
            parent=self.parent(row.get("parent"), where),
            status=Encounter.Status.PUBLISHED,
            published_on_load=True,
            provenance=Encounter.Provenance.CURATED,
        )
        missing = [t for t in row.get("topics", []) if t not in self.topics]
        for slug in missing:
            topic = Topic.objects.filter(slug=slug).first()
            if topic is None:
                self.fail(where, f"topic “{slug}” is not listed.")
            self.topics[slug] = topic
        encounter.topics.set([self.topics[t] for t in row.get("topics", [])])
        for order, participant in enumerate(row.get("participants", [])):
            self.participant(encounter, participant, order, where)
        sources = {}
        for source in row.get("sources", []):
            sources[source.get("key")] = Source.objects.create(
                encounter=encounter, **self.fields(Source, source, skip={"key"})
            )
        for quote in row.get("quotes", []):
            Quote.objects.create(
                encounter=encounter,
                **{
                    **self.fields(Quote, quote, skip={"source"}),
                    "source": self.source(sources, quote.get("source"), where),
                },
            )
        for discrepancy in row.get("discrepancies", []):
            self.discrepancy(encounter, discrepancy, sources, where)
        if row.get("initiator_source"):
            self.initiator_source(encounter, sources, row["initiator_source"], where)
        self.apply_rules(encounter)
        encounter.refresh_search_document()
        return encounter

    def participant(self, encounter, row, order, where):
        person = self.people.get(row["person"]) or Person.objects.filter(slug=row["person"]).first()
        if person is None:
            self.fail(where, f"participant “{row['person']}” is not in the file's people.")
        fields = self.fields(Participation, row, skip={"person"})
        fields.setdefault("side", person.side)
        fields.setdefault("order", order)
        Participation.objects.create(encounter=encounter, person=person, **fields)

    def source(self, sources, key, where):
        if key is None:
            return None
        if key not in sources:
            self.fail(where, f"source key “{key}” is not one of its sources.")
        return sources[key]

    def discrepancy(self, encounter, row, sources, where):
        """Two sources disagree: keep our value and theirs, each with its source."""
        name = row.get("field", "other")
        ours = row.get("our_value") or format_date(getattr(encounter, name, None))
        theirs = format_date(row.get("value") or row.get("their_value"))
        if not ours or not theirs or ours == theirs:
            self.fail(where, f"discrepancy on {name}: give two different values.")
        Discrepancy.objects.create(
            encounter=encounter,
            field=DISCREPANCY_FIELDS.get(name, Discrepancy.Field.OTHER),
            our_value=ours,
            their_value=theirs,
            source=self.source(sources, row.get("source"), where),
            our_source=self.source(sources, row.get("our_source"), where),
            note=row.get("note") or f"{row.get('source')} gives {theirs}; the record has {ours}.",
        )

    def initiator_source(self, encounter, sources, key, where):
        source = self.source(sources, key, where)
        model_field = next(
            (f for f in Encounter._meta.get_fields() if f.name == "initiator_source"), None
        )
        if model_field is None:
            self.result.ignored.add(("Encounter", "initiator_source"))
            return
        if isinstance(model_field, models.ForeignKey):
            encounter.initiator_source = source
        else:
            encounter.initiator_source = source.url or str(source)
        encounter.save(update_fields=["initiator_source"])

    def apply_rules(self, encounter):
        """The coding rules (level from the offices, the other capital's date from the local
        time) where the model states them; they are the model's, not the loader's. Where they
        change what the file says, the change is reported (the file's coding disagreed)."""
        apply = getattr(encounter, "apply_coding_rules", None)
        if apply is None:
            return
        stated = {name: getattr(encounter, name, None) for name in RECODED_FIELDS}
        changed = apply() or []
        self.result.rules_applied += 1
        for name in changed:
            if name in RECODED_FIELDS and stated[name] not in (None, ""):
                after = getattr(encounter, name)
                self.result.recoded.append((encounter.slug, name, stated[name], after))


def term_model():
    """The model of office terms, if the schema has one."""
    from django.apps import apps

    for name in ("OfficeTerm", "Term"):
        try:
            return apps.get_model("engagements", name)
        except LookupError:
            continue
    return None


def load(files=None):
    return SeedLoader(files).run()
