"""CSV bulk import in the admin: dry run, row-level errors, confirmation, all-or-nothing."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.models import Encounter, Person, Side
from engagements.surfaces import csv_columns
from engagements.surfaces.importing import EncounterResource
from tests.factories import EncounterFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:engagements_encounter_import")
PROCESS = reverse("admin:engagements_encounter_process_import")


@pytest.fixture
def people(db):
    TopicFactory(name="Climate", slug="climate")
    return [
        PersonFactory(name="Antony Blinken", slug="antony-blinken", side=Side.US),
        PersonFactory(name="Wang Yi", slug="wang-yi", side=Side.PRC, aliases="Wang Yee"),
    ]


def row(**overrides):
    values = {
        "slug": "blinken-wang-2024-04-26",
        "title": "Blinken–Wang meeting",
        "kind": "meeting",
        "venue": "prc",
        "level": "cabinet",
        "start_date": "2024-04-26",
        "end_date": "",
        "date_precision": "day",
        "duration_minutes": "330",
        "place": "Diaoyutai State Guesthouse",
        "city": "Beijing",
        "country": "cn",
        "initiated_by": "unknown",
        "tone": "candid",
        "occurrence": "held",
        "summary": "Five and a half hours of talks.",
        "topics": "Climate",
        "principals": "Antony Blinken: Secretary of State; Wang Yee: Foreign Minister",
        "sources": "State Department: https://www.state.gov/x; Xinhua",
    }
    return values | overrides


def csv_file(*rows, columns=None):
    columns = columns or csv_columns.IMPORT_NAMES
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for values in rows:
        writer.writerow(values)
    return out.getvalue().encode("utf-8")


def upload(client, content, name="encounters.csv"):
    return client.post(IMPORT, {"import_file": SimpleUploadedFile(name, content), "format": "0"})


def test_import_is_for_publishers_only(editor_client, publisher_client):
    assert editor_client.get(IMPORT).status_code == 403
    assert (
        "Import"
        not in editor_client.get(reverse("admin:engagements_encounter_changelist")).text.split(
            "<title>"
        )[0]
    )
    page = publisher_client.get(IMPORT)
    assert page.status_code == 200
    assert "principals" in page.text  # the accepted columns are listed


def test_dry_run_then_confirm_imports_drafts_with_their_parts(publisher_client, people):
    preview = upload(publisher_client, csv_file(row(), row(slug="second", title="Second")))
    assert preview.status_code == 200
    assert not Encounter.objects.exists()  # the dry run changed nothing
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert "Blinken–Wang meeting" in preview.text
    confirm = preview.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    response = publisher_client.post(PROCESS, data)
    assert response.status_code == 302
    encounter = Encounter.objects.get(slug="blinken-wang-2024-04-26")
    assert encounter.status == "draft"
    assert encounter.end_date == encounter.start_date
    assert encounter.place.country == "CN"
    assert [t.slug for t in encounter.topics.all()] == ["climate"]
    principals = {p.person.slug: p.office for p in encounter.participations.all()}
    assert principals == {"antony-blinken": "Secretary of State", "wang-yi": "Foreign Minister"}
    assert sorted(encounter.sources.values_list("outlet", "url")) == [
        ("State Department", "https://www.state.gov/x"),
        ("Xinhua", ""),
    ]
    assert "Wang Yi" in encounter.search_document
    assert encounter.publish_problems() == []
    assert Encounter.objects.count() == 2


def test_row_errors_are_reported_and_nothing_is_imported(publisher_client, people):
    EncounterFactory(slug="taken")
    content = csv_file(
        row(),
        row(slug="bad-date", start_date="26/04/2024"),
        row(slug="backwards", start_date="2024-04-26", end_date="2024-04-01"),
        row(slug="taken"),
        row(slug="nobody", principals="Henry Kissinger"),
        row(slug="bad-kind", kind="dinner", topics="Cooking"),
    )
    response = upload(publisher_client, content)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    text = response.text
    assert "is not a date in the form YYYY-MM-DD" in text
    assert "encounter_end_not_before_start" in text or "end" in text
    assert "already exists" in text
    assert "Unknown person(s): Henry Kissinger" in text
    assert "Unknown topic(s): Cooking" in text
    assert "dinner" in text
    assert Encounter.objects.count() == 1  # only the pre-existing one


def test_a_bad_row_rolls_back_the_whole_file():
    resource = EncounterResource()
    import tablib

    PersonFactory(name="Antony Blinken", slug="antony-blinken", side=Side.US)
    dataset = tablib.Dataset(headers=csv_columns.IMPORT_NAMES)
    good = row(principals="Antony Blinken", topics="")
    for values in (good, good | {"slug": "bad", "start_date": "not a date"}):
        dataset.append([values.get(c, "") for c in csv_columns.IMPORT_NAMES])
    result = resource.import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert not Encounter.objects.exists()
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"title,kind\nA,meeting\n", "missing column(s): slug"),
        (
            csv_file(row(), columns=[*csv_columns.IMPORT_NAMES, "colour"]),
            "unknown column(s): colour",
        ),
        (
            csv_file(row(), columns=[*csv_columns.EXPORT_NAMES, "colour"]),
            "unknown column(s): colour. Expected:",
        ),
        ("slug,title\n".encode("utf-16"), "encountered while trying to read file"),
        (b"\xff\xfe\x00garbage\x81\x82", "encountered while trying to read file"),
        (b"", "The submitted file is empty."),
        (b"slug,title,kind,venue,level,start_date\n", "No valid data to import"),
    ],
)
def test_broken_files_get_a_message_not_a_500(publisher_client, people, content, message):
    response = upload(publisher_client, content)
    assert response.status_code == 200
    assert message in response.text
    assert not Encounter.objects.exists()


def test_a_byte_order_mark_from_a_spreadsheet_is_fine(publisher_client, people):
    response = upload(publisher_client, "\ufeff".encode() + csv_file(row()))
    assert response.context["result"] is not None
    assert not response.context["result"].has_validation_errors()


def test_uploads_are_kept_in_the_database_cache_not_on_disk(publisher_client, people):
    from django.core.cache import caches

    preview = upload(publisher_client, csv_file(row()))
    name = preview.context["confirm_form"]["import_file_name"].value()
    assert "/" not in name
    assert caches["imports"].get("django-import-export-" + name) is not None


def test_export_columns_match_the_import_columns(people):
    resource = EncounterResource()
    assert [f.column_name for f in resource.get_export_fields()] == csv_columns.IMPORT_NAMES


ROUND_TRIP_SLUG = "biden-xi-phone-call-2021-09-09"


def import_columns(encounter):
    """The encounter as the import columns describe it (what a round trip must keep)."""
    return {column.name: column.value(encounter, None) for column in csv_columns.IMPORT_COLUMNS}


def test_an_exported_csv_imports_back_unchanged(client, publisher_client, seeded):
    # Cells a spreadsheet would run as formulas: guarded in the file, unguarded by the import.
    Encounter.objects.filter(slug=ROUND_TRIP_SLUG).update(
        title="=Biden–Xi phone call",
        tone_note="+frank\r\nand candid",
        outcomes="-none announced",
        summary="@Treaty Room",
    )
    original = import_columns(Encounter.objects.get(slug=ROUND_TRIP_SLUG))
    assert original["principals"] and original["sources"] and original["topics"]
    assert original["place"]

    export = client.get(
        "/encounters.csv", {"date_after": "2021-09-09", "date_before": "2021-09-09"}
    )
    content = b"".join(export.streaming_content)
    exported = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert [r["slug"] for r in exported] == [ROUND_TRIP_SLUG]
    assert list(exported[0]) == csv_columns.EXPORT_NAMES  # research columns included
    assert exported[0]["title"] == "'=Biden–Xi phone call"

    Encounter.objects.filter(slug=ROUND_TRIP_SLUG).delete()
    preview = upload(publisher_client, content)
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert not Encounter.objects.filter(slug=ROUND_TRIP_SLUG).exists()  # dry run only
    confirm = preview.context["confirm_form"]
    response = publisher_client.post(PROCESS, {n: confirm[n].value() for n in confirm.fields})
    assert response.status_code == 302

    imported = Encounter.objects.get(slug=ROUND_TRIP_SLUG)
    assert imported.status == Encounter.Status.DRAFT
    assert import_columns(imported) == original
    assert imported.title == "=Biden–Xi phone call"


def test_export_only_columns_are_ignored_not_imported(publisher_client, people):
    extra = {"url": "http://elsewhere/", "provenance": "hsg", "principal_slugs": "nobody-at-all"}
    preview = upload(publisher_client, csv_file(row() | extra, columns=csv_columns.EXPORT_NAMES))
    assert not preview.context["result"].has_validation_errors()
    confirm = preview.context["confirm_form"]
    publisher_client.post(PROCESS, {n: confirm[n].value() for n in confirm.fields})
    encounter = Encounter.objects.get(slug="blinken-wang-2024-04-26")
    assert encounter.provenance == "curated"
    assert encounter.participations.count() == 2


@pytest.mark.parametrize(
    ("cell", "imported"),
    [
        ("'=1+1", "=1+1"),
        ("'+1", "+1"),
        ("'-1", "-1"),
        ("'@here", "@here"),
        ("'\tx", "\tx"),
        ("'\rx", "\rx"),
        ("'quoted", "'quoted"),  # an apostrophe before anything else is the text's own
        ("=1+1", "=1+1"),  # an unguarded file imports as written
    ],
)
def test_import_removes_only_the_exports_formula_guard(cell, imported):
    assert csv_columns.unprotect_cell(cell) == imported
    if cell.startswith("'") and cell[1:] == imported:
        assert csv_columns.protect_cell(imported) == cell


# --- At scale: queries per row, the preview of a large file ----------------------------------


def many_rows(count, **overrides):
    return [
        row(slug=f"row-{n}", title=f"Meeting number {n}", **overrides) for n in range(1, count + 1)
    ]


def queries_of(callable_):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = callable_()
    return response, [query["sql"] for query in queries]


def test_a_dry_run_runs_a_fixed_number_of_queries_whatever_the_rows(publisher_client, people):
    small, small_queries = queries_of(lambda: upload(publisher_client, csv_file(*many_rows(3))))
    large, large_queries = queries_of(lambda: upload(publisher_client, csv_file(*many_rows(60))))
    for response in (small, large):
        result = response.context["result"]
        assert not result.has_errors() and not result.has_validation_errors()
    assert large.context["result"].totals["new"] == 60
    # People, topics, places and existing slugs are looked up once per file, constraints are
    # checked without a query: 57 more rows cost (almost) nothing more.
    assert len(large_queries) - len(small_queries) <= 57 // 10
    assert not any(
        sql.startswith(("INSERT", "UPDATE", "DELETE"))
        for sql in large_queries
        if "import_cache" not in sql
    )
    assert not Encounter.objects.exists()


def test_a_confirmed_import_runs_a_few_queries_per_row(publisher_client, people):
    def confirmed(count):
        preview = upload(publisher_client, csv_file(*many_rows(count)))
        confirm = preview.context["confirm_form"]
        data = {name: confirm[name].value() for name in confirm.fields}
        return queries_of(lambda: publisher_client.post(PROCESS, data))

    _, small = confirmed(2)
    Encounter.objects.all().delete()
    _, large = confirmed(22)
    assert Encounter.objects.count() == 22
    # Rows, history and parts are written per batch; per row only the coding rules' reading of
    # the stored principals remains.
    assert (len(large) - len(small)) / 20 <= 1.5


def test_a_confirmed_import_keeps_history_and_the_admin_log(publisher_client, publisher, people):
    from django.contrib.admin.models import ADDITION, LogEntry

    preview = upload(publisher_client, csv_file(row()))
    confirm = preview.context["confirm_form"]
    publisher_client.post(PROCESS, {n: confirm[n].value() for n in confirm.fields})
    encounter = Encounter.objects.get(slug="blinken-wang-2024-04-26")
    [created] = encounter.history.all()
    assert created.history_type == "+" and created.history_user == publisher
    assert created.title == "Blinken–Wang meeting"
    entry = LogEntry.objects.get(object_id=str(encounter.pk))
    assert entry.action_flag == ADDITION and entry.user == publisher


def test_the_preview_of_a_large_file_shows_the_first_rows_and_the_counts(
    publisher_client, people, monkeypatch
):
    from engagements.surfaces import importing

    monkeypatch.setattr(importing, "PREVIEW_ROWS", 5)
    response = upload(publisher_client, csv_file(*many_rows(12)))
    text = response.text
    assert "12 rows in the file: 12 new, 0 updated, 0 skipped, 0 with errors." in text
    assert "7 more rows not shown" in text
    for n in range(1, 6):
        assert f"Meeting number {n}<" in text
    for n in range(6, 13):
        assert f"Meeting number {n}<" not in text
    assert "confirm_form" in response.context  # every row is still imported on confirmation


def test_a_large_file_with_bad_rows_reports_every_row_and_shows_the_values_of_the_first(
    publisher_client, people, monkeypatch
):
    from engagements.surfaces import importing

    monkeypatch.setattr(importing, "PREVIEW_ROWS", 3)
    rows = many_rows(10)
    for values in rows[1::2]:  # lines 2, 4, 6, 8, 10
        values["start_date"] = "31/12/2024"
    rows[8]["principals"] = "Henry Kissinger"  # line 9
    response = upload(publisher_client, csv_file(*rows))
    text = response.text
    assert "confirm_form" not in response.context
    assert "10 rows in the file: 4 new, 0 updated, 0 skipped, 6 with errors." in text
    assert text.count("“31/12/2024” is not a date in the form YYYY-MM-DD.") == 5
    assert "Unknown person(s): Henry Kissinger" in text
    for line in (8, 9, 10):  # past the first three bad rows: messages, not values
        assert f"<dt>Line {line}</dt>" in text
    assert "Meeting number 2<" in text and "Meeting number 10<" not in text


def test_a_slug_twice_in_one_file_is_an_error_on_the_second_line(publisher_client, people):
    response = upload(publisher_client, csv_file(row(), row(title="Again")))
    assert "confirm_form" not in response.context
    assert "Line 1 of this file has the same slug: give each row its own." in response.text
    assert response.context["result"].totals["invalid"] == 1


def test_the_confirmed_import_applies_the_coding_rules(publisher_client, people):
    # The principals are a Secretary of State and a Foreign Minister: the level follows them.
    preview = upload(publisher_client, csv_file(row(level="working")))
    confirm = preview.context["confirm_form"]
    publisher_client.post(PROCESS, {n: confirm[n].value() for n in confirm.fields})
    encounter = Encounter.objects.get(slug="blinken-wang-2024-04-26")
    assert encounter.derived_level == "cabinet"
    assert encounter.level == "cabinet"
    assert encounter.apply_coding_rules(save=False) == []
    assert encounter.search_document == encounter.build_search_document()


CONSTRAINT_CASES = [
    {},
    {"end_date": datetime.date(2024, 4, 25)},
    {"end_date": None},
    {"beijing_date": datetime.date(2024, 4, 28)},
    {"beijing_date": datetime.date(2024, 4, 27)},
    {"washington_date": datetime.date(2024, 4, 24)},
    {"washington_date": datetime.date(2024, 4, 25)},
    {"derived_level": "cabinet", "level": "working"},
    {"derived_level": "cabinet", "level": "working", "level_override_reason": "A courtesy call."},
    {"derived_level": "", "level": "working"},
    {"duration_minutes": 0},
    {"duration_minutes": None},
    {"duration_minutes": 5},
    {"status": "published"},
    {"status": "published", "published_at": datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)},
]


@pytest.mark.parametrize("values", CONSTRAINT_CASES)
def test_constraints_evaluated_in_python_agree_with_the_database(values):
    from django.db.models import CheckConstraint

    from engagements.surfaces.importing import holds

    encounter = Encounter(
        slug="x",
        title="x",
        kind="meeting",
        venue="prc",
        level="cabinet",
        start_date=datetime.date(2024, 4, 26),
        end_date=datetime.date(2024, 4, 26),
    )
    for name, value in values.items():
        setattr(encounter, name, value)
    checks = [c for c in Encounter._meta.constraints if isinstance(c, CheckConstraint)]
    assert checks
    for constraint in checks:
        try:
            constraint.validate(Encounter, encounter)
            database = True
        except ValidationError:
            database = False
        assert (holds(constraint.condition, encounter) is not False) == database, constraint.name
