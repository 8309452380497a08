"""The audit's corrections: in seed.json, in the migration for older databases, and carried by
the API, the exports and the citations (discrepancies)."""

import csv
import importlib
import io
import json

import pytest
from django.apps import apps
from django.urls import reverse

from engagements.models import Discrepancy, Encounter, Quote, Source

pytestmark = pytest.mark.django_db

migration = importlib.import_module("engagements.migrations.0014_seed_audit_corrections")

KERRY_WANG = "kerry-wang-yi-video-call-2021-09-01"
XINHUA_KERRY_WANG = "http://en.people.cn/n3/2021/0902/c90000-9890934.html"


def make_like_the_old_seed():
    """Put back what the seed shipped before the audit, as an older database still has it."""
    for slug, name, old, _new in migration.ENCOUNTER_FIELDS:
        Encounter.objects.filter(slug=slug).update(**{name: old})
    # Swapped while a draft: a published encounter is never left without a source.
    Encounter.objects.filter(slug=KERRY_WANG).update(status="draft")
    Source.objects.filter(encounter__slug=KERRY_WANG).delete()
    Encounter.objects.filter(slug=KERRY_WANG).update(status="published")
    Source.objects.create(
        encounter=Encounter.objects.get(slug=KERRY_WANG),
        kind="us_readout",
        outlet="U.S. Embassy and Consulates in China",
        title="Kerry's virtual meetings in Tianjin",
        url=migration.HAN_ZHENG_READOUT,
    )
    Source.objects.filter(title="Xi holds broad strategic communication with Biden").update(
        title="The PRC side's account of the call", kind="news"
    )
    Quote.objects.filter(text="unfruitful").update(
        speaker_description="a senior administration official"
    )
    Discrepancy.objects.filter(encounter__provenance="curated").delete()
    Source.objects.filter(note__contains="hsg-trip:4296").delete()


def test_seed_carries_the_audit_corrections(seeded):
    anchorage = Encounter.objects.get(slug="anchorage-talks-2021-03-18")
    assert anchorage.tone == "mixed" and "acrimonious" in anchorage.tone_note
    assert anchorage.beijing_date is None  # no source gives a clock time
    lima = Encounter.objects.get(slug="biden-xi-meeting-lima-2024-11-16")
    assert lima.beijing_date is None
    assert lima.sources.filter(title__contains="Peru, 15–17 November 2024", kind="dataset").exists()
    kerry_wang = Encounter.objects.get(slug=KERRY_WANG)
    assert kerry_wang.initiated_by == "us"
    assert kerry_wang.sources.filter(url=XINHUA_KERRY_WANG, kind="prc_readout").exists()
    assert not kerry_wang.sources.filter(url=migration.HAN_ZHENG_READOUT).exists()
    assert "day-long" not in Encounter.objects.get(slug__contains="woodside").summary
    assert "Xi was staying" in Encounter.objects.get(slug__contains="bali").summary
    assert "most senior" not in Encounter.objects.get(slug="sherman-visit-tianjin-2021-07").summary
    readout = Source.objects.get(url="https://en.people.cn/n3/2021/0910/c90000-9894850.html")
    assert (readout.kind, readout.title) == (
        "prc_readout",
        "Xi holds broad strategic communication with Biden",
    )


def test_every_curated_encounter_citing_cbs_also_has_a_source_with_a_url(seeded):
    cbs = Source.objects.filter(outlet="CBS News")
    assert cbs.count() == 4 and not cbs.exclude(url="").exists()
    for source in cbs:
        assert source.encounter.sources.exclude(url="").exists(), source.encounter.slug
        assert "No URL" in source.note


def test_migration_corrects_an_older_database(seeded):
    make_like_the_old_seed()
    migration.apply(apps, None)
    kerry_wang = Encounter.objects.get(slug=KERRY_WANG)
    assert kerry_wang.initiated_by == "us"
    assert set(kerry_wang.sources.values_list("url", flat=True)) == {
        XINHUA_KERRY_WANG,
        migration.NEW_SOURCES[KERRY_WANG][1]["url"],
    }
    assert Encounter.objects.get(slug="anchorage-talks-2021-03-18").tone == "mixed"
    assert Quote.objects.get(text="unfruitful").speaker_description == "the official"
    assert Source.objects.get(title="Xi holds broad strategic communication with Biden").kind == (
        "prc_readout"
    )
    sherman = Discrepancy.objects.get(encounter__slug="sherman-visit-tianjin-2021-07")
    assert (sherman.our_value, sherman.their_value) == (
        "Deputy Secretary of State",
        "Undersecretary",
    )
    assert Source.objects.filter(
        encounter__slug="biden-xi-meeting-lima-2024-11-16", note__contains="hsg-trip:4296"
    ).exists()
    # A second run finds nothing left to do.
    before = list(Encounter.objects.order_by("id").values_list("version", flat=True))
    migration.apply(apps, None)
    assert list(Encounter.objects.order_by("id").values_list("version", flat=True)) == before


def test_migration_leaves_an_editors_edit_alone(seeded):
    make_like_the_old_seed()
    Encounter.objects.filter(slug="anchorage-talks-2021-03-18").update(
        tone="tense", tone_note="An editor's own judgement."
    )
    Encounter.objects.filter(slug="biden-xi-meeting-bali-2022-11-14").update(
        summary="An editor rewrote this."
    )
    migration.apply(apps, None)
    anchorage = Encounter.objects.get(slug="anchorage-talks-2021-03-18")
    assert (anchorage.tone, anchorage.tone_note) == ("tense", "An editor's own judgement.")
    assert Encounter.objects.get(slug__contains="bali").summary == "An editor rewrote this."


def test_api_detail_carries_discrepancies(client, seeded):
    url = reverse("api-encounter-detail", args=["sherman-visit-tianjin-2021-07"])
    data = client.get(url).json()
    assert data["discrepancies"] == [
        {
            "field": "office",
            "our_value": "Deputy Secretary of State",
            "their_value": "Undersecretary",
            "source": {
                "kind": "news",
                "outlet": "CBS News",
                "title": "Biden calls Chinese President Xi Jinping about U.S.-China relationship",
                "url": "",
                "external_id": "",
            },
            "our_source": {
                "kind": "news",
                "outlet": "The Diplomatic Insight",
                "title": "Summary of Deputy Secretary Sherman's two-day visit to China",
                "url": "https://thediplomaticinsight.com/summary-two-day-visit-of-china-by-"
                "deputy-secretary-sherman/",
                "external_id": "",
            },
            "note": "CBS News calls Wendy Sherman “Undersecretary”; she was Deputy Secretary of "
            "State, as The Diplomatic Insight's report of the visit says.",
        }
    ]
    titles = {s["title"]: s["title_is_description"] for s in data["sources"]}
    assert titles["Summary of Deputy Secretary Sherman's two-day visit to China"] is True


def dated_discrepancy():
    encounter = Encounter.objects.get(slug="biden-xi-meeting-lima-2024-11-16")
    source = encounter.sources.get(note__contains="hsg-trip:4296")
    Discrepancy.objects.create(
        encounter=encounter,
        source=source,
        field=Discrepancy.Field.DATES,
        our_value="16 November 2024",
        their_value="15–17 November 2024",
        note="The Office's record gives Biden's whole stay.",
    )
    return encounter


def test_exports_carry_discrepancies(client, seeded):
    dated_discrepancy()
    response = client.get("/encounters.csv?date_after=2024-11-16&date_before=2024-11-16")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["discrepancies"] == (
        "Dates: 16 November 2024 (tracker) / 15–17 November 2024 (U.S. Department of State, "
        "Office of the Historian)"
    )
    data = json.loads(
        b"".join(
            client.get("/encounters.json?q=Peru+OR+Lima&date_after=2024-11-16").streaming_content
        )
    )
    lima = next(row for row in data if row["slug"] == "biden-xi-meeting-lima-2024-11-16")
    assert lima["discrepancies"] == [rows[0]["discrepancies"]]
    sherman = client.get("/encounters.json?date_after=2021-07-25&date_before=2021-07-25")
    sherman_rows = json.loads(b"".join(sherman.streaming_content))
    visit = next(row for row in sherman_rows if row["slug"] == "sherman-visit-tianjin-2021-07")
    assert visit["discrepancies"] == [
        "Office or title: Deputy Secretary of State (tracker) / Undersecretary (CBS News)"
    ]


def test_citations_note_a_corrected_date(client, seeded):
    dated_discrepancy()
    slug = "biden-xi-meeting-lima-2024-11-16"
    note = (
        "Date: the tracker gives 16 November 2024; U.S. Department of State, Office of the "
        "Historian gives 15–17 November 2024."
    )
    bib = client.get(reverse("encounter-cite", args=[slug, "bib"])).content.decode()
    assert note in bib
    ris = client.get(reverse("encounter-cite", args=[slug, "ris"])).content.decode()
    assert f"N1  - {note} See “Where sources disagree” on the record's page.\r\n" in ris
    csl = json.loads(client.get(reverse("encounter-cite", args=[slug, "json"])).content)
    assert csl[0]["note"].startswith(note)
    plain = client.get(reverse("encounter-cite", args=["biden-xi-phone-call-2021-02-10", "json"]))
    assert "note" not in json.loads(plain.content)[0]
