"""Load the curated seed encounters from engagements/fixtures/seed.json.

Idempotent: every row is looked up by its natural key (slug, or URL within an encounter) and
created only when missing. Rows that exist are left as they are, so running it again changes
nothing and never overwrites an editor's corrections.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from engagements.infrastructure.locks import startup_step
from engagements.models import Encounter, Participation, Person, Place, Quote, Source, Topic

SEED_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "seed.json"


class Command(BaseCommand):
    help = "Load the curated seed encounters (idempotent: existing rows are left unchanged)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=SEED_FILE, help="Seed JSON file.")

    def handle(self, *args, file, **options):
        # Several nodes may start together: one loads, the others wait and find it loaded.
        with startup_step("load_seed", self.stderr), transaction.atomic():
            self.load(json.loads(file.read_text(encoding="utf-8")))

    def load(self, data):
        topics = {t["slug"]: self.get_or_create(Topic, t, "slug")[0] for t in data["topics"]}
        places = {}
        for row in data["places"]:
            fields = {k: v for k, v in row.items() if k != "key"}
            places[row["key"]] = Place.objects.get_or_create(
                name=fields.pop("name"),
                city=fields.pop("city"),
                country=fields.pop("country"),
                defaults=fields,
            )[0]
        people = {p["slug"]: self.get_or_create(Person, p, "slug")[0] for p in data["people"]}
        created = 0
        # Parents come before their sessions in the file, so one pass suffices.
        encounters = {}
        for row in data["encounters"]:
            encounter, was_created = self.load_encounter(row, topics, places, people, encounters)
            encounters[encounter.slug] = encounter
            created += was_created
        self.stdout.write(
            f"Seed: {created} encounter(s) created, {len(encounters) - created} already present."
        )

    @staticmethod
    def get_or_create(model, row, key):
        fields = dict(row)
        return model.objects.get_or_create(**{key: fields.pop(key)}, defaults=fields)

    def load_encounter(self, row, topics, places, people, encounters):
        existing = Encounter.objects.filter(slug=row["slug"]).first()
        if existing:
            return existing, False
        nested = {"participants", "sources", "quotes", "topics", "place", "parent"}
        fields = {k: v for k, v in row.items() if k not in nested}
        encounter = Encounter.objects.create(
            **fields,
            place=places.get(row.get("place")),
            parent=encounters.get(row.get("parent")),
            status=Encounter.Status.PUBLISHED,
            provenance=Encounter.Provenance.CURATED,
        )
        encounter.topics.set([topics[slug] for slug in row.get("topics", [])])
        for participant in row["participants"]:
            Participation.objects.create(
                encounter=encounter,
                **{**participant, "person": people[participant["person"]]},
            )
        sources = {}
        for source in row["sources"]:
            fields = {k: v for k, v in source.items() if k != "key"}
            sources[source.get("key")] = Source.objects.create(encounter=encounter, **fields)
        for quote in row.get("quotes", []):
            Quote.objects.create(
                encounter=encounter,
                **{**quote, "source": sources[quote["source"]]},
            )
        encounter.refresh_search_document()
        return encounter, True
