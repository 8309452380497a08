"""The curated-data loader: the data engineers' format, idempotence, editors' edits."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from engagements.infrastructure.seeding import SEED_FILE, SeedLoader, seed_files
from engagements.models import Discrepancy, Encounter, Participation, Person, Place, Source, Topic

pytestmark = pytest.mark.django_db


def coverage_file(tmp_path, name="coverage-test.json", **overrides):
    data = {
        "_about": "test file",
        "topics": [{"slug": "north-korea", "name": "North Korea"}],
        "places": [
            {
                "key": "zurich",
                "name": "Zurich airport hotel",
                "city": "Zurich",
                "country": "CH",
                "latitude": "47.450000",
                "longitude": "8.560000",
                "timezone": "Europe/Zurich",
            }
        ],
        "people": [
            {"slug": "jake-sullivan", "name": "Jake Sullivan", "side": "us"},
            {"slug": "test-official", "name": "Test Official", "name_zh": "测试", "side": "prc"},
        ],
        "terms": [
            {
                "person": "test-official",
                "office": "Director of the Office of the Central Foreign Affairs Commission",
                "start": "2013-03-01",
                "end": None,
                "note": "test",
            }
        ],
        "encounters": [
            {
                "slug": "sullivan-test-talks-zurich-2021-10-06",
                "title": "Sullivan–Test talks in Zurich",
                "kind": "talks",
                "venue": "third_country",
                "level": "cabinet",
                "start_date": "2021-10-06",
                "place": "zurich",
                "initiated_by": "both",
                "initiator_source": "s1",
                "topics": ["diplomatic", "north-korea"],
                "summary": "A test summary in our own words.",
                "participants": [
                    {
                        "person": "jake-sullivan",
                        "side": "us",
                        "role": "principal",
                        "office": "National Security Advisor",
                    },
                    {
                        "person": "test-official",
                        "side": "prc",
                        "role": "principal",
                        "office": "Director of the Office of the Central Foreign Affairs "
                        "Commission",
                    },
                ],
                "sources": [
                    {
                        "key": "s1",
                        "kind": "prc_readout",
                        "outlet": "People's Daily",
                        "title": "Readout of the talks",
                        "title_is_description": True,
                        "url": "http://en.people.cn/n3/2021/1006/c90000-9904006.html",
                        "published_on": "2021-10-06",
                    },
                    {
                        "key": "s2",
                        "kind": "news",
                        "outlet": "South China Morning Post",
                        "title": "China welcomes positive statements",
                        "url": "https://www.scmp.com/news/china/diplomacy/article/3151468/x",
                    },
                ],
                "discrepancies": [
                    {
                        "field": "start_date",
                        "value": "2021-10-07",
                        "source": "s2",
                        "note": "One report dates the talks a day later.",
                    }
                ],
            },
            {
                "slug": "sullivan-test-session-2021-10-06",
                "title": "Morning session",
                "kind": "meeting",
                "venue": "third_country",
                "level": "cabinet",
                "start_date": "2021-10-06",
                "place": "zurich",
                "parent": "sullivan-test-talks-zurich-2021-10-06",
                "topics": ["diplomatic"],
                "summary": "The first session.",
                "participants": [
                    {"person": "jake-sullivan", "side": "us", "role": "principal"},
                    {"person": "test-official", "side": "prc", "role": "principal"},
                ],
                "sources": [
                    {
                        "kind": "news",
                        "outlet": "SCMP",
                        "title": "x",
                        "url": "https://www.scmp.com/news/china/diplomacy/article/3151468/x",
                    }
                ],
            },
        ],
    }
    data.update(overrides)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def state():
    return (
        sorted(Encounter.objects.values_list("slug", "version", "title")),
        Participation.objects.count(),
        Source.objects.count(),
        Discrepancy.objects.count(),
        Place.objects.count(),
        Person.objects.count(),
        Topic.objects.count(),
        Encounter.history.count(),
    )


def test_loads_the_coverage_format(tmp_path):
    SeedLoader([SEED_FILE, coverage_file(tmp_path)]).run()
    talks = Encounter.objects.get(slug="sullivan-test-talks-zurich-2021-10-06")
    assert talks.status == Encounter.Status.PUBLISHED
    assert talks.provenance == Encounter.Provenance.CURATED
    assert talks.initiated_by == "both"
    assert set(talks.topics.values_list("slug", flat=True)) == {"diplomatic", "north-korea"}
    assert talks.place.city == "Zurich"
    assert Person.objects.get(slug="test-official").name_zh == "测试"
    readout = talks.sources.get(kind="prc_readout")
    assert readout.title_is_description is True
    assert talks.sources.get(kind="news").title_is_description is False
    discrepancy = talks.discrepancies.get()
    assert discrepancy.field == Discrepancy.Field.DATES
    assert (discrepancy.our_value, discrepancy.their_value) == ("6 October 2021", "7 October 2021")
    assert discrepancy.source.outlet == "South China Morning Post"
    session = Encounter.objects.get(slug="sullivan-test-session-2021-10-06")
    assert session.parent == talks
    # A participant without a side takes the person's.
    assert session.participations.get(person__slug="test-official").side == "prc"
    # Seed people are reused, not duplicated.
    assert Person.objects.filter(slug="jake-sullivan").count() == 1


def test_second_run_changes_nothing(tmp_path):
    files = [SEED_FILE, coverage_file(tmp_path)]
    SeedLoader(files).run()
    before = state()
    result = SeedLoader(files).run()
    assert result.created == []
    assert state() == before


def test_never_overwrites_an_editors_edit(tmp_path):
    files = [SEED_FILE, coverage_file(tmp_path)]
    SeedLoader(files).run()
    talks = Encounter.objects.get(slug="sullivan-test-talks-zurich-2021-10-06")
    talks.summary = "An editor's better summary."
    talks.save()
    talks.sources.filter(kind="news").delete()
    SeedLoader(files).run()
    talks.refresh_from_db()
    assert talks.summary == "An editor's better summary."
    assert not talks.sources.filter(kind="news").exists()


def test_a_bad_file_loads_nothing_and_says_where(tmp_path):
    good = coverage_file(tmp_path)
    bad = coverage_file(
        tmp_path,
        name="coverage-z.json",
        encounters=[
            {
                "slug": "orphan-session-2022-01-01",
                "title": "Orphan",
                "kind": "meeting",
                "venue": "prc",
                "level": "cabinet",
                "start_date": "2022-01-01",
                "parent": "no-such-parent",
                "participants": [],
                "sources": [],
            }
        ],
    )
    with pytest.raises(CommandError) as error:
        call_command("load_seed", file=[SEED_FILE, good, bad], verbosity=0)
    message = str(error.value)
    assert "coverage-z.json" in message and "orphan-session-2022-01-01" in message
    assert "no-such-parent" in message
    assert not Encounter.objects.exists()


def test_a_database_rule_broken_by_a_row_is_named(tmp_path):
    bad = coverage_file(tmp_path)
    data = json.loads(bad.read_text())
    data["encounters"][0]["end_date"] = "2021-10-01"  # before the start
    bad.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="sullivan-test-talks-zurich-2021-10-06"):
        call_command("load_seed", file=[bad], verbosity=0)


def test_default_files_are_the_seed_then_the_coverage_files():
    files = seed_files()
    assert files[0] == SEED_FILE
    assert [f.name for f in files[1:]] == sorted(f.name for f in files[1:])
    assert all(f.parent.name == "coverage" for f in files[1:])


def test_seed_dates_and_duration_types_are_stored(tmp_path):
    SeedLoader([SEED_FILE, coverage_file(tmp_path)]).run()
    talks = Encounter.objects.get(slug="sullivan-test-talks-zurich-2021-10-06")
    assert talks.start_date == datetime.date(2021, 10, 6)
    assert talks.end_date == talks.start_date


def test_an_amendment_fills_the_other_capitals_date_of_an_encounter_created_in_the_same_run(
    tmp_path,
):
    """A file may amend an encounter an earlier file of the same run created (the sweep's
    amendments do): the fill compares dates, so the encounter is read back, not reused as built."""
    base = coverage_file(tmp_path, name="coverage-a.json")
    amend = tmp_path / "coverage-b.json"
    amend.write_text(
        json.dumps(
            {
                "amendments": [
                    {
                        "encounter": "sullivan-test-talks-zurich-2021-10-06",
                        "sources": [
                            {
                                "key": "r1",
                                "kind": "prc_readout",
                                "issuer": "prc_mfa",
                                "language": "zh",
                                "outlet": "Ministry of Foreign Affairs of the PRC",
                                "title": "杨洁篪同沙利文会晤",
                                "url": "https://www.fmprc.gov.cn/test/20211006.shtml",
                                "text": "10月6日，杨洁篪同沙利文在苏黎世会晤。",
                                "text_is_excerpt": True,
                                "issued_on": "2021-10-06",
                                "issued_time_zone": "Asia/Shanghai",
                            }
                        ],
                        "fill": {
                            "beijing_date": "2021-10-06",
                            "beijing_date_note": "PRC readout: 6 October.",
                            "source": "r1",
                        },
                    }
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    SeedLoader([SEED_FILE, base, amend]).run()
    talks = Encounter.objects.get(slug="sullivan-test-talks-zurich-2021-10-06")
    assert talks.beijing_date == datetime.date(2021, 10, 6)
    assert talks.sources.filter(kind="prc_readout", issuer="prc_mfa").count() == 1


def test_presidents_terms_come_from_the_one_table_of_them(tmp_path):
    """Leaders' terms are kept once (engagements/domain/leaders.py): the loader writes the
    presidents' OfficeTerm rows from it for the people recorded, and a file may not list them."""
    from engagements.domain import leaders
    from engagements.models import OfficeTerm

    path = coverage_file(
        tmp_path,
        people=[
            {"slug": "jake-sullivan", "name": "Jake Sullivan", "side": "us"},
            {"slug": "test-official", "name": "Test Official", "name_zh": "测试", "side": "prc"},
            {"slug": "joe-biden", "name": "Joe Biden", "side": "us"},
            {"slug": "xi-jinping", "name": "Xi Jinping", "name_zh": "习近平", "side": "prc"},
        ],
    )
    SeedLoader([SEED_FILE, path]).run()
    presidents = set(
        OfficeTerm.objects.filter(office__in=leaders.PRESIDENCIES).values_list(
            "person__slug", "office", "start_date", "end_date"
        )
    )
    recorded = set(Person.objects.values_list("slug", flat=True))
    assert presidents == {row[:4] for row in leaders.office_terms() if row[0] in recorded}
    assert (
        "joe-biden",
        leaders.US_PRESIDENT_OFFICE,
        datetime.date(2021, 1, 20),
        datetime.date(2025, 1, 20),
    ) in presidents
    assert ("xi-jinping", leaders.PRC_PRESIDENT_OFFICE, datetime.date(2013, 3, 14), None) in (
        presidents
    )

    listed = coverage_file(
        tmp_path,
        name="coverage-z.json",
        terms=[
            {
                "person": "test-official",
                "office": leaders.PRC_PRESIDENT_OFFICE,
                "start": "2013-03-14",
                "end": None,
            }
        ],
    )
    with pytest.raises(CommandError, match="kept in engagements/domain/leaders.py only"):
        call_command("load_seed", file=[listed], verbosity=0)
