"""`manage.py restore FILE`: pg_restore a backup into the app's database.

The work is done by engagements/infrastructure/backup.py.
"""

from django.core.management.base import BaseCommand, CommandError

from engagements.infrastructure.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the app's database, replacing the "
        "tables it contains (in one transaction)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Backup file; '-' for standard input.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file, interactive=True, **options):
        if interactive and file != "-":
            answer = input(
                f"This replaces the data in the database with the contents of {file}.\n"
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(f"Restored {file}")
