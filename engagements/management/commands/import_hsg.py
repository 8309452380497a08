"""Import the Office of the Historian's China trips and visits (engagements/fixtures/hsg/).

Idempotent: records are keyed by their namespaced ids (hsg-trip:N, hsg-visit:N) on
Source.external_id; a record already imported is left as it is. Run after load_seed, so that
records describing curated encounters are attached to them rather than duplicated.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from engagements.hsg.importer import import_records
from engagements.hsg.records import TRAVELS_FILE, VISITS_FILE, read_trips, read_visits
from engagements.infrastructure.locks import startup_step
from engagements.infrastructure.seeding import SeedError, load_hsg_amendments


class Command(BaseCommand):
    help = "Import the Office of the Historian's US–China trips and visits (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--travels", type=Path, default=TRAVELS_FILE, help="Trips XML file.")
        parser.add_argument("--visits", type=Path, default=VISITS_FILE, help="Visits XML file.")

    def handle(self, *args, travels, visits, **options):
        try:
            records = read_trips(travels) + read_visits(visits)
        except (OSError, ET.ParseError, ValueError, AttributeError, TypeError) as error:
            # Nothing is written: the files are read in full before the import starts.
            raise CommandError(f"Cannot read the Office's records: {error}") from error
        # Several nodes may start together: one imports, the others wait and find it done.
        with startup_step("import_hsg", self.stderr):
            result = import_records(records)
            # The curated files' additions to Office encounters (readouts found for them).
            try:
                amended = load_hsg_amendments()
            except SeedError as error:
                raise CommandError(f"Office records imported; amendments not. {error}") from error
        self.stdout.write(
            f"Office of the Historian: {result.records} records; {len(result.imported)} "
            f"imported now, {len(result.already)} already present; {len(result.created)} "
            f"encounters created, {len(result.merged)} merged from several records, "
            f"{len(result.linked)} records linked to curated encounters, "
            f"{result.discrepancies} discrepancies recorded; {len(amended.amended)} "
            "amended from the curated files."
        )
        for record_id, slug in result.waiting:
            self.stderr.write(
                self.style.WARNING(
                    f"{record_id} not imported: it describes curated encounter {slug}, which is "
                    "missing. Run `manage.py load_seed` first."
                )
            )
        if result.unmatched and options["verbosity"] > 1:
            for record_id, phrase in result.unmatched:
                self.stdout.write(f"  not matched: {record_id}: {phrase}")
