"""Generate synthetic encounters for load tests: `manage.py generate_encounters --count N --seed S`.

See engagements/devtools/synthetic.py for what is generated and how it is marked.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from engagements.devtools import synthetic


class Progress:
    """A one-line progress bar on stderr (a line per 10% when stderr is not a terminal)."""

    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.last_decile = -1

    def __call__(self, done, total):
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed else 0
        eta = (total - done) / rate if rate else 0
        fraction = done / total
        line = (
            f"[{'#' * int(fraction * 30):<30}] {done:,}/{total:,} ({fraction:.0%}) "
            f"{rate:,.0f}/s, {elapsed:.0f} s elapsed, ETA {eta:.0f} s"
        )
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        elif int(fraction * 10) != self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Generate N synthetic encounters (provenance=synthetic) with participants, sources, "
        "quotes and topics, deterministically from --seed. Remove them with clear_synthetic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="Encounters to create.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same rows.")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="First remove all synthetic data (every seed), as clear_synthetic does.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Encounters per COPY batch."
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Skip the one 'created' history row per encounter.",
        )

    def handle(self, *args, count, seed, clear, batch_size, no_history, verbosity, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if seed < 0:
            raise CommandError("--seed must be zero or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if clear:
            removed = synthetic.clear_synthetic()
            if verbosity:
                self.stdout.write(f"Removed {removed['encounters']:,} synthetic encounter(s).")
        elif synthetic.existing_for_seed(seed):
            raise CommandError(
                f"Synthetic encounters for seed {seed} already exist. Pass --clear to replace "
                "all synthetic data, or use another --seed."
            )
        progress = Progress(sys.stderr) if verbosity else None
        result = synthetic.generate(
            count, seed, batch_size=batch_size, history=not no_history, progress=progress
        )
        if verbosity:
            self.stdout.write(
                f"Generated {result.encounters:,} synthetic encounters (seed {seed}) with "
                f"{result.participations:,} participations, {result.sources:,} sources, "
                f"{result.quotes:,} quotes and {result.topic_links:,} topic links in "
                f"{result.seconds:.1f} s ({result.encounters / result.seconds:,.0f}/s)."
            )
