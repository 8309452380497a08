"""`manage.py migrate_on_start`: the container's start-up migration (deploy/entrypoint.sh).

Waits for the database (a managed server may still be starting), then migrates under a
PostgreSQL advisory lock, so that several web containers starting at once (`--scale web=3`)
migrate one after the other instead of racing; the later ones find nothing left to do.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection

# Any constant shared by all containers of this app; "engagements" in ASCII, trimmed to int8.
MIGRATION_LOCK = 0x656E676167656D65


class Command(BaseCommand):
    help = "Wait for the database, then run migrations under an advisory lock."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait", type=float, default=60, help="Seconds to wait for the database."
        )

    def handle(self, *args, wait, **options):
        self.wait_for_database(wait)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
            try:
                call_command("migrate", interactive=False, verbosity=options["verbosity"])
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])

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
