"""Print what the readout parser proposes for a readout's text, for checking or batch use.

    python manage.py parse_readout FILE [--url URL] [--json]

FILE holds one readout (Chinese or English, UTF-8; "-" reads standard input). The proposal is
the one the admin's "Add from a readout" page shows (engagements/domain/readouts.py), with People
matched from the database. --json prints it as one JSON object: kind, dates, principals with
side and office, initiated_by with its words, topics, each value with the words it came from
(null where the text does not say). Exit status 1 with the reason for input that is no readout.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from engagements.domain.intake import people_directory
from engagements.domain.readouts import ReadoutError, parse_readout


class Command(BaseCommand):
    help = "Print the readout parser's proposal for a readout's text (FILE, or - for stdin)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A UTF-8 text file holding one readout, or -.")
        parser.add_argument("--url", default="", help="The readout's address.")
        parser.add_argument("--json", action="store_true", help="Print the proposal as JSON.")

    def handle(self, *args, **options):
        text = self.read(options["file"])
        try:
            proposal = parse_readout(text, options["url"], people=people_directory())
        except ReadoutError as error:
            raise CommandError(str(error)) from error
        data = proposal.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for key, value in data.items():
            if key == "principals":
                for p in value:
                    person = p["person"] or "not in People"
                    self.stdout.write(
                        f"principal\t{p['side']}\t{p['name']} ({person})\t{p['office']}"
                    )
            elif key == "topics":
                self.stdout.write("topics\t" + ", ".join(t["value"] for t in value))
            elif isinstance(value, dict):
                shown = "unknown" if value["value"] is None else value["value"]
                self.stdout.write(f"{key}\t{shown}\t{value['words']}")
            else:
                self.stdout.write(f"{key}\t{value}")

    def read(self, name):
        if name == "-":
            return sys.stdin.read()
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"No such file: {name}")
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CommandError(f"{name} is not UTF-8 text.") from error
