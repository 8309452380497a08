"""Load the curated encounters: engagements/fixtures/seed.json and fixtures/coverage/*.json.

Idempotent: every row is looked up by its natural key and created only when missing, so running
it again changes nothing and never overwrites an editor's corrections. One transaction: a file
that cannot be loaded stops the run with a message and nothing is written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from engagements.infrastructure.locks import startup_step
from engagements.infrastructure.seeding import SeedError, SeedLoader, seed_files


class Command(BaseCommand):
    help = (
        "Load the curated encounters from fixtures/seed.json and fixtures/coverage/*.json "
        "(idempotent: existing rows are left unchanged)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            action="append",
            dest="files",
            help="Load only this file (repeatable). Default: seed.json and every coverage file.",
        )

    def handle(self, *args, files=None, **options):
        # Several nodes may start together: one loads, the others wait and find it loaded.
        try:
            with startup_step("load_seed", self.stderr):
                result = SeedLoader(files or seed_files()).run()
        except SeedError as error:
            raise CommandError(f"Nothing loaded. {error}") from error
        if options["verbosity"] > 0:
            self.stdout.write(result.summary())
            if result.waiting:
                self.stdout.write(
                    f"  {len(result.waiting)} amendment(s) of Office encounters wait for "
                    "`manage.py import_hsg`, which applies them."
                )
            for slug, name, stated, coded in result.recoded:
                self.stdout.write(
                    f"  {slug}: {name} is {coded} by the coding rules, not {stated} as in the file"
                )
        if options["verbosity"] > 1:
            for model, key in sorted(result.ignored):
                self.stdout.write(f"  not stored (no such field yet): {model}.{key}")
