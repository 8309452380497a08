"""Check the record: one line per problem (slug, field, what is wrong); exit 1 if any.

Warnings (a record that may have gone stale) are printed as lines starting "warning" and do not
change the exit status.

Also shown to editors at /admin/data-check/. docs/developers.md, "Coding rules", lists the
checks.
"""

import sys

from django.core.management.base import BaseCommand

from engagements.domain.checks import CHECKS, WARNINGS, find_problems, find_warnings


class Command(BaseCommand):
    help = "List every problem in the record, one line each; exit non-zero when there is any."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            action="append",
            choices=sorted([*CHECKS, *WARNINGS]),
            help="Run only this check (repeatable).",
        )
        parser.add_argument(
            "--include-synthetic",
            action="store_true",
            help="Check generated (synthetic) encounters too.",
        )

    def handle(self, *args, only=None, include_synthetic=False, **options):
        problems = find_problems(only=only, include_synthetic=include_synthetic)
        warnings = find_warnings(only=only, include_synthetic=include_synthetic)
        for problem in problems:
            self.stdout.write(str(problem))
        for warning in warnings:
            self.stdout.write(f"warning\t{warning}")
        if options["verbosity"] > 0:
            self.stderr.write(f"{len(problems)} problem(s), {len(warnings)} warning(s).")
        if problems:
            sys.exit(1)
