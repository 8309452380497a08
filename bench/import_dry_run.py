"""`make bench-import`: time the admin's CSV import of a large file, as a publisher would run it.

1. Runs inside a database of its own (LOCALDB_NAME=engagements_import_bench in the worktree's
   local PostgreSQL; the Makefile target sets it), migrated, with IMPORT_BENCH_ROWS (10,000)
   synthetic encounters (in a fresh database all from seed IMPORT_BENCH_SEED, 20261129),
   generated once and reused.
2. Writes the file an editor would upload: those encounters exported exactly as /encounters.csv
   writes them (surfaces/exports.py), each slug given the suffix "-copy" so that every row is a
   new draft. The file is kept at .pgdata/import-bench/encounters-<rows>.csv.
3. Uploads it to the admin's import page with Django's test client, logged in as a publisher:
   the dry run (the preview). Prints its time, SQL queries (in total and per row), the page's
   size and the preview's counts. With --confirm it then confirms the import (timed too) inside
   a transaction it rolls back, so the next run starts from the same database.

It is a measurement, not a test: tests/test_import.py locks the query count per row instead.
"""

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.infrastructure.settings")

ROWS = int(os.environ.get("IMPORT_BENCH_ROWS", "10000"))
SEED = int(os.environ.get("IMPORT_BENCH_SEED", "20261129"))
OUT_DIR = BASE_DIR / ".pgdata" / "import-bench"
SUFFIX = "-copy"


def ensure_encounters():
    """ROWS synthetic encounters (a fresh database: all from SEED), generated when missing."""
    from engagements.devtools import synthetic
    from engagements.models import Encounter

    mine = Encounter.objects.filter(provenance=Encounter.Provenance.SYNTHETIC)
    have = mine.count()
    if have < ROWS:
        print(f"generating {ROWS - have:,} synthetic encounters…", flush=True)
        synthetic.generate(ROWS - have, SEED + have)
    return mine


def write_file(queryset):
    """The public export of `ROWS` encounters, with new slugs."""
    from django.test import RequestFactory

    from engagements.surfaces import exports

    request = RequestFactory().get("/encounters.csv")
    text = "".join(exports.csv_lines(queryset.order_by("pk")[:ROWS], request))
    reader = csv.reader(io.StringIO(text.removeprefix(exports.CSV_BOM), newline=""))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = next(reader)
    slug = header.index("slug")
    writer.writerow(header)
    for values in reader:
        values[slug] += SUFFIX
        writer.writerow(values)
    content = (exports.CSV_BOM + out.getvalue()).encode("utf-8")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"encounters-{ROWS}.csv"
    path.write_bytes(content)
    return path, content


def publisher_client():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="import-bench", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name="Publishers"))
    client = Client()
    client.force_login(user)
    return client


class QueryCounter:
    """Counts the SQL statements run (Django's query log keeps only the last 9,000), and with
    IMPORT_BENCH_PROFILE=1 the time spent per statement shape."""

    def __init__(self):
        self.count = 0
        self.shapes = {}

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            if os.environ.get("IMPORT_BENCH_PROFILE"):
                shape = sql[:90]
                calls, seconds = self.shapes.get(shape, (0, 0.0))
                self.shapes[shape] = (calls + 1, seconds + time.monotonic() - started)

    def report(self):
        for shape, (calls, seconds) in sorted(self.shapes.items(), key=lambda i: -i[1][1])[:25]:
            print(f"  {seconds:7.2f} s {calls:7,}x  {shape}")


def timed(client, url, data):
    from django.db import connection

    counter = QueryCounter()
    profile = None
    if os.environ.get("IMPORT_BENCH_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
    with connection.execute_wrapper(counter):
        started, cpu = time.monotonic(), time.process_time()
        if profile:
            profile.enable()
        response = client.post(url, data)
        seconds = time.monotonic() - started
    cpu = time.process_time() - cpu
    print(f"  ({cpu:.1f} s of CPU in this process; load average {os.getloadavg()[0]:.1f})")
    if profile:
        import pstats

        profile.disable()
        pstats.Stats(profile).sort_stats(
            os.environ.get("IMPORT_BENCH_SORT", "cumulative")
        ).print_stats(45)
    counter.report()
    return response, seconds, counter.count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--confirm", action="store_true", help="also confirm, then remove")
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from engagements.models import Encounter

    setup_test_environment()  # the test client's host and response.context
    call_command("migrate", verbosity=0)
    path, content = write_file(ensure_encounters())
    print(f"file: {path} ({len(content) / 1e6:.1f} MB, {ROWS:,} rows)", flush=True)

    client = publisher_client()
    upload = SimpleUploadedFile(path.name, content, content_type="text/csv")
    response, seconds, queries = timed(
        client, reverse("admin:engagements_encounter_import"), {"import_file": upload, "format": 0}
    )
    result = response.context["result"] if response.context else None
    if response.status_code != 200 or result is None or result.has_validation_errors():
        print(response.status_code, response.content[:2000].decode(errors="replace"))
        sys.exit("the dry run did not succeed")
    print(
        f"dry run: {seconds:.1f} s, {queries:,} SQL queries ({queries / ROWS:.2f} per row), "
        f"page {len(response.content) / 1e3:,.0f} kB, counts {dict(result.totals)}",
        flush=True,
    )
    if arguments.confirm:
        from django.db import transaction

        confirm = response.context["confirm_form"]
        data = {name: confirm[name].value() for name in confirm.fields}
        # Rolled back afterwards, so that the next run starts from the same database.
        with transaction.atomic():
            response, seconds, queries = timed(
                client, reverse("admin:engagements_encounter_process_import"), data
            )
            imported = Encounter.objects.filter(slug__endswith=SUFFIX).count()
            transaction.set_rollback(True)
        print(
            f"confirm: {seconds:.1f} s, {queries:,} SQL queries ({queries / ROWS:.2f} per row), "
            f"status {response.status_code}, {imported:,} drafts imported (then rolled back)",
            flush=True,
        )


if __name__ == "__main__":
    main()
