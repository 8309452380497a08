"""Load the curated encounters: engagements/fixtures/seed.json plus fixtures/coverage/*.json.

The files share one format (seed.json's, plus "terms", "parent", "initiator_source",
"title_is_description" and per-encounter "discrepancies"; docs/editors.md, "Curated data files").

- Idempotent and never overwriting: every row is looked up by its natural key (slug; a place by
  name, city and country) and created only when missing. An encounter that exists is left as it
  is, with its participants, sources and quotes, so an editor's later corrections survive and a
  second run changes nothing.
- All files load in one transaction: a problem in any of them stops the run with a message
  naming the file, the encounter and the fault, and nothing is written.
- A file's `amendments` (after its `encounters`) add to encounters already recorded: sources
  (attached by address), missing participants, values that fill only empty or unknown fields
  (Encounter.fill_from: a differing value becomes a discrepancy, the record is kept), copies
  replaced by the original (Encounter.replace_source) and discrepancies. Idempotent as well.
- A file's `hsg_amendments` amend encounters that the Office of the Historian import creates
  (`manage.py import_hsg`, run after this loader): they apply when their encounter exists, and
  otherwise wait for that import, which applies them at its end (`load_hsg_amendments`). So
  either order of the two commands ends with the same record.
- Place keys are local to their file (each data file names its own); people and topics are
  shared by slug; a session's parent may come from an earlier file or the database.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from engagements.domain import leaders
from engagements.domain.signals import encounter_changes_batched
from engagements.models import (
    Discrepancy,
    Encounter,
    OfficeTerm,
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
    "initiated_by": Discrepancy.Field.INITIATOR,
    "initiator": Discrepancy.Field.INITIATOR,
    "duration_minutes": Discrepancy.Field.DURATION,
    "kind": Discrepancy.Field.KIND,
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
    amended: list = field(default_factory=list)  # slugs of encounters the amendments touched
    # slugs of hsg_amendments whose Office encounter is not imported yet (import_hsg applies them)
    waiting: list = field(default_factory=list)
    # (slug, url) of replace_sources whose copy is not (or no longer) among the sources
    unreplaced: list = field(default_factory=list)

    def summary(self):
        return (
            f"Seed: {len(self.created)} encounter(s) created, {len(self.present)} already "
            f"present, from {len(self.files)} file(s)."
        )


class SeedLoader:
    def __init__(self, files=None, only_hsg_amendments=False):
        self.files = seed_files() if files is None else [Path(f) for f in files]
        # After the Office import: only the amendments of its encounters (load_hsg_amendments).
        self.only_hsg_amendments = only_hsg_amendments
        self.result = LoadResult()
        self.topics = {}
        self.people = {}
        self.encounters = {}

    @transaction.atomic
    def run(self):
        for path in self.files:
            self.load_file(path)
        self.record_presidents_terms()
        return self.result

    def record_presidents_terms(self):
        """The presidents' terms (engagements/domain/leaders.py) of the people recorded."""
        self.result.terms += OfficeTerm.record(leaders.office_terms())

    def load_file(self, path):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SeedError(f"{path.name}: cannot read it as JSON ({error}).") from error
        self.result.files.append(path.name)
        self.current = path.name
        # Place keys are the file's own; amendments may name them too (a fill's "place"). A
        # place is written when first named, so the Office import's pass over the files writes
        # only the places its amendments use.
        self.place_rows = {row["key"]: row for row in data.get("places", [])}
        self.places = {}
        if not self.only_hsg_amendments:
            self.load_rows(data)
        for row in data.get("hsg_amendments", []):
            if Encounter.objects.filter(slug=row.get("encounter")).exists():
                self.amendment(row)
            else:
                self.result.waiting.append(row.get("encounter"))

    def load_rows(self, data):
        for row in data.get("topics", []):
            self.topic(row)
        places = {key: self.place_by_key(key) for key in self.place_rows}
        for row in data.get("people", []):
            self.person(row)
        for row in data.get("terms", []):
            self.term(row)
        for row in data.get("encounters", []):
            self.encounter(row, places)
        for row in data.get("amendments", []):
            self.amendment(row)

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

    def place_by_key(self, key):
        if key not in self.places:
            self.places[key] = self.place(self.place_rows[key])
        return self.places[key]

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
        if row.get("office") in leaders.PRESIDENCIES:
            self.fail(
                f"term {row['person']}",
                "presidents' terms are kept in engagements/domain/leaders.py only: "
                "remove this row (the loader writes them from there).",
            )
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
            # One version bump and one search document per encounter, not one per row it is
            # built from: the record's load time (engagements/domain/signals.py).
            with transaction.atomic(), encounter_changes_batched():
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
        sources = self.attach_sources(encounter, row.get("sources", []), where)
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

    def attach_sources(self, encounter, rows, where):
        """The rows' sources, by key: attached through the model (validated, one per address)."""
        sources = {}
        for row in rows:
            try:
                source = encounter.attach_source(self.fields(Source, row, skip={"key"}))
            except ValidationError as error:
                self.fail(where, f"source {row.get('key') or row.get('url')}: {messages(error)}")
            sources[row.get("key")] = source
        return sources

    # Amendments --------------------------------------------------------------------------

    def amendment(self, row):
        """Add to an encounter already recorded (the data-format's "amendments")."""
        slug = row.get("encounter")
        where = f"amendment of {slug}"
        # Read it back from the database, not from this run's cache: an encounter created earlier
        # in the run still holds its dates as the file's strings, which the fill compares.
        encounter = Encounter.objects.filter(slug=slug).first()
        if encounter is None:
            self.fail(where, "no encounter has this slug (it must exist or be listed earlier).")
        unknown = set(row) - {
            "encounter",
            "sources",
            "fill",
            "participants",
            "replace_sources",
            "discrepancies",
            "note",
        }
        if unknown:
            self.fail(where, f"unknown keys {', '.join(sorted(unknown))}.")
        # Earlier rows of this run may have changed it through other instances (sources bump
        # its version, the rules recode it): merge into what is stored.
        encounter.refresh_from_db()
        try:
            with transaction.atomic(), encounter_changes_batched():
                self.amend(encounter, row, where)
        except IntegrityError as error:
            self.fail(where, f"breaks a rule of the database: {error}".strip())
        except ValidationError as error:
            self.fail(where, messages(error))
        except (KeyError, ValueError, TypeError, AttributeError) as error:
            self.fail(where, f"malformed amendment ({error!r}).")
        self.encounters[slug] = encounter
        self.result.amended.append(slug)

    def amend(self, encounter, row, where):
        sources = self.attach_sources(encounter, row.get("sources", []), where)
        known = {p.person_id for p in encounter.participations.all()}
        order = len(known)
        for participant in row.get("participants", []):
            person = (
                self.people.get(participant["person"])
                or Person.objects.filter(slug=participant["person"]).first()
            )
            if person is None or person.pk in known:
                if person is None:
                    self.fail(where, f"participant “{participant['person']}” is not a person.")
                continue
            self.participant(encounter, participant, order, where)
            known.add(person.pk)
            order += 1
        self.fill(encounter, row.get("fill") or {}, sources, where)
        for replacement in row.get("replace_sources", []):
            self.replace(encounter, replacement, sources, where)
        for discrepancy in row.get("discrepancies", []):
            self.discrepancy(encounter, discrepancy, sources, where)
        self.apply_rules(encounter)
        encounter.refresh_search_document()

    def fill(self, encounter, values, sources, where):
        """The fill's initiator is cited to its initiator_source; its other values to its
        "source" key (else that same source, else the amendment's first source)."""
        values = dict(values)
        if values.get("place"):
            if values["place"] not in self.place_rows:
                self.fail(where, f"fill: place “{values['place']}” is not in the file's places.")
            values["place"] = self.place_by_key(values["place"])
        initiator_key = values.pop("initiator_source", None)
        other_key = values.pop("source", None) or initiator_key
        initiator = {k: values.pop(k) for k in ("initiated_by", "initiator_note") if k in values}
        if initiator.get("initiated_by") not in (None, "", "unknown") and not initiator_key:
            self.fail(where, "fill: initiated_by needs its initiator_source (a source key).")
        if initiator:
            source = self.source(sources, initiator_key, where)
            if source is None:
                self.fail(where, "fill: initiator_note needs its initiator_source.")
            encounter.fill_from(initiator, source)
        if values:
            source = self.source(sources, other_key, where) if other_key else None
            source = source or next(iter(sources.values()), None)
            if source is None:
                self.fail(where, 'fill: name the source of the values ("source": a key).')
            encounter.fill_from(values, source)

    def replace(self, encounter, row, sources, where):
        by = self.source(sources, row.get("by"), where)
        if by is None or not row.get("url"):
            self.fail(where, "replace_sources: give the copy's url and the key of its source.")
        old = encounter.sources.filter(url=row["url"]).first()
        if old is None:
            # Replaced by an earlier run, or never cited here: nothing to do, but say so.
            self.result.unreplaced.append((encounter.slug, row["url"]))
            return
        encounter.replace_source(old, by)

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
        display = getattr(encounter, f"get_{name}_display", None)
        ours = row.get("our_value") or (
            display() if display else format_date(getattr(encounter, name, None))
        )
        theirs = format_date(row.get("value") or row.get("their_value"))
        if not ours or not theirs or ours == theirs:
            self.fail(where, f"discrepancy on {name}: give two different values.")
        source = self.source(sources, row.get("source"), where)
        if source is None:
            self.fail(where, f"discrepancy on {name}: name its source (a source key).")
        # Looked up by its natural key, so that an amendment loaded twice adds it once.
        Discrepancy.objects.get_or_create(
            encounter=encounter,
            source=source,
            field=DISCREPANCY_FIELDS.get(name, Discrepancy.Field.OTHER),
            their_value=theirs,
            defaults={
                "our_value": ours,
                "our_source": self.source(sources, row.get("our_source"), where),
                "note": row.get("note")
                or f"{row.get('source')} gives {theirs}; the record has {ours}.",
            },
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


def messages(error):
    """A ValidationError as one line: “field: message; …”."""
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


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


def load_hsg_amendments(files=None):
    """Apply the data files' `hsg_amendments` to the Office encounters now imported."""
    return SeedLoader(files, only_hsg_amendments=True).run()
