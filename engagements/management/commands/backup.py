"""`manage.py backup [--output FILE]`: pg_dump the app's database (infrastructure/backup.py)."""

from django.core.management.base import BaseCommand, CommandError

from engagements.infrastructure.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the app's database with pg_dump (custom format) into backups/ or --output."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="File to write; '-' for standard output. Default: "
            "BACKUP_DIR/engagements-<UTC time>.dump.",
        )

    def handle(self, *args, output=None, **options):
        try:
            path = backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if str(path) != "-":
            self.stderr.write(f"Backup written to {path}")
