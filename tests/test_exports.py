"""/encounters.csv and /encounters.json: the whole filtered list, streamed."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from engagements.models import Encounter
from engagements.surfaces import csv_columns
from tests.factories import (
    EncounterFactory,
    ParticipationFactory,
    PersonFactory,
    SourceFactory,
    TopicFactory,
)
from tests.test_api import FILTERS, html_list_slugs

pytestmark = pytest.mark.django_db

SLUG = "biden-xi-phone-call-2021-09-09"


def read_csv(response):
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def read_json(response):
    assert response.status_code == 200
    assert response.streaming
    return json.loads(b"".join(response.streaming_content).decode("utf-8"))


def test_csv_round_trip_finds_every_field_of_a_seeded_encounter(client, seeded):
    response = client.get("/encounters.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="encounters-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    rows = read_csv(response)
    assert len(rows) == Encounter.objects.published().count()
    assert list(rows[0]) == csv_columns.EXPORT_NAMES
    row = next(r for r in rows if r["slug"] == SLUG)
    encounter = Encounter.objects.get(slug=SLUG)
    assert row == {
        "slug": SLUG,
        "title": "Biden–Xi phone call",
        "kind": "phone_call",
        "venue": "remote",
        "level": "leader",
        "start_date": "2021-09-09",
        "end_date": "2021-09-09",
        "date_precision": "day",
        "beijing_date": "2021-09-10",
        "local_start_time": "",
        "duration_minutes": "90",
        "place": "Treaty Room, White House",
        "city": "Washington",
        "country": "US",
        "initiated_by": "us",
        "tone": "candid",
        "tone_note": encounter.tone_note,
        "occurrence": "held",
        "summary": encounter.summary,
        "outcomes": "",
        "topics": "Diplomatic relations; Economic and trade; Environment and climate",
        "principals": "Joe Biden: President of the United States; "
        "Xi Jinping: President of the People's Republic of China",
        "sources": "Reuters (via National Post): https://nationalpost.com/pmn/environment-pmn/"
        "u-s-says-tone-of-90-minute-biden-xi-call-familiar-and-candid; CBS News; "
        "People's Daily: https://en.people.cn/n3/2021/0910/c90000-9894850.html",
        "url": f"http://testserver/encounters/{SLUG}/",
        "cameo_code": "041",
        "place_latitude": "38.8977",
        "place_longitude": "-77.0365",  # a number, not a formula: left as it is
        "principal_slugs": "joe-biden; xi-jinping",
        "principal_sides": "us; prc",
        "principal_names_zh": "; 习近平",
        "topic_slugs": "diplomatic; economic-trade; climate",
        "us_readout": "no",
        "prc_readout": "yes",
        "us_readout_urls": "",
        "prc_readout_urls": "https://en.people.cn/n3/2021/0910/c90000-9894850.html",
        "parent_slug": "",
        "discrepancies": "",
        "provenance": "curated",
        "published_at": row["published_at"],
        "updated_at": row["updated_at"],
    }
    assert (
        list(row)[: len(csv_columns.IMPORT_NAMES)] == csv_columns.IMPORT_NAMES
    )  # import columns first
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["published_at"])


def test_json_has_the_same_rows_with_lists_as_arrays(client, seeded):
    response = client.get("/encounters.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].endswith('.json"')
    rows = read_json(response)
    csv_rows = read_csv(client.get("/encounters.csv"))
    assert [r["slug"] for r in rows] == [r["slug"] for r in csv_rows]
    row = next(r for r in rows if r["slug"] == SLUG)
    assert list(row) == csv_columns.EXPORT_NAMES
    assert row["principals"] == [
        "Joe Biden: President of the United States",
        "Xi Jinping: President of the People's Republic of China",
    ]
    assert row["principal_names_zh"] == ["", "习近平"]
    assert row["duration_minutes"] == 90
    assert row["place_longitude"] == -77.0365
    assert row["local_start_time"] is None
    assert row["parent_slug"] is None
    assert "climate" in row["topic_slugs"]
    assert "Environment and climate" in row["topics"]
    assert len(row["sources"]) == 3
    # The same values as the CSV, list items joined there.
    csv_row = next(r for r in csv_rows if r["slug"] == SLUG)
    for name, value in row.items():
        if isinstance(value, list):
            value = "; ".join(value)
        assert csv_row[name] == ("" if value is None else str(value)), name


@pytest.mark.parametrize("params", FILTERS)
def test_exports_match_the_html_list(client, seeded, params):
    expected = html_list_slugs(client, params)
    assert [r["slug"] for r in read_csv(client.get("/encounters.csv", params))] == expected
    assert [r["slug"] for r in read_json(client.get("/encounters.json", params))] == expected


def test_exports_are_the_whole_set_not_one_page(client, settings):
    for _ in range(30):
        EncounterFactory()
    settings.PAGE_SIZE = 10
    settings.EXPORT_CHUNK_SIZE = 7  # several cursor chunks
    assert len(read_json(client.get("/encounters.json", {"page": 2}))) == 30
    assert len(read_csv(client.get("/encounters.csv"))) == 30


def test_empty_export_is_still_valid(client):
    assert read_json(client.get("/encounters.json")) == []
    assert read_csv(client.get("/encounters.csv")) == []


def test_bad_parameters_are_400_naming_the_field(client):
    response = client.get("/encounters.csv", {"date_before": "2021-13-45"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "date_before:" in response.content.decode()
    response = client.get("/encounters.json", {"level": "emperor", "date_after": "soon"})
    assert response.status_code == 400
    assert set(response.json()) == {"level", "date_after"}


def test_drafts_never_exported(client):
    EncounterFactory(slug="draft-one", status=Encounter.Status.DRAFT, published_at=None)
    EncounterFactory(slug="review-one", status=Encounter.Status.REVIEW, published_at=None)
    EncounterFactory(slug="public-one")
    assert [r["slug"] for r in read_json(client.get("/encounters.json"))] == ["public-one"]
    assert [r["slug"] for r in read_csv(client.get("/encounters.csv"))] == ["public-one"]


def test_export_queries_are_per_chunk_not_per_row(client, settings, django_assert_max_num_queries):
    settings.EXPORT_CHUNK_SIZE = 100
    for n in range(40):
        encounter = EncounterFactory()
        ParticipationFactory(encounter=encounter)
        ParticipationFactory(encounter=encounter, person=PersonFactory(side="prc", name_zh="王"))
        SourceFactory(encounter=encounter)
        encounter.topics.create(name=f"T{n}", slug=f"t{n}")
    with django_assert_max_num_queries(8):
        assert len(read_json(client.get("/encounters.json"))) == 40
    with django_assert_max_num_queries(8):
        assert len(read_csv(client.get("/encounters.csv"))) == 40


def test_researchers_guide_documents_every_column():
    readme = (Path(__file__).resolve().parents[1] / "docs" / "researchers.md").read_text(
        encoding="utf-8"
    )
    section = readme.split("### Encounter CSV columns", 1)[1].split("\n#", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \| (\w+) \|", section, re.M)
    assert [name for name, _ in documented] == csv_columns.EXPORT_NAMES
    required, ignored = set(csv_columns.REQUIRED_NAMES), set(csv_columns.EXPORT_ONLY_NAMES)
    for name, in_import in documented:
        expected = "required" if name in required else "ignored" if name in ignored else "optional"
        assert in_import == expected, name


def test_csv_cells_a_spreadsheet_would_run_are_guarded(client):
    # https://owasp.org/www-community/attacks/CSV_Injection
    encounter = EncounterFactory(
        slug="formulas",
        title='=HYPERLINK("http://evil.example","x")',
        tone_note="\tcordial",
        summary="@SUM(A1:A9)",
        outcomes="-2 agreements",
    )
    encounter.topics.add(TopicFactory(name="+1 trade"))
    row = read_csv(client.get("/encounters.csv"))[0]
    assert row["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["tone_note"] == "'\tcordial"
    assert row["topics"] == "'+1 trade"
    assert row["summary"] == "'@SUM(A1:A9)"
    assert row["outcomes"] == "'-2 agreements"
    assert row["slug"] == "formulas"  # ordinary cells untouched
    assert row["start_date"][0].isdigit()
    data = read_json(client.get("/encounters.json"))[0]
    assert data["title"] == '=HYPERLINK("http://evil.example","x")'  # JSON is not a spreadsheet
    assert data["outcomes"] == "-2 agreements"


def test_list_page_links_to_exports_with_its_filters(client, seeded):
    text = client.get(reverse("encounter-list"), {"topic": "climate", "page": 1}).text
    assert 'href="/encounters.csv?topic=climate"' in text
    assert 'href="/encounters.json?topic=climate"' in text
    assert 'href="/feeds/encounters.atom?topic=climate"' in text


# /readouts.jsonl: the readouts corpus ------------------------------------------------------------


def read_jsonl(response):
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    return [json.loads(line) for line in body.splitlines()]


@pytest.fixture
def readouts(db):
    climate = TopicFactory(slug="climate", name="Climate")
    call = EncounterFactory(slug="call-2021", start_date="2021-09-09")
    call.topics.add(climate)
    SourceFactory(
        encounter=call, kind="us_readout", issuer="white_house", language="en",
        outlet="The White House", title="Readout", text="President Biden spoke with Xi.",
        issued_on="2021-09-09", url="https://www.whitehouse.gov/x",
    )  # fmt: skip
    SourceFactory(
        encounter=call, kind="prc_readout", issuer="prc_mfa", language="zh",
        outlet="MFA", title="习近平应约同拜登通电话", text="习近平应约同拜登通电话。",
        text_is_excerpt=True, url="https://www.mfa.gov.cn/x", copy_outlet="China Daily",
        copy_url="https://www.chinadaily.com.cn/x",
    )  # fmt: skip
    SourceFactory(encounter=call, kind="news", outlet="Reuters")
    other = EncounterFactory(slug="meeting-2022", start_date="2022-03-01")
    SourceFactory(encounter=other, kind="prc_readout", issuer="xinhua", language="en", text="x")
    EncounterFactory(slug="draft", status="draft")
    return call


def test_readouts_jsonl_streams_one_line_per_readout_in_the_lists_order(client, readouts):
    response = client.get("/readouts.jsonl")
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="readouts-\d{4}-\d{2}-\d{2}\.jsonl"',
        response["Content-Disposition"],
    )
    lines = read_jsonl(response)
    assert [(line["encounter"], line["side"]) for line in lines] == [
        ("meeting-2022", "prc"),
        ("call-2021", "us"),
        ("call-2021", "prc"),
    ]
    prc = lines[2]
    assert prc == prc | {
        "issuer": "prc_mfa",
        "language": "zh",
        "text": "习近平应约同拜登通电话。",
        "text_is_excerpt": True,
        "url": "https://www.mfa.gov.cn/x",
        "copy_outlet": "China Daily",
        "copy_url": "https://www.chinadaily.com.cn/x",
        "issued_on": None,
        "encounter_start_date": "2021-09-09",
    }


def test_readouts_jsonl_takes_the_lists_parameters_and_its_own(client, readouts):
    lines = read_jsonl(client.get("/readouts.jsonl", {"topic": "climate", "side": "prc"}))
    assert [(line["encounter"], line["side"]) for line in lines] == [("call-2021", "prc")]
    lines = read_jsonl(client.get("/readouts.jsonl", {"language": "en", "sort": "date"}))
    assert [(line["encounter"], line["side"]) for line in lines] == [
        ("call-2021", "us"),
        ("meeting-2022", "prc"),
    ]
    lines = read_jsonl(client.get("/readouts.jsonl", {"issuer": "xinhua"}))
    assert [line["encounter"] for line in lines] == ["meeting-2022"]


def test_readouts_jsonl_bad_parameters_are_a_400_naming_them(client, readouts):
    response = client.get("/readouts.jsonl", {"side": "moon", "level": "emperor"})
    assert response.status_code == 400
    assert "side" in response.json()
    response = client.get("/readouts.jsonl", {"level": "emperor"})
    assert response.status_code == 400 and "level" in response.json()


def test_readouts_jsonl_is_linked_beside_the_other_exports(client, readouts):
    page = client.get(reverse("encounter-list"), {"topic": "climate"}).text
    assert "/readouts.jsonl?topic=climate" in page


def test_readouts_jsonl_reads_a_fixed_number_of_queries(
    client, readouts, django_assert_max_num_queries
):
    for n in range(20):
        encounter = EncounterFactory()
        SourceFactory(encounter=encounter, kind="us_readout", text=f"text {n}")
    with django_assert_max_num_queries(6):
        assert len(read_jsonl(client.get("/readouts.jsonl"))) == 23
