"""Remove all synthetic data (from generate_encounters) in one command; curated rows stay."""

from django.core.management.base import BaseCommand

from engagements.devtools import synthetic


class Command(BaseCommand):
    help = (
        "Delete every synthetic encounter (provenance=synthetic) with its participants, "
        "sources, quotes, topic links and history, and the synthetic people, places and topics "
        "no curated row uses. Curated and imported rows are never touched."
    )

    def handle(self, *args, verbosity, **options):
        counts = synthetic.clear_synthetic()
        if verbosity:
            summary = ", ".join(f"{n:,} {label}" for label, n in counts.items() if n)
            self.stdout.write(f"Removed {summary or 'nothing: no synthetic data'}.")
