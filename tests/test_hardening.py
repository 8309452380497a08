"""Hardening, second pass: what an attacker or a careless editor could still do to the site
(docs/operators.md, "Security limits"). The proxy cases run against the real Caddy in
tests/test_abuse.py."""

import datetime
import threading
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from engagements.domain.timeline import next_month
from engagements.models import Encounter, Source
from tests.adminforms import form_data
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    TopicFactory,
)
from tests.test_admin import formset_management
from tests.test_import import people as people  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


def encounter_form(**fields):
    return {
        "title": "A meeting",
        "slug": "a-meeting",
        "status": "draft",
        "occurrence": "held",
        "kind": "visit",
        "venue": "prc",
        "level": "cabinet",
        "initiated_by": "unknown",
        "start_date": "2024-01-05",
        "end_date": "",
        "date_precision": "day",
        "tone": "unknown",
        "provenance": "curated",
        **formset_management("participations"),
        **formset_management("sources"),
        **formset_management("quotes"),
        **fields,
    }


# --- dates in a plausible range ----------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end", [("9999-12-01", ""), ("0001-01-01", ""), ("2024-01-01", "2100-01-01")]
)
def test_the_admin_refuses_an_implausible_date_beside_the_field(admin_client, start, end):
    response = admin_client.post(
        reverse("admin:engagements_encounter_add"),
        encounter_form(start_date=start, end_date=end),
    )
    assert response.status_code == 200
    assert not Encounter.objects.filter(slug="a-meeting").exists()
    errors = response.context["adminform"].form.errors
    assert "1 October 1949" in str(errors) or "31 December 2099" in str(errors)


@pytest.mark.parametrize(
    "start, end",
    [
        (datetime.date(9999, 12, 1), datetime.date(9999, 12, 1)),
        (datetime.date(1, 1, 1), datetime.date(1, 1, 1)),
        (datetime.date(2024, 1, 1), datetime.date(2100, 1, 1)),
    ],
)
def test_the_database_refuses_an_implausible_date_on_every_path(start, end):
    encounter = EncounterFactory()
    with (
        pytest.raises(IntegrityError, match="encounter_dates_in_plausible_range"),
        transaction.atomic(),
    ):
        Encounter.objects.filter(pk=encounter.pk).update(start_date=start, end_date=end)


def test_next_month_of_the_last_month_there_is_does_not_overflow():
    assert next_month(datetime.date(9999, 12, 5)) == datetime.date.max
    assert next_month(datetime.date(2024, 12, 31)) == datetime.date(2025, 1, 1)


@pytest.mark.parametrize(
    "query",
    [
        "date_after=9999-12-31&date_before=9999-12-31",
        "date_after=0001-01-01",
        "date_before=0001-01-01",
    ],
)
def test_the_timeline_answers_for_dates_at_the_calendars_ends(anonymous, query):
    EncounterFactory()
    response = anonymous.get(f"/timeline/?{query}")
    assert response.status_code in (200, 400)


# --- control characters ------------------------------------------------------------------------


def test_control_characters_are_dropped_when_text_is_entered(admin_client):
    response = admin_client.post(
        reverse("admin:engagements_encounter_add"),
        encounter_form(title="Line\x0bbreak\x1b from Word", summary="One\x0btwo\x07"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    encounter = Encounter.objects.get(slug="a-meeting")
    assert encounter.title == "Line break from Word"
    assert encounter.summary == "One\ntwo"


def test_a_control_character_already_stored_never_breaks_the_feed(anonymous):
    encounter = EncounterFactory(title="Clean")
    SourceFactory(encounter=encounter)
    # As a row written before the cleaning (or by a bulk path that skips it) would be.
    Encounter.objects.filter(pk=encounter.pk).update(
        title="Pasted\x0bfrom Word", summary="Bell\x07 and escape\x1b"
    )
    response = anonymous.get("/feeds/encounters.atom")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert any(title.startswith("Pasted\nfrom Word") for title in titles)


def test_a_control_character_in_a_feeds_parameter_is_dropped(anonymous):
    EncounterFactory()
    response = anonymous.get("/feeds/encounters.atom?q=a%01b")
    assert response.status_code == 200
    assert "q ab" in ET.fromstring(response.content).find(f"{ATOM}title").text


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/encounters.csv", "/encounters.json"])
def test_head_on_an_export_builds_no_body_and_takes_no_slot(rf, settings, monkeypatch, path):
    from engagements.infrastructure.limits import export_slots
    from engagements.surfaces import exports

    settings.EXPORT_CONCURRENCY = 1
    EncounterFactory()
    built = []
    monkeypatch.setattr(exports, "rows", lambda *args: built.append(args) or iter(()))
    view = exports.encounters_csv if path.endswith(".csv") else exports.encounters_json
    response = view(rf.head(path))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert not response.streaming and response.content == b""
    slots = export_slots()
    assert slots.acquire(blocking=False), "a HEAD held the only export slot"
    slots.release()
    assert built == []


def test_a_slow_reader_loses_its_export_slot_at_the_deadline(rf, settings):
    from engagements.infrastructure.limits import ExportDeadlinePassed, export_slots
    from engagements.surfaces import exports

    settings.EXPORT_CONCURRENCY = 1
    settings.EXPORT_DEADLINE_SECONDS = 0.05
    for _ in range(3):
        EncounterFactory()
    response = exports.encounters_csv(rf.get("/encounters.csv"))
    chunks = iter(response.streaming_content)
    assert next(chunks).decode().startswith("\ufeffslug")  # reading has begun, then stalls
    slots = export_slots()
    # The deadline frees the slot even though the reader never comes back for more...
    release = threading.Event()
    threading.Thread(target=lambda: slots.acquire(timeout=5) and release.set()).start()
    assert release.wait(timeout=5), "the slot was still held after the deadline"
    slots.release()
    # ... and the export stops there: cut off, not passed off as a whole file.
    with pytest.raises(ExportDeadlinePassed):
        while True:
            next(chunks)
    response.close()


# --- a published encounter keeps a source ------------------------------------------------------


def test_the_source_admin_refuses_to_delete_a_published_encounters_only_source(admin_client):
    encounter = EncounterFactory(title="Only sourced once")
    source = SourceFactory(encounter=encounter)
    url = reverse("admin:engagements_source_delete", args=[source.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert Source.objects.filter(pk=source.pk).exists()
    assert "would be left without a source" in response.text
    # The bulk action too.
    response = admin_client.post(
        reverse("admin:engagements_source_changelist"),
        {"action": "delete_selected", "_selected_action": [source.pk], "post": "yes"},
    )
    assert Source.objects.filter(pk=source.pk).exists()
    assert "would be left without a source" in response.text


def test_the_source_admin_refuses_to_move_a_published_encounters_only_source(admin_client):
    source = SourceFactory(encounter=EncounterFactory())
    elsewhere = EncounterFactory()
    response = admin_client.get(reverse("admin:engagements_source_change", args=[source.pk]))
    data = {
        name: value
        for name, value in form_data(response).items()
        if not name.startswith("initial-")
    }
    data["encounter"] = str(elsewhere.pk)
    response = admin_client.post(reverse("admin:engagements_source_change", args=[source.pk]), data)
    assert response.status_code == 200
    assert "would be left without a source" in str(response.context["adminform"].form.errors)
    source.refresh_from_db()
    assert source.encounter_id != elsewhere.pk


def test_a_script_cannot_delete_a_published_encounters_last_source_either():
    encounter = EncounterFactory()
    first, second = SourceFactory(encounter=encounter), SourceFactory(encounter=encounter)
    first.delete()  # another one is left
    with pytest.raises(ValidationError, match="without a source"), transaction.atomic():
        second.delete()
    with pytest.raises(ValidationError, match="without a source"), transaction.atomic():
        Source.objects.filter(encounter=encounter).delete()
    assert Source.objects.filter(pk=second.pk).exists()
    # A draft's sources may go; and an encounter's own deletion takes its sources with it.
    draft = EncounterFactory(status=Encounter.Status.DRAFT, published_at=None)
    SourceFactory(encounter=draft).delete()
    SourceFactory(encounter=encounter)
    encounter.delete()
    assert not Source.objects.filter(encounter_id=encounter.pk).exists()


# --- inputs that used to answer 500 ------------------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/encounters/",
    "/encounters/{slug}/",
    "/encounters/{slug}/accounts/",
    "/encounters/{slug}/cite.bib",
    "/timeline/",
    "/coverage/",
    "/people/",
    "/people/network/",
    "/people/{person}/",
    "/topics/",
    "/topics/{topic}/",
    "/map/",
    "/stats/",
    "/stats/by-year-level.csv",
    "/about/",
    "/encounters.csv",
    "/encounters.json",
    "/feeds/encounters.atom",
    "/sitemap.xml",
    "/sitemap-encounters.xml",
    "/robots.txt",
]
# Every parameter any page reads (the list's FilterSet, paging, the map's place, the sitemap's
# page, the network's and stats' own), each with values a fuzzer or a clumsy hand would send.
PARAMETERS = [
    "q", "kind", "level", "venue", "person", "topic", "date_after", "date_before", "sort",
    "page", "place", "p", "lanes", "side", "period", "format", "x",
]  # fmt: skip
NASTY_VALUES = [
    "%C2%B2",  # "²": isdigit() but not int()
    "%01",
    "-1",
    "0",
    "1e309",
    "99999999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "%EF%BF%BF",
    "%ED%A0%80",  # a lone surrogate, percent-encoded
    "a" * 3000,
    "%27%20OR%201%3D1--",
    "%5B%5D",
]


@pytest.fixture
def fuzz_record():
    encounter = EncounterFactory(slug="fuzzed")
    person_participation = ParticipationFactory(encounter=encounter)
    SourceFactory(encounter=encounter)
    topic = TopicFactory(slug="fuzz-topic")
    encounter.topics.add(topic)
    return {"slug": "fuzzed", "person": person_participation.person.slug, "topic": "fuzz-topic"}


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_no_parameter_value_makes_any_public_page_a_500(anonymous, fuzz_record, page):
    """Each parameter gets three of the values, in turn, so that every value reaches every
    page through several parameters, at a cost the suite can afford (51 requests a page)."""
    path = page.format(**fuzz_record)
    failures = []
    for number, name in enumerate(PARAMETERS):
        for turn in range(3):
            value = NASTY_VALUES[(number * 3 + turn) % len(NASTY_VALUES)]
            response = anonymous.get(f"{path}?{name}={value}")
            if response.status_code >= 500:
                failures.append((name, value[:20], response.status_code))
    assert not failures


def test_the_map_ignores_a_place_that_is_not_ascii_digits(anonymous):
    EncounterFactory()
    assert anonymous.get("/map/?place=%C2%B2").status_code == 200


def test_a_session_cookie_with_a_nul_is_ignored(anonymous):
    response = anonymous.get("/admin/", HTTP_COOKIE="sessionid=abc\x00def")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert anonymous.get("/", HTTP_COOKIE="sessionid=\x00").status_code == 200


@pytest.mark.parametrize("path", ["history/abc/", "history/1abc/", "history/%C2%B2/"])
def test_a_history_address_that_is_not_a_number_is_a_404(admin_client, path):
    encounter = EncounterFactory()
    url = reverse("admin:engagements_encounter_change", args=[encounter.pk])
    response = admin_client.get(url.replace("change/", path))
    assert response.status_code == 404
    source = SourceFactory(encounter=encounter)
    url = reverse("admin:engagements_source_change", args=[source.pk])
    assert admin_client.get(url.replace("change/", path)).status_code == 404


@pytest.mark.parametrize("field, value", [("format", "99"), ("resource", "5"), ("format", "x")])
def test_an_import_confirmation_naming_an_unknown_format_or_resource_imports_nothing(
    publisher_client, field, value
):
    data = {
        "import_file_name": "anything",
        "original_file_name": "encounters.csv",
        "format": "0",
        "resource": "0",
        field: value,
    }
    response = publisher_client.post(reverse("admin:engagements_encounter_process_import"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:engagements_encounter_import")


# --- former slugs stay reserved ----------------------------------------------------------------


def renamed(old="first-name", new="second-name"):
    encounter = EncounterFactory(slug=old)
    SourceFactory(encounter=encounter)
    encounter.slug = new
    encounter.save()
    return encounter


def test_a_new_draft_cannot_take_a_renamed_encounters_old_slug(admin_client, anonymous):
    renamed()
    response = admin_client.post(
        reverse("admin:engagements_encounter_add"), encounter_form(slug="first-name")
    )
    assert response.status_code == 200
    assert "stays reserved" in str(response.context["adminform"].form.errors["slug"])
    # A script is held to it too, and the old permalink still redirects.
    with pytest.raises(ValidationError, match="stays reserved"), transaction.atomic():
        EncounterFactory(slug="first-name", status=Encounter.Status.DRAFT, published_at=None)
    response = anonymous.get("/encounters/first-name/")
    assert response.status_code == 301 and response["Location"] == "/encounters/second-name/"


def test_an_encounter_may_take_its_own_old_slug_back(anonymous):
    encounter = renamed()
    encounter.slug = "first-name"
    encounter.save()
    assert anonymous.get("/encounters/first-name/").status_code == 200


def test_an_import_row_cannot_take_a_former_slug(publisher_client, people):
    from tests.test_import import csv_file, row, upload

    renamed(old="blinken-wang-2024-04-26")
    preview = upload(publisher_client, csv_file(row()))
    assert "stays reserved" in preview.text
    assert not Encounter.objects.filter(slug="blinken-wang-2024-04-26").exists()


# --- deliberate load ---------------------------------------------------------------------------


def test_a_sitemap_is_built_once_whatever_its_parameters(
    anonymous, settings, django_assert_num_queries
):
    from django.core.cache import caches

    settings.SITEMAP_CACHE_SECONDS = 600
    caches["pages"].clear()
    SourceFactory(encounter=EncounterFactory(slug="mapped"))
    first = anonymous.get("/sitemap-encounters.xml?x=1")
    assert first.status_code == 200 and b"/encounters/mapped/" in first.content
    for throwaway in ("x=2", "x=3&y=4", ""):
        with django_assert_num_queries(1):  # the data version the kept file is filed under
            again = anonymous.get(f"/sitemap-encounters.xml?{throwaway}")
        assert again.status_code == 200 and again.content == first.content
    caches["pages"].clear()


@pytest.mark.parametrize(
    "asked, canonical",
    [
        ("/encounters/?x=1", "/encounters/"),
        (
            "/encounters/?person=a&utm_source=feed&person=b&q=trade",
            "/encounters/?person=a&person=b&q=trade",
        ),
        ("/timeline/?lanes=kind&cachebuster=123", "/timeline/?lanes=kind"),
        ("/stats/?level=leader&x=1", "/stats/?level=leader"),
        ("/map/?place=1&x=1", "/map/?place=1"),
        ("/people/?side=us&x=1", "/people/?side=us"),
        ("/people/network/?x=1", "/people/network/"),
        ("/topics/?x=1", "/topics/"),
        ("/coverage/?x=1", "/coverage/"),
        ("/about/?x=1", "/about/"),
        ("/?x=1", "/"),
        ("/encounters/fuzzed/?q=trade", "/encounters/fuzzed/"),
    ],
)
def test_a_public_page_redirects_away_parameters_it_does_not_read(
    anonymous, fuzz_record, asked, canonical
):
    response = anonymous.get(asked)
    assert response.status_code == 301
    assert response["Location"] == canonical


def test_a_throwaway_parameter_costs_no_render(anonymous, django_assert_num_queries):
    """Deliberate load: a random parameter on every request must not buy a fresh page each
    time (the page cache keys pages by address)."""
    EncounterFactory()
    for n in range(3):
        with django_assert_num_queries(0):
            response = anonymous.get(f"/encounters/?level=leader&x={n}")
        assert response.status_code == 301


def test_the_parameters_a_page_reads_are_kept(anonymous, fuzz_record):
    """Every filter, the "add" boxes and the ways of showing reach the page, unredirected."""
    assert anonymous.get("/encounters/?view=table&page=1&sort=date").status_code == 200
    assert anonymous.get(f"/encounters/?add_person={fuzz_record['person']}").status_code == 302
    assert anonymous.get("/encounters/?date_after=2020-01-01&country=CN").status_code == 200
    assert anonymous.get("/timeline/?lanes=kind&initiated_by=us").status_code == 200
    assert anonymous.get(f"/people/{fuzz_record['person']}/?page=1").status_code == 200


def test_the_api_and_exports_keep_their_own_parameters(anonymous, fuzz_record):
    # DRF and the export views read parameters of their own (format, page_size, side…).
    assert anonymous.get("/api/v1/encounters/?format=json&x=1").status_code == 200
    assert anonymous.get("/encounters.csv?x=1").status_code == 200


# --- documented field limits -------------------------------------------------------------------


def test_a_summary_over_the_limit_is_a_form_error_that_keeps_the_text(admin_client):
    pasted = "A paste gone wrong. " * 100_000  # 2 MB
    response = admin_client.post(
        reverse("admin:engagements_encounter_add"), encounter_form(summary=pasted)
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "at most 20000 characters" in str(form.errors["summary"]).replace(",", "")
    assert form["summary"].value() == pasted  # shown again, not lost
    assert not Encounter.objects.filter(slug="a-meeting").exists()


def test_the_database_holds_the_text_limits_too():
    encounter = EncounterFactory()
    with (
        pytest.raises(IntegrityError, match="encounter_texts_within_length"),
        transaction.atomic(),
    ):
        Encounter.objects.filter(pk=encounter.pk).update(summary="x" * 20_001)
    with pytest.raises(IntegrityError, match="quote_text_within_length"), transaction.atomic():
        QuoteFactory(encounter=encounter, text="x" * 5_001)


def test_no_number_of_quotes_makes_the_search_vector_too_long():
    from engagements.domain.signals import encounter_changes_batched

    encounter = EncounterFactory()
    with transaction.atomic(), encounter_changes_batched():
        for quote in range(300):  # 1.5 million characters of words all different
            words = " ".join(f"q{quote}w{n}" for n in range(700))
            QuoteFactory(encounter=encounter, text=words[:5_000])
    encounter.refresh_from_db()
    assert Encounter.objects.filter(pk=encounter.pk, search_vector__isnull=False).exists()


# --- import ------------------------------------------------------------------------------------


def test_a_whole_file_error_is_said_in_words_without_a_traceback(publisher_client, people):
    from tests.test_import import csv_file, row, upload

    response = upload(publisher_client, csv_file(row(), columns=["slug", "title", "colour"]))
    assert "missing column(s)" in response.text
    assert "Traceback" not in response.text and "['" not in response.text
    assert "/engagements/" not in response.text.split("missing column(s)")[1][:2000]


def test_the_row_limit_is_checked_while_the_file_is_read(
    publisher_client, people, settings, monkeypatch
):
    import tablib

    from tests.test_import import csv_file, row, upload

    settings.IMPORT_MAX_ROWS = 2
    parsed = []
    original = tablib.import_set
    monkeypatch.setattr(tablib, "import_set", lambda *a, **k: parsed.append(1) or original(*a, **k))
    response = upload(publisher_client, csv_file(*(row(slug=f"row-{n}") for n in range(50))))
    assert "more than 2 rows" in response.text
    assert parsed == []  # refused before the library parsed the whole file


def test_a_nul_in_a_cell_is_caught_by_the_dry_run(publisher_client, people):
    from tests.test_import import csv_file, row, upload

    response = upload(publisher_client, csv_file(row(), row(slug="second", title="Nul\x00here")))
    assert "Line 3 has a NUL character" in response.text
    assert "confirm_form" not in response.context


def test_a_cell_over_the_csv_limit_says_where_it_is(publisher_client, people):
    from tests.test_import import csv_file, row, upload

    response = upload(publisher_client, csv_file(row(), row(slug="long", summary="x" * 140_000)))
    assert "Line 3 has a cell longer than 131,072 characters" in response.text
    assert "encountered while trying to read file" not in response.text
