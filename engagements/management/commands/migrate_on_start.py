"""`manage.py migrate_on_start [--load]`: the container's start-up (deploy/entrypoint.sh).

Waits for the database (a managed server may still be starting), then migrates and, with
--load, loads the seed and imports the Office of the Historian's records, all under the
start-up advisory lock (engagements/infrastructure/locks.py): several web containers starting
at once (`--scale web=3`) take turns instead of racing, and the later ones find nothing left to
do.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection

from engagements.infrastructure.locks import STARTUP_LOCK, startup_step

MIGRATION_LOCK = STARTUP_LOCK


class Command(BaseCommand):
    help = "Wait for the database, then run migrations under an advisory lock."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait", type=float, default=60, help="Seconds to wait for the database."
        )
        parser.add_argument(
            "--load",
            action="store_true",
            help="Then load the seed and import the Office of the Historian's records.",
        )

    def handle(self, *args, wait, load, **options):
        self.wait_for_database(wait)
        verbosity = options["verbosity"]
        # One lock around all steps: a node that finds it taken waits for the whole start-up
        # of the node holding it, then runs each step and finds it done.
        with startup_step("migrate_on_start", self.stderr):
            call_command("migrate", interactive=False, verbosity=verbosity)
            if load:
                call_command("load_seed", verbosity=verbosity)
                # After the seed: it links records to curated encounters.
                call_command("import_hsg", verbosity=verbosity)

    def wait_for_database(self, wait):
        deadline = time.monotonic() + wait
        while True:
            try:
                connection.ensure_connection()
                return
            except OperationalError as error:
                if time.monotonic() > deadline:
                    raise CommandError(f"The database did not answer in {wait:g}s.") from error
                self.stderr.write("Waiting for the database...")
                connection.close()
                time.sleep(1)
